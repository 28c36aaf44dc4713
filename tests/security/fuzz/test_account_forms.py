"""Hostile values in allauth's sign-up, login and password-reset forms, posted anonymously.

Sign-up either creates exactly one user with one unverified address, or shows the form
again and creates nothing; login and reset never create or change an account."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.factories import UserFactory
from portal.models import User
from tests.security.fuzz.strategies import FUZZ, SWEEP, changed, nasty_value, post, row_counts

pytestmark = pytest.mark.django_db

PASSWORD = "Et-langt-og-sterkt-passord-2026"
# Signing in and failing to are security events the audit log keeps; nothing else may change.
AUDIT = {"portal.securityevent"}

text = st.one_of(nasty_value, st.emails())
ACCOUNT_FUZZ = settings(FUZZ, max_examples=15)


@pytest.fixture
def member(db, shell):
    cache.clear()
    return UserFactory(email="medlem@example.org", password=PASSWORD)


def _signup(client, data: dict):
    before = row_counts()
    response = post(client, reverse("account_signup"), data)
    writes = changed(before, row_counts())
    if response.status_code == 302:
        # Exactly one account with one (unverified) address, stored as typed, lower-cased.
        assert writes.get("portal.user") == 1 and writes.get("account.emailaddress") == 1
        assert set(writes) <= {"portal.user", "account.emailaddress"} | AUDIT, writes
        user = User.objects.latest("pk")
        assert "\x00" not in user.email and user.emailaddress_set.get().verified is False
    else:
        assert response.status_code in (200, 400, 429), response.status_code
        assert set(writes) <= AUDIT, writes
    client.logout()
    return response


def test_sign_up_accepts_a_valid_address(client, member):
    response = _signup(
        client, {"email": "ny@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302


def test_sign_up_sweep(client, member):
    for value in SWEEP:
        _signup(client, {"email": value, "password1": value, "password2": value})
        _signup(
            client, {"email": f"{value}@example.org", "password1": PASSWORD, "password2": PASSWORD}
        )


@ACCOUNT_FUZZ
@given(email=text, password1=text, password2=text)
def test_sign_up_fuzz(client, member, email, password1, password2):
    _signup(client, {"email": email, "password1": password1, "password2": password2})


@ACCOUNT_FUZZ
@given(login=st.one_of(text, st.just("medlem@example.org")), password=text, remember=nasty_value)
def test_login_with_junk_never_signs_in_or_writes(client, member, login, password, remember):
    before = row_counts()
    response = post(
        client,
        reverse("account_login"),
        {"login": login, "password": password, "remember": remember},
    )
    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session
    assert set(changed(before, row_counts())) <= AUDIT


@ACCOUNT_FUZZ
@given(email=text)
def test_password_reset_with_junk_writes_nothing(client, member, email):
    before = row_counts()
    response = post(client, reverse("account_reset_password"), {"email": email})
    assert response.status_code in (200, 302, 400, 429)
    assert set(changed(before, row_counts())) <= AUDIT
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
