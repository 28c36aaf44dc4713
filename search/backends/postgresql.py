"""Search on PostgreSQL: weighted tsvectors with the `norwegian` configuration, pg_trgm word
similarity for typos, unaccent so «losning» finds «løsning», and facet counts computed per facet
with every other filter applied (multi-select facets)."""

from __future__ import annotations

import json
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
            rank_query = tsquery_text(parts, fixes, joiner=" | ")
            total, facets, page = self._scan(cursor, query, where, rank_query)
            hits = self._hits(cursor, query, page)
        return OfferResults(hits=hits, total=total, facets=facets, query=query)

    def search_site(self, query: SiteQuery) -> SiteResults:
        return postgresql_site.search_site(query)

    def suggest(self, text: str, *, scopes=frozenset(), limit: int = 8) -> list[Suggestion]:
        return postgresql_site.suggest(text, scopes=scopes, limit=limit)

    def _order(self, query: OfferQuery, rank_query: str):
        """What the matches keep for ordering (the vector, the distance), the score over them,
        and the page's order. The rank is computed for the rows that pass every filter only,
        not for every match the facets count."""
        if rank_query:
            kept, kept_params = "d.search_vector AS vector", []
            score_sql = f"ts_rank(m.vector, to_tsquery('{TS_CONFIG}', %s))"
            score_params = [rank_query]
        else:
            kept, kept_params = "NULL::tsvector AS vector", []
            score_sql, score_params = "0::real", []
        if query.near:
            lat, lon = query.near
            kept += f", {DISTANCE_SQL} AS distance"
            kept_params += [lat, lat, lon]
        else:
            kept += ", NULL::float AS distance"
        sort = query.sort if (query.sort != "distance" or query.near) else "relevance"
        if sort == "distance":
            order = "r.distance NULLS LAST, r.score DESC, r.title, r.offer_id"
        elif sort == "verified":
            order = "r.last_verified_at DESC NULLS LAST, r.title, r.offer_id"
        else:
            order = "r.score DESC, r.last_verified_at DESC NULLS LAST, r.title, r.offer_id"
        return kept, kept_params, score_sql, score_params, order

    def _hits(self, cursor, query: OfferQuery, page: list[tuple[int, float]]):
        """The page's offers, in the scan's order, with what a hit shows."""
        if not page:
            return []
        cursor.execute(
            f"SELECT d.offer_id, d.title, d.summary, d.organisation_name, d.municipalities,"
            f" d.categories, d.latitudes, d.longitudes, d.last_verified_at"
            f" FROM {TABLE} d WHERE d.offer_id = ANY(%s)",
            [[pk for pk, _score in page]],
        )
        rows = {row[0]: row for row in cursor.fetchall()}
        ordered = [(*rows[pk], score) for pk, score in page if pk in rows]
        hits = []
        for row in ordered:
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

    def _scan(self, cursor, query: OfferQuery, where: _Where, rank_query: str):
        """The total, all facet counts and the page's offer ids from one scan: the rows
        matching the base conditions (text, age, distance) are materialised once with a flag
        per facet filter, their score and distance; each facet then counts the rows where every
        other facet's flag holds, and the total and the page come from those where every flag
        holds."""
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
        filtered = [f for f in ARRAY_FACETS if f in where.facet_parts]
        # Only the filtered facets' own arrays are read again (see below); the rest are tags.
        columns = ", ".join(
            ["d.offer_id", "d.title", "d.last_verified_at", "d.facet_tags", "d.min_age"]
            + ["d.max_age", *(f"d.{f}" for f in filtered)]
        )
        kept, kept_params, score_sql, score_params, order = self._order(query, rank_query)
        offset = (max(1, query.page) - 1) * query.per_page

        def others(facet: str) -> str:
            return " AND ".join(f"f_{f}" for f in OFFER_FACETS if f != facet) or "TRUE"

        every = " AND ".join(f"f_{f}" for f in OFFER_FACETS)
        # The total and the age bands in one pass: each band counts with every filter but the
        # age bands' own.
        bands = ", ".join(
            f"count(*) FILTER (WHERE {others('ages')} AND {_age_overlap(lo, hi)})".replace(
                "d.", "m."
            )
            for _slug, lo, hi in AGE_BANDS
        )
        parts = [
            f"SELECT 'total', '', count(*) FILTER (WHERE {every}), ARRAY[{bands}]::text FROM m",
            "SELECT 'page', '', 0, (SELECT json_agg(json_build_array(p.offer_id, p.score)"
            " ORDER BY p.n)::text FROM (SELECT r.offer_id, r.score,"
            f" row_number() OVER (ORDER BY {order}) AS n FROM (SELECT m.offer_id, m.title,"
            f" m.last_verified_at, m.distance, {score_sql} AS score FROM m WHERE {every}) AS r"
            f" ORDER BY {order} LIMIT %s OFFSET %s) AS p)",
        ]
        # Facets without a filter of their own count the rows that pass every filter, all from
        # one unnest of the tag array. A facet with a filter lifts only its own, so it counts
        # from its own array over the rows that pass the others (multi-select facets).
        parts.append(
            "SELECT 'tags', v, count(*), NULL FROM m, unnest(m.facet_tags) AS v"
            f" WHERE {every} GROUP BY v"
        )
        for facet in filtered:
            parts.append(
                f"SELECT '{facet}', v::text, count(*), NULL FROM m, unnest(m.{facet}) AS v"
                f" WHERE {others(facet)} GROUP BY v"
            )
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT {columns}, {', '.join(flags)}, {kept}"
            f" FROM {TABLE} d WHERE {base_sql}) " + " UNION ALL ".join(parts),
            [*flag_params, *kept_params, *base_params, *score_params, query.per_page, offset],
        )
        counted: dict[str, dict[str, int]] = {f: {} for f in OFFER_FACETS}
        total = 0
        page: list[tuple[int, float]] = []
        for group, value, count, extra in cursor.fetchall():
            if group == "total":
                total = count
                band_counts = [int(n) for n in extra.strip("{}").split(",")]
                counted["ages"] = {
                    slug: n for (slug, _lo, _hi), n in zip(AGE_BANDS, band_counts, strict=True)
                }
            elif group == "page":
                page = [(pk, float(score or 0)) for pk, score in json.loads(extra or "[]")]
            elif group == "tags":
                facet, _sep, tag = value.partition(":")
                if facet in counted and facet not in filtered:
                    counted[facet][tag] = count
            else:
                counted[group][value] = count
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
        return total, facets, page
