"""The offer search page: filters, facet counts, htmx partials, bad parameters, pagination."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import views

pytestmark = pytest.mark.django_db

URL = "/tilbud/"


def results_region(response) -> str:
    html = response.content.decode()
    start = html.find('id="sokeresultater"')
    return html[start:] if start >= 0 else html


def result_ids(response) -> list[int]:
    """The offers listed as hits, in order (titles link to /tilbud/<id>/)."""
    region = results_region(response)
    return [
        int(pk)
        for pk in re.findall(r'<h3[^>]*><a class="aksel-link" href="/tilbud/(\d+)/"', region)
    ]


def facet_count(response, facet: str, value: str) -> int | None:
    """The count shown next to one facet checkbox, or None when the value is not offered."""
    match = re.search(
        rf'for="filter-{facet}-{re.escape(value)}">[^<]*<span class="portal-facet__count">\((\d+)',
        response.content.decode(),
    )
    return int(match.group(1)) if match else None


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_text_and_two_filters_find_the_right_offer(client, catalogue):
    response = client.get(
        URL, {"q": "leksehjelp", "municipalities": "3301", "target_groups": "barn-og-unge"}
    )
    assert response.status_code == 200
    assert result_ids(response) == [catalogue["lekser_drammen"].pk]
    assert "1 tilbud" in text(response)
    # The filters in use are shown, each with a link that removes it.
    assert "Kommune: Drammen" in text(response)
    assert "/tilbud/?q=leksehjelp&amp;target_groups=barn-og-unge" in response.content.decode()


def test_misspelt_text_still_finds_offers(client, catalogue):
    response = client.get(URL, {"q": "lekshjelp"})
    assert set(result_ids(response)) >= {
        catalogue["lekser_drammen"].pk,
        catalogue["lekser_oslo"].pk,
    }


def test_facet_counts_are_shown_and_follow_the_other_filters(client, catalogue):
    response = client.get(URL)
    assert facet_count(response, "municipalities", "0301") == 1  # the hidden offer is not counted
    assert facet_count(response, "municipalities", "3301") == 1
    assert facet_count(response, "categories", "leksehjelp") == 2
    assert facet_count(response, "weekdays", "1") == 3
    assert "Oslo" in text(response) and "tirsdag" in text(response)

    filtered = client.get(URL, {"categories": "leksehjelp"})
    assert facet_count(filtered, "municipalities", "4601") is None
    assert facet_count(filtered, "target_groups", "barn-og-unge") == 2
    # Multi-select: a facet counts without its own filter, so other categories stay selectable.
    assert facet_count(filtered, "categories", "sprakkafe") == 1
    assert facet_count(filtered, "ages", "6-12") == 1


def test_a_ticked_value_that_matches_nothing_can_still_be_unticked(client, catalogue):
    response = client.get(URL, {"q": "språkkafé", "municipalities": "3301"})
    assert result_ids(response) == []
    assert facet_count(response, "municipalities", "3301") == 0
    assert re.search(
        r'value="3301" id="filter-municipalities-3301" checked', response.content.decode()
    )


def test_htmx_requests_get_only_the_results_and_the_updated_counts(client, catalogue):
    response = client.get(URL, {"categories": "leksehjelp"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert set(result_ids(response)) == {
        catalogue["lekser_drammen"].pk,
        catalogue["lekser_oslo"].pk,
    }
    assert 'id="sokefiltre" hx-swap-oob="true"' in html
    assert 'id="sok-status" hx-swap-oob="innerHTML"' in html and "2 tilbud" in html

    # Going back in history asks for the whole page.
    restore = client.get(
        URL,
        {"q": "leksehjelp"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_the_full_page_works_without_javascript(client, catalogue):
    html = client.get(URL).content.decode()
    assert '<form id="tilbudssok"' in html and 'method="get"' in html
    assert 'type="submit"' in html
    # The position button needs JavaScript, so it starts hidden.
    assert re.search(r"<button[^>]*data-use-position[^>]*hidden", html)
    assert "kommer i tillegg til offentlige tjenester og erstatter dem ikke" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"age": "abc"}, "Alder:"),
        ({"age": "-4"}, "Alder:"),
        ({"sort": "popularitet"}, "Sorter etter:"),
        ({"municipalities": ["9999", "0301"]}, "fant ikke «9999»"),
        ({"km": "7"}, "Innen:"),
        ({"kontor": "nav-finnes-ikke"}, "Avstand fra:"),
        ({"lat": "nord", "lon": "10.7"}, "kunne ikke bruke posisjonen"),
        ({"sort": "distance"}, "Sortering etter avstand trenger et utgangspunkt"),
        ({"km": "10"}, "Avstandsgrensen trenger et utgangspunkt"),
        ({"side": "x"}, None),
        ({"side": "999"}, None),
        ({"q": "x" * 500}, "Søk etter tilbud:"),
    ],
)
def test_bad_parameters_are_ignored_with_a_message(client, catalogue, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert result_ids(response)  # the rest of the search still works
    if message:
        assert message in text(response)
        assert 'class="aksel-alert portal-alert" data-color="warning"' in response.content.decode()


def test_a_known_value_next_to_an_unknown_one_still_filters(client, catalogue):
    response = client.get(URL, {"municipalities": ["9999", "0301"]})
    assert result_ids(response) == [catalogue["lekser_oslo"].pk]


def test_distance_from_a_nav_office(client, catalogue, world):
    office = world["office_x"]
    office.latitude, office.longitude = 59.9127, 10.7600  # Oslo
    office.save()
    response = client.get(URL, {"kontor": office.slug, "sort": "distance", "km": "50"})
    assert result_ids(response) == [catalogue["lekser_oslo"].pk, catalogue["lekser_drammen"].pk]
    assert "0 km unna" in text(response) or "0,0 km unna" in text(response)
    assert "Innen 50 km" in text(response)


def test_distance_from_the_browsers_position(client, catalogue):
    response = client.get(
        URL, {"kontor": "min-posisjon", "lat": "60.39", "lon": "5.32", "sort": "distance"}
    )
    assert result_ids(response)[0] == catalogue["sprak_bergen"].pk
    assert "Min posisjon" in text(response)


@pytest.mark.parametrize("user", ["anonymous", "owner_a", "nav_staff_x", "portal_editor"])
def test_drafts_and_hidden_offers_are_never_listed(client, catalogue, world, user):
    if user != "anonymous":
        client.force_login(world["users"][user])
    for params in ({}, {"q": "leksehjelp"}, {"q": "gjeldsrådgivning"}, {"municipalities": "0301"}):
        listed = set(result_ids(client.get(URL, params)))
        assert catalogue["draft"].pk not in listed
        assert catalogue["gjeld_oslo"].pk not in listed
    assert "3 tilbud" in text(client.get(URL))


def test_pagination_keeps_the_other_parameters(client, catalogue, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    params = {"cost_levels": "gratis", "sort": "verified"}
    first = client.get(URL, params)
    assert len(result_ids(first)) == 2
    html = first.content.decode()
    next_link = re.search(r'href="(/tilbud/\?[^"]*side=2)"', html).group(1)
    assert "cost_levels=gratis" in next_link and "sort=verified" in next_link

    second = client.get(unescape(next_link))
    assert len(result_ids(second)) == 1
    assert not set(result_ids(first)) & set(result_ids(second))
    assert 'aria-current="page"' in second.content.decode()

    # A page past the end shows the last page.
    assert result_ids(client.get(URL, {**params, "side": "99"})) == result_ids(second)


def test_empty_results_suggest_removing_filters(client, catalogue):
    response = client.get(URL, {"q": "biblioteket", "municipalities": "4601"})
    assert result_ids(response) == []
    page = text(response)
    assert "0 tilbud" in page
    assert "Fant ingen tilbud som passer «biblioteket»" in page
    assert "Fjern alle filtre" in page
    assert 'href="/tilbud/?q=biblioteket"' in response.content.decode()
    assert "Start et nytt søk" in page


def test_query_count_is_bounded_and_does_not_grow_with_the_hits(
    client, catalogue, django_assert_max_num_queries, settings
):
    # What a search costs when it is not in the result cache (search.result_cache): a cached
    # answer would make the comparison below one between a miss and a hit.
    settings.SEARCH_RESULTS_CACHE_SECONDS = 0
    client.get(URL)  # fill the label caches
    with django_assert_max_num_queries(30):
        client.get(URL, {"q": "leksehjelp", "municipalities": "3301", "age": "10"})
    with CaptureQueriesContext(connection) as one_hit:
        client.get(URL, {"municipalities": "3301"})
    with CaptureQueriesContext(connection) as three_hits:
        client.get(URL)
    assert len(one_hit) == len(three_hits)


def test_a_long_municipality_list_shows_the_most_frequent_and_a_county_shows_all_of_its_own(
    client, catalogue, monkeypatch
):
    """Hundreds of municipality checkboxes would be a wall to scroll (and most of the page's
    weight): the most frequent are listed, with a note on how to see the rest."""
    monkeypatch.setattr(views, "MOST_FREQUENT", {"municipalities": 1})
    page = unescape(client.get(URL).content.decode())
    listed = re.findall(r'name="municipalities" value="(\d+)"', page)
    # One public offer in each of Bergen, Drammen and Oslo: equal counts go by name.
    assert listed == ["4601"]
    assert (
        "2 kommuner med færre treff vises ikke. Velg et fylke for å se alle kommunene der." in page
    )
    # A ticked municipality is always listed, so it can be unticked.
    page = unescape(client.get(URL, {"municipalities": "0301"}).content.decode())
    assert re.findall(r'name="municipalities" value="(\d+)"', page)[0] == "0301"
    # Within one county, every municipality with offers.
    page = unescape(client.get(URL, {"counties": "03"}).content.decode())
    assert re.findall(r'name="municipalities" value="(\d+)"', page) == ["0301"]
    assert "færre treff" not in page
