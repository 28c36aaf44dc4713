"""The Elasticsearch indices of the unified search: one index per kind of record, each behind a
read alias, all with the same Norwegian analysis.

Names: the alias `<prefix>-<kind>` is what searches and incremental indexing use; the index
behind it is `<prefix>-<kind>-<YYYYmmddHHMMSS>`, created by every full reindex so the alias can be
moved to a freshly built index without downtime (search.es_indexing.es_reindex).

Analysis, index side (`nb_text`): standard tokenizer, lowercase, Norwegian stop words, the
`light_norwegian` stemmer, then ASCII folding that keeps the original. The light stemmer only
strips inflection suffixes («løsningen» -> «løsning», «tilbudene» -> «tilbud»); the Snowball
`norwegian` stemmer also cuts derivational endings and merges unrelated words, which hurts the
many compound nouns of this vocabulary. Stemming runs before folding because the stemmer's rules
are written for real spellings; folding afterwards keeps both «løsning» and «losning», so a
query typed without æ, ø, å still matches.

Search side (`nb_search`): the same chain with the editors' synonyms (a `synonym_graph` filter)
right after lowercase. The filter reads an Elasticsearch synonyms set rather than inline rules:
when an editor changes the list, `es_synonyms_sync` writes the set and Elasticsearch reloads
every search analyzer that uses it (`updateable: true`), so no reindex is needed. Synonyms come
before the stop filter because Lucene rejects synonym rules that a preceding stop filter has
punched holes in («hjelp med lekser»).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.conf import settings
from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    GeoPoint,
    Index,
    Integer,
    Keyword,
    Long,
    Short,
    Text,
    analyzer,
    token_filter,
)

from search.backends.base import KINDS

DEFAULT_PREFIX = "samarbeidsportalen"
VERSION_FORMAT = "%Y%m%d%H%M%S"


def index_prefix() -> str:
    return getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "") or DEFAULT_PREFIX


def alias_name(kind: str) -> str:
    """The read (and incremental write) alias of a kind."""
    return f"{index_prefix()}-{kind}"


def versioned_name(kind: str, now: datetime) -> str:
    return f"{alias_name(kind)}-{now.strftime(VERSION_FORMAT)}"


def synonyms_set_name() -> str:
    return f"{index_prefix()}-synonyms"


# --- Analysis ---------------------------------------------------------------------------------

nb_stop = token_filter("nb_stop", "stop", stopwords="_norwegian_")
nb_stemmer = token_filter("nb_stemmer", "stemmer", language="light_norwegian")
nb_folding = token_filter("nb_folding", "asciifolding", preserve_original=True)
autocomplete_grams = token_filter("autocomplete_grams", "edge_ngram", min_gram=2, max_gram=20)
spell_shingles = token_filter(
    "spell_shingles", "shingle", min_shingle_size=2, max_shingle_size=3, output_unigrams=True
)

nb_text = analyzer(
    "nb_text", tokenizer="standard", filter=["lowercase", nb_stop, nb_stemmer, nb_folding]
)


def _nb_search():
    # Built per index so the synonyms set name follows the configured prefix. Lenient: a rule
    # an editor wrote that Lucene cannot parse is skipped, not the whole set.
    synonyms = token_filter(
        "nb_synonyms",
        "synonym_graph",
        synonyms_set=synonyms_set_name(),
        updateable=True,
        lenient=True,
    )
    return analyzer(
        "nb_search",
        tokenizer="standard",
        filter=["lowercase", synonyms, nb_stop, nb_stemmer, nb_folding],
    )


autocomplete = analyzer(
    "autocomplete", tokenizer="standard", filter=["lowercase", nb_folding, autocomplete_grams]
)
# What is typed is only lowercased and folded: it must not be cut into grams itself.
autocomplete_search = analyzer(
    "autocomplete_search", tokenizer="standard", filter=["lowercase", "asciifolding"]
)
# "Did you mean" suggests words exactly as written in the documents, so this field is neither
# stemmed nor folded; the shingles let the phrase suggester prefer likely word pairs.
spell = analyzer("spell", tokenizer="standard", filter=["lowercase", spell_shingles])


def _text(search_analyzer, **kwargs):
    return Text(analyzer=nb_text, search_analyzer=search_analyzer, copy_to="spell", **kwargs)


def _document_classes():
    """The mapping of every kind, and the offer index's extra fields for the offer search."""
    nb_search = _nb_search()

    class SiteDocument(Document):
        kind = Keyword()
        object_id = Long()
        url = Keyword(index=False)
        title = _text(
            nb_search,
            fields={
                "autocomplete": Text(analyzer=autocomplete, search_analyzer=autocomplete_search),
                "raw": Keyword(ignore_above=300),
            },
        )
        summary = _text(nb_search)
        keywords = _text(nb_search)
        text = _text(nb_search)
        body = _text(nb_search)
        spell = Text(analyzer=spell)
        is_public = Boolean()
        audience = Keyword()
        facets = Keyword()
        municipalities = Keyword()
        location = GeoPoint()
        updated_at = Date()

    class OfferSearchDocument(SiteDocument):
        counties = Keyword()
        categories = Keyword()
        target_groups = Keyword()
        life_areas = Keyword()
        cost_levels = Keyword()
        languages = Keyword()
        participation_modes = Keyword()
        weekdays = Short()
        min_age = Integer()
        max_age = Integer()
        last_verified_at = Date()
        organisation_name = Text(analyzer=nb_text, fields={"raw": Keyword(ignore_above=200)})

    return SiteDocument, OfferSearchDocument


def index_for(kind: str, name: str) -> Index:
    """The `elasticsearch.dsl` Index of a kind (settings, analysis and mapping) under a name."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind: {kind}")
    site_document, offer_document = _document_classes()
    index = Index(name)
    # Small catalogues (thousands of records): one shard is faster than several. Refresh is
    # switched off while a new index is loaded and restored before the alias moves.
    index.settings(number_of_shards=1, refresh_interval="-1")
    index.document(offer_document if kind == "offer" else site_document)
    return index


def index_body(kind: str, name: str | None = None) -> dict:
    """{"settings": ..., "mappings": ...} as sent when the index is created."""
    return index_for(kind, name or alias_name(kind)).to_dict()


# --- Synonyms ---------------------------------------------------------------------------------

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "AE", "Ø": "O", "Å": "A"})


def fold(text: str) -> str:
    """What the asciifolding filter makes of a word: «økonomisk» -> «okonomisk»."""
    text = text.translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def synonym_rules(groups: list[list[str]]) -> list[dict]:
    """The synonyms set for Elasticsearch: one Solr-format rule per editors' group, with each
    term also written without æ, ø, å (the rules are matched before folding, so «okonomisk
    radgivning» must be spelled out to find its synonyms)."""
    rules = []
    for number, terms in enumerate(groups, start=1):
        words = list(dict.fromkeys([*terms, *(fold(t) for t in terms)]))
        cleaned = [w.replace(",", " ").replace("=>", " ").strip() for w in words]
        cleaned = [w for w in cleaned if w]
        if len(cleaned) >= 2:
            rules.append({"id": f"group-{number}", "synonyms": ", ".join(cleaned)})
    return rules
