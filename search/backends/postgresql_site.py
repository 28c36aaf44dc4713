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

import json
import math
import re
from dataclasses import dataclass
from itertools import combinations

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
    corrections,
    lexeme,
    query_words,
    search_settings,
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
        search_settings(cursor)
        fixes = _visible_fixes(cursor, corrections(cursor, unknown), scopes)
        part_texts = _part_queries(cursor, parts, fixes)
        scan = _Scan(query, scopes, filters, facets, part_texts)
        # Only stop words or punctuation: nothing can match.
        if query.text.strip() and not part_texts:
            found = scan.run(cursor, nothing=True)
        elif not part_texts:
            found = scan.run(cursor)
        else:
            # Documents matching enough of the words; if fewer than FILL_UP_TO do, those
            # matching any of them: too few full matches must not hide records matching some
            # of the words, and the full matches still rank first (coverage leads the score).
            found = scan.run(cursor, needed=minimum_match(len(part_texts)))
            if found.needed > 1 and found.total < FILL_UP_TO:
                found = scan.run(cursor, needed=1)
        hits = _hit_objects(cursor, found.page, " | ".join(part_texts))
        display = _display_forms(cursor, fixes)
    notes = []
    if part_texts and found.needed < minimum_match(len(part_texts)):
        notes.append(FEWER_WORDS_NOTE)
    return SiteResults(
        hits=hits,
        total=found.total,
        kinds=found.kinds,
        facets=found.facets,
        query=query,
        suggestion=_suggestion(query.text, fixes, display),
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
    """How many of the parts a document matches (one parameter per part; none for a single
    part, which every match matches)."""
    if len(part_texts) == 1:
        return "1"
    return (
        "("
        + " + ".join(f"(d.search_vector @@ to_tsquery('{TS_CONFIG}', %s))::int" for _ in part_texts)
        + ")"
    )


# Above this many combinations the match text would be unwieldy; such long queries match any part
# and let coverage rank (C(8, 6) = 28 is the most that eight words can need).
MAX_COMBINATIONS = 40


def match_text(part_texts: list[str], needed: int) -> str:
    """A tsquery text matching exactly the documents that match at least `needed` of the parts:
    every combination of that many parts, each required in full. The GIN index answers it, so
    «tilskudd frivillighet» reads the few hundred documents with both words, never the 68,000
    with «frivillig» to count their coverage one by one."""
    if needed <= 1 or math.comb(len(part_texts), needed) > MAX_COMBINATIONS:
        return " | ".join(part_texts)
    if needed >= len(part_texts):
        return " & ".join(part_texts)
    return " | ".join(
        "(" + " & ".join(combination) + ")" for combination in combinations(part_texts, needed)
    )


@dataclass
class _Found:
    needed: int
    total: int
    page: list[tuple[int, float]]
    kinds: list[FacetValue]
    facets: dict[str, list[FacetValue]]


class _Scan:
    """The total, one page of (id, score) and every facet count of a search, from one statement
    that reads the matching documents once.

    The documents matching the text and visible to the searcher are materialised with only
    what ranking and counting need, and a flag per filter (the type and each facet). The hits
    are the rows where every flag holds; each facet counts the rows where every other flag
    holds, so a ticked value does not hide its siblings (multi-select facets)."""

    def __init__(self, query: SiteQuery, scopes, filters: _Filters, facets, part_texts):
        self.query, self.scopes, self.filters = query, scopes, filters
        self.facets, self.part_texts = facets, part_texts

    def _where(self, needed: int, nothing: bool) -> tuple[str, list]:
        sql, params = VISIBLE, [self.scopes]
        if nothing:
            return sql + " AND FALSE", params
        if self.part_texts:
            matching = match_text(self.part_texts, needed)
            sql += f" AND d.search_vector @@ to_tsquery('{TS_CONFIG}', %s)"
            params.append(matching)
            if needed > 1 and matching == " | ".join(self.part_texts):
                # Too many combinations for one match text: coverage decides.
                sql += f" AND {_coverage_sql(self.part_texts)} >= %s"
                params += [*self.part_texts, needed]
        return sql, params

    def _score(self) -> tuple[str, list]:
        if not self.part_texts:
            return "0", []
        # ts_rank, not ts_rank_cd: cover density costs three times as much per match (110 of
        # 150 ms for a word in 22,000 documents) and ranked the judged queries no better.
        return (
            f"{_coverage_sql(self.part_texts)}"
            f" + ts_rank(d.search_vector, to_tsquery('{TS_CONFIG}', %s), 1)",
            [*(self.part_texts if len(self.part_texts) > 1 else []), " | ".join(self.part_texts)],
        )

    def run(self, cursor, *, needed: int = 0, nothing: bool = False) -> _Found:
        filters, facets = self.filters, self.facets
        names = ["kind", *filters.facet_sql]
        flags, flag_params = [], []
        for name in names:
            condition = filters.kind_sql if name == "kind" else filters.facet_sql[name]
            sql, params = condition or ("TRUE", [])
            flags.append(f"({sql}) AS f_{_ident(name)}")
            flag_params.extend(params)

        def others(name: str) -> str:
            return " AND ".join(f"f_{_ident(n)}" for n in names if n != name) or "TRUE"

        score, score_params = self._score()
        where, where_params = self._where(needed, nothing)
        offset = (max(1, self.query.page) - 1) * self.query.per_page
        statements = [
            f"SELECT 'total', '', count(*), NULL FROM m WHERE {others('')}",
            "SELECT 'page', '', 0, (SELECT json_agg(json_build_array(p.id, p.score)"
            " ORDER BY p.score DESC, p.updated_at DESC NULLS LAST, p.title, p.id)::text"
            f" FROM (SELECT m.id, m.score, m.updated_at, m.title FROM m WHERE {others('')}"
            " ORDER BY m.score DESC, m.updated_at DESC NULLS LAST, m.title, m.id"
            " LIMIT %s OFFSET %s) AS p)",
            f"SELECT 'kind', kind, count(*), NULL FROM m WHERE {others('kind')} GROUP BY kind",
        ]
        params: list = [self.query.per_page, offset]
        if any(f not in filters.facet_sql for f in facets):
            # Every value of the unfiltered facets; the ones not shown are dropped below (a
            # filter on each value's facet name would cost more than counting them).
            statements.append(
                f"SELECT 'facet', v, count(*), NULL FROM m, unnest(m.facets) AS v"
                f" WHERE {others('')} GROUP BY v"
            )
        for facet in facets:
            if facet in filters.facet_sql:
                statements.append(
                    f"SELECT 'own', v, count(*), NULL FROM m, unnest(m.facets) AS v"
                    f" WHERE {others(facet)} AND v LIKE %s GROUP BY v"
                )
                params.append(facet.replace("_", "\\_") + ":%")
        cursor.execute(
            f"WITH m AS MATERIALIZED (SELECT d.id, d.title, d.updated_at, d.kind, d.facets,"
            f" {', '.join(flags)}, {score} AS score FROM {TABLE} d WHERE {where}) "
            + " UNION ALL ".join(statements),
            [*flag_params, *score_params, *where_params, *params],
        )
        total, page = 0, []
        kind_counts: dict[str, int] = {}
        facet_counts: dict[str, dict[str, int]] = {f: {} for f in facets}
        for group, value, count, extra in cursor.fetchall():
            if group == "total":
                total = count
            elif group == "page":
                page = [(row[0], float(row[1] or 0)) for row in json.loads(extra or "[]")]
            elif group == "kind":
                kind_counts[value] = count
            else:
                facet, _sep, slug = value.partition(":")
                # A filtered facet is counted by its own statement ('own'), without its filter.
                own = group == "own" or facet not in filters.facet_sql
                if facet in facet_counts and own:
                    facet_counts[facet][slug] = count
        return _Found(
            needed=needed,
            total=total,
            page=page,
            kinds=_kind_values(self.query, kind_counts),
            facets=_facet_values(self.query, facets, facet_counts),
        )


def _hit_objects(cursor, page: list[tuple[int, float]], any_text: str) -> list[SiteHit]:
    """The page's hits with what they show and, where the text matched, a highlighted snippet
    (ts_headline re-parses the text: it runs on the page's rows only, never on every match)."""
    if not page:
        return []
    headline = (
        f"ts_headline('{TS_CONFIG}', d.content, to_tsquery('{TS_CONFIG}', %s), %s)"
        if any_text
        else "''"
    )
    cursor.execute(
        f"SELECT d.id, d.kind, d.object_id, d.url, d.title, d.summary, d.municipalities,"
        f" {headline} FROM {TABLE} d WHERE d.id = ANY(%s)",
        [*([any_text, HEADLINE_OPTIONS] if any_text else []), [pk for pk, _score in page]],
    )
    rows = {row[0]: row for row in cursor.fetchall()}
    return [
        SiteHit(
            kind=row[1],
            object_id=row[2],
            url=row[3],
            title=row[4],
            summary=row[5],
            highlight=_marked(row[7]) or escape(row[5]),
            score=score,
            municipalities=tuple(row[6]),
        )
        for row, score in ((rows.get(pk), score) for pk, score in page)
        if row is not None
    ]


def _marked(snippet: str | None) -> str:
    """The snippet escaped, with the matched words in <mark>; empty when nothing matched."""
    if MARK_START not in (snippet or ""):
        return ""
    return escape(snippet).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")


def _kind_values(query, kind_counts: dict[str, int]) -> list[FacetValue]:
    chosen = set(query.kinds)
    return [
        FacetValue(value=k, count=kind_counts.get(k, 0), selected=k in chosen)
        for k in KINDS
        if kind_counts.get(k) or k in chosen
    ]


def _facet_values(query, facets, facet_counts) -> dict[str, list[FacetValue]]:
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
    return out


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


_WORD_TOKEN = re.compile(r"[^\W_]+")


def suggest(text: str, *, scopes, limit: int) -> list[Suggestion]:
    """Titles that start with the text (shortest first), then titles with a word starting with
    it, then titles containing it or close to it (typos), among the documents the searcher may
    see.

    Each kind of match is its own branch with its own limit, in that order, under one overall
    limit: PostgreSQL stops as soon as the limit is reached, so a prefix that starts hundreds
    of titles is answered from the title index alone, and the costlier branches (trigram
    similarity) only run when the earlier ones leave room. Within the first branch, length
    orders as similarity would (the shorter the title, the more of it the text covers) without
    computing it for every match; so in the second."""
    key = " ".join(text.lower().split())[:100]
    if len(key) < 2:
        return []
    visible_params = _scopes(scopes)
    with transaction.atomic(), connection.cursor() as cursor:
        search_settings(cursor, similarity=0.3)
        # Unaccented here, so the patterns below are constants the planner can match against
        # the title index.
        cursor.execute("SELECT unaccent(%s)", [key])
        key = cursor.fetchone()[0]
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        starts, inside = f"{like}%", f"%{like}%"
        # A word of the title starts with the text (the words in order when it has several):
        # the words index (search 0010), shortest titles first, as in the first branch.
        tokens = _WORD_TOKEN.findall(key)
        words = (
            " <-> ".join([*map(lexeme, tokens[:-1]), f"{lexeme(tokens[-1])}:*"]) if tokens else ""
        )
        has_word = "to_tsvector('simple', d.title_key) @@ to_tsquery('simple', %s)"
        columns = f"SELECT d.kind, d.title, d.url FROM {TABLE} d WHERE {VISIBLE}"
        branches = [
            (
                f"({columns} AND d.title_key LIKE %s"
                " ORDER BY length(d.title_key), d.title LIMIT %s)",
                [visible_params, starts, limit],
            )
        ]
        if tokens:
            branches.append(
                (
                    f"({columns} AND {has_word} AND d.title_key NOT LIKE %s"
                    " ORDER BY length(d.title_key), d.title LIMIT %s)",
                    [visible_params, words, starts, limit],
                )
            )
        seen = f"(d.title_key LIKE %s OR {has_word})" if tokens else "d.title_key LIKE %s"
        branches.append(
            (
                f"({columns} AND (d.title_key LIKE %s OR d.title_key %% %s) AND NOT {seen}"
                " ORDER BY similarity(d.title_key, %s) DESC, d.title LIMIT %s)",
                [visible_params, inside, key, starts, *([words] if tokens else []), key, limit],
            )
        )
        cursor.execute(
            " UNION ALL ".join(sql for sql, _ in branches) + " LIMIT %s",
            [*(x for _, params in branches for x in params), limit],
        )
        rows = cursor.fetchall()
    return [Suggestion(kind=kind, title=title, url=url) for kind, title, url in rows]
