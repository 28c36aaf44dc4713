"""The unified search on PostgreSQL: every kind of record in one table
(search_searchdocument), the searcher's visibility inside every statement.

Matching is built for recall without drowning the user. Each query word (or synonym phrase)
is one part; a document must match enough of the parts (all of one or two, three of four,
75 % of longer queries, like Elasticsearch's "2<75%"), and documents that match more parts
rank first. When fewer than a handful match that many, documents matching some of the parts are
added after them, and the page says so: one word the wanted record does not use («gratis»,
«tilbud») must not hide it.
"""

from __future__ import annotations

import math

from django.db import connection, transaction
from django.utils.html import escape

from search.backends.base import (
    KINDS,
    FacetValue,
    SiteHit,
    SiteQuery,
    SiteResults,
    Suggestion,
    site_facets_for,
)
from search.backends.postgresql_text import (
    TS_CONFIG,
    WORD_SIMILARITY,
    corrections,
    lexeme,
    query_words,
    term_query,
)
from search.synonyms import QueryPart, query_parts

TABLE = "search_searchdocument"
VISIBLE = "(d.is_public OR d.audience && %s::varchar[])"
# ts_headline marks matches with these; the text is escaped after, then they become <mark>.
MARK_START, MARK_STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
FEWER_WORDS_NOTE = "Få treff på alle ordene, så vi viser også treff på noen av dem, etter de beste."
# Below this many documents matching enough of the words, those matching some are added.
FILL_UP_TO = 10


def minimum_match(parts: int) -> int:
    """How many of the query's parts a document must match."""
    if parts <= 2:
        return parts
    return math.floor(parts * 0.75)


# Derivational endings: «gjeldsrådgivning» should find «gjeldsrådgiver», which the stemmer
# reduces to «gjeldsrådgiv» but the typed word's stem does not reach.
DERIVATIONS = ("ning", "ing", "else", "het")
MIN_STEM = 5
# Compounds: «barnefattigdom» should find «fattigdom blant barn». Joining letters between
# the parts of a Norwegian compound.
LINKING = ("s", "e")
MIN_COMPOUND = 8
MIN_COMPOUND_PART = 3


def derivation_stem(word: str) -> str:
    for ending in DERIVATIONS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return ""


def compound_splits(cursor, words: list[str]) -> dict[str, tuple[str, str]]:
    """For each long word, a split into two words the catalogue uses («barnefattigdom» ->
    «barn», «fattigdom»), the longest second part first. One query against the word list."""
    candidates: dict[str, list[tuple[str, str]]] = {}
    pieces: set[str] = set()
    for word in words:
        if len(word) < MIN_COMPOUND or "-" in word:
            continue
        options = []
        for i in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
            left, right = word[:i], word[i:]
            lefts = [left] + [left[:-1] for link in LINKING if left.endswith(link)]
            options += [(lft, right) for lft in lefts if len(lft) >= MIN_COMPOUND_PART]
        candidates[word] = options
        pieces |= {piece for option in options for piece in option}
    if not pieces:
        return {}
    cursor.execute(
        "SELECT p FROM unnest(%s::varchar[]) AS p"
        " WHERE EXISTS (SELECT 1 FROM search_searchword WHERE word = unaccent(p))",
        [sorted(pieces)],
    )
    known = {row[0] for row in cursor.fetchall()}
    out = {}
    for word, options in candidates.items():
        found = [o for o in options if o[0] in known and o[1] in known]
        if found:
            out[word] = max(found, key=lambda o: (len(o[1]), len(o[0])))
    return out


def _scopes(query_scopes) -> list[str]:
    return sorted(query_scopes)


def _part_queries(cursor, parts: list[QueryPart], fixes) -> list[str]:
    """One tsquery text per part (the part, its synonyms, its corrections), leaving out parts
    that are only stop words: «for» or «med» must not count against a document."""
    texts = []
    splits = compound_splits(cursor, [p.words[0] for p in parts if len(p.words) == 1])
    for part in parts:
        alternatives = [term_query(part.words)] + [term_query(t) for t in part.synonyms]
        if len(part.words) == 1:
            word = part.words[0]
            alternatives += [lexeme(fix) for fix in fixes.get(word, [])]
            if word in splits:
                left, right = splits[word]
                alternatives.append(f"({lexeme(left)}:* & {lexeme(right)}:*)")
            stem = derivation_stem(word)
            if stem:
                alternatives.append(f"{lexeme(stem)}:*")
        texts.append("(" + " | ".join(alternatives) + ")")
    if not texts:
        return []
    cursor.execute(
        "SELECT " + ", ".join(f"numnode(to_tsquery('{TS_CONFIG}', %s))" for _ in texts), texts
    )
    nodes = cursor.fetchone()
    return [text for text, count in zip(texts, nodes, strict=True) if count]


class _Filters:
    """The conditions of one query, kept apart so a facet can count without its own filter."""

    def __init__(self, query: SiteQuery, facets: tuple[str, ...]):
        self.kind_sql: tuple[str, list] | None = None
        kinds = [k for k in query.kinds if k in KINDS]
        if kinds:
            self.kind_sql = ("d.kind = ANY(%s)", [kinds])
        self.facet_sql: dict[str, tuple[str, list]] = {}
        for facet, values in query.filters.items():
            tokens = [f"{facet}:{v}" for v in values if v]
            if tokens:
                self.facet_sql[facet] = ("d.facets && %s::varchar[]", [tokens])

    def all(self, *, without: str | None = None) -> tuple[str, list]:
        parts = [p for f, p in self.facet_sql.items() if f != without]
        if self.kind_sql and without != "kind":
            parts.append(self.kind_sql)
        if not parts:
            return "TRUE", []
        return " AND ".join(s for s, _ in parts), [x for _, params in parts for x in params]


def search_site(query: SiteQuery) -> SiteResults:
    """The unified search: one page of hits, the type facet and the facets, «did you mean»."""
    parts = query_parts(query_words(query.text))
    unknown = [p.words[0] for p in parts if len(p.words) == 1 and not p.synonyms]
    facets = site_facets_for(tuple(k for k in query.kinds if k in KINDS))
    filters = _Filters(query, facets)
    scopes = _scopes(query.scopes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL pg_trgm.similarity_threshold = {WORD_SIMILARITY}")
        fixes = _visible_fixes(cursor, corrections(cursor, unknown), scopes)
        part_texts = _part_queries(cursor, parts, fixes)
        # Only stop words or punctuation: nothing can match.
        nothing = bool(query.text.strip()) and not part_texts
        needed, total, hits = _hits(cursor, query, scopes, filters, part_texts, nothing)
        notes = []
        if part_texts and needed < minimum_match(len(part_texts)):
            notes.append(FEWER_WORDS_NOTE)
        base_sql, base_params = VISIBLE, [scopes]
        if part_texts:
            base_sql += (
                f" AND d.search_vector @@ to_tsquery('{TS_CONFIG}', %s)"
                f" AND ({_coverage_sql(part_texts)}) >= %s"
            )
            base_params += [" | ".join(part_texts), *part_texts, needed]
        elif nothing:
            base_sql += " AND FALSE"
        kind_counts, facet_counts = _counts(cursor, query, base_sql, base_params, filters, facets)
        display = _display_forms(cursor, fixes)
    suggestion = _suggestion(query.text, fixes, display)
    return SiteResults(
        hits=hits,
        total=total,
        kinds=kind_counts,
        facets=facet_counts,
        query=query,
        suggestion=suggestion,
        notice=" ".join(notes),
    )


def _visible_fixes(cursor, fixes: dict[str, list[str]], scopes) -> dict[str, list[str]]:
    """Only corrections that a document this searcher may see contains. The word list is
    shared by everyone and keeps words of records that have since been hidden; a "did you
    mean" must never spell out a word only a hidden or internal record uses."""
    words = sorted({w for fixed in fixes.values() for w in fixed})
    if not words:
        return fixes
    cursor.execute(
        f"SELECT w FROM unnest(%s::text[]) AS w WHERE EXISTS (SELECT 1 FROM {TABLE} d"
        f" WHERE {VISIBLE} AND d.search_vector @@ to_tsquery('{TS_CONFIG}', quote_literal(w)))",
        [words, sorted(scopes)],
    )
    seen = {row[0] for row in cursor.fetchall()}
    return {word: [w for w in fixed if w in seen] for word, fixed in fixes.items()}


def _display_forms(cursor, fixes: dict[str, list[str]]) -> dict[str, str]:
    """The word list is unaccented; show «språkkafé», not «sprakkafe»."""
    best = sorted({fixed[0] for fixed in fixes.values() if fixed})
    if not best:
        return {}
    cursor.execute(
        "SELECT word, display FROM search_searchword WHERE word = ANY(%s) AND display <> ''",
        [best],
    )
    return dict(cursor.fetchall())


def _coverage_sql(part_texts: list[str]) -> str:
    """How many of the parts a document matches (one parameter per part)."""
    return " + ".join(
        f"(d.search_vector @@ to_tsquery('{TS_CONFIG}', %s))::int" for _ in part_texts
    )


def _hits(cursor, query, scopes, filters: _Filters, part_texts: list[str], nothing: bool):
    """How many parts a document must match, the total and one page of hits, from one
    statement that scans the matching documents once, computing each one's coverage (parts
    matched) and rank once. If fewer than FILL_UP_TO match enough parts, one part is enough:
    too few full matches must not hide records matching some of the words, and the full
    matches still rank first (coverage is the first term of the score)."""
    filter_sql, filter_params = filters.all()
    any_text = " | ".join(part_texts)
    where, where_params = f"{VISIBLE} AND {filter_sql}", [scopes, *filter_params]
    if part_texts:
        columns = (
            f"({_coverage_sql(part_texts)}) AS coverage,"
            f" ts_rank_cd(d.search_vector, to_tsquery('{TS_CONFIG}', %s), 1) AS rank"
        )
        column_params = [*part_texts, any_text]
        where = f"{VISIBLE} AND d.search_vector @@ to_tsquery('{TS_CONFIG}', %s) AND {filter_sql}"
        where_params = [scopes, any_text, *filter_params]
        needed = minimum_match(len(part_texts))
        if needed > 1:
            threshold_sql = (
                "CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM m WHERE m.coverage >= %s"
                " LIMIT %s) AS enough) < %s THEN 1 ELSE %s END"
            )
            threshold_params = [needed, FILL_UP_TO, FILL_UP_TO, needed]
        else:
            threshold_sql, threshold_params = "%s", [needed]
    else:
        columns, column_params = "0 AS coverage, 0 AS rank", []
        threshold_sql, threshold_params = "0", []
        if nothing:
            where += " AND FALSE"
    offset = (max(1, query.page) - 1) * query.per_page
    cursor.execute(
        f"WITH m AS MATERIALIZED (SELECT d.id, d.kind, d.object_id, d.url, d.title, d.summary,"
        f" d.municipalities, d.updated_at, {columns} FROM {TABLE} d WHERE {where}),"
        f" t AS (SELECT {threshold_sql} AS needed),"
        " k AS (SELECT m.* FROM m, t WHERE m.coverage >= t.needed)"
        " SELECT t.needed, (SELECT count(*) FROM k), p.id, p.kind, p.object_id, p.url, p.title,"
        " p.summary, p.municipalities, p.score FROM t LEFT JOIN"
        " (SELECT k.id, k.kind, k.object_id, k.url, k.title, k.summary, k.municipalities,"
        " k.updated_at, k.coverage + k.rank AS score FROM k"
        " ORDER BY score DESC, k.updated_at DESC NULLS LAST, k.title, k.id"
        " LIMIT %s OFFSET %s) AS p ON TRUE"
        " ORDER BY p.score DESC, p.updated_at DESC NULLS LAST, p.title, p.id",
        [
            *column_params,
            *where_params,
            *threshold_params,
            query.per_page,
            offset,
        ],
    )
    rows = cursor.fetchall()
    needed, total = rows[0][0], rows[0][1]
    rows = [row[2:] for row in rows if row[2] is not None]
    highlights = _highlights(cursor, [row[0] for row in rows], any_text)
    hits = [
        SiteHit(
            kind=row[1],
            object_id=row[2],
            url=row[3],
            title=row[4],
            summary=row[5],
            highlight=highlights.get(row[0]) or escape(row[5]),
            score=float(row[7] or 0),
            municipalities=tuple(row[6]),
        )
        for row in rows
    ]
    return needed, total, hits


def _highlights(cursor, ids: list[int], any_text: str) -> dict[int, str]:
    """Snippets of the page's hits only (ts_headline re-parses the text: never run it on every
    match), escaped, with the matched words in <mark>."""
    if not ids or not any_text:
        return {}
    cursor.execute(
        f"SELECT d.id, ts_headline('{TS_CONFIG}', d.content, to_tsquery('{TS_CONFIG}', %s), %s)"
        f" FROM {TABLE} d WHERE d.id = ANY(%s)",
        [any_text, HEADLINE_OPTIONS, ids],
    )
    out = {}
    for pk, snippet in cursor.fetchall():
        if MARK_START not in (snippet or ""):
            continue
        out[pk] = escape(snippet).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return out


def _counts(cursor, query, base_sql, base_params, filters: _Filters, facets):
    """The type facet and the shown facets, each counted with every filter but its own, from
    one materialised scan of the rows that match the text and visibility."""
    flag_names = ["kind", *filters.facet_sql]
    flags, flag_params = [], []
    for name in flag_names:
        condition = filters.kind_sql if name == "kind" else filters.facet_sql[name]
        sql, params = condition or ("TRUE", [])
        flags.append(f"({sql}) AS f_{_ident(name)}")
        flag_params.extend(params)

    def others(name: str) -> str:
        return " AND ".join(f"f_{_ident(n)}" for n in flag_names if n != name) or "TRUE"

    statements = [f"SELECT 'kind', kind, count(*) FROM m WHERE {others('kind')} GROUP BY kind"]
    params: list = []
    unfiltered = [f for f in facets if f not in filters.facet_sql]
    if unfiltered:
        statements.append(
            f"SELECT 'facet', v, count(*) FROM m, unnest(m.facets) AS v WHERE {others('')}"
            f" AND split_part(v, ':', 1) = ANY(%s) GROUP BY v"
        )
        params.append(list(unfiltered))
    for facet in facets:
        if facet in filters.facet_sql:
            statements.append(
                f"SELECT 'facet', v, count(*) FROM m, unnest(m.facets) AS v"
                f" WHERE {others(facet)} AND split_part(v, ':', 1) = %s GROUP BY v"
            )
            params.append(facet)
    cursor.execute(
        f"WITH m AS MATERIALIZED (SELECT d.kind, d.facets, {', '.join(flags)}"
        f" FROM {TABLE} d WHERE {base_sql}) " + " UNION ALL ".join(statements),
        [*flag_params, *base_params, *params],
    )
    kind_counts: dict[str, int] = {}
    facet_counts: dict[str, dict[str, int]] = {f: {} for f in facets}
    for group, value, count in cursor.fetchall():
        if group == "kind":
            kind_counts[value] = count
        else:
            facet, _sep, slug = value.partition(":")
            if facet in facet_counts:
                facet_counts[facet][slug] = count
    chosen = set(query.kinds)
    kinds = [
        FacetValue(value=k, count=kind_counts.get(k, 0), selected=k in chosen)
        for k in KINDS
        if kind_counts.get(k) or k in chosen
    ]
    out = {}
    for facet in facets:
        selected = set(query.filters.get(facet, ()))
        values = facet_counts[facet]
        for value in selected - set(values):
            values[value] = 0
        out[facet] = [
            FacetValue(value=v, count=values[v], selected=v in selected)
            for v in sorted(values, key=lambda v: (-values[v], v))
        ]
    return kinds, out


def _ident(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def _suggestion(text: str, fixes: dict[str, list[str]], display: dict[str, str]) -> str:
    """The query with each word we could not find replaced by its nearest known word."""
    if not any(fixes.values()):
        return ""
    out = []
    for word in text.split():
        key = word.lower().strip(".,;:!?«»\"'()")
        best = fixes.get(key)
        out.append(display.get(best[0], best[0]) if best else word)
    suggestion = " ".join(out)
    return "" if suggestion.lower() == text.strip().lower() else suggestion


def suggest(text: str, *, scopes, limit: int) -> list[Suggestion]:
    """Titles that start with the text (shortest first), then titles with a word starting with
    it, then titles containing it or close to it (typos), among the documents the searcher may
    see.

    Each kind of match is its own branch with its own limit, in that order, under one overall
    limit: PostgreSQL stops as soon as the limit is reached, so a prefix that starts hundreds
    of titles is answered from the title index alone, and the costlier branches (trigram
    similarity) only run when the earlier ones leave room. Within the first branch, length
    orders as similarity would (the shorter the title, the more of it the text covers) without
    computing it for every match."""
    key = " ".join(text.lower().split())[:100]
    if len(key) < 2:
        return []
    visible_params = _scopes(scopes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.3")
        # Unaccented here, so the patterns below are constants the planner can match against
        # the title index.
        cursor.execute("SELECT unaccent(%s)", [key])
        key = cursor.fetchone()[0]
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        starts, word_starts, inside = f"{like}%", f"% {like}%", f"%{like}%"
        columns = f"SELECT d.kind, d.title, d.url FROM {TABLE} d WHERE {VISIBLE}"
        cursor.execute(
            f"({columns} AND d.title_key LIKE %s ORDER BY length(d.title_key), d.title LIMIT %s)"
            f" UNION ALL ({columns} AND d.title_key LIKE %s AND ' ' || d.title_key LIKE %s"
            " AND d.title_key NOT LIKE %s ORDER BY similarity(d.title_key, %s) DESC, d.title"
            " LIMIT %s)"
            f" UNION ALL ({columns} AND (d.title_key LIKE %s OR d.title_key %% %s)"
            " AND ' ' || d.title_key NOT LIKE %s"
            " ORDER BY similarity(d.title_key, %s) DESC, d.title LIMIT %s)"
            " LIMIT %s",
            [
                *[visible_params, starts, limit],
                *[visible_params, inside, word_starts, starts, key, limit],
                *[visible_params, inside, key, word_starts, key, limit],
                limit,
            ],
        )
        rows = cursor.fetchall()
    return [Suggestion(kind=kind, title=title, url=url) for kind, title, url in rows]
