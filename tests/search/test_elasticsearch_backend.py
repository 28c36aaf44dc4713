"""The Elasticsearch backend without a cluster: index bodies, request bodies and the reading of
responses are checked against recordings in es_recorded/, sent through a real `Elasticsearch`
client whose transport node serves the recorded answers; degradation is checked against a
closed port and answered from the real PostgreSQL documents.

Set ES_RECORDED_UPDATE=1 to rewrite the request/mapping recordings after a deliberate change
(and read the diff). Tests that need a real cluster are skipped unless ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from directory.models import Offer
from search.backends.base import OfferQuery, SiteQuery
from search.backends.elasticsearch import ElasticsearchBackend, fallback_notice
from search.backends.postgresql import PostgresBackend
from search.es_indexing import es_documents_index, es_reindex
from search.es_schema import alias_name, index_body, synonym_rules
from search.models import OfferDocument, SearchDocument
from tests.search.conftest import OSLO

RECORDED = Path(__file__).parent / "es_recorded"
CLOSED_PORT = "http://127.0.0.1:9"
SITE_ALIASES = ",".join(
    f"samarbeidsportalen-{k}"
    for k in ("offer", "organisation", "grant_scheme", "prevention_model", "page", "agreement")
)


def recorded(name: str):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def matches_recording(name: str, data) -> bool:
    """Compare with a stored recording (dict key order ignored); rewrite it on request."""
    path = RECORDED / name
    normalised = json.loads(json.dumps(data))
    if os.environ.get("ES_RECORDED_UPDATE"):
        path.write_text(
            json.dumps(normalised, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    return normalised == recorded(name)


# --- A cluster made of recordings -------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: object


class RecordedCluster:
    """Answers requests from a list of (method, path pattern) -> (status, body or callable);
    the newest matching route wins, unknown requests get a 404 like Elasticsearch's."""

    def __init__(self):
        self.requests: list[Request] = []
        self.routes: list[tuple[str, str, int, object]] = []

    def on(self, method: str, pattern: str, body=None, status: int = 200):
        self.routes.append((method, pattern, status, body))
        return self

    def answer(self, request: Request) -> tuple[int, object]:
        for method, pattern, status, body in reversed(self.routes):
            if method == request.method and re.fullmatch(pattern, request.path):
                return status, body(request) if callable(body) else body
        return 404, {
            "error": {"type": "index_not_found_exception", "reason": "no such index"},
            "status": 404,
        }

    def sent(self, method: str, pattern: str = ".*") -> list[Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def client(self) -> Elasticsearch:
        cluster = self

        class RecordedNode(BaseNode):
            def perform_request(self, method, target, body=None, headers=None, **kwargs):
                path, _sep, query = target.partition("?")
                parsed = None
                if body:
                    text = body.decode("utf-8")
                    if path.endswith("/_bulk"):
                        parsed = [json.loads(line) for line in text.splitlines() if line]
                    else:
                        parsed = json.loads(text)
                request = Request(method, path, query, parsed)
                cluster.requests.append(request)
                status, answer = cluster.answer(request)
                raw = b"" if method == "HEAD" else json.dumps(answer).encode("utf-8")
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    headers=HttpHeaders(
                        {
                            "content-type": "application/vnd.elasticsearch+json;compatible-with=9",
                            "x-elastic-product": "Elasticsearch",
                        }
                    ),
                    duration=0.0,
                    node=self.config,
                )
                return NodeApiResponse(meta, raw)

        return Elasticsearch("http://recorded.invalid:9200", node_class=RecordedNode, max_retries=0)


def bulk_answer(request: Request) -> dict:
    """What Elasticsearch answers to a bulk request: one item per action, in order."""
    items = []
    for line in request.body:
        op = next(iter(line))
        if op not in ("index", "delete", "create", "update"):
            continue
        meta = line[op]
        status = 404 if op == "delete" else 201
        result = "not_found" if op == "delete" else "created"
        items.append(
            {
                op: {
                    "_index": meta.get("_index"),
                    "_id": meta["_id"],
                    "status": status,
                    "result": result,
                }
            }
        )
    return {
        "took": 3,
        "errors": any(i[next(iter(i))]["status"] >= 300 for i in items),
        "items": items,
    }


@pytest.fixture
def cluster():
    return RecordedCluster()


@pytest.fixture
def backend(cluster):
    return ElasticsearchBackend(client=cluster.client())


@pytest.fixture
def es_backend(settings):
    """A backend on a real cluster (ELASTICSEARCH_URL), with its own index prefix, removed after
    the test. Build the indices with `es_reindex(client=es_backend.client)` once the test's
    records exist; es_reindex refreshes, so they are searchable at once."""
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    backend = ElasticsearchBackend(url=url, timeout=10)
    yield backend
    # By name: clusters refuse wildcard deletes by default (action.destructive_requires_name).
    found = backend.client.options(ignore_status=404).indices.get(index=f"{prefix}-*")
    names = [name for name in found if name.startswith(f"{prefix}-")]
    if names:
        backend.client.indices.delete(index=names)
    backend.client.options(ignore_status=404).synonyms.delete_synonym(id=f"{prefix}-synonyms")


# --- (a) Index definitions --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["offer", "page"])
def test_index_body_matches_recording(kind):
    assert matches_recording(f"index_{kind}.json", index_body(kind, f"samarbeidsportalen-{kind}"))


@pytest.mark.parametrize(
    "kind", ["offer", "organisation", "grant_scheme", "prevention_model", "page", "agreement"]
)
def test_every_index_has_norwegian_analysis_autocomplete_geo_and_keyword_facets(kind):
    body = index_body(kind)
    analysis, fields = body["settings"]["analysis"], body["mappings"]["properties"]

    assert analysis["analyzer"]["nb_text"]["filter"] == [
        "lowercase",
        "nb_stop",
        "nb_stemmer",
        "nb_folding",
    ]
    assert analysis["filter"]["nb_stemmer"] == {"type": "stemmer", "language": "light_norwegian"}
    assert analysis["filter"]["nb_stop"]["stopwords"] == "_norwegian_"
    assert analysis["filter"]["nb_folding"]["preserve_original"] is True
    # Synonyms only at search time, from a reloadable synonyms set.
    assert "nb_synonyms" in analysis["analyzer"]["nb_search"]["filter"]
    assert analysis["filter"]["nb_synonyms"] == {
        "type": "synonym_graph",
        "synonyms_set": "samarbeidsportalen-synonyms",
        "updateable": True,
        "lenient": True,
    }
    assert fields["title"]["analyzer"] == "nb_text"
    assert fields["title"]["search_analyzer"] == "nb_search"
    assert fields["title"]["fields"]["autocomplete"] == {
        "type": "text",
        "analyzer": "autocomplete",
        "search_analyzer": "autocomplete_search",
    }
    assert analysis["filter"]["autocomplete_grams"] == {
        "type": "edge_ngram",
        "min_gram": 2,
        "max_gram": 20,
    }
    assert fields["title"]["fields"]["raw"]["type"] == "keyword"
    assert fields["location"] == {"type": "geo_point"}
    for name in ("kind", "audience", "facets", "municipalities"):
        assert fields[name] == {"type": "keyword"}, name
    assert fields["is_public"] == {"type": "boolean"}
    assert fields["updated_at"] == {"type": "date"}
    for name in ("summary", "keywords", "text", "body"):
        assert fields[name]["search_analyzer"] == "nb_search", name
    assert ("min_age" in fields) is (kind == "offer")


def test_names_follow_the_configured_prefix(settings):
    settings.ELASTICSEARCH_INDEX_PREFIX = "staging"
    body = index_body("page")

    assert alias_name("page") == "staging-page"
    assert body["settings"]["analysis"]["filter"]["nb_synonyms"]["synonyms_set"] == (
        "staging-synonyms"
    )


def test_synonym_rules_also_match_words_typed_without_norwegian_letters():
    rules = synonym_rules(
        [["gjeldsrådgivning", "økonomisk rådgivning"], ["ungdom", "unge"], ["alene"]]
    )

    assert rules == [
        {
            "id": "group-1",
            "synonyms": (
                "gjeldsrådgivning, økonomisk rådgivning, gjeldsradgivning, okonomisk radgivning"
            ),
        },
        {"id": "group-2", "synonyms": "ungdom, unge"},
    ]


# --- (b) Request bodies -----------------------------------------------------------------------

SITE_QUERY = SiteQuery(
    text="lekshjelp",
    kinds=("offer",),
    filters={"counties": ("03",), "target_groups": ("barn-og-unge",)},
    scopes=frozenset({"org:7", "office:3"}),
    page=2,
    per_page=10,
)


def _visibility(scopes):
    should = [{"term": {"is_public": True}}]
    if scopes:
        should.append({"terms": {"audience": scopes}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def test_site_search_body(backend):
    body = backend.site_search(SITE_QUERY).to_dict()

    assert matches_recording("site_search_request.json", body)
    # Visibility is a filter of the query itself: hits, every count and the suggester see it.
    assert body["query"]["bool"]["filter"] == [_visibility(["office:3", "org:7"])]
    counties = {"terms": {"facets": ["counties:03"]}}
    groups = {"terms": {"facets": ["target_groups:barn-og-unge"]}}
    offers = {"terms": {"kind": ["offer"]}}
    assert body["post_filter"] == {"bool": {"filter": [counties, groups, offers]}}
    # Multi-select: each count applies every filter but its own.
    aggs = body["aggs"]
    assert aggs["kinds"]["filter"] == {"bool": {"filter": [counties, groups]}}
    assert aggs["kinds"]["aggs"]["by_value"]["terms"]["field"] == "kind"
    assert aggs["facet_counties"]["filter"] == {"bool": {"filter": [groups, offers]}}
    assert aggs["facet_counties"]["aggs"]["by_value"]["terms"]["include"] == "counties:.*"
    assert aggs["facet_categories"]["filter"] == {"bool": {"filter": [counties, groups, offers]}}
    assert set(aggs) == {
        "kinds",
        "facet_counties",
        "facet_categories",
        "facet_target_groups",
        "facet_life_areas",
        "facet_cost_levels",
    }
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert set(body["highlight"]["fields"]) == {"summary", "text", "body"}
    assert "title.autocomplete" not in json.dumps(body["highlight"]["highlight_query"])
    phrase = body["suggest"]["did_you_mean"]["phrase"]
    assert body["suggest"]["did_you_mean"]["text"] == "lekshjelp"
    assert phrase["collate"]["query"]["source"]["bool"]["filter"] == [
        _visibility(["office:3", "org:7"])
    ]
    assert (body["from"], body["size"]) == (10, 10)


def test_anonymous_site_search_only_sees_public_documents(backend):
    body = backend.site_search(SiteQuery(text="leksehjelp")).to_dict()

    assert body["query"]["bool"]["filter"] == [_visibility([])]
    assert "post_filter" not in body
    assert body["aggs"]["kinds"]["filter"] == {"match_all": {}}


def test_text_query_is_weighted_fuzzy_and_prefix_matching(backend):
    query = backend.site_search(SiteQuery(text="hjelp  med lekser")).to_dict()["query"]
    should = query["bool"]["must"][0]["bool"]["should"]

    assert should[0]["multi_match"] == {
        "query": "hjelp med lekser",
        "fields": ["title^4", "keywords^3", "text^2", "body"],
        "type": "cross_fields",
        "operator": "or",
        "minimum_should_match": "2<75%",
    }
    assert should[1]["multi_match"]["fuzziness"] == "AUTO"
    assert should[2] == {
        "match": {
            "title.autocomplete": {"query": "hjelp med lekser", "operator": "and", "boost": 0.5}
        }
    }


OFFER_QUERY = OfferQuery(
    text="leksehjelp",
    filters={"ages": ("6-12",), "weekdays": ("2",), "counties": ("03", "33")},
    near=OSLO,
    within_km=50,
    sort="distance",
)


def test_offer_search_body(backend):
    body = backend.offer_search(OFFER_QUERY).to_dict()

    assert matches_recording("offer_search_request.json", body)
    filters = body["query"]["bool"]["filter"]
    assert filters[0] == {"term": {"is_public": True}}
    assert filters[1] == {
        "geo_distance": {"distance": "50.0km", "location": {"lat": OSLO[0], "lon": OSLO[1]}}
    }
    assert body["sort"][0]["_geo_distance"]["mode"] == "min"
    assert body["sort"][0]["_geo_distance"]["unit"] == "km"
    weekdays = {"terms": {"weekdays": [2]}}
    counties = {"terms": {"counties": ["03", "33"]}}
    post = body["post_filter"]["bool"]["filter"]
    assert weekdays in post and counties in post and len(post) == 3
    aggs = body["aggs"]
    assert len(aggs["facet_ages"]["filter"]["bool"]["filter"]) == 2
    assert list(aggs["facet_ages"]["aggs"]["by_value"]["filters"]["filters"]) == [
        "0-5",
        "6-12",
        "13-17",
        "18-25",
        "26-66",
        "67+",
    ]
    assert weekdays not in aggs["facet_weekdays"]["filter"]["bool"]["filter"]
    assert counties in aggs["facet_weekdays"]["filter"]["bool"]["filter"]


def test_distance_sort_without_a_place_falls_back_to_relevance(backend):
    body = backend.offer_search(OfferQuery(sort="distance")).to_dict()

    assert body["sort"][0] == "_score"
    assert "geo_distance" not in json.dumps(body["query"])


def test_suggest_body_filters_by_visibility(backend):
    body = backend.suggest_search("leks", scopes=frozenset({"org:7"}), limit=5).to_dict()

    assert matches_recording("suggest_request.json", body)
    assert body["query"]["bool"]["filter"] == [_visibility(["org:7"])]
    assert body["size"] == 5


# --- (c) Reading recorded responses through the client ----------------------------------------


def test_site_search_reads_hits_counts_highlights_and_suggestion(backend, cluster):
    cluster.on("POST", r"/[^/]+/_search", recorded("site_search_response.json"))

    results = backend.search_site(SITE_QUERY)

    (request,) = cluster.sent("POST")
    assert request.path == f"/{SITE_ALIASES}/_search"
    assert "ignore_unavailable=true" in request.query
    assert request.body == backend.site_search(SITE_QUERY).to_dict()
    assert results.total == 2
    assert results.notice == ""
    assert results.suggestion == "leksehjelp"
    first, second = results.hits
    assert (first.kind, first.object_id, first.url, first.score) == (
        "offer",
        41,
        "/tilbud/41/",
        9.412,
    )
    assert first.municipalities == ("0301",)
    # Fragments as Elasticsearch escaped them, duplicates dropped, at most two.
    assert first.highlight == (
        "Gratis <mark>leksehjelp</mark> for elever i 5.–10. trinn … "
        "Frivillige &amp; lærere gir <mark>leksehjelp</mark> hver tirsdag"
    )
    assert second.highlight == "Hjelp med lekser &amp; prøver"
    assert [(k.value, k.count, k.selected) for k in results.kinds] == [
        ("offer", 2, True),
        ("organisation", 1, False),
        ("agreement", 1, False),
    ]
    assert list(results.facets) == [
        "counties",
        "categories",
        "target_groups",
        "life_areas",
        "cost_levels",
    ]
    assert [(f.value, f.count, f.selected) for f in results.facets["counties"]] == [
        ("03", 2, True),
        ("33", 1, False),
    ]
    assert [(f.value, f.count, f.selected) for f in results.facets["target_groups"]] == [
        ("barn-og-unge", 2, True),
        ("alle", 1, False),
    ]
    assert results.facets["life_areas"] == []


def test_offer_search_reads_hits_distance_and_facets(backend, cluster):
    cluster.on("POST", r"/samarbeidsportalen-offer/_search", recorded("offer_search_response.json"))

    results = backend.search_offers(OFFER_QUERY)

    assert results.total == 2
    first, second = results.hits
    assert (first.offer_id, first.organisation_name, first.categories) == (
        41,
        "Oslo Røde Kors",
        ("leksehjelp",),
    )
    assert first.distance_km == 0.0
    assert first.last_verified_at == datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    # The nearest of the offer's two places (the other is in Drammen, 40 km away).
    assert second.distance_km == 1.0
    assert second.last_verified_at is None
    assert second.municipalities == ("3301", "0301")
    assert [(f.value, f.count, f.selected) for f in results.facets["weekdays"]] == [
        ("3", 3, False),
        ("2", 2, True),
    ]
    assert [(f.value, f.count, f.selected) for f in results.facets["ages"]] == [
        ("6-12", 2, True),
        ("13-17", 1, False),
    ]
    assert [(f.value, f.count) for f in results.facets["counties"]] == [("03", 2), ("33", 1)]
    assert results.facets["life_areas"] == []
    assert results.notice == ""


def test_suggest_reads_titles(backend, cluster):
    cluster.on("POST", r"/[^/]+/_search", recorded("suggest_response.json"))

    suggestions = backend.suggest("leks", scopes=frozenset({"org:7"}))

    assert [(s.kind, s.title, s.url) for s in suggestions] == [
        ("offer", "Leksehjelp på biblioteket", "/tilbud/41/"),
        ("prevention_model", "Lekser uten stress", "/modeller/lekser-uten-stress/"),
    ]
    assert backend.suggest("l") == []
    assert len(cluster.sent("POST")) == 1


def test_no_suggestion_when_the_suggester_finds_nothing_better(backend, cluster):
    response = recorded("site_search_response.json")
    response["suggest"]["did_you_mean"][0]["options"] = []
    cluster.on("POST", r"/[^/]+/_search", response)

    assert backend.search_site(SITE_QUERY).suggestion == ""


# --- (d) Degradation --------------------------------------------------------------------------


def test_unreachable_cluster_answers_site_search_from_postgresql(catalogue, caplog):
    backend = ElasticsearchBackend(url="http://user:secret@127.0.0.1:9")

    results = backend.search_site(SiteQuery(text="leksehjelp"))

    assert results.notice.startswith(fallback_notice())
    expected = PostgresBackend().search_site(SiteQuery(text="leksehjelp"))
    assert [(h.kind, h.object_id) for h in results.hits] == [
        (h.kind, h.object_id) for h in expected.hits
    ]
    found = {h.object_id for h in results.hits if h.kind == "offer"}
    assert {catalogue["lekser_drammen"].pk, catalogue["lekser_oslo"].pk} <= found
    assert not {catalogue["draft"].pk, catalogue["gjeld_oslo"].pk} & found
    (warning,) = [r for r in caplog.records if r.name == "search.backends.elasticsearch"]
    assert "ConnectionError" in warning.getMessage()
    assert "127.0.0.1" not in warning.getMessage()
    assert "secret" not in caplog.text


def test_unreachable_cluster_answers_offer_search_and_suggestions_from_postgresql(catalogue):
    backend = ElasticsearchBackend(url=CLOSED_PORT)

    results = backend.search_offers(OfferQuery(text="leksehjelp"))
    suggestions = backend.suggest("leksehj")

    assert results.notice == fallback_notice()
    expected = PostgresBackend().search_offers(OfferQuery(text="leksehjelp"))
    assert [h.offer_id for h in results.hits] == [h.offer_id for h in expected.hits]
    assert {catalogue["lekser_drammen"].pk, catalogue["lekser_oslo"].pk} <= {
        h.offer_id for h in results.hits
    }
    assert {s.title for s in suggestions} == {
        "Leksehjelp for 10-åringer",
        "Leksehjelp på biblioteket",
    }


def test_after_a_failure_the_cluster_is_left_alone_for_a_while(catalogue, cluster, backend):
    cluster.on("POST", r"/[^/]+/_search", {"error": "unavailable", "status": 503}, status=503)

    first = backend.search_site(SiteQuery(text="leksehjelp"))
    second = backend.search_offers(OfferQuery(text="leksehjelp"))

    assert first.notice and second.notice
    assert len(cluster.sent("POST")) == 1


def test_a_refused_query_falls_back_without_tripping_the_breaker(catalogue, cluster, backend):
    cluster.on("POST", r"/[^/]+/_search", {"error": "parsing_exception", "status": 400}, status=400)

    first = backend.search_site(SiteQuery(text="leksehjelp"))
    backend.search_site(SiteQuery(text="leksehjelp"))

    assert first.notice.startswith(fallback_notice())
    assert len(cluster.sent("POST")) == 2


def test_health_reports_an_unreachable_cluster_without_its_address():
    health = ElasticsearchBackend(url="http://user:secret@127.0.0.1:9").health()

    assert health["status"] == "error"
    assert "secret" not in json.dumps(health) and "127.0.0.1" not in json.dumps(health)


# --- (e) Indexing and the zero-downtime reindex -----------------------------------------------


def _cluster_with_old_index(cluster, kind="offer"):
    old = f"samarbeidsportalen-{kind}-20250101000000"
    ack = {"acknowledged": True}
    cluster.on("PUT", r"/_synonyms/samarbeidsportalen-synonyms", {"result": "updated"})
    cluster.on("PUT", rf"/samarbeidsportalen-{kind}-\d{{14}}", {**ack, "shards_acknowledged": True})
    cluster.on("PUT", rf"/samarbeidsportalen-{kind}-\d{{14}}/_bulk", bulk_answer)
    cluster.on("PUT", r"/_bulk", bulk_answer)
    cluster.on("POST", r"/_bulk", bulk_answer)
    cluster.on("PUT", rf"/samarbeidsportalen-{kind}-\d{{14}}/_settings", ack)
    cluster.on("POST", r"/[^/]+/_refresh", {"_shards": {"total": 1, "successful": 1, "failed": 0}})
    cluster.on(
        "GET", rf"/_alias/samarbeidsportalen-{kind}", {old: {"aliases": {alias_name(kind): {}}}}
    )
    cluster.on("HEAD", rf"/_alias/samarbeidsportalen-{kind}", {})
    cluster.on("POST", r"/_aliases", ack)
    cluster.on("DELETE", rf"/samarbeidsportalen-{kind}-\d{{14}}", ack)
    return old


def test_reindex_loads_a_new_index_and_moves_the_alias_at_once(catalogue, cluster):
    old = _cluster_with_old_index(cluster)
    # Nothing changed while loading: the catch-up has nothing to do.
    SearchDocument.objects.update(indexed_at=datetime(2020, 1, 1, tzinfo=UTC))
    now = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)

    (result,) = es_reindex(["offer"], client=cluster.client(), now=now)

    new = "samarbeidsportalen-offer-20261124101500"
    assert (result.index, result.alias, result.removed, result.caught_up) == (
        new,
        "samarbeidsportalen-offer",
        [old],
        0,
    )
    (create,) = cluster.sent("PUT", f"/{new}")
    assert create.body == index_body("offer", new)
    # Every offer, the draft included (as not public): visibility is decided in the query.
    offer_ids = set(Offer.objects.values_list("pk", flat=True))
    assert result.count == len(offer_ids) == 5
    loaded = [
        line
        for r in cluster.sent("PUT", r".*/_bulk") + cluster.sent("POST", r".*/_bulk")
        for line in r.body
    ]
    headers = [line["index"] for line in loaded if "index" in line]
    assert {h["_index"] for h in headers} == {new}
    assert {int(h["_id"]) for h in headers} == offer_ids
    sources = {line["object_id"]: line for line in loaded if "object_id" in line}
    hidden = sources[catalogue["gjeld_oslo"].pk]
    assert hidden["is_public"] is False
    drammen = sources[catalogue["lekser_drammen"].pk]
    assert (drammen["min_age"], drammen["max_age"]) == (8, 12)
    assert drammen["location"] == [{"lat": 59.7439, "lon": 10.2045}]
    assert "municipalities:3301" in drammen["facets"]
    (aliases,) = cluster.sent("POST", "/_aliases")
    assert aliases.body == {
        "actions": [
            {"remove": {"index": old, "alias": "samarbeidsportalen-offer"}},
            {"add": {"index": new, "alias": "samarbeidsportalen-offer"}},
        ]
    }
    assert [r.path for r in cluster.sent("DELETE")] == [f"/{old}"]
    # The alias moved only after the new index was loaded and searchable.
    order = [(r.method, r.path) for r in cluster.requests]
    assert order.index(("POST", f"/{new}/_refresh")) < order.index(("POST", "/_aliases"))
    assert order.index(("POST", "/_aliases")) < order.index(("DELETE", f"/{old}"))


def test_records_changed_during_the_reindex_are_written_again_after_the_move(catalogue, cluster):
    _cluster_with_old_index(cluster)
    SearchDocument.objects.update(indexed_at=datetime(2020, 1, 1, tzinfo=UTC))
    changed = catalogue["lekser_oslo"].pk
    SearchDocument.objects.filter(kind="offer", object_id=changed).update(
        indexed_at=datetime.now(UTC) + timedelta(seconds=1)
    )

    (result,) = es_reindex(["offer"], client=cluster.client())

    assert result.caught_up == 1
    moved = [i for i, r in enumerate(cluster.requests) if r.path == "/_aliases"][0]
    after = [r for r in cluster.requests[moved:] if r.path.endswith("/_bulk")]
    (rewrite,) = after
    assert rewrite.body[0] == {"index": {"_index": "samarbeidsportalen-offer", "_id": str(changed)}}
    assert "require_alias=true" in rewrite.query


def test_a_failed_load_leaves_the_alias_alone_and_removes_the_new_index(catalogue, cluster):
    _cluster_with_old_index(cluster)
    cluster.on("PUT", r"/_bulk", {"error": "boom", "status": 500}, status=500)
    cluster.on("POST", r"/_bulk", {"error": "boom", "status": 500}, status=500)

    with pytest.raises(Exception):  # noqa: B017 - whichever error the client raises
        es_reindex(["offer"], client=cluster.client())

    assert cluster.sent("POST", "/_aliases") == []
    (delete,) = cluster.sent("DELETE")
    assert re.fullmatch(r"/samarbeidsportalen-offer-\d{14}", delete.path)


def test_incremental_indexing_writes_to_the_alias_and_deletes_what_is_gone(catalogue, cluster):
    _cluster_with_old_index(cluster)
    kept = catalogue["sprak_bergen"].pk

    written = es_documents_index("offer", [kept, 999_999], client=cluster.client())

    assert written == 1
    (bulk,) = [r for r in cluster.requests if r.path.endswith("/_bulk")]
    assert "require_alias=true" in bulk.query
    assert bulk.body[0] == {"index": {"_index": "samarbeidsportalen-offer", "_id": str(kept)}}
    assert bulk.body[1]["title"] == "Språkkafé på tirsdager"
    assert bulk.body[2] == {"delete": {"_index": "samarbeidsportalen-offer", "_id": "999999"}}


def test_incremental_indexing_waits_for_the_first_reindex(catalogue, cluster):
    cluster.on("HEAD", r"/_alias/.*", {}, status=404)

    assert es_documents_index("offer", [catalogue["sprak_bergen"].pk], client=cluster.client()) == 0
    assert [r for r in cluster.requests if r.path.endswith("/_bulk")] == []


def test_incremental_indexing_raises_when_the_cluster_is_down_so_the_task_retries(catalogue):
    from elasticsearch import ConnectionError as EsConnectionError

    client = Elasticsearch(CLOSED_PORT, max_retries=0)
    with pytest.raises(EsConnectionError):
        es_documents_index("offer", [catalogue["sprak_bergen"].pk], client=client)


# --- (f) The command --------------------------------------------------------------------------


def test_search_reindex_postgres_only(catalogue, settings, capsys):
    SearchDocument.objects.all().delete()
    OfferDocument.objects.all().delete()
    # Set, but --postgres-only must not touch it.
    settings.ELASTICSEARCH_URL = CLOSED_PORT

    call_command("search_reindex", "--postgres-only", "--kind", "offer")

    out = capsys.readouterr().out
    assert "Indekserte 5 tilbud" in out
    assert "PostgreSQL: offer: 5 dokumenter." in out
    assert "Elasticsearch hoppet over" in out
    assert OfferDocument.objects.count() == 5
    assert set(SearchDocument.objects.values_list("kind", flat=True)) == {"offer"}


def test_search_reindex_reports_an_unreachable_cluster_after_rebuilding_postgresql(
    catalogue, settings
):
    settings.ELASTICSEARCH_URL = "http://user:secret@127.0.0.1:9"
    SearchDocument.objects.all().delete()

    with pytest.raises(CommandError) as error:
        call_command("search_reindex", "--kind", "page", "--kind", "offer")

    assert "secret" not in str(error.value)
    assert "aliasene peker fortsatt på de gamle indeksene" in str(error.value)
    assert SearchDocument.objects.filter(kind="offer").count() == 5


def test_search_reindex_missing_only_never_fails_a_deploy_when_the_cluster_is_down(
    catalogue, settings, capsys
):
    # docker-compose's migrate service runs this at every start; the site must come up and
    # answer from PostgreSQL even when Elasticsearch is not there yet.
    settings.ELASTICSEARCH_URL = "http://user:secret@127.0.0.1:9"

    call_command("search_reindex", "--missing-only")

    err = capsys.readouterr().err
    assert "Søket bruker PostgreSQL til indeksene er bygd" in err
    assert "secret" not in err


def test_search_reindex_missing_only_without_elasticsearch_does_nothing(settings, capsys):
    settings.ELASTICSEARCH_URL = ""

    call_command("search_reindex", "--missing-only")

    assert "Elasticsearch er ikke satt opp" in capsys.readouterr().out


# --- Against a real cluster (skipped here) ----------------------------------------------------


def test_real_cluster_finds_published_offers_and_hides_the_rest(catalogue, es_backend):
    es_reindex(client=es_backend.client)

    results = es_backend.search_site(SiteQuery(text="leksehjelp"))

    found = {(h.kind, h.object_id) for h in results.hits}
    assert ("offer", catalogue["lekser_oslo"].pk) in found
    assert ("offer", catalogue["draft"].pk) not in found
    assert ("offer", catalogue["gjeld_oslo"].pk) not in found
    assert results.notice == ""
