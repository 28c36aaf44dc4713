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
