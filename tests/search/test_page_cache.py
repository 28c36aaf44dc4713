"""Whole search pages for anonymous visitors (search.page_cache): a repeated page costs almost
nothing, and no change to what the page shows (results, labels, offices, menu, footer) leaves a
stale page behind. Signed-in people always get a page of their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from directory.models import Term
from directory.selectors import labels_forget
from directory.services.offers import offer_set_visibility
from portal.factories import DEFAULT_PASSWORD
from portal.models import SiteShellSettings
from tests.search.conftest import DRAMMEN

pytestmark = pytest.mark.django_db

WORD, TITLE = "kajakkpadling", "Kajakkpadling for nybegynnere"


def _get(client, url, **params):
    headers = params.pop("headers", {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("url", ["/tilbud/", "/sok/"])
def test_a_repeated_page_is_served_whole_until_its_results_change(
    client, world, publish, shell, django_capture_on_commit_callbacks, url
):
    # `shell`: the footer settings exist, as on any running site. Otherwise the first page
    # creates them, which (rightly) moves the generation and leaves nothing to serve again.
    offer = publish(TITLE, "3301", DRAMMEN, summary=f"Vi padler {WORD}.")
    first, first_queries = _get(client, url, q=WORD)
    again, again_queries = _get(client, url, q=WORD)
    assert TITLE in first.content.decode()
    assert again.content == first.content
    # Only the generation is read: no search, no labels, no menu.
    assert again_queries == 1 < first_queries
    assert "HX-Request" in again["Vary"]
    # The middleware still adds its headers to a page from the cache.
    assert "Content-Security-Policy" in again

    with django_capture_on_commit_callbacks(execute=True):
        offer_set_visibility(offer=offer, by=world["users"]["owner_a"], action="pause")
    assert TITLE not in _get(client, url, q=WORD)[0].content.decode()


def test_the_htmx_fragment_and_the_page_are_kept_apart(client, publish):
    publish(TITLE, "3301", DRAMMEN)
    page = _get(client, "/tilbud/", q=WORD)[0].content.decode()
    fragment = _get(client, "/tilbud/", q=WORD, headers={"HX-Request": "true"})[0]
    assert "<html" in page
    assert "<html" not in fragment.content.decode()
    # And the other way round, now that both are cached.
    assert "<html" in _get(client, "/tilbud/", q=WORD)[0].content.decode()


def test_renamed_labels_offices_and_footer_show_at_once(client, world, publish, shell):
    offer = publish(TITLE, "3301", DRAMMEN)
    # An office with a position: the offices to measure distance from.
    office = world["office_x"]
    office.latitude, office.longitude = DRAMMEN
    office.save()
    _get(client, "/tilbud/", q=WORD)

    # A category of the offer: the facet lists the categories of the hits.
    term = Term.objects.get(pk=offer.categories.first().pk)
    term.label_nb = "Padling og friluftsliv"
    term.save()
    # The label cache is dropped when the edit commits; this test never commits, so drop it.
    labels_forget()
    page = _get(client, "/tilbud/", q=WORD)[0].content.decode()
    assert "Padling og friluftsliv" in page

    office.name = "Nav Padleby"
    office.save()
    assert "Nav Padleby" in _get(client, "/tilbud/", q=WORD)[0].content.decode()

    shell = SiteShellSettings.for_site(Site.objects.get(is_default_site=True))
    shell.contact_email = "padling@example.no"
    shell.save()
    assert "padling@example.no" in _get(client, "/tilbud/", q=WORD)[0].content.decode()


def test_signed_in_people_get_a_page_of_their_own(client, world, publish):
    publish(TITLE, "3301", DRAMMEN)
    anonymous = _get(client, "/sok/", q=WORD)[0].content.decode()
    assert "Logget inn som" not in anonymous
    user = world["users"]["owner_a"]
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    mine = _get(client, "/sok/", q=WORD)[0].content.decode()
    assert f"Logget inn som {user.email}" in mine
    assert TITLE in mine
