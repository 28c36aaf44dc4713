"""The HSDS 3.0 read API as a client sees it: every answer checked against HSDS's compiled
schemas, only public records, the hidden addresses of crisis offers never, and HTTP done right
(paging, errors, validators, CORS, rate limits, a fixed number of queries)."""

import json
import re
import uuid
from datetime import timedelta

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.http import http_date

from directory.models import Municipality, Offer, OfferLocation, Organisation, Term, Vocabulary
from directory.services.offers import offer_set_visibility
from opendata import hsds, selectors, urls
from opendata.openapi import SCHEMAS_FILE, openapi_description
from tests.opendata.conftest import (
    HSDS_DIR,
    SECRET_PLACE,
    SECRET_POINT,
    SECRET_STREET,
    assert_hsds,
)

pytestmark = pytest.mark.django_db

API = "/api/hsds"
PUBLIC = {
    "Leksehjelp for 10-åringer",
    "Språkkafé på tirsdager",
    "Matutdeling fredag",
    "Krisetilbud for unge",
}


def get(client, path, **params):
    response = client.get(f"{API}{path}", params)
    assert response["Content-Type"] == "application/json", response.content[:300]
    return response


def ok(client, path, **params) -> dict:
    response = get(client, path, **params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def names(page: dict) -> set[str]:
    return {item["name"] for item in page["contents"]}


def term_id(vocabulary: str, slug: str) -> str:
    return hsds.term_id(vocabulary, slug)


# --- Schemas and what is public --------------------------------------------------------------


def test_service_list_holds_only_public_offers_and_fits_hsds(client, catalogue):
    page = ok(client, "/services")

    for item in page["contents"]:
        assert_hsds(item, "service_list")
    assert names(page) == PUBLIC  # no draft, stale, paused, ended or unapproved organisation's


def test_fully_nested_service_list_fits_hsds(client, catalogue):
    page = ok(client, "/services", full="true")

    for item in page["contents"]:
        assert_hsds(item, "service")
    assert names(page) == PUBLIC


def test_service_by_id_is_the_whole_offer(client, catalogue):
    offer = catalogue["mat"]
    service = ok(client, f"/services/{hsds.offer_id(offer)}")

    assert_hsds(service, "service")
    assert service["name"] == "Matutdeling fredag"
    assert service["url"] == f"http://testserver/tilbud/{offer.pk}/"
    assert service["status"] == "active"
    identifiers = service["organization"]["organization_identifiers"]
    assert identifiers == [
        {
            "id": identifiers[0]["id"],
            "organization_id": hsds.organisation_id(offer.organisation),
            "identifier_scheme": "NO-BRC",
            "identifier_type": "organisasjonsnummer",
            "identifier": offer.organisation.organisation_number,
        }
    ]
    [schedule] = service["schedules"]
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "WEEKLY",
        "TU",
        "17:00",
        "19:00",
    )
    assert [a["name"] for a in service["service_areas"]] == ["Bergen"]
    assert service["cost_options"][0]["option"] == "Gratis"
    [contact] = service["contacts"]
    assert (contact["title"], contact["email"]) == ("Koordinator", "mat@example.org")
    assert contact["phones"][0]["number"] == "22 33 44 55"
    terms = {
        a["taxonomy_term"]["taxonomy"] + ":" + a["taxonomy_term"]["code"]
        for a in service["attributes"]
    }
    assert {"offer_categories:mathjelp", "target_groups:alle", "cost_levels:gratis"} <= terms
    profile = {a["link_type"]: a["value"] for a in service["attributes"] if "value" in a}
    # Food help carries the strong notice: assess the right to økonomisk stønad first.
    assert "økonomisk stønad" in profile["supplement-merknad"]
    assert profile["sist-bekreftet"].startswith(str(timezone.localdate().year))


def test_languages_are_iso_codes(client, catalogue):
    service = ok(client, f"/services/{hsds.offer_id(catalogue['sprak'])}")

    assert_hsds(service, "service")
    assert sorted(lang["code"] for lang in service["languages"]) == ["ar", "nb"]


def test_hidden_address_never_leaves_the_portal(client, catalogue):
    crisis = catalogue["krise"]
    sid = hsds.offer_id(crisis)
    org = hsds.organisation_id(crisis.organisation)
    answers = [
        get(client, "/services", full="true"),
        get(client, f"/services/{sid}"),
        get(client, "/service_at_locations", full="true"),
        get(client, "/service_at_locations"),
        get(client, f"/organizations/{org}", full_service="true"),
    ]
    sal = ok(client, f"/services/{sid}")["service_at_locations"][0]
    answers.append(get(client, f"/service_at_locations/{sal['id']}"))

    for response in answers:
        text = response.content.decode()
        for secret in (SECRET_STREET, SECRET_PLACE, str(SECRET_POINT[0]), str(SECRET_POINT[1])):
            assert secret not in text
    location = sal["location"]
    assert location["name"] == "Oslo"
    assert location["addresses"] == []
    assert "latitude" not in location and "longitude" not in location
    flags = {a["link_type"]: a["value"] for a in location["attributes"]}
    assert flags == {"kommunenummer": "0301", "fylkesnummer": "03", "skjult-adresse": "true"}


def test_service_at_locations_fit_hsds(client, catalogue):
    page = ok(client, "/service_at_locations")
    assert page["total_items"] == len(PUBLIC)
    for item in page["contents"]:
        assert_hsds(item, "service_at_location_list")
    assert {item["service"]["name"] for item in page["contents"]} == PUBLIC

    for item in ok(client, "/service_at_locations", full="true")["contents"]:
        assert_hsds(item, "service_at_location")
    one = ok(client, f"/service_at_locations/{page['contents'][0]['id']}")
    assert_hsds(one, "service_at_location")
    assert one["service"]["id"] == one["service_id"]


def test_places_of_an_offer_have_stable_distinct_ids(client, catalogue):
    offer = catalogue["lekser"]
    municipality = Municipality.objects.get(code="0301")
    OfferLocation.objects.create(
        offer=offer, municipality=municipality, address="Annen gate 2", sort_order=1
    )
    service = ok(client, f"/services/{hsds.offer_id(offer)}")

    ids = [sal["location"]["id"] for sal in service["service_at_locations"]]
    assert ids == [hsds.location_id(service["id"], 0), hsds.location_id(service["id"], 1)]
    assert [a["name"] for a in service["service_areas"]] == ["Oslo", "Drammen"]


def test_organizations_are_the_approved_ones(client, catalogue, world):
    page = ok(client, "/organizations")
    for item in page["contents"]:
        assert_hsds(item, "organization_list")
    assert names(page) == {world["org_a"].name}
    for item in ok(client, "/organizations", full="true")["contents"]:
        assert_hsds(item, "organization")

    org = ok(client, f"/organizations/{hsds.organisation_id(world['org_a'])}")
    assert_hsds(org, "organization")
    assert {s["name"] for s in org["services"]} == PUBLIC
    full = ok(client, f"/organizations/{org['id']}", full_service="true")
    assert_hsds(full, "organization")
    assert all("schedules" in s for s in full["services"])


def test_branch_names_its_approved_parent(client, catalogue, world):
    parent = world["org_a"]
    branch = Organisation.objects.create(
        name="Lokallaget", slug="lokallaget", parent=parent, status="approved"
    )
    org = ok(client, f"/organizations/{hsds.organisation_id(branch)}")

    assert_hsds(org, "organization")
    assert org["parent_organization_id"] == hsds.organisation_id(parent)
    assert org["organization_identifiers"] == []


def test_unknown_or_non_public_ids_are_404(client, catalogue, world):
    for path in (
        f"/services/{uuid.uuid4()}",
        f"/services/{hsds.offer_id(catalogue['stale'])}",
        f"/services/{hsds.offer_id(catalogue['draft'])}",
        f"/services/{hsds.offer_id(catalogue['pending_org'])}",
        f"/organizations/{hsds.organisation_id(world['org_b'])}",
        "/organizations/not-an-id",
        f"/service_at_locations/{uuid.uuid4()}",
        f"/taxonomies/{uuid.uuid4()}",
        f"/taxonomy_terms/{uuid.uuid4()}",
    ):
        response = get(client, path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_taxonomies_and_terms(client, catalogue):
    taxonomies = ok(client, "/taxonomies", per_page=100)
    by_name = {t["name"]: t for t in taxonomies["contents"]}
    assert {"samarbeidsportalen", "offer_categories", "target_groups"} <= set(by_name)
    assert by_name["target_groups"]["id"] == hsds.taxonomy_id("target_groups")
    assert ok(client, f"/taxonomies/{by_name['target_groups']['id']}") == by_name["target_groups"]

    terms = ok(client, "/taxonomy_terms", taxonomy_id=hsds.taxonomy_id("cost_levels"))
    assert {t["code"] for t in terms["contents"]} == {"gratis", "lav-pris", "betalt"}
    gratis = ok(client, f"/taxonomy_terms/{term_id('cost_levels', 'gratis')}")
    assert (gratis["name"], gratis["taxonomy_detail"]["name"]) == ("Gratis", "cost_levels")
    profile = ok(client, "/taxonomy_terms", taxonomy_id=hsds.taxonomy_id("samarbeidsportalen"))
    assert {t["code"] for t in profile["contents"]} == set(hsds.PROFILE_TERMS)
    assert ok(client, "/taxonomy_terms", parent_id=str(uuid.uuid4()))["empty"] is True


def test_root_names_version_profile_and_description(client, catalogue):
    root = ok(client, "/")

    assert root == {
        "version": "3.0",
        "profile": "http://testserver/api/hsds/profile",
        "openapi_url": "http://testserver/api/hsds/openapi.json",
    }
    profile = ok(client, "/profile")
    assert profile["id_namespace"] == str(hsds.ID_NAMESPACE)
    assert get(client, "/services")["Link"] == '<http://testserver/api/hsds/profile>; rel="profile"'


# --- Filters and paging ----------------------------------------------------------------------


def test_search_answers_like_the_site_with_synonyms(client, catalogue):
    # No public record says «skolehjelp»; the editors' synonym list says it means leksehjelp.
    page = ok(client, "/services", search="skolehjelp")

    assert names(page) == {"Leksehjelp for 10-åringer"}
    assert names(ok(client, "/services", search="leksehjelp")) == {"Leksehjelp for 10-åringer"}
    sals = ok(client, "/service_at_locations", search="skolehjelp")
    assert {s["service"]["name"] for s in sals["contents"]} == {"Leksehjelp for 10-åringer"}


def test_filter_by_taxonomy_term_and_taxonomy(client, catalogue):
    cafe = ok(client, "/services", taxonomy_term_id=term_id("offer_categories", "sprakkafe"))
    assert names(cafe) == {"Språkkafé på tirsdager"}
    arabic = ok(client, "/services", taxonomy_term_id=term_id("languages", "ar"))
    assert names(arabic) == {"Språkkafé på tirsdager"}
    with_languages = ok(client, "/services", taxonomy_id=hsds.taxonomy_id("languages"))
    assert names(with_languages) == {"Språkkafé på tirsdager"}
    assert names(ok(client, "/services", taxonomy_term_id=str(uuid.uuid4()))) == set()


def test_filter_by_organization(client, catalogue, world, publish):
    other = Organisation.objects.create(name="Annen forening", slug="annen", status="approved")
    publish("Turgruppe", organisation=other, by=world["users"]["portal_editor"])

    mine = ok(client, "/services", organization_id=hsds.organisation_id(other))
    assert names(mine) == {"Turgruppe"}
    theirs = ok(client, "/services", organization_id=hsds.organisation_id(world["org_a"]))
    assert names(theirs) == PUBLIC


def test_filter_modified_after(client, catalogue):
    long_ago = timezone.now() - timedelta(days=30)
    Organisation.objects.update(updated_at=long_ago)
    Offer.objects.exclude(pk=catalogue["sprak"].pk).update(updated_at=long_ago)

    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert names(ok(client, "/services", modified_after=since)) == {"Språkkafé på tirsdager"}
    everything = (long_ago - timedelta(days=1)).isoformat()
    assert names(ok(client, "/services", modified_after=everything)) == PUBLIC
    assert names(ok(client, "/organizations", modified_after=since)) == set()


def test_paging_envelope(client, catalogue):
    first = ok(client, "/services", per_page=3)
    second = ok(client, "/services", per_page=3, page=2)
    beyond = ok(client, "/services", per_page=3, page=3)

    envelope = {k: v for k, v in first.items() if k != "contents"}
    assert envelope == {
        "total_items": 4,
        "total_pages": 2,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert (second["size"], second["first_page"], second["last_page"]) == (1, False, True)
    assert names(first) | names(second) == PUBLIC
    assert (beyond["size"], beyond["empty"], beyond["contents"]) == (0, True, [])


def test_deep_pages_seek_from_bookmarks_to_the_same_offers_as_counting(
    client, catalogue, publish, monkeypatch
):
    """Past the first bookmark a page seeks instead of counting rows; every page and page size
    must still list the offers in title order, none twice, none left out, also after a new
    offer moves every bookmark."""
    monkeypatch.setattr(selectors, "BOOKMARK_EVERY", 2)

    def listed(per_page):
        seen, page = [], 1
        while True:
            body = ok(client, "/services", per_page=per_page, page=page)
            seen += [item["name"] for item in body["contents"]]
            if body["last_page"]:
                return seen
            page += 1

    expected = sorted(listed(100))
    assert len(expected) == 4
    assert all(listed(n) == expected for n in (1, 2, 3))
    publish("Aaa først i lista")
    expected = sorted(listed(100))
    assert expected[0] == "Aaa først i lista" and len(expected) == 5
    assert all(listed(n) == expected for n in (1, 2, 3))


def test_the_total_follows_every_change_of_offers_and_organisations(
    client, catalogue, world, publish
):
    """The unfiltered total is cached; no write may leave it stale."""
    assert ok(client, "/services")["total_items"] == 4
    assert ok(client, "/services")["total_items"] == 4
    offer = publish("Nytt tilbud om sjakk")
    assert ok(client, "/services")["total_items"] == 5
    offer_set_visibility(offer=offer, by=world["users"]["owner_a"], action="pause")
    assert ok(client, "/services")["total_items"] == 4
    Organisation.objects.filter(pk=world["org_a"].pk).update(status="rejected")
    left = Offer.objects.public().exclude(organisation=world["org_a"]).count()
    assert ok(client, "/services")["total_items"] == left < 4


BAD_PARAMETERS = [
    ("/services", {"page": "0"}, "page"),
    ("/services", {"page": "two"}, "page"),
    ("/services", {"per_page": "101"}, "per_page"),
    ("/services", {"modified_after": "yesterday"}, "modified_after"),
    ("/services", {"taxonomy_term_id": "leksehjelp"}, "taxonomy_term_id"),
    ("/services", {"organization_id": "123"}, "organization_id"),
    ("/services", {"full": "maybe"}, "full"),
    ("/services", {"format": "ndjson"}, "format"),
    ("/services", {"minimal": "true"}, "minimal"),
    ("/services", {"search": "x" * 201}, "search"),
    ("/service_at_locations", {"postcode": "0150"}, "postcode"),
    ("/organizations", {"taxonomy_id": "x"}, "taxonomy_id"),
    ("/taxonomy_terms", {"top_only": "yes"}, "top_only"),
]


def test_bad_parameters_are_400_with_our_error_body(client, catalogue):
    for path, params, parameter in BAD_PARAMETERS:
        response = get(client, path, **params)

        assert response.status_code == 400, (path, params)
        error = response.json()["error"]
        assert (error["status"], error["code"], error["parameter"]) == (
            400,
            "invalid_parameter",
            parameter,
        )
        assert error["message"]


# --- HTTP ------------------------------------------------------------------------------------


def test_etag_and_last_modified_give_304(client, catalogue):
    response = get(client, "/services")
    etag, last_modified = response["ETag"], response["Last-Modified"]
    newest = max(
        max(o.updated_at, o.organisation.updated_at)
        for o in Offer.objects.filter(title__in=PUBLIC).select_related("organisation")
    )
    assert last_modified == http_date(int(newest.timestamp()))

    assert client.get(f"{API}/services", HTTP_IF_NONE_MATCH=etag).status_code == 304
    Offer.objects.filter(pk=catalogue["mat"].pk).update(title="Matutdeling lørdag")
    changed = client.get(f"{API}/services", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_one_record_is_also_validated_by_its_date(client, catalogue):
    path = f"{API}/services/{hsds.offer_id(catalogue['sprak'])}"
    last_modified = client.get(path)["Last-Modified"]

    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_list_that_lost_a_record_is_not_304_by_date(client, catalogue, world):
    first = client.get(f"{API}/services")
    # Ending an offer changes no date the list still shows.
    offer_set_visibility(offer=catalogue["mat"], by=world["users"]["owner_a"], action="end")

    response = client.get(f"{API}/services", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200
    assert "Matutdeling fredag" not in names(response.json())


def test_cors_allows_any_origin_to_read_and_nobody_to_write(client, catalogue):
    response = client.get(f"{API}/services", HTTP_ORIGIN="https://kommune.example")
    assert response["Access-Control-Allow-Origin"] == "*"

    for method in (client.post, client.put, client.delete):
        refused = method(f"{API}/services", HTTP_ORIGIN="https://kommune.example")
        assert refused.status_code == 405
        assert "POST" not in refused["Allow"]
        assert refused.json()["error"]["code"] == "method_not_allowed"


def test_rate_limit_answers_429_with_retry_after(client, catalogue, settings):
    settings.OPENDATA_API_RATE = "3/m"
    for _ in range(3):
        assert client.get(f"{API}/").status_code == 200

    response = client.get(f"{API}/services")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json()["error"]["code"] == "rate_limited"


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context)


def test_a_page_costs_the_same_queries_for_10_or_50_records(
    client, world, publish, django_assert_max_num_queries
):
    paths = (
        f"{API}/services?full=true&per_page=50",
        f"{API}/service_at_locations?full=true&per_page=50",
        f"{API}/organizations?full=true&per_page=50",
    )
    for n in range(10):
        publish(f"Tilbud {n:02}")
    ten = {path: _queries(client, path) for path in paths}
    for n in range(10, 50):
        publish(f"Tilbud {n:02}")
    for path in paths:
        with django_assert_max_num_queries(ten[path]):
            response = client.get(path)
        assert len(response.json()["contents"]) == (50 if "organizations" not in path else 2)
    by_id = f"{API}/organizations/{hsds.organisation_id(world['org_a'])}?full_service=true"
    with django_assert_max_num_queries(ten[paths[0]] + 5):
        client.get(by_id)


# --- The OpenAPI description -----------------------------------------------------------------


def _openapi_path(route: str) -> str:
    path = "/" + route.removeprefix("api/hsds/")
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def test_openapi_description_is_served_valid_and_complete(client, catalogue):
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    served = ok(client, "/openapi.json")
    assert served == json.loads(json.dumps(openapi_description()))
    jsonschema.Draft202012Validator(OPENAPI_31).validate(served)

    routes = [
        _openapi_path(str(p.pattern))
        for p in urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith("api/hsds/")
    ]
    assert routes and set(routes) <= set(served["paths"])
    assert reverse("hsds_root") == "/api/hsds/"


def test_vendored_hsds_schemas_match_the_published_ones():
    if not (HSDS_DIR / "service.json").exists():
        pytest.skip(f"HSDS 3.0 is not at {HSDS_DIR}")
    vendored = json.loads(SCHEMAS_FILE.read_text(encoding="utf-8"))
    for name, schema in vendored.items():
        original = json.loads((HSDS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert schema["required"] == original["required"], name
        for field, definition in original["properties"].items():
            kept = schema["properties"][field]
            for keyword in ("type", "format", "enum"):
                assert kept.get(keyword) == definition.get(keyword), (name, field)


# --- Ids -------------------------------------------------------------------------------------


def test_ids_come_from_natural_keys_not_database_rows(world):
    org = world["org_a"]
    assert hsds.organisation_id(org) == hsds.stable_id(f"organisation:{org.organisation_number}")
    imported = Offer(pk=1, source_id="8c1f4a2e-4f7b-4e0e-9b7a-1f3d2c6b5a40")
    assert hsds.offer_id(imported) == "8c1f4a2e-4f7b-4e0e-9b7a-1f3d2c6b5a40"
    demo = Offer(pk=2, source_id="demo-leksehjelp")
    assert hsds.offer_id(demo) == hsds.offer_id(Offer(pk=99, source_id="demo-leksehjelp"))
    vocabulary = Vocabulary(slug="target_groups")
    term = Term(vocabulary=vocabulary, slug="alle", label_nb="Alle")
    assert hsds.taxonomy_term_object(term)["id"] == hsds.term_id("target_groups", "alle")
