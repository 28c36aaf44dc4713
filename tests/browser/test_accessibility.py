"""axe-core finds no serious or critical problems on the shell's and allauth's pages, the pages work
with the keyboard alone, and nothing is loaded from other hosts."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import RequestFactory

from portal.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import axe, describe, foreign_urls, log_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/om/",
    "/tilgjengelighet/",
    "/personvern/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
]


def assert_accessible(page):
    violations = axe(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_violations(page, path):
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page)


def test_not_found_page_has_no_serious_violations(page):
    response = page.goto("/finnes-ikke/")
    assert response.status == 404
    page.get_by_role("heading", name="Fant ikke siden").wait_for()
    assert_accessible(page)


def test_server_error_page_needs_no_database_and_has_no_serious_violations(
    page, site, django_assert_num_queries
):
    from portal.views import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    # Shown at the live server's address so that its stylesheets load.
    page.goto("/")
    page.set_content(response.content.decode())
    page.get_by_role("heading", name="Noe gikk galt hos oss").wait_for()
    assert_accessible(page)


def test_form_errors_have_no_serious_violations_and_are_tied_to_their_inputs(page):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill("ikke-en-epost")
    page.get_by_label("Passord", exact=True).fill("kort")
    page.get_by_role("button", name="Registrer deg").click()
    page.locator(".aksel-error-summary").wait_for()

    email = page.get_by_label("E-post")
    assert email.get_attribute("aria-invalid") == "true"
    # The error (and for the password, the rules too) is read out with the input.
    error_ids = email.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{i}").inner_text().strip() for i in error_ids)
    password = page.get_by_label("Passord", exact=True)
    assert len(password.get_attribute("aria-describedby").split()) == 2
    assert_accessible(page)


def test_email_confirmation_pages_have_no_serious_violations(page):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill("ny@example.org")
    page.get_by_label("Passord", exact=True).fill("Et-langt-og-godt-passord-42")
    page.get_by_label("Passord (igjen)").fill("Et-langt-og-godt-passord-42")
    page.get_by_role("button", name="Registrer deg").click()
    page.get_by_role("heading", name="Bekreft din e-postadresse").wait_for()
    assert_accessible(page)

    page.goto(re.search(r"/konto/confirm-email/[^/\s]+/", mail.outbox[0].body).group(0))
    page.get_by_role("button", name="Bekreft").wait_for()
    assert_accessible(page)


def test_account_pages_have_no_serious_violations(page):
    user = UserFactory()
    log_in(page, user.email, DEFAULT_PASSWORD)
    page.get_by_text(f"Logget inn som {user.email}").wait_for()
    for path in ("/", "/konto/2fa/", "/konto/email/", "/konto/password/change/", "/konto/logout/"):
        page.goto(path)
        assert_accessible(page)

    # Turning on TOTP asks for the password again first.
    page.goto("/konto/2fa/totp/activate/")
    assert_accessible(page)
    page.get_by_label("Passord", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Bekreft").click()
    page.get_by_role("heading", name="Aktiver autentiseringsapp").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Aktiver").click()
    page.locator(".aksel-error-summary").wait_for()
    assert_accessible(page)


def test_two_factor_login_page_has_no_serious_violations(page):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    log_in(page, user.email, DEFAULT_PASSWORD)
    page.get_by_role("heading", name="Tofaktorautentisering").wait_for()
    assert page.url.endswith("/konto/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Kode").fill("000000")
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_text("Feil kode.").first.wait_for()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Hopp til hovedinnhold", "href": "#hovedinnhold"}
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hovedinnhold"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


def test_login_form_works_with_the_keyboard_alone(page):
    user = UserFactory()
    page.goto("/konto/login/")
    page.get_by_label("E-post").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text(f"Logget inn som {user.email}").wait_for()


def test_pages_load_nothing_from_other_hosts(page, site, requested_urls):
    for path in ("/", "/tilgjengelighet/", "/konto/login/", "/finnes-ikke/"):
        page.goto(path, wait_until="networkidle")
    assert foreign_urls(requested_urls, site.url) == []
    # The design system's stylesheet, fonts and htmx come from the live server itself.
    own = [url for url in requested_urls if url.startswith(site.url)]
    assert any(url.endswith("/vendor/aksel/index.css") for url in own)
    assert any(url.endswith(".woff2") for url in own)
    assert any(url.endswith("/vendor/htmx/htmx.min.js") for url in own)
