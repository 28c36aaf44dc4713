"""The interface every search backend implements.

Callers (views, the API, health checks) only see this interface, so the PostgreSQL and
Elasticsearch implementations can be swapped by configuration and tested by one contract suite.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

# Facets of the offer search: name -> document field. Order is the order shown to users.
OFFER_FACETS = (
    "counties",
    "municipalities",
    "categories",
    "target_groups",
    "life_areas",
    "cost_levels",
    "languages",
    "weekdays",
    "participation_modes",
    "ages",
)

# Age bands for the age facet: (slug, min, max) inclusive.
AGE_BANDS = (
    ("0-5", 0, 5),
    ("6-12", 6, 12),
    ("13-17", 13, 17),
    ("18-25", 18, 25),
    ("26-66", 26, 66),
    ("67+", 67, 130),
)

SORTS = ("relevance", "distance", "verified")


@dataclass(frozen=True)
class OfferQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    age: int | None = None
    near: tuple[float, float] | None = None  # (latitude, longitude)
    within_km: float | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class OfferHit:
    offer_id: int
    title: str
    summary: str
    organisation_name: str
    municipalities: tuple[str, ...]
    categories: tuple[str, ...]
    distance_km: float | None
    last_verified_at: object
    score: float


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class OfferResults:
    hits: list[OfferHit]
    total: int
    facets: dict[str, list[FacetValue]]
    query: OfferQuery
    # Set when the answer did not come from the configured backend (Elasticsearch down).
    notice: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


class SearchBackend(abc.ABC):
    #: Short name shown in /healthz and in the admin.
    name: str

    @abc.abstractmethod
    def health(self) -> dict:
        """Whether the backend can answer queries now: {"status": "ok"|"error", "backend": ...}."""

    @abc.abstractmethod
    def search_offers(self, query: OfferQuery) -> OfferResults:
        """Public offers matching the query, one page of hits, and facet counts where each
        facet counts with every filter applied except its own (multi-select facets)."""

    @abc.abstractmethod
    def search_site(self, query: SiteQuery) -> SiteResults:
        """Documents of every kind the searcher may see (public, or holding one of
        `query.scopes` in their audience: decided inside the query, so hits, counts and
        suggestions agree), with the type facet, the chosen kinds' facets (multi-select),
        highlighted matches and a "did you mean" for misspellings."""

    @abc.abstractmethod
    def suggest(self, text: str, *, scopes: frozenset[str] = frozenset(), limit: int = 8):
        """As-you-type suggestions (list of `Suggestion`) under the same visibility rule."""


# --- The unified search over every catalogue (issue 6) -----------------------------------------

# Record kinds in the order the type facet lists them.
KINDS = ("offer", "organisation", "grant_scheme", "prevention_model", "page", "agreement")
# Facets every kind may carry, then each kind's own. A facet shared by several kinds (target
# groups) filters all of them; a filter on a facet a kind lacks leaves that kind out.
COMMON_FACETS = ("counties",)
KIND_FACETS = {
    "offer": ("categories", "target_groups", "life_areas", "cost_levels"),
    "organisation": ("organisation_types",),
    "grant_scheme": ("grant_status", "applicant_types", "target_groups"),
    "prevention_model": ("themes", "prevention_levels", "target_groups"),
    "page": (),
    "agreement": ("agreement_status", "agreement_types"),
}
SITE_FACETS = tuple(
    dict.fromkeys(COMMON_FACETS + tuple(f for kind in KINDS for f in KIND_FACETS[kind]))
)


def site_facets_for(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The facets worth showing when these kinds are chosen (all kinds when none is)."""
    chosen = kinds or KINDS
    wanted = set(COMMON_FACETS) | {f for kind in chosen for f in KIND_FACETS.get(kind, ())}
    return tuple(f for f in SITE_FACETS if f in wanted)


@dataclass(frozen=True)
class SiteQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()  # empty: every kind
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The searcher's audience keys (search.permissions.search_scopes): a document that is not
    # public is found only by someone holding one of its audience keys. Empty for anonymous.
    scopes: frozenset[str] = frozenset()
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SiteHit:
    kind: str
    object_id: int
    url: str
    title: str
    summary: str
    # Safe HTML: the matching words of the text wrapped in <mark>, everything else escaped.
    highlight: str
    score: float
    municipalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteResults:
    hits: list[SiteHit]
    total: int
    kinds: list[FacetValue]  # the type facet: counts with every filter but the type
    facets: dict[str, list[FacetValue]]
    query: SiteQuery
    # "Did you mean": the query with misspelt words replaced, or "" when nothing was corrected.
    suggestion: str = ""
    # Set when the answer did not come from the configured backend (Elasticsearch down).
    notice: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class Suggestion:
    """One as-you-type suggestion: a record whose title starts with (or contains) the text."""

    kind: str
    title: str
    url: str
