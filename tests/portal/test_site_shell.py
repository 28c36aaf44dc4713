import pytest
from django.test import RequestFactory

from portal.services import site_shell_ensure
from portal.views import server_error

pytestmark = pytest.mark.django_db


def test_home_page_has_menu_footer_and_accessibility_statement(client, shell):
    html = client.get("/").content.decode()
    assert '<html lang="nb">' in html
    assert "Om Samarbeidsportalen" in html  # in the main menu
    assert 'href="/tilgjengelighet/"' in html
    assert 'href="/personvern/"' in html
    assert "Hopp til hovedinnhold" in html


def test_accessibility_statement_describes_wcag_conformance(client, shell):
    html = client.get("/tilgjengelighet/").content.decode()
    assert "WCAG 2.1" in html
    assert "Tilgjengelighetserklæring" in html


def test_browser_asking_for_english_still_gets_consistent_norwegian(client, shell):
    html = client.get("/konto/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Logg inn" in html
    assert "Sign In" not in html


def test_unknown_address_gives_a_norwegian_404(client, shell):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.content.decode()


def test_500_page_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Noe gikk galt" in response.content.decode()


def test_site_shell_is_idempotent_and_survives_a_missing_tree_root(shell):
    from wagtail.models import Page

    from portal.models import ContentPage, HomePage

    assert site_shell_ensure() == {"sider": 0}
    Page.objects.all().delete()
    site_shell_ensure()
    assert HomePage.objects.count() == 1
    assert ContentPage.objects.count() == 3
