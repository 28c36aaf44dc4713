"""Min side and the moderation queue, as representatives and Nav staff use them."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from directory.models import Municipality, Offer, Organisation, OrganisationClaim, Term
from directory.services.freshness import confirmation_token
from directory.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world, shell):
    reference_data_load()
    Organisation.objects.filter(pk__in=[world["org_a"].pk, world["org_b"].pk]).update(
        status="approved"
    )
    return world


def login(client, user, *, mfa=False):
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


def term_id(vocabulary, slug):
    return Term.objects.get(vocabulary__slug=vocabulary, slug=slug).pk


def offer_post_data(**overrides):
    data = {
        "title": "Leksehjelp for 10-åringer",
        "summary": "Frivillige hjelper med lekser hver tirsdag.",
        "description": "<p>Ta med <strong>bøkene</strong>.</p><script>alert(1)</script>",
        "categories": [term_id("offer_categories", "leksehjelp")],
        "target_groups": [term_id("target_groups", "barn-og-unge")],
        "cost_level": term_id("cost_levels", "gratis"),
        "kind": term_id("offer_kinds", "lopende"),
        "participation_mode": term_id("participation_modes", "drop-in"),
        "contact_role": "Koordinator",
        "min_age": "8",
        "max_age": "12",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "0",
        "locations-MAX_NUM_FORMS": "1000",
        "locations-0-address": "Eksempelgata 2, Drammen",
        "locations-0-municipality": Municipality.objects.get(code="3301").pk,
        "locations-0-latitude": "59.7439",
        "locations-0-longitude": "10.2045",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-weekday": "1",
        "schedules-0-opens": "17:00",
        "schedules-0-closes": "19:00",
    }
    data.update(overrides)
    return data


def test_register_organisation_with_invalid_number_keeps_input_and_explains(client, site):
    login(client, site["users"]["plain_user"])
    data = {
        "name": "Leksehjelpen Drammen",
        "organisation_number": "889 640 783",
        "organisation_type": term_id("organisation_types", "frivillig-organisasjon"),
        "email": "post@leksehjelpen.example.org",
    }
    response = client.post("/min-side/organisasjon/ny/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "kontrollsifferet stemmer ikke" in html
    assert 'value="Leksehjelpen Drammen"' in html
    assert not Organisation.objects.filter(name="Leksehjelpen Drammen").exists()

    response = client.post(
        "/min-side/organisasjon/ny/", {**data, "organisation_number": "889 640 782"}
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Leksehjelpen Drammen")
    assert (org.organisation_number, org.status) == ("889640782", "pending")
    assert org.memberships.get().role == "owner"


def test_claim_an_existing_organisation_and_the_owner_approves(client, site):
    org = site["org_a"]
    newcomer = site["users"]["plain_user"]
    login(client, newcomer)
    response = client.post(
        "/min-side/organisasjon/tilgang/",
        {"organisation_number": org.organisation_number, "message": "Jeg er ny leder."},
    )
    assert response.status_code == 302
    claim = OrganisationClaim.objects.get(user=newcomer)

    login(client, site["users"]["rep_b"])  # not an owner of org A
    assert (
        client.post(f"/min-side/forespørsel/{claim.pk}/", {"decision": "approve"}).status_code
        == 404
    )
    login(client, site["users"]["owner_a"])
    client.post(f"/min-side/forespørsel/{claim.pk}/", {"decision": "approve"})
    assert org.memberships.filter(user=newcomer, role="editor").exists()


def test_offer_form_creates_a_sanitised_draft_and_sends_it_for_review(client, site):
    login(client, site["users"]["owner_a"])
    url = f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {**offer_post_data(), "send": "1"})
    assert response.status_code == 302, response.context["form"].errors
    offer = Offer.objects.get(title="Leksehjelp for 10-åringer")
    assert offer.moderation_status == "submitted" and not offer.live
    draft = offer.get_latest_revision_as_object()
    assert "<script" not in draft.description and "<strong>bøkene</strong>" in draft.description
    assert draft.locations.count() == 1 and draft.schedules.count() == 1


def test_offer_form_errors_are_shown_and_nothing_is_saved(client, site):
    login(client, site["users"]["owner_a"])
    url = f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}"
    data = offer_post_data(title="", min_age="14", max_age="9", **{"locations-TOTAL_FORMS": "0"})
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "aksel-error-summary" in html
    assert "Legg til minst ett sted" in html
    assert not Offer.objects.exists()


@pytest.mark.parametrize("role", ["rep_b", "plain_user", "municipality_staff"])
def test_another_organisations_draft_is_invisible(client, site, role):
    login(client, site["users"]["owner_a"])
    client.post(f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}", offer_post_data())
    offer = Offer.objects.get()
    login(client, site["users"][role])
    assert client.get(f"/min-side/tilbud/{offer.pk}/").status_code == 404
    assert client.get(f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}").status_code == 404
    assert offer.title not in client.get("/min-side/").content.decode()


def test_moderation_reject_then_approve(client, site, django_capture_on_commit_callbacks):
    login(client, site["users"]["owner_a"])
    client.post(
        f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}",
        {**offer_post_data(), "send": "1"},
    )
    offer = Offer.objects.get()
    staff = login(client, site["users"]["nav_staff_x"], mfa=True)
    queue = staff.get("/intern/moderering/")
    assert queue.status_code == 200
    assert queue.context["counts"]["offers"] == 1

    response = staff.post(f"/intern/moderering/tilbud/{offer.pk}/", {"decision": "reject"})
    assert "Skriv en begrunnelse" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/intern/moderering/tilbud/{offer.pk}/",
            {"decision": "reject", "reason": "Skriv hvilken skole."},
        )
    assert Offer.objects.get().moderation_status == "rejected"
    assert any("Skriv hvilken skole." in m.body for m in mail.outbox)

    login(client, site["users"]["owner_a"])
    assert "Skriv hvilken skole." in client.get("/min-side/").content.decode()
    client.post(
        f"/min-side/tilbud/{offer.pk}/",
        {**offer_post_data(title="Leksehjelp på Fjell skole"), "send": "1"},
    )
    staff = login(client, site["users"]["nav_staff_x"])
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/intern/moderering/tilbud/{offer.pk}/", {"decision": "approve"})
    assert Offer.objects.public().get().title == "Leksehjelp på Fjell skole"


@pytest.mark.parametrize("role", ["owner_a", "municipality_staff", "plain_user"])
def test_moderation_is_for_nav_staff_only(client, site, role):
    login(client, site["users"][role])
    assert client.get("/intern/moderering/").status_code == 403


def test_moderation_requires_mfa_for_staff(client, site):
    login(client, site["users"]["nav_staff_x"])  # no TOTP yet
    response = client.get("/intern/moderering/")
    assert response.status_code == 302 and "totp" in response.url


def test_confirmation_link_confirms_once(client, site, django_capture_on_commit_callbacks):
    login(client, site["users"]["owner_a"])
    client.post(
        f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}",
        {**offer_post_data(), "send": "1"},
    )
    login(client, site["users"]["nav_staff_x"], mfa=True)
    offer = Offer.objects.get()
    client.post(f"/intern/moderering/tilbud/{offer.pk}/", {"decision": "approve"})
    client.logout()
    token = confirmation_token(Offer.objects.get())
    page = client.get(f"/bekreft/{token}/")
    assert page.status_code == 200 and "Fortsatt riktig" in page.content.decode()
    assert Offer.objects.get().last_verified_at is not None
    before = Offer.objects.get().confirmation_due_at
    done = client.post(f"/bekreft/{token}/")
    assert "bekreftet" in done.content.decode()
    assert Offer.objects.get().confirmation_due_at > before
    again = client.get(f"/bekreft/{token}/")
    assert again.status_code == 400 and re.search("allerede brukt", again.content.decode())


def test_representative_pauses_resumes_and_ends_an_offer(
    client, site, django_capture_on_commit_callbacks
):
    login(client, site["users"]["owner_a"])
    client.post(
        f"/min-side/tilbud/nytt/?organisasjon={site['org_a'].pk}",
        {**offer_post_data(), "send": "1"},
    )
    offer = Offer.objects.get()
    staff = login(client, site["users"]["nav_staff_x"], mfa=True)
    staff.post(f"/intern/moderering/tilbud/{offer.pk}/", {"decision": "approve"})
    login(client, site["users"]["owner_a"])
    url = f"/min-side/tilbud/{offer.pk}/synlighet/"
    client.post(url, {"action": "pause"})
    assert not Offer.objects.public().exists()
    client.post(url, {"action": "resume"})
    assert Offer.objects.public().exists()
    client.post(url, {"action": "end"})
    assert Offer.objects.get().visibility == "archived" and not Offer.objects.public().exists()
    login(client, site["users"]["rep_b"])
    assert client.post(url, {"action": "resume"}).status_code == 404
    assert Offer.objects.get().visibility == "archived"


def test_representatives_are_told_of_organisation_and_claim_decisions(
    client, site, django_capture_on_commit_callbacks
):
    login(client, site["users"]["plain_user"])
    client.post(
        "/min-side/organisasjon/ny/",
        {
            "name": "Nytt lag",
            "organisation_type": term_id("organisation_types", "frivillig-organisasjon"),
        },
    )
    org = Organisation.objects.get(name="Nytt lag")
    staff = login(client, site["users"]["nav_staff_x"], mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/intern/moderering/organisasjon/{org.pk}/",
            {"decision": "reject", "reason": "Finner ikke laget i Enhetsregisteret."},
        )
    message = mail.outbox[-1]
    assert message.to == [site["users"]["plain_user"].email]
    assert "Finner ikke laget i Enhetsregisteret." in message.body

    login(client, site["users"]["rep_b"])
    client.post(
        "/min-side/organisasjon/tilgang/",
        {"organisation_number": site["org_a"].organisation_number},
    )
    claim = OrganisationClaim.objects.get(user=site["users"]["rep_b"])
    login(client, site["users"]["owner_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/min-side/forespørsel/{claim.pk}/", {"decision": "approve"})
    assert mail.outbox[-1].to == [site["users"]["rep_b"].email]
    assert "fått tilgang" in mail.outbox[-1].subject
