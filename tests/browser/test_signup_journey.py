"""A new user signs up, confirms the email address from the link in the email, and logs in."""

import re

import pytest
from django.core import mail

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

EMAIL = "ny.frivillig@example.org"
PASSWORD = "Et-langt-og-godt-passord-42"
VERIFY_HEADING = "Bekreft din e-postadresse"
CONFIRM_PATH = re.compile(r"/konto/confirm-email/[^/\s]+/")


def sign_up(page):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill(EMAIL)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord (igjen)").fill(PASSWORD)
    page.get_by_role("button", name="Registrer deg").click()


def header(page):
    return page.get_by_role("banner")


def test_sign_up_confirm_the_email_address_and_log_in(page):
    sign_up(page)
    page.get_by_role("heading", name=VERIFY_HEADING).wait_for()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    confirm_path = CONFIRM_PATH.search(message.body)
    assert confirm_path, f"No confirmation link in the email:\n{message.body}"

    page.goto(confirm_path.group(0))
    page.get_by_role("button", name="Bekreft").click()
    page.get_by_text(f"Du har bekreftet {EMAIL}").wait_for()

    log_in(page, EMAIL, PASSWORD)
    header(page).get_by_text(f"Logget inn som {EMAIL}").wait_for()
    assert header(page).get_by_role("button", name="Logg ut").is_visible()
    assert not header(page).get_by_role("link", name="Logg inn").is_visible()

    # Logging out is a POST from the header's form.
    header(page).get_by_role("button", name="Logg ut").click()
    header(page).get_by_role("link", name="Logg inn").wait_for()


def test_logging_in_before_confirming_is_refused(page):
    sign_up(page)
    page.get_by_role("heading", name=VERIFY_HEADING).wait_for()

    log_in(page, EMAIL, PASSWORD)
    page.get_by_role("heading", name=VERIFY_HEADING).wait_for()
    assert "/konto/confirm-email/" in page.url
    assert not header(page).get_by_text("Logget inn som").is_visible()
    assert header(page).get_by_role("link", name="Logg inn").is_visible()
