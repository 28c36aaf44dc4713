import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser

PASSWORD = "Et-langt-og-godt-passord-42"


def _sign_up(page, email):
    page.goto("/konto/signup/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord (igjen)").fill(PASSWORD)
    page.get_by_role("button", name="Registrer deg").click()


def _log_in(page, email):
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def test_sign_up_confirm_email_and_log_in(page):
    email = "ny.frivillig@example.org"
    _sign_up(page, email)
    page.get_by_role("heading", name="Bekreft din e-postadresse").wait_for()

    # Mandatory verification: logging in before confirming is refused.
    _log_in(page, email)
    page.get_by_role("heading", name="Bekreft din e-postadresse").wait_for()
    assert "Logget inn som" not in page.content()

    assert mail.outbox, "no confirmation email was sent"
    message = mail.outbox[-1]
    assert message.to == [email]
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", message.body).group(0)
    page.goto(link.replace("http://testserver", page.url.split("/konto")[0]))
    page.get_by_role("button", name="Bekreft").click()

    _log_in(page, email)
    page.locator(".portal-account__who").get_by_text(f"Logget inn som {email}").wait_for()


def test_wrong_password_is_explained_in_norwegian(page, django_user_model):
    from portal.factories import UserFactory

    user = UserFactory()
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill("feil-passord-123")
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_text("E-postadressen og/eller passordet du oppgav er feil.").wait_for()
