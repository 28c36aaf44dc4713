"""Query text for PostgreSQL full-text search, shared by the offer search and the unified
search: the typed words, their typo corrections from the word list, and tsquery terms."""

from __future__ import annotations

import re

from search.synonyms import QueryPart

TS_CONFIG = "norwegian_unaccent"
# How similar (0-1, pg_trgm) a word must be to count as the intended one when a typed word
# is not in the documents' word list.
WORD_SIMILARITY = 0.4
MAX_CORRECTIONS = 3
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


def search_settings(cursor, *, similarity: float = WORD_SIMILARITY) -> None:
    """Settings for the rest of this transaction's search statements, in one round trip.

    - the trigram similarity a typo correction needs;
    - random_page_cost 1.1: the search tables are read from memory (or SSD), where PostgreSQL's
      default of 4 makes a GIN bitmap scan of 20,000 matches look dearer than reading all 130,000
      documents, which takes four times as long;
    - work_mem for the materialised matches and facet counts, which spill to disk at the
      default 4 MB for a common word.
    """
    cursor.execute(
        "SELECT set_config('pg_trgm.similarity_threshold', %s, true),"
        " set_config('random_page_cost', '1.1', true), set_config('work_mem', '32MB', true)",
        [str(similarity)],
    )


def query_words(text: str) -> list[str]:
    """The words of a query, lowercased, at most eight, leaving out single letters."""
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 2][:8]


def lexeme(word: str) -> str:
    """A tsquery term; words hold only letters, digits and hyphens, but quote anyway."""
    return "'" + word.replace("'", "''") + "'"


def term_query(term: tuple[str, ...]) -> str:
    """One word as a prefix; a phrase as adjacent words (the last one a prefix)."""
    return "(" + " <-> ".join(lexeme(w) for w in term) + ":*)"


def corrections(cursor, words: list[str]) -> dict[str, list[str]]:
    """For each typed word that no document contains (not even as a prefix), the closest
    words that do. Uses the trigram index on the word list, never the documents."""
    result: dict[str, list[str]] = {}
    for word in words:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM search_searchword WHERE word LIKE unaccent(%s) || '%%')",
            [word],
        )
        if cursor.fetchone()[0]:
            continue
        cursor.execute(
            "SELECT word FROM search_searchword WHERE word %% unaccent(%s)"
            " ORDER BY similarity(word, unaccent(%s)) DESC, word LIMIT %s",
            [word, word, MAX_CORRECTIONS],
        )
        result[word] = [row[0] for row in cursor.fetchall()]
    return result


def tsquery_text(
    parts: list[QueryPart], fixes: dict[str, list[str]], *, joiner: str = " & "
) -> str:
    """Each part as itself, its synonyms or (for a single word) its corrections; all parts
    required by default."""
    out = []
    for part in parts:
        alternatives = [term_query(part.words)] + [term_query(t) for t in part.synonyms]
        if len(part.words) == 1:
            alternatives += [lexeme(fix) for fix in fixes.get(part.words[0], [])]
        out.append("(" + " | ".join(alternatives) + ")")
    return joiner.join(out)
