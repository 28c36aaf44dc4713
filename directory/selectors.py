"""Reads that span relations, shared by views, the API and search pages."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q

from directory import permissions as p
from directory.models import County, Municipality, NavOffice, Offer, OrganisationMembership, Term

LABELS_CACHE_SECONDS = 300


def _cached(key: str, compute):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, LABELS_CACHE_SECONDS)
    return value


def term_labels(vocabulary: str) -> dict[str, str]:
    """slug -> bokmål label for one vocabulary (cached; dropped when a term is edited)."""
    return _cached(
        f"directory:term-labels:{vocabulary}",
        lambda: dict(
            Term.objects.filter(vocabulary__slug=vocabulary).values_list("slug", "label_nb")
        ),
    )


def municipality_names() -> dict[str, str]:
    return _cached(
        "directory:municipality-names",
        lambda: dict(Municipality.objects.values_list("code", "name")),
    )


def county_names() -> dict[str, str]:
    return _cached(
        "directory:county-names", lambda: dict(County.objects.values_list("code", "name"))
    )


def labels_forget(*, vocabulary: str | None = None) -> None:
    """Drop cached labels after an edit, so a renamed or new term shows at once."""
    keys = ["directory:municipality-names", "directory:county-names"]
    if vocabulary:
        keys.append(f"directory:term-labels:{vocabulary}")
    cache.delete_many(keys)


def nav_offices_with_position():
    return NavOffice.objects.filter(latitude__isnull=False, longitude__isnull=False).order_by(
        "name"
    )


def offer_for_display(offer_id: int):
    """An offer with everything its page shows, in a fixed number of queries."""
    return (
        Offer.objects.select_related(
            "organisation", "cost_level", "kind", "participation_mode", "organisation__logo"
        )
        .prefetch_related(
            "categories",
            "target_groups",
            "life_areas",
            "needs",
            "languages",
            "accessibility_features",
            "schedules",
            "locations__municipality__county",
            "locations__arena",
        )
        .filter(pk=offer_id)
        .first()
    )


def offers_visible_to(user):
    """Offers a user may open: public ones, their organisations' own, everything for moderators."""
    if p.can_moderate_offers(user):
        return Offer.objects.all()
    public = Q(live=True, visibility=Offer.Visibility.VISIBLE)
    if not (user and user.is_authenticated):
        return Offer.objects.filter(public)
    own = OrganisationMembership.objects.filter(user=user).values("organisation_id")
    return Offer.objects.filter(public | Q(organisation_id__in=own))
