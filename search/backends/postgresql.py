"""Search on PostgreSQL: weighted tsvectors with the `norwegian` configuration, pg_trgm word
similarity for typos, unaccent so «losning» finds «løsning», and facet counts computed per facet
with every other filter applied (multi-select facets)."""

from __future__ import annotations

import math

from django.db import connection, transaction

from search.backends import postgresql_site
from search.backends.base import (
    AGE_BANDS,
    OFFER_FACETS,
    FacetValue,
    OfferHit,
    OfferQuery,
    OfferResults,
    SearchBackend,
    SiteQuery,
    SiteResults,
    Suggestion,
)
from search.backends.postgresql_text import (
    TS_CONFIG,
    corrections,
    query_words,
    search_settings,
    tsquery_text,
)
from search.synonyms import query_parts

# Required by full-text search: the extensions and the Norwegian text search configuration.
REQUIRED_EXTENSIONS = ("pg_trgm", "unaccent")
TABLE = "search_offerdocument"
ARRAY_FACETS = {
    "counties": "varchar",
    "municipalities": "varchar",
    "categories": "varchar",
    "target_groups": "varchar",
    "life_areas": "varchar",
    "cost_levels": "varchar",
    "languages": "varchar",
    "participation_modes": "varchar",
    "weekdays": "smallint",
}
EARTH_KM = 6371.0
# Distance in km from (%s lat, %s lat, %s lon) to the document's first place (haversine).
DISTANCE_SQL = (
    "(2 * 6371 * asin(sqrt(power(sin(radians(d.latitude - %s) / 2), 2)"
    " + cos(radians(%s)) * cos(radians(d.latitude))"
    " * power(sin(radians(d.longitude - %s) / 2), 2))))"
)


def _age_overlap(low: int, high: int) -> str:
    return f"(coalesce(d.min_age, 0) <= {int(high)} AND coalesce(d.max_age, 130) >= {int(low)})"


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


class _Where:
    """The WHERE clause of one query, built from parts so a facet can leave out its own."""

    def __init__(self, query: OfferQuery, tsquery: str):
        self.query = query
        self.base: list[tuple[str, list]] = [("d.is_public", [])]
        if tsquery:
            self.base.append((f"d.search_vector @@ to_tsquery('{TS_CONFIG}', %s)", [tsquery]))
        if query.age is not None:
            self.base.append((_age_overlap(query.age, query.age), []))
        if query.near and query.within_km:
            lat, lon = query.near
            self.base.append((f"{DISTANCE_SQL} <= %s", [lat, lat, lon, query.within_km]))
        self.facet_parts: dict[str, tuple[str, list]] = {}
        for facet, values in query.filters.items():
            values = [v for v in values if v]
            if not values:
                continue
            if facet in ARRAY_FACETS:
                cast = ARRAY_FACETS[facet]
                if cast == "smallint":
                    values = [int(v) for v in values if str(v).isdigit()]
                self.facet_parts[facet] = (f"d.{facet} && %s::{cast}[]", [values])
            elif facet == "ages":
                bands = [b for b in AGE_BANDS if b[0] in values]
                if bands:
                    ors = " OR ".join(_age_overlap(lo, hi) for _, lo, hi in bands)
                    self.facet_parts[facet] = (f"({ors})", [])

    def sql(self, *, without: str | None = None) -> tuple[str, list]:
        parts = self.base + [p for f, p in self.facet_parts.items() if f != without]
        return " AND ".join(sql for sql, _ in parts), [x for _, params in parts for x in params]

    def base_sql(self) -> tuple[str, list]:
        return " AND ".join(sql for sql, _ in self.base), [x for _, p in self.base for x in p]


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def health(self) -> dict:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT extname FROM pg_extension WHERE extname = ANY(%s)",
                    [list(REQUIRED_EXTENSIONS)],
                )
                installed = {row[0] for row in cursor.fetchall()}
                cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'norwegian'")
                has_norwegian = cursor.fetchone() is not None
        except Exception as exc:
            return {"status": "error", "backend": self.name, "detail": exc.__class__.__name__}
        missing = [ext for ext in REQUIRED_EXTENSIONS if ext not in installed]
        if missing or not has_norwegian:
            missing += [] if has_norwegian else ["norwegian"]
            return {
                "status": "error",
                "backend": self.name,
                "detail": "mangler: " + ", ".join(missing),
            }
        return {"status": "ok", "backend": self.name}

    def search_offers(self, query: OfferQuery) -> OfferResults:
        parts = query_parts(query_words(query.text))
        # A word with synonyms is a known word: never «correct» it into something else.
        unknown = [p.words[0] for p in parts if len(p.words) == 1 and not p.synonyms]
        with transaction.atomic(), connection.cursor() as cursor:
            search_settings(cursor)
            fixes = corrections(cursor, unknown)
            where = _Where(query, tsquery_text(parts, fixes))
            total, facets = self._facets(cursor, query, where)
            hits = []
            if total > (max(1, query.page) - 1) * query.per_page:
                hits = self._hits(cursor, query, where, tsquery_text(parts, fixes, joiner=" | "))
        return OfferResults(hits=hits, total=total, facets=facets, query=query)

    def search_site(self, query: SiteQuery) -> SiteResults:
        return postgresql_site.search_site(query)

    def suggest(self, text: str, *, scopes=frozenset(), limit: int = 8) -> list[Suggestion]:
        return postgresql_site.suggest(text, scopes=scopes, limit=limit)

    def _hits(self, cursor, query: OfferQuery, where: _Where, rank_query: str):
        where_sql, params = where.sql()
        if rank_query:
            score_sql = f"ts_rank(d.search_vector, to_tsquery('{TS_CONFIG}', %s))"
            score_params = [rank_query]
        else:
            score_sql, score_params = "0", []
        sort = query.sort if (query.sort != "distance" or query.near) else "relevance"
        if sort == "distance":
            lat, lon = query.near
            order_sql, order_params = (
                f"{DISTANCE_SQL} NULLS LAST, score DESC, d.title",
                [lat, lat, lon],
            )
        elif sort == "verified":
            order_sql, order_params = "d.last_verified_at DESC NULLS LAST, d.title", []
        else:
            order_sql = "score DESC, d.last_verified_at DESC NULLS LAST, d.title"
            order_params = []
        offset = (max(1, query.page) - 1) * query.per_page
        cursor.execute(
            f"SELECT d.offer_id, d.title, d.summary, d.organisation_name, d.municipalities,"
            f" d.categories, d.latitudes, d.longitudes, d.last_verified_at, {score_sql} AS score"
            f" FROM {TABLE} d WHERE {where_sql} ORDER BY {order_sql} LIMIT %s OFFSET %s",
            [*score_params, *params, *order_params, query.per_page, offset],
        )
        hits = []
        for row in cursor.fetchall():
            distance = None
            if query.near and row[6]:
                distance = round(
                    min(haversine_km(query.near, p) for p in zip(row[6], row[7], strict=False)), 1
                )
            hits.append(
                OfferHit(
                    offer_id=row[0],
                    title=row[1],
                    summary=row[2],
                    organisation_name=row[3],
                    municipalities=tuple(row[4]),
                    categories=tuple(row[5]),
                    distance_km=distance,
                    last_verified_at=row[8],
                    score=float(row[9] or 0),
                )
            )
        return hits

    def _facets(self, cursor, query: OfferQuery, where: _Where):
        """The total and all facet counts from one scan: the rows matching the base conditions
        (text, age, distance) are materialised once with a flag per facet filter; each facet
        then counts the rows where every other facet's flag holds, and the total those where
        every flag holds."""
        base_sql, base_params = where.base_sql()
        # A row that fails two facet filters is counted by no facet (each facet lifts only its
        # own filter), so only rows failing at most one filter need to be scanned.
        active = list(where.facet_parts.values())
        if len(active) >= 2:
            alternatives, alt_params = [], []
            for skipped in range(len(active)):
                kept = [part for i, part in enumerate(active) if i != skipped]
                alternatives.append("(" + " AND ".join(sql for sql, _ in kept) + ")")
                alt_params.extend(x for _, params in kept for x in params)
            base_sql += " AND (" + " OR ".join(alternatives) + ")"
            base_params = [*base_params, *alt_params]
        flags, flag_params = [], []
        for facet in OFFER_FACETS:
            sql, params = where.facet_parts.get(facet, ("TRUE", []))
            flags.append(f"({sql}) AS f_{facet}")
            flag_params.extend(params)
        columns = ", ".join(f"d.{f}" for f in ARRAY_FACETS) + ", d.min_age, d.max_age"

        def others(facet: str) -> str:
            return " AND ".join(f"f_{f}" for f in OFFER_FACETS if f != facet) or "TRUE"

        every = " AND ".join(f"f_{f}" for f in OFFER_FACETS)
        parts = [f"SELECT '', '', count(*) FROM m WHERE {every}"]
        for facet in OFFER_FACETS:
            if facet == "ages":
                for slug, lo, hi in AGE_BANDS:
                    overlap = _age_overlap(lo, hi).replace("d.", "m.")
                    parts.append(
                        f"SELECT 'ages', '{slug}', count(*) FROM m WHERE {others(facet)}"
                        f" AND {overlap}"
                    )
            else:
                parts.append(
                    f"SELECT '{facet}', v::text, count(*) FROM m, unnest(m.{facet}) AS v"
                    f" WHERE {others(facet)} GROUP BY v"
                )
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT {columns}, {', '.join(flags)}"
            f" FROM {TABLE} d WHERE {base_sql}) " + " UNION ALL ".join(parts),
            [*flag_params, *base_params],
        )
        counted: dict[str, dict[str, int]] = {f: {} for f in OFFER_FACETS}
        total = 0
        for facet, value, count in cursor.fetchall():
            if facet:
                counted[facet][value] = count
            else:
                total = count
        facets: dict[str, list[FacetValue]] = {}
        for facet in OFFER_FACETS:
            selected = set(query.filters.get(facet, ()))
            values = counted[facet]
            for value in selected - set(values):
                values[value] = 0
            order = (
                [band[0] for band in AGE_BANDS]
                if facet == "ages"
                else sorted(values, key=lambda v: (-values[v], v))
            )
            facets[facet] = [
                FacetValue(value=v, count=values.get(v, 0), selected=v in selected)
                for v in order
                if values.get(v, 0) or v in selected
            ]
        return total, facets
