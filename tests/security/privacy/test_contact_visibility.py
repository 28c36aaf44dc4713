"""Email and phone of organisations and of offers' contact persons are shown only as the
administrators' setting (ContactSettings) says: on pages, in the open API, in exports and never
in search."""

import io
import zipfile

import pytest
from django.urls import reverse

from directory.factories import offer_build
from directory.models import ContactSettings, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load
from opendata import hsds
from opendata.exporting import export_request
from opendata.models import JobStatus
from tests.opendata.conftest import assert_hsds

pytestmark = pytest.mark.django_db

OFFER_EMAIL = "kari.kontakt@lag.example.org"
OFFER_PHONE = "41234567"
ORG_EMAIL = "styret@lag.example.org"
ORG_PHONE = "22334455"
SECRETS = (OFFER_EMAIL, OFFER_PHONE, ORG_EMAIL, ORG_PHONE, "kari.kontakt", "styret@")


@pytest.fixture
def catalogue(world, django_capture_on_commit_callbacks):
    vocabularies_load()
    org = world["org_a"]
    org.status = Organisation.Status.APPROVED
    org.email, org.phone = ORG_EMAIL, ORG_PHONE
    org.save()
    owner = world["users"]["owner_a"]
    with django_capture_on_commit_callbacks(execute=True):
        offer = offer_save_draft(
            offer=offer_build(
                organisation=org,
                title="Leksehjelp i biblioteket",
                contact_role="Leksehjelpkoordinator",
                contact_email=OFFER_EMAIL,
                contact_phone=OFFER_PHONE,
            ),
            by=owner,
        )
        offer_submit(offer=offer, by=owner)
        offer_approve(offer=offer, by=world["users"]["nav_staff_x"])
    return {"offer": offer, "org": org}


def _set(visibility):
    rules = ContactSettings.load()
    rules.visibility = visibility
    rules.save()


def _pages(catalogue):
    offer, org = catalogue["offer"], catalogue["org"]
    return [
        reverse("offer_detail", args=[offer.pk]),
        reverse("offer_print", args=[offer.pk]),
        reverse("organisation_detail", args=[org.slug]),
    ]


def _api_paths(catalogue):
    sid, oid = hsds.offer_id(catalogue["offer"]), hsds.organisation_id(catalogue["org"])
    return [
        "/api/hsds/services?full=true",
        f"/api/hsds/services/{sid}",
        "/api/hsds/organizations?full=true",
        f"/api/hsds/organizations/{oid}?full_service=true",
        "/api/hsds/service_at_locations?full=true",
    ]


def _export_text(user, fmt, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(user=user, format=fmt)
    export.refresh_from_db()
    assert export.status == JobStatus.DONE, export.error
    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_public_by_default_in_pages_api_and_exports(
    client, world, catalogue, django_capture_on_commit_callbacks
):
    # The control: with the default setting the same checks do find the data.
    for path in _pages(catalogue):
        html = client.get(path).content.decode()
        assert OFFER_EMAIL in html or ORG_EMAIL in html, path
    assert OFFER_EMAIL in client.get(_api_paths(catalogue)[1]).content.decode()
    text = _export_text(world["users"]["owner_a"], "hsds_csv", django_capture_on_commit_callbacks)
    assert OFFER_EMAIL in text and ORG_PHONE in text


@pytest.mark.parametrize(
    "visibility, viewer, sees",
    [
        ("signed_in", "anonymous", False),
        ("signed_in", "plain_user", True),
        ("nav", "anonymous", False),
        ("nav", "plain_user", False),
        ("nav", "rep_b", False),
        ("nav", "municipality_staff", False),
        ("nav", "nav_staff_y", True),
        ("nav", "portal_editor", True),
        ("nav", "owner_a", True),  # their own organisation
        ("nav", "editor_a", True),
    ],
)
def test_pages_show_contact_data_only_to_whom_the_setting_allows(
    client, world, catalogue, visibility, viewer, sees
):
    _set(visibility)
    user = world["users"][viewer]
    if user.is_authenticated:
        client.force_login(user)
    for path in _pages(catalogue):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert bool(_leaks(html)) == sees, (path, _leaks(html))
    # The role is how to reach the offer when the details are hidden; it always shows.
    assert "Leksehjelpkoordinator" in client.get(_pages(catalogue)[0]).content.decode()


@pytest.mark.parametrize("visibility", ["signed_in", "nav"])
def test_hidden_contact_data_is_not_in_the_api(client, catalogue, visibility):
    _set(visibility)
    for path in _api_paths(catalogue):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _leaks(response.content.decode()), path
    # Still a valid HSDS service, the same offer, reachable through its contact role.
    body = client.get(_api_paths(catalogue)[1]).json()
    assert_hsds(body, "service")
    assert body["name"] == "Leksehjelp i biblioteket"
    assert body["contacts"][0]["title"] == "Leksehjelpkoordinator"


def test_contact_data_for_signed_in_users_only_is_not_in_exports_or_search(
    client, world, catalogue, django_capture_on_commit_callbacks
):
    # Exports are files that leave the portal: open data, whoever asked for them.
    _set("signed_in")
    for fmt in ("hsds_csv", "xlsx"):
        text = _export_text(world["users"]["nav_staff_x"], fmt, django_capture_on_commit_callbacks)
        assert "Leksehjelp i biblioteket" in text
        assert not _leaks(text), fmt

    client.force_login(world["users"]["nav_staff_x"])  # even those who may see it on the page
    for path in ("/sok/", "/tilbud/", "/sok/forslag/"):
        for query in (OFFER_EMAIL, "kari.kontakt", OFFER_PHONE, ORG_EMAIL):
            response = client.get(path, {"q": query})
            assert response.status_code == 200, (path, query)
            html = response.content.decode()
            assert "Leksehjelp i biblioteket" not in html, (path, query)
            # The page may repeat what was typed; it must show nothing more.
            assert not [s for s in _leaks(html) if s not in query and query not in s], path
