"""Reads that span relations, shared by views, the API and search pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from directory import permissions as p
from directory.models import (
    County,
    GrantRound,
    GrantSchemePage,
    Municipality,
    MunicipalityMembership,
    NavOffice,
    NavOfficeMembership,
    Offer,
    OfferLocation,
    Organisation,
    OrganisationMembership,
    PreventionModelPage,
    Term,
)

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
    public = Offer.objects.public()
    if not (user and user.is_authenticated):
        return public
    own = OrganisationMembership.objects.filter(user=user).values("organisation_id")
    return public | Offer.objects.filter(organisation_id__in=own)


# --- Grant schemes -----------------------------------------------------------------------------

# Derived status of a scheme on a given day (the listing's «Status» column and filter).
GRANT_OPEN, GRANT_UPCOMING, GRANT_CLOSED = "apen", "kommende", "stengt"
GRANT_DISCONTINUED, GRANT_REPLACED = "avviklet", "erstattet"

# What kind of applicant an organisation is, by its `organisation_types` slug, in the
# `applicant_types` vocabulary the schemes use. Voluntary organisations of every sort apply as
# «frivillige organisasjoner»; a user-run organisation is a voluntary organisation too; a
# volunteer centre is often run by the municipality but applies as a voluntary organisation; a
# municipal service applies through its municipality. Types missing here match nothing.
ORGANISATION_APPLICANT_TYPES: dict[str, tuple[str, ...]] = {
    "frivillig-organisasjon": ("frivillig-organisasjon",),
    "frivilligsentral": ("frivillig-organisasjon",),
    "humanitaer-organisasjon": ("frivillig-organisasjon",),
    "idrettslag": ("frivillig-organisasjon",),
    "brukerorganisasjon": ("frivillig-organisasjon",),
    "paraplyorganisasjon": ("frivillig-organisasjon",),
    "tros-livssynssamfunn": ("frivillig-organisasjon",),
    "brukerstyrt-organisasjon": ("brukerstyrt-organisasjon", "frivillig-organisasjon"),
    "sosial-entreprenor": ("sosial-entreprenor", "privat-aktor"),
    "stiftelse": ("stiftelse", "privat-aktor"),
    "kommune": ("kommune", "offentlig-virksomhet"),
    "kommunal-tjeneste": ("kommune", "offentlig-virksomhet"),
}


@dataclass(frozen=True)
class GrantFilters:
    applicant_type: str = ""  # applicant_types slug
    target_group: str = ""  # target_groups slug
    status: str = ""  # one of the derived statuses above
    within_days: int | None = None  # an application deadline from today to today + N days


def _grant_rounds(today: date):
    return GrantRound.objects.filter(scheme=OuterRef("pk"), application_deadline__gte=today)


def grant_schemes_with_status(queryset, today: date):
    """Annotate `grant_status` (see GRANT_*) and `upcoming_deadline` (the first application
    deadline from `today`)."""
    lifecycle = GrantSchemePage.Lifecycle
    open_round = _grant_rounds(today).filter(
        Q(status=GrantRound.Status.OPEN) | Q(announced_on__lte=today)
    )
    return queryset.annotate(
        upcoming_deadline=Subquery(
            _grant_rounds(today).order_by("application_deadline").values("application_deadline")[:1]
        ),
        grant_status=Case(
            When(lifecycle=lifecycle.REPLACED, then=Value(GRANT_REPLACED)),
            When(lifecycle=lifecycle.DISCONTINUED, then=Value(GRANT_DISCONTINUED)),
            When(Exists(open_round), then=Value(GRANT_OPEN)),
            When(Exists(_grant_rounds(today)), then=Value(GRANT_UPCOMING)),
            default=Value(GRANT_CLOSED),
            output_field=CharField(),
        ),
    )


def grant_status(scheme, today: date) -> str:
    """The same rule as `grant_schemes_with_status`, for one page in memory (also a preview)."""
    lifecycle = scheme.Lifecycle
    if scheme.lifecycle == lifecycle.REPLACED:
        return GRANT_REPLACED
    if scheme.lifecycle == lifecycle.DISCONTINUED:
        return GRANT_DISCONTINUED
    coming = [
        r for r in scheme.rounds.all() if r.application_deadline and r.application_deadline >= today
    ]
    if any(
        r.status == r.Status.OPEN or (r.announced_on and r.announced_on <= today) for r in coming
    ):
        return GRANT_OPEN
    return GRANT_UPCOMING if coming else GRANT_CLOSED


def grant_schemes_listing(filters: GrantFilters, today: date):
    """Live, public grant schemes with their status, filtered, the next deadline first. Schemes
    without a coming deadline follow by title, those still running before discontinued and
    replaced ones, which people mostly look up by name."""
    schemes = grant_schemes_with_status(GrantSchemePage.objects.live().public(), today)
    if filters.applicant_type:
        schemes = schemes.filter(applicant_types__slug=filters.applicant_type)
    if filters.target_group:
        schemes = schemes.filter(target_groups__slug=filters.target_group)
    if filters.status:
        schemes = schemes.filter(grant_status=filters.status)
    if filters.within_days is not None:
        soon = _grant_rounds(today).filter(
            application_deadline__lte=today + timedelta(days=filters.within_days)
        )
        schemes = schemes.filter(Exists(soon))
    return (
        schemes.select_related("replaced_by", "grant_type")
        .prefetch_related("target_groups", "applicant_types")
        .distinct()
        .annotate(
            ended=Case(
                When(grant_status__in=[GRANT_DISCONTINUED, GRANT_REPLACED], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by(F("upcoming_deadline").asc(nulls_last=True), "ended", "title", "pk")
    )


@dataclass
class GrantMatch:
    scheme: object
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def grant_schemes_for_organisation(organisation, today: date) -> list[tuple]:
    """Schemes the organisation may be eligible for, each with why (reasons) and what may stand
    in the way (warnings): its type must be one the scheme accepts; when both the scheme and
    the organisation's public offers name target groups, they must share one; an unmet
    registry requirement is a warning, not a reason to hide the scheme. Discontinued and
    replaced schemes are left out, but a match that replaces one of them says so."""
    type_slug = organisation.organisation_type.slug if organisation.organisation_type_id else ""
    type_label = organisation.organisation_type.label_nb if type_slug else ""
    applicant_slugs = ORGANISATION_APPLICANT_TYPES.get(type_slug, ())
    if not applicant_slugs:
        return []
    offer_groups = {
        term.slug: term.label_nb
        for term in Term.objects.filter(
            pk__in=Offer.objects.public().filter(organisation=organisation).values("target_groups")
        ).order_by("sort_order", "label_nb")
    }
    schemes = (
        grant_schemes_with_status(GrantSchemePage.objects.live().public(), today)
        .filter(applicant_types__slug__in=applicant_slugs)
        .distinct()
        .prefetch_related("applicant_types", "target_groups", "requirements")
        .order_by(F("upcoming_deadline").asc(nulls_last=True), "title", "pk")
    )
    matches: dict[int, GrantMatch] = {}
    for scheme in schemes:
        if scheme.grant_status in (GRANT_DISCONTINUED, GRANT_REPLACED):
            continue
        scheme_groups = {t.slug for t in scheme.target_groups.all()}
        shared = [label for slug, label in offer_groups.items() if slug in scheme_groups]
        if scheme_groups and offer_groups and not shared:
            continue
        match = GrantMatch(scheme)
        accepted = [t.label_nb for t in scheme.applicant_types.all() if t.slug in applicant_slugs]
        match.reasons.append(
            _("Ordningen er åpen for %(accepted)s, og organisasjonen er registrert som %(type)s.")
            % {"accepted": ", ".join(accepted).lower(), "type": type_label.lower()}
        )
        if shared:
            match.reasons.append(
                _("Tilbudene deres har målgrupper ordningen er rettet mot: %(groups)s.")
                % {"groups": ", ".join(shared).lower()}
            )
        requirements = {t.slug for t in scheme.requirements.all()}
        if "frivillighetsregisteret" in requirements:
            if organisation.in_frivillighetsregisteret:
                match.reasons.append(
                    _(
                        "Organisasjonen er registrert i Frivillighetsregisteret, som ordningen "
                        "krever."
                    )
                )
            else:
                match.warnings.append(
                    _(
                        "Ordningen krever registrering i Frivillighetsregisteret, og "
                        "organisasjonen er ikke registrert der ifølge portalen."
                    )
                )
        if "enhetsregisteret" in requirements and not organisation.organisation_number:
            match.warnings.append(
                _(
                    "Ordningen krever registrering i Enhetsregisteret, og vi kjenner ikke "
                    "organisasjonsnummeret deres."
                )
            )
        if "kommunal-pamelding" in requirements:
            match.warnings.append(_("Kommunen må melde seg på ordningen før dere kan søke."))
        if scheme.lifecycle == GrantSchemePage.Lifecycle.CONTINUATION_ONLY:
            match.warnings.append(_("Bare tidligere tilskuddsmottakere kan søke."))
        elif scheme.lifecycle == GrantSchemePage.Lifecycle.WINDING_DOWN:
            match.warnings.append(_("Ordningen er under avvikling."))
        matches[scheme.pk] = match
    # A match that replaced an older scheme says so, for people who know the old name.
    for old_title, new_id in (
        GrantSchemePage.objects.live()
        .public()
        .filter(replaced_by_id__in=matches, lifecycle=GrantSchemePage.Lifecycle.REPLACED)
        .values_list("title", "replaced_by_id")
    ):
        matches[new_id].reasons.append(_("Erstatter «%(title)s».") % {"title": old_title})
    return [(m.scheme, m.reasons, m.warnings) for m in matches.values()]


# --- Prevention models ------------------------------------------------------------------------

# Filter name -> the relation on PreventionModelPage it matches (by term slug, or
# municipality code). Within one filter any chosen value matches; different filters all apply.
PREVENTION_FILTERS = {
    "prevention_levels": "prevention_levels__slug__in",
    "target_groups": "target_groups__slug__in",
    "life_areas": "life_areas__slug__in",
    "themes": "themes__slug__in",
    "arenas": "arenas__slug__in",
    "evidence_tiers": "evidence__tier__slug__in",
    "municipality_sizes": "municipality_sizes__slug__in",
    "funding_sources": "funding_sources__slug__in",
    "model_statuses": "model_status__slug__in",
    "municipalities": "municipalities__code__in",
}


def prevention_models_listing(filters: dict | None = None):
    """Published prevention models matching every given filter, by title, ready for cards."""
    models = PreventionModelPage.objects.live().public()
    for name, lookup in PREVENTION_FILTERS.items():
        values = [v for v in (filters or {}).get(name) or [] if v]
        if values:
            # A subquery per filter: no duplicate rows, however many terms match.
            matching = PreventionModelPage.objects.filter(**{lookup: values}).values("pk")
            models = models.filter(pk__in=matching)
    text = ((filters or {}).get("q") or "").strip()
    if text:
        models = models.filter(
            Q(title__icontains=text) | Q(also_known_as__icontains=text) | Q(problem__icontains=text)
        )
    return (
        models.select_related("model_status")
        .prefetch_related("prevention_levels", "target_groups", "evidence__registry")
        .order_by("title")
    )


def prevention_model_fundable_grants(page, today) -> list:
    """Live grant schemes that can fund a model: open ones first, then upcoming, closed, and
    discontinued or replaced last; within each, the next application deadline first. Each
    carries `grant_status` and `upcoming_deadline` (see grant_schemes_with_status)."""
    # Read in Python: in an editor's preview the links are in memory, not in the database.
    linked = [scheme.pk for scheme in page.fundable_by.all()]
    schemes = grant_schemes_with_status(
        GrantSchemePage.objects.live().public().filter(pk__in=linked), today
    )
    return list(
        schemes.annotate(
            rank=Case(
                When(grant_status=GRANT_OPEN, then=Value(0)),
                When(grant_status=GRANT_UPCOMING, then=Value(1)),
                When(grant_status=GRANT_CLOSED, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .select_related("replaced_by")
        .order_by("rank", F("upcoming_deadline").asc(nulls_last=True), "title", "pk")
    )


def offer_prevention_models(offer) -> list:
    """The published prevention models an offer says it follows, by title."""
    models = list(PreventionModelPage.objects.live().filter(offers=offer).order_by("title"))
    if models:
        # Only offers that name a model pay for Wagtail's view-restriction lookup.
        public = PreventionModelPage.objects.public().filter(pk__in=[m.pk for m in models])
        models = list(public.order_by("title"))
    return models


def municipality_of_user(user):
    """The municipality a signed-in person works in or for: their municipality membership,
    else the first municipality their Nav office serves."""
    if not (user and user.is_authenticated):
        return None
    membership = (
        MunicipalityMembership.objects.filter(user=user)
        .select_related("municipality__county")
        .order_by("created_at")
        .first()
    )
    if membership:
        return membership.municipality
    office_ids = NavOfficeMembership.objects.filter(user=user).values("office_id")
    return (
        Municipality.objects.filter(nav_offices__in=office_ids)
        .select_related("county")
        .order_by("name")
        .first()
    )


def prevention_model_running_nearby(page, municipality=None) -> dict:
    """Public offers and approved organisations that follow a model: those in `municipality`
    first, then those in its county, then the rest (each flagged with `nearness`)."""
    offers = Offer.objects.public().filter(prevention_models=page)
    organisations = Organisation.objects.approved().filter(prevention_models=page)
    if municipality is not None:
        places = OfferLocation.objects.filter(offer=OuterRef("pk"))
        offers = offers.annotate(
            nearness=Case(
                When(Exists(places.filter(municipality=municipality)), then=Value(0)),
                When(
                    Exists(places.filter(municipality__county_id=municipality.county_id)),
                    then=Value(1),
                ),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        served = Municipality.objects.filter(organisations=OuterRef("pk"))
        organisations = organisations.annotate(
            nearness=Case(
                When(Exists(served.filter(pk=municipality.pk)), then=Value(0)),
                When(Exists(served.filter(county_id=municipality.county_id)), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    else:
        offers = offers.annotate(nearness=Value(2, output_field=IntegerField()))
        organisations = organisations.annotate(nearness=Value(2, output_field=IntegerField()))
    return {
        "offers": list(
            offers.select_related("organisation")
            .prefetch_related("locations__municipality")
            .order_by("nearness", "title")
        ),
        "organisations": list(
            organisations.prefetch_related("municipalities").order_by("nearness", "name")
        ),
    }
