"""Synonyms: the editors' list of words and phrases that mean the same («leksehjelp,
skolehjelp»), used to widen a query before it runs.

The typed words are split into parts: the longest run (up to three words) that is a term in
some group, or else one word. Each part then matches itself or any other term in its groups.
Expanding the query rather than the documents means an edit takes effect on the next search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache

CACHE_KEY = "search:synonyms"
CACHE_SECONDS = 300
LONGEST_TERM = 3  # words; longer phrases are matched word by word

Term = tuple[str, ...]


def synonym_table() -> dict[Term, list[Term]]:
    """Each term (as a tuple of words) -> the other terms of every group it belongs to."""
    table = cache.get(CACHE_KEY)
    if table is None:
        from search.models import SynonymGroup

        table = {}
        for group in SynonymGroup.objects.all():
            terms = [tuple(term.split()) for term in group.term_list()]
            for term in terms:
                others = table.setdefault(term, [])
                others += [t for t in terms if t != term and t not in others]
        cache.set(CACHE_KEY, table, CACHE_SECONDS)
    return table


def synonyms_forget() -> None:
    cache.delete(CACHE_KEY)


@dataclass(frozen=True)
class QueryPart:
    words: Term  # as typed: one word, or a phrase that is a synonym term
    synonyms: list[Term] = field(default_factory=list)


def query_parts(words: list[str]) -> list[QueryPart]:
    table = synonym_table()
    parts: list[QueryPart] = []
    i = 0
    while i < len(words):
        for n in range(min(LONGEST_TERM, len(words) - i), 0, -1):
            term = tuple(words[i : i + n])
            if term in table:
                parts.append(QueryPart(term, table[term]))
                i += n
                break
        else:
            parts.append(QueryPart((words[i],)))
            i += 1
    return parts


# A starting list for a new site, from what Nav advisers and municipalities write for the same
# thing. Editors change it in the admin («Synonymer for søk»).
DEFAULT_GROUPS = (
    ("leksehjelp, skolehjelp, lekselesing, hjelp med lekser", "Skole"),
    ("gjeldsrådgivning, økonomisk rådgivning, gjeldshjelp, hjelp med gjeld", "Økonomi"),
    ("økonomisk rådgivning, budsjettveiledning, økonomiveiledning", "Økonomi"),
    ("arbeidstrening, arbeidspraksis, språkpraksis", "Arbeid"),
    ("datahjelp, digital hjelp, hjelp med data", "Digital deltakelse"),
    ("språkkafé, språkkafe, norsktrening, norskkafé", "Språk"),
    ("besøksvenn, besøkstjeneste", "Ensomhet"),
    ("møteplass, treffsted, sosialt treff", "Ensomhet"),
    ("losfunksjon, los, ungdomslos", "Ungdom"),
    ("familieveileder, familiekoordinator", "Familie"),
    ("fritidskasse, fritidskort, fritidsstøtte", "Fritid"),
    ("ungdom, unge", "Målgruppe"),
)


def synonyms_ensure_defaults() -> int:
    """Give a new site the starting list; once editors have any list, it is theirs alone."""
    from search.models import SynonymGroup

    if SynonymGroup.objects.exists():
        return 0
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note=note) for terms, note in DEFAULT_GROUPS
    )
    synonyms_forget()
    return len(DEFAULT_GROUPS)
