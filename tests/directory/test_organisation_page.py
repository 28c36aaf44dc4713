"""The public organisation page (/organisasjoner/<slug>/): approved organisations for everyone,
pending and rejected ones only for their own representatives, and only public offers."""

import pytest

from directory.factories import offer_build
from directory.models import Municipality, Offer, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db


def url(organisation) -> str:
    return f"/organisasjoner/{organisation.slug}/"


@pytest.fixture
def offers(world, shell):
    """org_a, approved, with a published offer, a hidden one and a draft."""
    reference_data_load()
    org, owner, staff = world["org_a"], world["users"]["owner_a"], world["users"]["nav_staff_x"]
    Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.APPROVED)
    oslo = Municipality.objects.get(code="0301")

    def published(title):
        offer = offer_save_draft(
            offer=offer_build(organisation=org, municipality=oslo, title=title), by=owner
        )
        offer_submit(offer=offer, by=owner)
        return offer_approve(offer=offer, by=staff)

    visible, hidden = published("Leksehjelp på biblioteket"), published("Skjult leksehjelp")
    Offer.objects.filter(pk=hidden.pk).update(visibility="hidden_stale")
    draft = offer_save_draft(
        offer=offer_build(organisation=org, municipality=oslo, title="Utkast til språkkafé"),
        by=owner,
    )
    return {"visible": visible, "hidden": hidden, "draft": draft}


def set_status(organisation, status) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(status=status)
    organisation.refresh_from_db()


def test_approved_organisation_is_shown_to_anonymous_with_its_public_offers(client, world, offers):
    org = world["org_a"]
    response = client.get(url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{org.name} – Organisasjoner – Samarbeidsportalen</title>" in html
    assert f">{org.name}</h1>" in html
    assert f'href="/tilbud/{offers["visible"].pk}/"' in html
    assert "Skjult leksehjelp" not in html
    assert "Utkast til språkkafé" not in html
    assert "noindex" not in html
    assert "Endre på Min side" not in html


@pytest.mark.parametrize("status", [Organisation.Status.PENDING, Organisation.Status.REJECTED])
def test_unapproved_organisation_is_hidden_from_everyone_but_its_representatives(
    client, world, shell, status
):
    org, users = world["org_a"], world["users"]
    set_status(org, status)
    assert client.get(url(org)).status_code == 404
    for name in ("plain_user", "rep_b"):
        client.force_login(users[name])
        assert client.get(url(org)).status_code == 404, name
    for name in ("owner_a", "editor_a"):
        client.force_login(users[name])
        response = client.get(url(org))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "noindex" in html
        assert "bare synlig for dere og Nav" in html
        assert "Endre på Min side" in html


def test_unknown_organisation_is_not_found(client, shell):
    assert client.get("/organisasjoner/finnes-ikke/").status_code == 404


def test_organisation_without_public_offers_says_so(client, world, shell):
    org = world["org_b"]
    set_status(org, Organisation.Status.APPROVED)
    response = client.get(url(org))
    assert response.status_code == 200
    assert "Organisasjonen har ingen publiserte tilbud nå." in response.content.decode()
