"""Shared set-up of the resilience tests: a published offer made the way users make one."""

from django.core import mail

from directory.factories import offer_build
from directory.models import Organisation
from directory.services.deliveries import deliveries_dispatch
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load


def published_offer(world, **fields):
    vocabularies_load()
    Organisation.objects.filter(pk=world["org_a"].pk).update(status="approved")
    owner = world["users"]["owner_a"]
    offer = offer_save_draft(offer=offer_build(organisation=world["org_a"], **fields), by=owner)
    offer_submit(offer=offer, by=owner)
    offer = offer_approve(offer=offer, by=world["users"]["nav_staff_x"])
    deliveries_dispatch()
    mail.outbox.clear()
    return offer
