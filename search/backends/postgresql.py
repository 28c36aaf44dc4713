"""Search on PostgreSQL: weighted tsvectors with the `norwegian` configuration, pg_trgm word
similarity for typos, unaccent so «losning» finds «løsning», and facet counts computed per facet
with every other filter applied (multi-select facets)."""

from __future__ import annotations

import re

from django.db import connection, transaction

from search.backends.base import (
    AGE_BANDS,
    OFFER_FACETS,
    FacetValue,
    OfferHit,
    OfferQuery,
    OfferResults,
    SearchBackend,
)

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
# How similar (0-1) a typed word must be to a word in the document to count as a typo match.
WORD_SIMILARITY = 0.45
_WORD = re.compile(r"[\wæøåÆØÅ-]+", re.UNICODE)
DISTANCE_SQL = (
    "(SELECT min(2 * 6371 * asin(sqrt(power(sin(radians(p.lat - %s) / 2), 2)"
    " + cos(radians(%s)) * cos(radians(p.lat)) * power(sin(radians(p.lon - %s) / 2), 2))))"
    " FROM unnest(d.latitudes, d.longitudes) AS p(lat, lon))"
)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 2][:8]


def _prefix_term(word: str) -> str:
    """A tsquery prefix term; words contain only letters, digits and hyphens, but quote anyway."""
    return "'" + word.replace("'", "''") + "':*"


def _age_overlap(low: int, high: int) -> str:
    return f"(coalesce(d.min_age, 0) <= {int(high)} AND coalesce(d.max_age, 130) >= {int(low)})"


class _Where:
    """The WHERE clause of one query, built from parts so a facet can leave out its own."""

    def __init__(self, query: OfferQuery):
        self.query = query
        self.base: list[tuple[str, list]] = [("d.is_public", [])]
        for word in _words(query.text):
            # Prefix match on the stemmed vector, or a close-enough word (typo tolerance).
            self.base.append(
                (
                    "(d.search_vector @@ to_tsquery('norwegian', %s)"
                    " OR unaccent(%s) <%% d.search_text)",
                    [_prefix_term(word), word],
                )
            )
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
        where = _Where(query)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}")
            hits, total = self._hits(cursor, query, where)
            facets = self._facets(cursor, query, where)
        return OfferResults(hits=hits, total=total, facets=facets, query=query)

    def _hits(self, cursor, query: OfferQuery, where: _Where):
        where_sql, params = where.sql()
        cursor.execute(f"SELECT count(*) FROM {TABLE} d WHERE {where_sql}", params)
        total = cursor.fetchone()[0]
        words = _words(query.text)
        if words:
            score_sql = (
                "ts_rank(d.search_vector, to_tsquery('norwegian', %s))"
                " + word_similarity(unaccent(%s), d.search_text)"
            )
            score_params = [" | ".join(_prefix_term(w) for w in words), " ".join(words)]
        else:
            score_sql, score_params = "0", []
        if query.near:
            lat, lon = query.near
            distance_sql, distance_params = DISTANCE_SQL, [lat, lat, lon]
        else:
            distance_sql, distance_params = "NULL::float", []
        order = {
            "distance": "distance NULLS LAST, score DESC, d.title",
            "verified": "d.last_verified_at DESC NULLS LAST, d.title",
        }.get(query.sort if (query.sort != "distance" or query.near) else "relevance")
        order = order or "score DESC, d.last_verified_at DESC NULLS LAST, d.title"
        offset = (max(1, query.page) - 1) * query.per_page
        cursor.execute(
            f"SELECT d.offer_id, d.title, d.summary, d.organisation_name, d.municipalities,"
            f" d.categories, {distance_sql} AS distance, d.last_verified_at, {score_sql} AS score"
            f" FROM {TABLE} d WHERE {where_sql} ORDER BY {order} LIMIT %s OFFSET %s",
            [*distance_params, *score_params, *params, query.per_page, offset],
        )
        hits = [
            OfferHit(
                offer_id=row[0],
                title=row[1],
                summary=row[2],
                organisation_name=row[3],
                municipalities=tuple(row[4]),
                categories=tuple(row[5]),
                distance_km=None if row[6] is None else round(row[6], 1),
                last_verified_at=row[7],
                score=float(row[8] or 0),
            )
            for row in cursor.fetchall()
        ]
        return hits, total

    def _facets(self, cursor, query: OfferQuery, where: _Where) -> dict[str, list[FacetValue]]:
        facets: dict[str, list[FacetValue]] = {}
        for facet in OFFER_FACETS:
            selected = set(query.filters.get(facet, ()))
            where_sql, params = where.sql(without=facet)
            if facet == "ages":
                counts = ", ".join(
                    f"count(*) FILTER (WHERE {_age_overlap(lo, hi)})" for _, lo, hi in AGE_BANDS
                )
                cursor.execute(f"SELECT {counts} FROM {TABLE} d WHERE {where_sql}", params)
                row = cursor.fetchone()
                values = [(band[0], n) for band, n in zip(AGE_BANDS, row, strict=True)]
            else:
                cursor.execute(
                    f"SELECT v::text, count(*) FROM {TABLE} d, unnest(d.{facet}) AS v"
                    f" WHERE {where_sql} GROUP BY v ORDER BY count(*) DESC, v",
                    params,
                )
                values = cursor.fetchall()
            facets[facet] = [
                FacetValue(value=v, count=n, selected=v in selected)
                for v, n in values
                if n or v in selected
            ]
        return facets
