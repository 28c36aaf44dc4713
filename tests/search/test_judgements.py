"""The judged query set for search quality (issue 6) is well formed, names records that exist
once the demo content is loaded, and the PostgreSQL backend keeps issue 6's bar on it
(recall@10 >= 0.9). The full report per query and per type is benchmarks/search_quality.py;
this test only guards the bar, so a change to ranking that loses recall fails here first."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks.search_quality import judgements_load, recall, run_query
from directory.models import GrantSchemePage, Offer, Organisation, PreventionModelPage
from directory.services.demo_content import demo_directory_load, demo_offers_load
from directory.services.demo_grants import demo_grants_load
from directory.services.demo_prevention import demo_prevention_models_load
from directory.services.reference_data import reference_data_load
from portal.models import ContentPage
from search.backends.postgresql import PostgresBackend
from search.indexing import site_reindex_all
from search.synonyms import synonyms_ensure_defaults

pytestmark = pytest.mark.django_db

JUDGEMENTS = Path(__file__).with_name("judgements.yaml")
TYPES = {"offer", "organisation", "grant_scheme", "prevention_model", "page"}
# What issue 6 asks the set to cover, so every part of the unified search is measured.
MINIMUM_QUERIES = {"grant_scheme": 6, "prevention_model": 6, "organisation": 3, "page": 2}


def _queries() -> list[dict]:
    return yaml.safe_load(JUDGEMENTS.read_text(encoding="utf-8"))["queries"]


def _existing(kind: str, keys: set[str]) -> set[str]:
    """The keys of live, public records of this kind, as the judgements name them."""
    if kind == "offer":
        rows = Offer.objects.filter(source_id__in=keys, live=True, visibility="visible")
        return set(rows.values_list("source_id", flat=True))
    if kind == "organisation":
        rows = Organisation.objects.filter(slug__in=keys, status=Organisation.Status.APPROVED)
        return set(rows.values_list("slug", flat=True))
    if kind == "grant_scheme":
        rows = GrantSchemePage.objects.live().filter(source_id__in=keys)
        return set(rows.values_list("source_id", flat=True))
    if kind == "prevention_model":
        rows = PreventionModelPage.objects.live().filter(source_id__in=keys)
        return set(rows.values_list("source_id", flat=True))
    return set(ContentPage.objects.live().filter(slug__in=keys).values_list("slug", flat=True))


def test_the_judged_queries_are_well_formed():
    queries = _queries()
    assert len(queries) >= 40
    ids = Counter(q["id"] for q in queries)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = Counter(q["query"].strip().lower() for q in queries)
    assert [t for t, n in texts.items() if n > 1] == []
    for query in queries:
        assert set(query) <= {"id", "query", "note", "relevant"}, query["id"]
        assert query["query"].strip(), query["id"]
        assert query["relevant"], query["id"]
        records = [(r["type"], r["id"]) for r in query["relevant"]]
        assert len(records) == len(set(records)), f"{query['id']} lists a record twice"
        for record in query["relevant"]:
            assert set(record) <= {"type", "id", "grade"}, query["id"]
            assert record["type"] in TYPES, query["id"]
            assert record.get("grade", 1) in (1, 2), query["id"]
        # nDCG needs something that is exactly what was asked, or at least relevant.
        assert max(r.get("grade", 1) for r in query["relevant"]) >= 1


def test_every_part_of_the_unified_search_is_judged():
    # A query counts for a type when a record of that type is exactly what was asked.
    per_type = Counter(
        kind
        for query in _queries()
        for kind in {r["type"] for r in query["relevant"] if r.get("grade", 1) == 2}
    )
    for kind, minimum in MINIMUM_QUERIES.items():
        assert per_type[kind] >= minimum, (kind, per_type[kind])
    assert per_type["offer"] == max(per_type.values())


def test_every_judged_record_exists_in_the_demo_content(shell):
    reference_data_load()
    demo_directory_load()
    demo_offers_load()
    demo_grants_load()
    demo_prevention_models_load()

    wanted: dict[str, set[str]] = {kind: set() for kind in TYPES}
    for query in _queries():
        for record in query["relevant"]:
            wanted[record["type"]].add(record["id"])
    missing = {kind: sorted(keys - _existing(kind, keys)) for kind, keys in wanted.items()}
    assert missing == {kind: [] for kind in TYPES}
    # The hidden, stale demo offer exists but must never be judged relevant.
    assert Offer.objects.filter(source_id="demo-tilbud-15", visibility="hidden_stale").exists()
    assert "demo-tilbud-15" not in wanted["offer"]


def test_the_postgresql_backend_finds_nine_in_ten_judged_records(shell):
    reference_data_load()
    demo_directory_load()
    demo_offers_load()
    demo_grants_load()
    demo_prevention_models_load()
    synonyms_ensure_defaults()
    site_reindex_all()
    backend = PostgresBackend()

    scores = {}
    for judged in judgements_load(JUDGEMENTS):
        returned, _total = run_query(backend, judged.query)
        scores[judged.id] = recall(judged.relevant, returned)
    mean = sum(scores.values()) / len(scores)
    worst = sorted(scores.items(), key=lambda item: item[1])[:5]
    assert mean >= 0.9, f"recall@10 {mean:.3f}; worst: {worst}"
    # The basics never regress: the issue's own examples find their record first time.
    for query_id in ("leksehjelp", "leksehjelp-typo", "skolehjelp", "okonomisk-radgivning"):
        assert scores[query_id] > 0, query_id
