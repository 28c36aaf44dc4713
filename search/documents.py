"""What the unified search knows about each record: one `Document` per offer, organisation,
grant scheme, prevention model, content page and agreement.

Both backends index exactly these documents (PostgreSQL in `search_searchdocument`,
Elasticsearch in one index per kind), so they cannot disagree about what a record says, who may
see it or which facet values it has. Visibility is decided here, once, from the same rules the
record's own page uses:

- offers: published, visible and of an approved organisation (`offer_is_public`);
- organisations: approved;
- grant schemes, prevention models, content pages: live Wagtail pages without view restrictions;
- agreements: never public; their audience is the parties, as `agreements_visible_filter`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

# Weights of the text fields, highest first: title A, keywords B, text C, body D.
WEIGHTS = {"title": "A", "keywords": "B", "text": "C", "body": "D"}


@dataclass
class Document:
    kind: str
    object_id: int
    url: str
    title: str
    summary: str
    # Vocabulary labels and other names (also known as, organisation type): weight B.
    keywords: str = ""
    # The summary, places, organisation or administrator: weight C.
    text: str = ""
    # Long descriptions: weight D, and the source of highlighted snippets.
    body: str = ""
    is_public: bool = False
    # Scope keys (`office:<id>`, `org:<id>`, `municipality:<id>`) of those who may see a
    # document that is not public; see search.permissions.search_scopes.
    audience: list[str] = field(default_factory=list)
    # facet -> values (slugs and codes), for the facets of backends.base.SITE_FACETS.
    facets: dict[str, list[str]] = field(default_factory=dict)
    municipalities: list[str] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)  # (latitude, longitude)
    updated_at: datetime | None = None

    def facet_tokens(self) -> list[str]:
        """Every facet value as «facet:value», municipalities included: one array to filter and
        count on."""
        tokens = {f"{name}:{value}" for name, values in self.facets.items() for value in values}
        tokens |= {f"municipalities:{code}" for code in self.municipalities}
        return sorted(tokens)


def _slugs(terms) -> list[str]:
    return sorted({t.slug for t in terms})


def _labels(terms) -> str:
    return " ".join(t.label_nb for t in terms)


def _join(*parts) -> str:
    return " ".join(str(p) for p in parts if p)


def plain_text(html: str) -> str:
    return " ".join(strip_tags(html or "").split())


# --- One builder per kind: ids -> documents (ids with no document are simply absent) ---------


def offer_documents(ids) -> list[Document]:
    from directory.models import Offer
    from directory.permissions import offer_is_public

    offers = (
        Offer.objects.filter(pk__in=list(ids))
        .select_related("organisation", "cost_level", "participation_mode")
        .prefetch_related(
            "categories",
            "target_groups",
            "life_areas",
            "needs",
            "prevention_models",
            "locations__municipality__county",
        )
    )
    docs = []
    for offer in offers:
        locations = list(offer.locations.all())
        categories, target_groups = list(offer.categories.all()), list(offer.target_groups.all())
        life_areas = list(offer.life_areas.all())
        places = [loc for loc in locations if loc.municipality_id]
        docs.append(
            Document(
                kind="offer",
                object_id=offer.pk,
                url=reverse("offer_detail", args=[offer.pk]),
                title=offer.title,
                summary=offer.summary,
                keywords=_join(
                    _labels(categories),
                    _labels(target_groups),
                    _labels(life_areas),
                    _labels(offer.needs.all()),
                    *(model.title for model in offer.prevention_models.all()),
                ),
                text=_join(
                    offer.summary,
                    offer.organisation.name,
                    *(f"{loc.municipality.name} {loc.name}" for loc in places),
                ),
                body=plain_text(offer.description),
                is_public=offer_is_public(offer),
                facets={
                    "counties": sorted({loc.municipality.county.code for loc in places}),
                    "categories": _slugs(categories),
                    "target_groups": _slugs(target_groups),
                    "life_areas": _slugs(life_areas),
                    "cost_levels": [offer.cost_level.slug] if offer.cost_level_id else [],
                },
                municipalities=sorted({loc.municipality.code for loc in places}),
                points=[
                    (loc.latitude, loc.longitude)
                    for loc in locations
                    if loc.latitude is not None and loc.longitude is not None
                ],
                updated_at=offer.last_verified_at,
            )
        )
    return docs


def organisation_documents(ids) -> list[Document]:
    from directory.models import Offer, Organisation

    organisations = (
        Organisation.objects.filter(pk__in=list(ids))
        .select_related("organisation_type", "parent")
        .prefetch_related("municipalities__county")
    )
    # What an organisation does is what its public offers do: «idrettslag» and «leksehjelp»
    # should find the organisation as well as the offer.
    offer_titles: dict[int, list[str]] = {}
    offer_labels: dict[int, list[str]] = {}
    for offer in (
        Offer.objects.public()
        .filter(organisation__in=list(ids))
        .prefetch_related("categories", "target_groups")
        .order_by("title")
    ):
        offer_titles.setdefault(offer.organisation_id, []).append(offer.title)
        offer_labels.setdefault(offer.organisation_id, []).extend(
            [_labels(offer.categories.all()), _labels(offer.target_groups.all())]
        )
    docs = []
    for organisation in organisations:
        municipalities = list(organisation.municipalities.all())
        kind_label = (
            organisation.organisation_type.label_nb if organisation.organisation_type else ""
        )
        docs.append(
            Document(
                kind="organisation",
                object_id=organisation.pk,
                url=reverse("organisation_detail", args=[organisation.slug]),
                title=organisation.name,
                summary=_join(kind_label, ", ".join(m.name for m in municipalities)),
                keywords=_join(kind_label, organisation.parent.name if organisation.parent else ""),
                text=_join(*(m.name for m in municipalities)),
                # Lowest weight, so the offer itself ranks above its organisation; the titles
                # first, as a sentence, since the snippet is usually cut from there.
                body=_join(
                    "Tilbud: " + "; ".join(offer_titles[organisation.pk]) + "."
                    if organisation.pk in offer_titles
                    else "",
                    *offer_labels.get(organisation.pk, []),
                ),
                is_public=organisation.status == Organisation.Status.APPROVED,
                facets={
                    "counties": sorted({m.county.code for m in municipalities}),
                    "organisation_types": (
                        [organisation.organisation_type.slug]
                        if organisation.organisation_type
                        else []
                    ),
                },
                municipalities=sorted(m.code for m in municipalities),
            )
        )
    return docs


def page_is_public(page) -> bool:
    """Live and without view restrictions (Wagtail's password, login or group limits)."""
    return page.live and not page.get_view_restrictions().exists()


def page_url(page) -> str:
    return page.get_url() or page.url_path


def grant_scheme_documents(ids) -> list[Document]:
    from directory.models import GrantSchemePage
    from directory.selectors import grant_status

    today = timezone.localdate()
    docs = []
    for page in (
        GrantSchemePage.objects.filter(pk__in=list(ids))
        .select_related("grant_type")
        .prefetch_related("target_groups", "applicant_types", "requirements", "rounds")
    ):
        target_groups, applicants = list(page.target_groups.all()), list(page.applicant_types.all())
        docs.append(
            Document(
                kind="grant_scheme",
                object_id=page.pk,
                url=page_url(page),
                title=page.title,
                summary=page.search_description or plain_text(page.purpose)[:300],
                keywords=_join(
                    _labels(target_groups),
                    _labels(applicants),
                    page.grant_type.label_nb if page.grant_type else "",
                    page.scheme_code,
                ),
                text=_join(
                    page.purpose, page.administrator, page.ministry, page.target_groups_note
                ),
                body=_join(
                    plain_text(page.funded_text),
                    plain_text(page.requirements_text),
                    _labels(page.requirements.all()),
                    page.status_note,
                ),
                is_public=page_is_public(page),
                facets={
                    "grant_status": [grant_status(page, today)],
                    "applicant_types": _slugs(applicants),
                    "target_groups": _slugs(target_groups),
                },
                updated_at=page.last_published_at,
            )
        )
    return docs


def prevention_model_documents(ids) -> list[Document]:
    from directory.models import PreventionModelPage

    docs = []
    for page in (
        PreventionModelPage.objects.filter(pk__in=list(ids))
        .select_related("model_status")
        .prefetch_related(
            "prevention_levels",
            "target_groups",
            "life_areas",
            "themes",
            "arenas",
            "municipalities__county",
        )
    ):
        themes, levels = list(page.themes.all()), list(page.prevention_levels.all())
        target_groups, municipalities = (
            list(page.target_groups.all()),
            list(page.municipalities.all()),
        )
        docs.append(
            Document(
                kind="prevention_model",
                object_id=page.pk,
                url=page_url(page),
                title=page.title,
                summary=page.search_description or plain_text(page.problem)[:300],
                keywords=_join(
                    page.also_known_as,
                    _labels(themes),
                    _labels(target_groups),
                    _labels(page.life_areas.all()),
                    _labels(page.arenas.all()),
                    _labels(levels),
                ),
                text=_join(page.problem, page.partners_text),
                body=_join(
                    page.how_it_works, page.resources, page.how_to_start, page.evidence_note
                ),
                is_public=page_is_public(page),
                facets={
                    "counties": sorted({m.county.code for m in municipalities}),
                    "themes": _slugs(themes),
                    "prevention_levels": _slugs(levels),
                    "target_groups": _slugs(target_groups),
                },
                municipalities=sorted(m.code for m in municipalities),
                updated_at=page.last_published_at,
            )
        )
    return docs


def agreement_audience(agreement) -> list[str]:
    """The scope keys that may see an agreement: exactly `agreements_visible_filter`'s rule
    (party office, organisation or municipality; a municipality a party office serves; the
    municipality of a party public service)."""
    keys = set()
    for party in agreement.parties.all():
        if party.nav_office_id:
            keys.add(f"office:{party.nav_office_id}")
            keys |= {f"municipality:{m.pk}" for m in party.nav_office.municipalities.all()}
        if party.organisation_id:
            keys.add(f"org:{party.organisation_id}")
        if party.municipality_id:
            keys.add(f"municipality:{party.municipality_id}")
        if party.public_service_municipality_id:
            keys.add(f"municipality:{party.public_service_municipality_id}")
    return sorted(keys)


def agreement_documents(ids) -> list[Document]:
    from agreements.models import Agreement

    docs = []
    for agreement in (
        Agreement.objects.filter(pk__in=list(ids))
        .select_related("agreement_type")
        .prefetch_related(
            "target_groups",
            "cooperation_forms",
            "parties__nav_office__municipalities",
            "parties__organisation",
            "parties__municipality__county",
            "parties__public_service",
        )
    ):
        parties = list(agreement.parties.all())
        names = [
            str(p.nav_office or p.organisation or p.municipality or p.public_service or "")
            for p in parties
        ]
        municipalities = [p.municipality for p in parties if p.municipality_id]
        docs.append(
            Document(
                kind="agreement",
                object_id=agreement.pk,
                url=reverse("agreement_detail", args=[agreement.pk]),
                title=agreement.title,
                summary=plain_text(agreement.purpose)[:300],
                keywords=_join(
                    agreement.agreement_type.label_nb if agreement.agreement_type else "",
                    _labels(agreement.target_groups.all()),
                    _labels(agreement.cooperation_forms.all()),
                ),
                text=_join(agreement.purpose, *names),
                body=_join(*(p.responsibilities for p in parties)),
                is_public=False,
                audience=agreement_audience(agreement),
                facets={
                    "counties": sorted({m.county.code for m in municipalities}),
                    "agreement_status": [agreement.status],
                    "agreement_types": (
                        [agreement.agreement_type.slug] if agreement.agreement_type else []
                    ),
                },
                municipalities=sorted({m.code for m in municipalities}),
            )
        )
    return docs


BUILDERS = {
    "offer": offer_documents,
    "organisation": organisation_documents,
    "grant_scheme": grant_scheme_documents,
    "prevention_model": prevention_model_documents,
    "agreement": agreement_documents,
}


MODELS = {
    "offer": ("directory", "Offer"),
    "organisation": ("directory", "Organisation"),
    "grant_scheme": ("directory", "GrantSchemePage"),
    "prevention_model": ("directory", "PreventionModelPage"),
    "agreement": ("agreements", "Agreement"),
}


def kind_register(kind: str, builder, model: tuple[str, str]) -> None:
    """Let an app above search in the dependency order (portal's content pages) add its own
    kind: search never imports it, it registers itself from its AppConfig.ready."""
    BUILDERS[kind] = builder
    MODELS[kind] = model


def all_ids(kind: str) -> list[int]:
    """Every record of a kind that could have a document (visible or not)."""
    from django.apps import apps

    if kind not in MODELS:
        return []
    model = apps.get_model(*MODELS[kind])
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def documents_build(kind: str, ids) -> list[Document]:
    builder = BUILDERS.get(kind)
    return builder(ids) if builder else []
