"""Nav staff, editors and administrators must use TOTP before they reach anything internal, and
the Wagtail admin's own login cannot be used to get around that."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from portal.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def _login(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )


@pytest.mark.parametrize("role", ["nav_staff_x", "portal_editor", "administrator"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/intern/"])
def test_staff_without_totp_are_sent_to_totp_setup(client, world, role, path):
    _login(client, world["users"][role])
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert f"next={path.replace('/', '%2F')}" in response.url


def test_staff_set_up_totp_after_confirming_password_and_then_reach_the_admin(client, world):
    editor = world["users"]["portal_editor"]
    _login(client, editor)
    activate = reverse("mfa_activate_totp")
    # Turning on MFA is sensitive: allauth asks for the password again first.
    response = client.get(activate)
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    response = client.get(activate)
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(activate, {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_organisation_representative_needs_no_mfa_but_gets_no_admin(client, world, shell):
    _login(client, world["users"]["owner_a"])
    response = client.get("/admin/")
    # Wagtail refuses (no admin access) and sends the user to log in; no TOTP detour.
    assert response.status_code == 302
    assert not response.url.startswith(reverse("mfa_activate_totp"))
    assert client.get("/").status_code == 200


def test_editor_with_totp_must_give_a_code_and_then_reaches_the_admin(client, world):
    editor = world["users"]["portal_editor"]
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    response = _login(client, editor)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/admin/").status_code == 200


def test_wrong_totp_code_does_not_log_in(client, world):
    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    _login(client, editor)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_login_page_redirects_to_allauth(client, world):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2Fpages%2F"


def test_admin_login_does_not_accept_a_password_only_login(client, world):
    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    response = client.post(
        "/admin/login/", {"username": editor.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_login_redirect_refuses_offsite_next(client, db):
    response = client.get("/admin/login/?next=https://evil.example.com/")
    assert response.url == reverse("account_login") + "?next=%2Fadmin%2F"


def test_wagtail_password_reset_is_not_available(client, db):
    assert client.get("/admin/password_reset/").status_code in (302, 404)
