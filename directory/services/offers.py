"""The offer workflow: draft -> submitted -> approved (published) / rejected.

The database row of an offer is its live version. Edits are saved as Wagtail revisions; a
moderator's approval publishes the latest revision, so a published offer stays up unchanged
while an edit waits for review.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.queryset import FakeQuerySet
from wagtail.models import ModelLogEntry, Revision

from directory import permissions as p
from directory.models import Offer, OfferLocation, OfferSchedule, Organisation
from directory.services.freshness import confirmation_due_after
from directory.services.organisations import organisation_notify
from directory.services.rich_text import sanitise_rich_text
from directory.signals import announce_offers_changed


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def offer_save_draft(*, offer: Offer, by) -> Offer:
    """Save a new offer or an edit (from a ClusterForm, children and terms in memory).

    A published offer keeps its live row; the edit is stored as a revision only."""
    if offer.pk:
        _require(p.can_edit_offer(by, offer), _("Du kan ikke endre dette tilbudet."))
    else:
        _require(
            p.can_create_offer(by, offer.organisation),
            _("Du kan bare registrere tilbud for organisasjoner du representerer."),
        )
    if offer.pk is None:
        # DraftStateMixin defaults to live; a new offer is public only once approved.
        offer.live = False
    offer.description = sanitise_rich_text(offer.description)
    offer.full_clean(exclude=["latest_revision", "live_revision"])
    if not offer.live:
        offer.save()
    revision = offer.save_revision(user=by, log_action=True)
    state = {"moderation_status": Offer.ModerationStatus.DRAFT}
    Offer.objects.filter(pk=offer.pk).update(**state)
    offer.moderation_status = state["moderation_status"]
    offer.latest_revision = revision
    return offer


@transaction.atomic
def offer_submit(*, offer: Offer, by) -> Offer:
    """Send the latest version to Nav for review."""
    _require(p.can_edit_offer(by, offer), _("Du kan ikke sende inn dette tilbudet."))
    if offer.latest_revision_id is None:
        raise ValidationError(_("Lagre tilbudet før du sender det inn."))
    if offer.moderation_status == Offer.ModerationStatus.SUBMITTED:
        return offer
    offer.moderation_status = Offer.ModerationStatus.SUBMITTED
    offer.submitted_at = timezone.now()
    offer.save(update_fields=["moderation_status", "submitted_at"])
    return offer


# Rows per INSERT in the bulk path: large enough to amortise round trips, small enough to
# keep each statement's parameters well under PostgreSQL's limit.
BULK_BATCH = 500


@transaction.atomic
def offers_submit_new(*, offers: list[Offer], by) -> list[Offer]:
    """Register and submit many new offers at once (the spreadsheet import).

    Each offer ends exactly as `offer_save_draft` followed by `offer_submit` would leave it: a
    draft row (not live) with its places, times and terms, one revision by `by` with its
    «wagtail.edit» log entry, awaiting moderation. Written in a few statements per batch
    instead of some fifty per offer. Offers are in memory as a form or `build_offer` leaves
    them."""
    for organisation in {offer.organisation for offer in offers}:
        _require(
            p.can_create_offer(by, organisation),
            _("Du kan bare registrere tilbud for organisasjoner du representerer."),
        )
    if not offers:
        return offers
    terms = [f for f in Offer._meta.get_fields() if isinstance(f, ParentalManyToManyField)]
    # The foreign keys hold instances loaded from the database; checking that each still
    # exists would cost one query per key and offer (the transaction keeps them).
    foreign_keys = [f.name for f in Offer._meta.concrete_fields if f.is_relation]
    now = timezone.now()
    children = []
    for offer in offers:
        if offer.pk is not None:
            raise ValueError("offers_submit_new takes new offers only")
        offer.live = False
        offer.description = sanitise_rich_text(offer.description)
        offer.moderation_status = Offer.ModerationStatus.DRAFT
        offer.clean_fields(exclude=foreign_keys)
        offer.clean()
        chosen = {}
        for field in terms:
            given = getattr(offer, field.name).all()
            # A relation not given in memory is empty on a new offer: reading it would cost a
            # query per field and offer. Held in memory from here on, so serialising the
            # revision below asks the database nothing either.
            chosen[field.name] = list(given) if isinstance(given, FakeQuerySet) else []
            setattr(offer, field.name, chosen[field.name])
        children.append((list(offer.locations.all()), list(offer.schedules.all()), chosen))
    Offer.objects.bulk_create(offers, batch_size=BULK_BATCH)

    locations, schedules, links = [], [], {f.name: [] for f in terms}
    for offer, (places, times, chosen) in zip(offers, children, strict=True):
        for order, location in enumerate(places):
            location.offer_id, location.sort_order = offer.pk, order
            location.full_clean(exclude=["offer", "municipality", "arena"])
            locations.append(location)
        for order, schedule in enumerate(times):
            schedule.offer_id, schedule.sort_order = offer.pk, order
            # The constraint checked here, in its own words, not by a query per time.
            schedule.full_clean(exclude=["offer"], validate_constraints=False)
            if schedule.opens >= schedule.closes:
                raise ValidationError(
                    _("«%(title)s»: et tidspunkt må slutte etter at det begynner.")
                    % {"title": offer.title}
                )
            schedules.append(schedule)
        for field in terms:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            links[field.name].extend(
                through(**{f"{source}_id": offer.pk, f"{target}_id": term.pk})
                for term in chosen[field.name]
            )
    OfferLocation.objects.bulk_create(locations, batch_size=BULK_BATCH)
    OfferSchedule.objects.bulk_create(schedules, batch_size=BULK_BATCH)
    for field in terms:
        field.remote_field.through.objects.bulk_create(links[field.name], batch_size=BULK_BATCH)

    content_type = ContentType.objects.get_for_model(Offer, for_concrete_model=False)
    base_content_type = Offer.get_base_content_type()
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=str(offer.pk),
                user=by,
                content=offer.serializable_data(),
                object_str=str(offer),
                created_at=now,  # Revision.save() sets it; bulk_create does not call save()
            )
            for offer in offers
        ],
        batch_size=BULK_BATCH,
    )
    for offer, revision in zip(offers, revisions, strict=True):
        # Set after the revision was taken, as saving a draft and then submitting it would.
        offer.latest_revision, offer.has_unpublished_changes = revision, True
        offer.moderation_status, offer.submitted_at = Offer.ModerationStatus.SUBMITTED, now
    Offer.objects.bulk_update(
        offers,
        ["latest_revision", "has_unpublished_changes", "moderation_status", "submitted_at"],
        batch_size=BULK_BATCH,
    )
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(offer.pk),
                label=str(offer),
                action="wagtail.edit",
                timestamp=now,
                data={},
                user=by,
                revision=revision,
                content_changed=True,
            )
            for offer, revision in zip(offers, revisions, strict=True)
        ],
        batch_size=BULK_BATCH,
    )
    return offers


@transaction.atomic
def offer_approve(*, offer: Offer, by, now=None) -> Offer:
    """Publish the submitted version; the organisation is told by email."""
    _require(p.can_moderate_offers(by), _("Bare Nav-ansatte kan godkjenne tilbud."))
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.moderation_status != Offer.ModerationStatus.SUBMITTED:
        raise ValidationError(_("Tilbudet venter ikke på godkjenning."))
    if offer.organisation.status != Organisation.Status.APPROVED:
        raise ValidationError(
            _("Organisasjonen «%(name)s» må godkjennes før tilbudene kan publiseres.")
            % {"name": offer.organisation.name}
        )
    now = now or timezone.now()
    revision = offer.latest_revision
    # Permission was checked above with our own predicate; Wagtail would ask Django perms.
    revision.publish(user=by, log_action=True, skip_permission_checks=True)
    offer.refresh_from_db()
    offer.moderation_status = Offer.ModerationStatus.APPROVED
    offer.rejection_reason = ""
    offer.visibility = Offer.Visibility.VISIBLE
    offer.last_verified_at = now
    offer.confirmation_due_at = confirmation_due_after(now)
    offer.save(
        update_fields=[
            "moderation_status",
            "rejection_reason",
            "visibility",
            "last_verified_at",
            "confirmation_due_at",
        ]
    )
    announce_offers_changed([offer.pk])
    organisation_notify(
        organisation_id=offer.organisation_id,
        key=f"offer:{offer.pk}:approved:{revision.pk}",
        subject=_("Tilbudet «%(title)s» er godkjent") % {"title": offer.title},
        body=_(
            "Tilbudet «%(title)s» er godkjent og publisert i Samarbeidsportalen.\n\n"
            "Du finner det under Min side."
        )
        % {"title": offer.title},
        link=f"/min-side/tilbud/{offer.pk}/",
    )
    return offer


@transaction.atomic
def offer_reject(*, offer: Offer, by, reason: str) -> Offer:
    """Send the version back with a reason the organisation sees; a live version stays up."""
    _require(p.can_moderate_offers(by), _("Bare Nav-ansatte kan avvise tilbud."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv en begrunnelse organisasjonen kan forstå.")})
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.moderation_status != Offer.ModerationStatus.SUBMITTED:
        raise ValidationError(_("Tilbudet venter ikke på godkjenning."))
    offer.moderation_status = Offer.ModerationStatus.REJECTED
    offer.rejection_reason = reason
    offer.save(update_fields=["moderation_status", "rejection_reason"])
    organisation_notify(
        organisation_id=offer.organisation_id,
        key=f"offer:{offer.pk}:rejected:{offer.latest_revision_id}",
        subject=_("Tilbudet «%(title)s» må endres") % {"title": offer.title},
        body=_(
            "Nav har sett på tilbudet «%(title)s» og ber dere endre det før det kan "
            "publiseres.\n\nBegrunnelse: %(reason)s\n\nRett det opp under Min side og send inn "
            "på nytt."
        )
        % {"title": offer.title, "reason": reason},
        link=f"/min-side/tilbud/{offer.pk}/",
    )
    return offer


# What a representative may do to a published offer's visibility, and what it becomes.
VISIBILITY_ACTIONS = {
    "pause": Offer.Visibility.PAUSED,
    "resume": Offer.Visibility.VISIBLE,
    "end": Offer.Visibility.ARCHIVED,
}


@transaction.atomic
def offer_set_visibility(*, offer: Offer, by, action: str) -> Offer:
    """Pause (midlertidig stengt), resume or end a published offer. Nothing is deleted."""
    _require(p.can_edit_offer(by, offer), _("Du kan ikke endre dette tilbudet."))
    if action not in VISIBILITY_ACTIONS:
        raise ValidationError(_("Ukjent handling."))
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not offer.live:
        raise ValidationError(_("Tilbudet er ikke publisert ennå."))
    if action == "resume" and offer.visibility == Offer.Visibility.HIDDEN_STALE:
        raise ValidationError(_("Bekreft tilbudet for å gjøre det synlig igjen."))
    offer.visibility = VISIBILITY_ACTIONS[action]
    offer.save(update_fields=["visibility"])
    announce_offers_changed([offer.pk])
    return offer
