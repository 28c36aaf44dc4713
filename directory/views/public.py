"""Public pages of the catalogue: the offer page, its printable handout (tilbudsark) and the
organisation page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone

from directory import permissions as p
from directory.models import SUPPLEMENT_NOTICE_CATEGORIES, Offer, Organisation
from directory.selectors import offer_for_display, offer_prevention_models


def _visible_offer(request, pk: int) -> Offer:
    offer = offer_for_display(pk)
    # A 404 rather than a 403: whether a draft exists is itself not public.
    if offer is None or not p.can_view_offer(request.user, offer):
        raise Http404
    return offer


def _address_line(location) -> str:
    """Street, postcode and municipality, without repeating a town the street already names."""
    town = location.municipality.name
    place = f"{location.postal_code} {town}".strip()
    if not location.address:
        return place if location.name else ""
    if town.lower() in location.address.lower():
        return location.address
    return f"{location.address}, {place}"


def _places(locations) -> list[dict]:
    """What the page may show of each place. A hidden address (crisis offers) keeps only the
    municipality: the street, name, arena and coordinates never reach the template."""
    places = []
    for location in locations:
        place = {"hidden": location.hidden_address, "municipality": location.municipality.name}
        if not location.hidden_address:
            place |= {
                "name": location.name or location.municipality.name,
                "address": _address_line(location),
                "arena": location.arena.label_nb if location.arena else "",
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        places.append(place)
    return places


def _offer_context(request, offer: Offer) -> dict:
    categories = list(offer.categories.all())
    places = _places(offer.locations.all())
    now = timezone.now()
    return {
        "offer": offer,
        "is_public": p.offer_is_public(offer),
        "categories": categories,
        "places": places,
        "schedules": sorted(offer.schedules.all(), key=lambda s: (s.weekday, s.opens)),
        "overdue": bool(offer.confirmation_due_at and offer.confirmation_due_at < now),
        "offer_url": request.build_absolute_uri(reverse("offer_detail", args=[offer.pk])),
        # Nothing to hide, nothing to ask: pages without contact details skip the setting.
        "show_contact": bool(offer.contact_email or offer.contact_phone)
        and p.can_see_contact_data(request.user, offer.organisation),
    }


def offer_detail(request, pk: int):
    offer = _visible_offer(request, pk)
    context = _offer_context(request, offer)
    slugs = {category.slug for category in context["categories"]}
    nav_staff = p.is_nav_staff(request.user)
    context |= {
        "supplement_notice": nav_staff and bool(slugs & SUPPLEMENT_NOTICE_CATEGORIES),
        "money_advice_notice": nav_staff and "okonomisk-radgivning" in slugs,
        "can_edit": p.can_edit_offer(request.user, offer),
        "can_see_status": p.can_view_offer_draft(request.user, offer),
        "models_followed": [
            {"title": model.title, "url": model.get_url(request)}
            for model in offer_prevention_models(offer)
        ],
    }
    return render(request, "pages/offer_detail.html", context)


def offer_print(request, pk: int):
    offer = _visible_offer(request, pk)
    return render(request, "pages/offer_print.html", _offer_context(request, offer))


def organisation_detail(request, slug: str):
    """An approved organisation and its public offers. Pending and rejected registrations are
    not part of the public catalogue: 404 for everyone but those who may edit them."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("organisation_type", "parent"), slug=slug
    )
    approved = organisation.status == Organisation.Status.APPROVED
    if not approved and not p.can_edit_organisation(request.user, organisation):
        raise Http404
    offers = (
        Offer.objects.public()
        .filter(organisation=organisation)
        .prefetch_related("categories", "locations__municipality")
        .order_by("title")
    )
    context = {
        "organisation": organisation,
        "is_public": approved,
        "municipalities": list(organisation.municipalities.order_by("name")),
        "offers": list(offers),
        "can_edit": p.can_edit_organisation(request.user, organisation),
        "show_contact": bool(organisation.email or organisation.phone)
        and p.can_see_contact_data(request.user, organisation),
    }
    return render(request, "pages/organisation_detail.html", context)


urlpatterns = [
    path("organisasjoner/<slug:slug>/", organisation_detail, name="organisation_detail"),
    path("tilbud/<int:pk>/", offer_detail, name="offer_detail"),
    path("tilbud/<int:pk>/utskrift/", offer_print, name="offer_print"),
]
