"""Hostile query strings on every page and API that reads one: search, filters, paging,
autocomplete, the HSDS API and calendar feeds. Each answers with a page (that says what it
ignored) or a 4xx, never a 500, and a GET never writes."""

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.models import GrantSchemeIndexPage, PreventionModelIndexPage, PreventionModelPage
from tests.security.fuzz.strategies import (
    FUZZ,
    SWEEP,
    changed,
    get,
    nasty_value,
    path_segment,
    query_params,
    row_counts,
)

pytestmark = pytest.mark.django_db

OFFER_SEARCH = [
    "q",
    "age",
    "kontor",
    "adresse",
    "lat",
    "lon",
    "km",
    "sort",
    "side",
    "categories",
    "target_groups",
    "municipalities",
    "counties",
    "weekdays",
    "ages",
    "life_areas",
    "cost_levels",
]
SITE_SEARCH = ["q", "type", "side", "counties", "categories", "grant_status", "agreement_types"]
GRANT_FILTERS = ["applicant_type", "target_group", "status", "within_days", "side"]
PREVENTION_FILTERS = [
    "q",
    "municipality",
    "prevention_levels",
    "target_groups",
    "themes",
    "arenas",
    "side",
]
HSDS_PARAMS = [
    "page",
    "per_page",
    "search",
    "full",
    "full_service",
    "top_only",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "parent_id",
    "modified_after",
    "format",
    "proximity",
]
AGREEMENT_FILTERS = ["q", "health", "agreement_type", "nav_office", "municipality", "mine", "side"]
HSDS_LISTS = [
    "hsds_services",
    "hsds_organizations",
    "hsds_service_at_locations",
    "hsds_taxonomies",
    "hsds_taxonomy_terms",
]
HSDS_RECORDS = ["hsds_service", "hsds_organization", "hsds_service_at_location", "hsds_taxonomy"]


def _public_pages():
    prevention = PreventionModelPage.objects.live().first()
    return {
        "offers": reverse("offer_search"),
        "site": reverse("site_search"),
        "suggest": reverse("site_suggest"),
        "grants": GrantSchemeIndexPage.objects.get().url,
        "prevention": PreventionModelIndexPage.objects.get().url,
        "model": prevention.url,
    }


# Six pages per example, the search pages among them: fewer examples.
@settings(FUZZ, max_examples=10)
@given(
    offers=query_params(OFFER_SEARCH),
    site=query_params(SITE_SEARCH),
    suggest=query_params(["q"]),
    grants=query_params(GRANT_FILTERS),
    prevention=query_params(PREVENTION_FILTERS),
    model=query_params(["kommune"]),
    htmx=st.booleans(),
)
def test_public_search_filters_and_paging_never_fail(
    client, portal, offers, site, suggest, grants, prevention, model, htmx
):
    pages = _public_pages()
    before = row_counts()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.defaults.update(headers)
    for name, params in (
        ("offers", offers),
        ("site", site),
        ("suggest", suggest),
        ("grants", grants),
        ("prevention", prevention),
        ("model", model),
    ):
        response = get(client, pages[name], params)
        assert response.status_code == 200, (name, params, response.status_code)
    assert changed(before, row_counts()) == {}


@settings(FUZZ, max_examples=10)
@given(
    agreements=query_params(AGREEMENT_FILTERS),
    dashboard=query_params(["gjelder", "side"]),
    evaluation_part=nasty_value,
)
def test_internal_filters_never_fail(client, portal, login, agreements, dashboard, evaluation_part):
    login(portal["users"]["nav_staff_x"])
    before = row_counts()
    get(client, reverse("agreement_list"), agreements)
    get(client, reverse("agreement_dashboard"), dashboard)
    agreement = portal["agreement"]
    get(client, reverse("evaluation_respond", args=[agreement.pk]), [("part", evaluation_part)])
    assert changed(before, row_counts()) == {}


@FUZZ
@given(endpoint=st.sampled_from(HSDS_LISTS), params=query_params(HSDS_PARAMS))
def test_hsds_list_parameters_get_a_clear_400_or_a_page(client, portal, endpoint, params):
    response = get(client, reverse(endpoint), params)
    assert response.status_code in (200, 400), (endpoint, params, response.status_code)
    body = response.json()
    if response.status_code == 400:
        # A machine-readable error naming the parameter, with a message a person can read.
        assert body["error"]["message"] and body["error"]["status"] == 400, body
    else:
        assert body["page_number"] >= 1 and body["size"] <= body["total_items"]


@FUZZ
@given(endpoint=st.sampled_from(HSDS_RECORDS), record_id=nasty_value)
def test_hsds_record_ids_get_a_404_not_a_500(client, portal, endpoint, record_id):
    path = reverse(endpoint, args=["x"])[:-1]
    response = get(client, path + path_segment(record_id))
    assert response.status_code in (400, 404), (record_id, response.status_code)


@FUZZ
@given(token=nasty_value, scheme=st.one_of(st.integers(), st.just(0)))
def test_calendar_feeds_and_signed_links_refuse_junk_tokens(client, portal, token, scheme):
    before = row_counts()
    quoted = path_segment(token) or "x"
    # Paths the router would not match (a slash in the token) are a plain 404 too.
    for path in (f"/kalender/{quoted}.ics", f"/bekreft/{quoted}/"):
        response = get(client, path)
        assert response.status_code in (400, 404), (path, response.status_code)
    get(client, reverse("grant_calendar_all"), [("side", token)])
    response = get(client, f"/tilskudd/{abs(scheme)}/kalender.ics")
    assert response.status_code in (200, 404)
    assert changed(before, row_counts()) == {}


def test_every_parameter_survives_the_hostile_sweep(client, portal, login):
    """Each sweep value in every parameter at once, and in every path token: the
    cases hypothesis may not happen to draw (a NUL byte reaching a query) are always tried."""
    pages = _public_pages()
    params = {
        "offers": OFFER_SEARCH,
        "site": SITE_SEARCH,
        "suggest": ["q"],
        "grants": GRANT_FILTERS,
        "prevention": PREVENTION_FILTERS,
        "model": ["kommune"],
    }
    before = row_counts()
    for value in SWEEP:
        for name, names in params.items():
            assert get(client, pages[name], [(n, value) for n in names]).status_code == 200
        for endpoint in HSDS_LISTS:
            get(client, reverse(endpoint), [(n, value) for n in HSDS_PARAMS])
        segment = path_segment(value) or "x"
        for path in (
            f"/kalender/{segment}.ics",
            f"/bekreft/{segment}/",
            reverse("hsds_service", args=["x"])[:-1] + segment,
        ):
            assert get(client, path).status_code in (400, 404), (path, value)
    assert changed(before, row_counts()) == {}
    login(portal["users"]["owner_a"])
    for value in SWEEP:
        response = get(client, reverse("min_side_offer_new"), [("organisasjon", value)])
        assert response.status_code == 404, (value, response.status_code)
    login(portal["users"]["nav_staff_x"])
    for value in SWEEP:
        get(client, reverse("agreement_list"), [(n, value) for n in AGREEMENT_FILTERS])
        get(client, reverse("agreement_dashboard"), [("gjelder", value), ("side", value)])
