"""Search on Elasticsearch 9 through `elasticsearch.dsl`: one index per kind behind read aliases
(search.es_schema), the searcher's visibility as a filter inside every request, multi-select
facets from filter aggregations, highlights, "did you mean" from a phrase suggester and edge
n-gram autocomplete.

When the cluster cannot answer, every search is answered from PostgreSQL, whose documents are
always kept current, with a notice; a short circuit breaker keeps the site from waiting on a
dead cluster for every request.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time

from django.core.cache import cache
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.dsl import Q, Search

from search.backends.base import (
    AGE_BANDS,
    KINDS,
    OFFER_FACETS,
    FacetValue,
    OfferHit,
    OfferQuery,
    OfferResults,
    SearchBackend,
    SiteHit,
    SiteQuery,
    SiteResults,
    Suggestion,
    site_facets_for,
)
from search.es_schema import alias_name

logger = logging.getLogger(__name__)


def fallback_notice() -> str:
    """Shown above results answered from PostgreSQL while Elasticsearch is unavailable."""
    return _(
        "Søket svarer fra reserveløsningen akkurat nå. Resultatene kan være litt mindre treffsikre."
    )


# After a failure, searches skip Elasticsearch this long. The mark is in the shared cache so
# every web worker backs off together; the first request after it expires tries again.
BREAKER_KEY = "search:elasticsearch:down-until"
BREAKER_SECONDS = 30
TEXT_FIELDS = ("title^4", "keywords^3", "text^2", "body")
# All query words are needed up to two, then three of four, then 75 %: recall without listing
# every record that shares one common word (PostgreSQL's site search uses the same rule).
MINIMUM_MATCH = "2<75%"
HIGHLIGHT_FIELDS = ("summary", "text", "body")
# The offer facets stored as arrays; the age facet is computed from min_age/max_age.
OFFER_ARRAY_FACETS = tuple(facet for facet in OFFER_FACETS if facet != "ages")
FACET_SIZE = 500  # more values than any vocabulary has (356 municipalities)
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window
EARTH_KM = 6371.0


def visible_to(scopes) -> Q:
    """Public, or meant for one of the searcher's scope keys: the same rule as PostgreSQL."""
    should = [Q("term", is_public=True)]
    if scopes:
        should.append(Q("terms", audience=sorted(scopes)))
    return Q("bool", should=should, minimum_should_match=1)


def text_query(text: str, *, prefixes: bool = True) -> Q:
    """The words across the weighted fields (synonyms come from the search analyzer), a fuzzy
    variant for typos and title word prefixes for half-typed words."""
    should = [
        Q(
            "multi_match",
            query=text,
            fields=list(TEXT_FIELDS),
            type="cross_fields",
            operator="or",
            minimum_should_match=MINIMUM_MATCH,
        ),
        Q(
            "multi_match",
            query=text,
            fields=list(TEXT_FIELDS),
            type="best_fields",
            fuzziness="AUTO",
            prefix_length=1,
            minimum_should_match=MINIMUM_MATCH,
            boost=0.5,
        ),
    ]
    if prefixes:
        should.append(
            Q("match", **{"title.autocomplete": {"query": text, "operator": "and", "boost": 0.5}})
        )
    return Q("bool", should=should, minimum_should_match=1)


def _all_of(queries: list[Q]) -> Q:
    return Q("bool", filter=queries) if queries else Q("match_all")


def _age_overlap(low: int, high: int) -> Q:
    """The offer's age range (open ends count as 0 and 130) overlaps low..high."""
    return Q(
        "bool",
        filter=[
            Q(
                "bool",
                should=[Q("range", min_age={"lte": high}), ~Q("exists", field="min_age")],
                minimum_should_match=1,
            ),
            Q(
                "bool",
                should=[Q("range", max_age={"gte": low}), ~Q("exists", field="max_age")],
                minimum_should_match=1,
            ),
        ],
    )


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def _points(location) -> list[tuple[float, float]]:
    if not location:
        return []
    if isinstance(location, dict):
        location = [location]
    return [(p["lat"], p["lon"]) for p in location if isinstance(p, dict)]


def _facet_values(counts: dict[str, int], selected: set[str], order=None) -> list[FacetValue]:
    for value in selected - set(counts):
        counts[value] = 0
    order = order or sorted(counts, key=lambda v: (-counts[v], v))
    return [
        FacetValue(value=v, count=counts.get(v, 0), selected=v in selected)
        for v in order
        if counts.get(v, 0) or v in selected
    ]


def _buckets(aggs: dict, name: str, inner: str = "by_value") -> dict[str, int]:
    buckets = aggs.get(name, {}).get(inner, {}).get("buckets", [])
    if isinstance(buckets, dict):  # a `filters` aggregation: buckets keyed by name
        return {key: b.get("doc_count", 0) for key, b in buckets.items()}
    return {str(b.get("key_as_string", b["key"])): b.get("doc_count", 0) for b in buckets}


def _window(page: int, per_page: int) -> tuple[int, int]:
    start = (max(1, page) - 1) * per_page
    start = max(0, min(start, MAX_WINDOW - per_page))
    return start, start + per_page


def _total(raw: dict) -> int:
    total = raw.get("hits", {}).get("total", 0)
    return total.get("value", 0) if isinstance(total, dict) else int(total)


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str = "", timeout: float = 2.0, client: Elasticsearch | None = None):
        # Searches wait at most `timeout` and retry once: a slow cluster falls back to
        # PostgreSQL quickly instead of holding a web worker.
        self._client = client or Elasticsearch(
            url, request_timeout=timeout, max_retries=1, retry_on_timeout=False
        )

    @property
    def client(self) -> Elasticsearch:
        return self._client

    # --- Health ----------------------------------------------------------------------------

    def health(self) -> dict:
        try:
            cluster = self._client.cluster.health()
            missing = [
                kind
                for kind in KINDS
                if not self._client.indices.exists_alias(name=alias_name(kind))
            ]
        except Exception as exc:
            # Never echo the URL: it may carry credentials.
            return {"status": "error", "backend": self.name, "detail": exc.__class__.__name__}
        status = "ok" if cluster.get("status") in ("green", "yellow") and not missing else "error"
        result = {"status": status, "backend": self.name, "cluster_status": cluster.get("status")}
        if missing:
            result["detail"] = "mangler indeks: " + ", ".join(missing)
        return result

    # --- Degradation -----------------------------------------------------------------------

    def _fallback(self):
        from search.backends.postgresql import PostgresBackend

        return PostgresBackend()

    def _down(self) -> bool:
        try:
            return (cache.get(BREAKER_KEY) or 0) > time.time()
        except Exception:
            return False

    def _failed(self, exc: Exception, what: str) -> None:
        status = getattr(exc, "status_code", None) or getattr(
            getattr(exc, "meta", None), "status", None
        )
        if isinstance(exc, ApiError) and status and 400 <= int(status) < 500:
            # The cluster is up but refused this request: a bug in the query, not an outage.
            logger.error("Elasticsearch refused the %s query (%s)", what, status)
            return
        # The exception's class only: its message may hold the cluster's URL and credentials.
        logger.warning(
            "Elasticsearch unavailable for %s (%s); answering from PostgreSQL for %s s",
            what,
            exc.__class__.__name__,
            BREAKER_SECONDS,
        )
        try:
            cache.set(BREAKER_KEY, time.time() + BREAKER_SECONDS, BREAKER_SECONDS)
        except Exception:
            logger.warning("Could not record the Elasticsearch outage in the cache")

    def _guarded(self, what: str, run, fallback):
        if self._down():
            return fallback()
        try:
            return run()
        except (TransportError, ApiError) as exc:
            self._failed(exc, what)
            return fallback()

    def search_offers(self, query: OfferQuery) -> OfferResults:
        return self._guarded(
            "offer search",
            lambda: self._search_offers(query),
            lambda: dataclasses.replace(
                self._fallback().search_offers(query), notice=fallback_notice()
            ),
        )

    def search_site(self, query: SiteQuery) -> SiteResults:
        def fallback():
            results = self._fallback().search_site(query)
            notice = " ".join(n for n in (fallback_notice(), results.notice) if n)
            return dataclasses.replace(results, notice=notice)

        return self._guarded("site search", lambda: self._search_site(query), fallback)

    def suggest(self, text: str, *, scopes=frozenset(), limit: int = 8) -> list[Suggestion]:
        return self._guarded(
            "suggestions",
            lambda: self._suggest(text, scopes=scopes, limit=limit),
            lambda: self._fallback().suggest(text, scopes=scopes, limit=limit),
        )

    # --- The unified search ----------------------------------------------------------------

    def site_search(self, query: SiteQuery) -> Search:
        """The request of a site search (exposed so tests can read its body)."""
        kinds = [k for k in query.kinds if k in KINDS]
        facets = site_facets_for(tuple(kinds))
        s = Search(using=self._client, index=[alias_name(k) for k in KINDS])
        # A kind whose index is not built yet is left out rather than failing the search.
        s = s.params(ignore_unavailable=True).extra(track_total_hits=True)
        s = s.filter(visible_to(query.scopes))
        text = " ".join(query.text.split())
        if text:
            s = s.query(Q("bool", must=[text_query(text)]))

        filters: dict[str, Q] = {}
        for facet, values in query.filters.items():
            tokens = sorted({f"{facet}:{v}" for v in values if v})
            if tokens:
                filters[facet] = Q("terms", facets=tokens)
        if kinds:
            filters["kind"] = Q("terms", kind=kinds)
        # Filters go after the aggregations (post_filter), and each aggregation applies all
        # of them but its own: a chosen value does not hide its alternatives' counts.
        if filters:
            s = s.post_filter(_all_of(list(filters.values())))

        def others(name: str) -> Q:
            return _all_of([q for f, q in filters.items() if f != name])

        s.aggs.bucket("kinds", "filter", filter=others("kind")).bucket(
            "by_value", "terms", field="kind", size=len(KINDS)
        )
        for facet in facets:
            s.aggs.bucket(f"facet_{facet}", "filter", filter=others(facet)).bucket(
                "by_value", "terms", field="facets", include=f"{facet}:.*", size=FACET_SIZE
            )

        s = s.highlight(*HIGHLIGHT_FIELDS, number_of_fragments=2, fragment_size=160)
        options = {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            # The summary is not one of the queried fields but is the best snippet source.
            "require_field_match": False,
        }
        if text:
            # Without the title prefixes: their two-letter grams would mark stray words.
            options["highlight_query"] = text_query(text, prefixes=False).to_dict()
        s = s.highlight_options(**options)
        if text:
            s = s.suggest("did_you_mean", text, phrase=self._phrase_suggester(query.scopes))
        s = s.sort("_score", {"updated_at": {"order": "desc", "missing": "_last"}}, "title.raw")
        s = s.source(["kind", "object_id", "url", "title", "summary", "municipalities"])
        start, stop = _window(query.page, query.per_page)
        return s[start:stop]

    @staticmethod
    def _phrase_suggester(scopes) -> dict:
        # The suggester's words come from every document, hidden ones included; the collate
        # query keeps only corrections that find a document this searcher may see.
        collate = {
            "bool": {
                "must": [{"match": {"spell": {"query": "{{suggestion}}", "operator": "and"}}}],
                "filter": [visible_to(scopes).to_dict()],
            }
        }
        return {
            "field": "spell",
            "size": 1,
            "gram_size": 3,
            "max_errors": 2,
            "direct_generator": [
                {"field": "spell", "suggest_mode": "always", "min_word_length": 3}
            ],
            "collate": {"query": {"source": collate}, "prune": False},
        }

    def _search_site(self, query: SiteQuery) -> SiteResults:
        raw = self.site_search(query).execute().to_dict()
        return self.site_results(query, raw)

    def site_results(self, query: SiteQuery, raw: dict) -> SiteResults:
        """Read a site search response."""
        hits = []
        for hit in raw.get("hits", {}).get("hits", []):
            source = hit.get("_source", {})
            summary = source.get("summary") or ""
            fragments = []
            for name in HIGHLIGHT_FIELDS:
                for fragment in hit.get("highlight", {}).get(name, []):
                    if fragment not in fragments:
                        fragments.append(fragment)
            hits.append(
                SiteHit(
                    kind=source.get("kind", ""),
                    object_id=int(source.get("object_id", hit.get("_id"))),
                    url=source.get("url", ""),
                    title=source.get("title", ""),
                    summary=summary,
                    # Already escaped by the html encoder, with only <mark> added.
                    highlight=" … ".join(fragments[:2]) or escape(summary),
                    score=float(hit.get("_score") or 0),
                    municipalities=tuple(source.get("municipalities") or ()),
                )
            )
        aggs = raw.get("aggregations", {})
        chosen = {k for k in query.kinds if k in KINDS}
        kind_counts = _buckets(aggs, "kinds")
        kinds = [
            FacetValue(value=k, count=kind_counts.get(k, 0), selected=k in chosen)
            for k in KINDS
            if kind_counts.get(k) or k in chosen
        ]
        facets = {}
        for facet in site_facets_for(tuple(sorted(chosen, key=KINDS.index))):
            counts = {
                token.partition(":")[2]: count
                for token, count in _buckets(aggs, f"facet_{facet}").items()
                if token.startswith(f"{facet}:")
            }
            facets[facet] = _facet_values(counts, set(query.filters.get(facet, ())))
        return SiteResults(
            hits=hits,
            total=_total(raw),
            kinds=kinds,
            facets=facets,
            query=query,
            suggestion=_suggestion(query.text, raw),
        )

    # --- Suggestions -----------------------------------------------------------------------

    def suggest_search(self, text: str, *, scopes=frozenset(), limit: int = 8) -> Search:
        """Titles with words starting with what was typed (edge n-grams), then close titles."""
        key = " ".join(text.split())[:100]
        s = Search(using=self._client, index=[alias_name(k) for k in KINDS])
        s = s.params(ignore_unavailable=True).filter(visible_to(scopes))
        s = s.query(
            Q(
                "bool",
                should=[
                    Q("match", **{"title.autocomplete": {"query": key, "operator": "and"}}),
                    Q("match_phrase_prefix", title={"query": key, "boost": 2}),
                    Q(
                        "match",
                        title={"query": key, "fuzziness": "AUTO", "prefix_length": 1},
                    ),
                ],
                minimum_should_match=1,
            )
        )
        s = s.sort("_score", "title.raw").source(["kind", "title", "url"])
        return s[:limit]

    def _suggest(self, text: str, *, scopes, limit: int) -> list[Suggestion]:
        if len(" ".join(text.split())) < 2:
            return []
        raw = self.suggest_search(text, scopes=scopes, limit=limit).execute().to_dict()
        return self.suggestions(raw)

    @staticmethod
    def suggestions(raw: dict) -> list[Suggestion]:
        out = []
        for hit in raw.get("hits", {}).get("hits", []):
            source = hit.get("_source", {})
            out.append(
                Suggestion(kind=source["kind"], title=source["title"], url=source.get("url", ""))
            )
        return out

    # --- The offer search ------------------------------------------------------------------

    def offer_search(self, query: OfferQuery) -> Search:
        """The request of an offer search (exposed so tests can read its body)."""
        s = Search(using=self._client, index=alias_name("offer"))
        s = s.extra(track_total_hits=True, track_scores=True)
        s = s.filter(Q("term", is_public=True))
        text = " ".join(query.text.split())
        if text:
            s = s.query(Q("bool", must=[text_query(text)]))
        if query.age is not None:
            s = s.filter(_age_overlap(query.age, query.age))
        if query.near and query.within_km:
            lat, lon = query.near
            s = s.filter(
                Q(
                    "geo_distance",
                    distance=f"{float(query.within_km)}km",
                    location={"lat": lat, "lon": lon},
                )
            )

        filters: dict[str, Q] = {}
        for facet, values in query.filters.items():
            values = [v for v in values if v]
            if not values:
                continue
            if facet == "weekdays":
                days = sorted({int(v) for v in values if str(v).isdigit()})
                if days:
                    filters[facet] = Q("terms", weekdays=days)
            elif facet in OFFER_ARRAY_FACETS:
                filters[facet] = Q("terms", **{facet: sorted(set(values))})
            elif facet == "ages":
                bands = [b for b in AGE_BANDS if b[0] in values]
                if bands:
                    filters[facet] = Q(
                        "bool",
                        should=[_age_overlap(lo, hi) for _, lo, hi in bands],
                        minimum_should_match=1,
                    )
        if filters:
            s = s.post_filter(_all_of(list(filters.values())))

        def others(name: str) -> Q:
            return _all_of([q for f, q in filters.items() if f != name])

        for facet in OFFER_FACETS:
            bucket = s.aggs.bucket(f"facet_{facet}", "filter", filter=others(facet))
            if facet == "ages":
                bucket.bucket(
                    "by_value",
                    "filters",
                    filters={slug: _age_overlap(lo, hi) for slug, lo, hi in AGE_BANDS},
                )
            else:
                bucket.bucket("by_value", "terms", field=facet, size=FACET_SIZE)

        sort = query.sort if (query.sort != "distance" or query.near) else "relevance"
        if sort == "distance":
            lat, lon = query.near
            s = s.sort(
                {
                    "_geo_distance": {
                        "location": {"lat": lat, "lon": lon},
                        "order": "asc",
                        "unit": "km",
                        "mode": "min",
                        "distance_type": "arc",
                    }
                },
                {"_score": {"order": "desc"}},
                "title.raw",
            )
        elif sort == "verified":
            s = s.sort({"last_verified_at": {"order": "desc", "missing": "_last"}}, "title.raw")
        else:
            s = s.sort(
                "_score", {"last_verified_at": {"order": "desc", "missing": "_last"}}, "title.raw"
            )
        s = s.source(
            [
                "object_id",
                "title",
                "summary",
                "organisation_name",
                "municipalities",
                "categories",
                "last_verified_at",
                "location",
            ]
        )
        start, stop = _window(query.page, query.per_page)
        return s[start:stop]

    def _search_offers(self, query: OfferQuery) -> OfferResults:
        raw = self.offer_search(query).execute().to_dict()
        return self.offer_results(query, raw)

    def offer_results(self, query: OfferQuery, raw: dict) -> OfferResults:
        """Read an offer search response."""
        hits = []
        for hit in raw.get("hits", {}).get("hits", []):
            source = hit.get("_source", {})
            distance = None
            points = _points(source.get("location"))
            if query.near and points:
                # The nearest of the offer's places, as the PostgreSQL backend reports it.
                distance = round(min(haversine_km(query.near, p) for p in points), 1)
            verified = source.get("last_verified_at")
            hits.append(
                OfferHit(
                    offer_id=int(source.get("object_id", hit.get("_id"))),
                    title=source.get("title", ""),
                    summary=source.get("summary", ""),
                    organisation_name=source.get("organisation_name", ""),
                    municipalities=tuple(source.get("municipalities") or ()),
                    categories=tuple(source.get("categories") or ()),
                    distance_km=distance,
                    last_verified_at=parse_datetime(verified) if verified else None,
                    score=float(hit.get("_score") or 0),
                )
            )
        aggs = raw.get("aggregations", {})
        facets = {}
        for facet in OFFER_FACETS:
            selected = {str(v) for v in query.filters.get(facet, ())}
            counts = _buckets(aggs, f"facet_{facet}")
            order = [band[0] for band in AGE_BANDS] if facet == "ages" else None
            facets[facet] = _facet_values(counts, selected, order)
        return OfferResults(hits=hits, total=_total(raw), facets=facets, query=query)


def _suggestion(text: str, raw: dict) -> str:
    """The phrase suggester's best correction, or "" when it found nothing better."""
    entries = raw.get("suggest", {}).get("did_you_mean", [])
    options = entries[0].get("options", []) if entries else []
    if not options:
        return ""
    best = options[0].get("text", "")
    return "" if best.strip().lower() == " ".join(text.lower().split()) else best
