"""Rate limits: over the limit a person gets a Norwegian 429 page; nothing is written or sent."""

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from directory.factories import term
from directory.models import Organisation, OrganisationClaim, PreventionModelPage
from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure
from directory.services.reference_data import reference_data_load
from portal.factories import DEFAULT_PASSWORD
from portal.ratelimits import client_ip

pytestmark = pytest.mark.django_db

LIMIT_TEXT = "For mange forsøk"
NOTHING_SAVED = "ingenting er lagret"


@pytest.fixture
def limits(fresh_cache):
    fresh_cache.ACCOUNT_RATE_LIMITS = {
        "login_failed": "3/m/ip,3/5m/key",
        "signup": "2/m/ip",
        "reset_password": "2/m/ip,5/m/key",
    }
    fresh_cache.FORM_RATE_LIMITS = {
        "prevention_propose": "2/h",
        "min_side_claim": "2/h",
        "offer_confirm_link": "2/h",
    }
    return fresh_cache


def assert_limited(response):
    assert response.status_code == 429
    html = unescape(response.content.decode())
    assert LIMIT_TEXT in html and '<html lang="nb">' in html


def test_failed_logins_lock_the_account_even_for_the_right_password(client, world, limits):
    user = world["users"]["plain_user"]
    for _ in range(3):
        wrong = client.post("/konto/login/", {"login": user.email, "password": "feil-passord"})
        assert wrong.status_code == 200
    right = client.post("/konto/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    # allauth keeps the person on the form with its reason rather than a bare 429 page.
    assert "For mange innloggingsforsøk" in unescape(right.content.decode())
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_login_posts_from_one_address_are_limited_with_the_429_page(client, world, limits):
    limits.ACCOUNT_RATE_LIMITS = {**limits.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    user = world["users"]["plain_user"]
    for _ in range(2):
        client.post("/konto/login/", {"login": "ukjent@example.org", "password": "x"})
    right = client.post("/konto/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert_limited(right)
    assert "_auth_user_id" not in client.session


def test_signup_is_limited_and_no_account_is_created(client, world, limits):
    users = get_user_model().objects
    for n in range(2):
        client.post(
            "/konto/signup/",
            {"email": f"ny{n}@example.org", "password1": "et-langt-passord-9", "password2": "x"},
        )
    before = users.count()
    response = client.post(
        "/konto/signup/",
        {
            "email": "ny-for-mange@example.org",
            "password1": "et-langt-passord-9",
            "password2": "et-langt-passord-9",
        },
    )
    assert_limited(response)
    assert users.count() == before
    assert not users.filter(email="ny-for-mange@example.org").exists()


def test_password_reset_is_limited_and_no_email_is_sent(client, world, limits):
    email = world["users"]["plain_user"].email
    for _ in range(2):
        assert client.post("/konto/password/reset/", {"email": email}).status_code == 302
    sent = len(mail.outbox)
    assert_limited(client.post("/konto/password/reset/", {"email": email}))
    assert len(mail.outbox) == sent


def test_prevention_proposals_are_limited_and_nothing_is_saved(client, world, shell, limits):
    reference_data_load()
    prevention_index_ensure()
    prevention_workflow_ensure()
    client.force_login(world["users"]["municipality_staff"])
    for _ in range(2):  # two incomplete attempts use up the limit
        assert client.post("/forebygging/foresla/", {"title": ""}).status_code == 200
    proposal = {
        "title": "Gjeldsrådgiver på biblioteket",
        "problem": "Mange med pengeproblemer kommer til Nav for sent.",
        "prevention_levels": [term("prevention_levels", "universell").pk],
        "target_groups": [term("target_groups", "gjeld-okonomiske-problemer").pk],
        "arenas": [term("arenas", "bibliotek").pk],
        "how_it_works": "Gjeldsrådgiverne har et fast treffpunkt på biblioteket.",
        "how_to_start": "Avtal tid med biblioteket",
        "contact_role": "Gjeldsrådgiver",
        "contact_email": "gjeld@example.org",
    }
    response = client.post("/forebygging/foresla/", proposal)
    assert_limited(response)
    assert NOTHING_SAVED in unescape(response.content.decode())
    assert response["Retry-After"] == "3600"
    assert not PreventionModelPage.objects.exists()
    # Reading the form is never limited.
    assert client.get("/forebygging/foresla/").status_code == 200


def test_asking_to_join_an_organisation_is_limited_per_account(client, world, limits):
    org = world["org_a"]
    Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.APPROVED)
    client.force_login(world["users"]["plain_user"])
    url = "/min-side/organisasjon/tilgang/"
    for _ in range(2):
        client.post(url, {"organisation_number": "", "message": ""})
    sent = len(mail.outbox)
    response = client.post(
        url, {"organisation_number": org.organisation_number, "message": "Jeg er ny leder."}
    )
    assert_limited(response)
    assert not OrganisationClaim.objects.exists() and len(mail.outbox) == sent
    # Another account has its own allowance.
    client.force_login(world["users"]["rep_b"])
    other = client.post(url, {"organisation_number": org.organisation_number, "message": "Hei"})
    assert other.status_code != 429


def test_the_api_keeps_its_limit(client, shell, limits):
    limits.OPENDATA_API_RATE = "2/m"
    for _ in range(2):
        assert client.get("/api/hsds/").status_code == 200
    response = client.get("/api/hsds/services")
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    # The left entry is the client's own claim; the proxy appended the address it saw.
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
