"""Security headers: every kind of response carries the CSP, Permissions-Policy and COOP."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from portal.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_hardened(response, *, admin=False):
    policy = directives(response)
    script_src = policy["script-src"].split()
    assert "'unsafe-eval'" not in script_src
    assert ("'unsafe-inline'" in script_src) is admin
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == ("'self'" if admin else "'none'")
    # Nothing may be loaded from another host: every source is a keyword or a local scheme.
    for value in policy.values():
        assert not re.search(r"https?:|\*", value), value
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/tilbud/", "/sok/", "/konto/login/", "/finnes-ikke/"])
def test_public_pages_get_the_strict_policy(client, shell, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_hardened(response)


def test_htmx_partials_get_the_strict_policy(client, shell):
    response = client.get("/tilbud/", {"q": "leksehjelp"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # really the partial
    assert_hardened(response)


def test_the_api_gets_the_strict_policy(client, shell):
    response = client.get("/api/hsds/services")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert_hardened(response)


def test_wagtail_admin_gets_its_own_policy(client, world):
    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_hardened(response, admin=True)
    # The admin's login redirects to allauth's page, which is under the strict policy.
    client.logout()
    login = client.get("/admin/login/", follow=True)
    assert login.redirect_chain[-1][0].startswith("/konto/login/")
    assert_hardened(login)


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, world):
    client.get("/konto/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    user = world["users"]["plain_user"]
    response = client.post("/konto/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
