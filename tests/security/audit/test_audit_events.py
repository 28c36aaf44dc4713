"""Each security-relevant event leaves exactly one row in the audit log, with who, what, which
record and the address it came from, and nothing a user typed about someone else."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from directory.factories import offer_build
from directory.models import (
    NavOfficeMembership,
    Offer,
    Organisation,
    OrganisationClaim,
    OrganisationMembership,
)
from directory.services.offers import offer_approve, offer_reject, offer_save_draft, offer_submit
from directory.services.organisations import (
    organisation_claim_decide,
    organisation_claim_request,
    organisation_decide,
)
from directory.services.reference_data import vocabularies_load
from opendata.exporting import export_request
from opendata.models import JobStatus
from portal.factories import DEFAULT_PASSWORD, UserFactory
from portal.models import SecurityEvent, User
from portal.services import user_set_portal_role

pytestmark = pytest.mark.django_db
Event = SecurityEvent.Event
IP = "203.0.113.9"


def _events(event, **filters):
    return list(SecurityEvent.objects.filter(event=event, **filters))


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _login(client, email, password=DEFAULT_PASSWORD):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=IP
    )


# --- Sign-in ------------------------------------------------------------------------------------


def test_login_and_logout_are_logged_once_with_the_address(client, world):
    user = world["users"]["owner_a"]
    assert _login(client, user.email).status_code == 302
    [login] = _events(Event.LOGIN)
    assert (login.actor, login.target_id, login.ip) == (user, str(user.pk), IP)

    client.post(reverse("account_logout"), REMOTE_ADDR=IP)
    [logout] = _events(Event.LOGOUT)
    assert (logout.actor, logout.ip) == (user, IP)


def test_failed_login_names_the_account_but_never_stores_what_was_typed(client, world):
    user = world["users"]["owner_a"]
    typed_password = "feil-passord-Hemmelig-42"
    _login(client, user.email, password=typed_password)
    _login(client, "finnes.ikke@example.org", password=typed_password)

    known, unknown = SecurityEvent.objects.filter(event=Event.LOGIN_FAILED).order_by("pk")
    assert known.actor is None and known.target_id == str(user.pk) and known.ip == IP
    assert unknown.target_id == "" and unknown.target_label == "ukjent konto"
    stored = " ".join(
        str(v) for row in SecurityEvent.objects.values() for v in row.values() if v is not None
    )
    assert typed_password not in stored
    assert "finnes.ikke" not in stored
    assert not _events(Event.LOGIN)


def test_mfa_added_removed_and_a_wrong_code_are_logged_once(
    client, world, django_capture_on_commit_callbacks
):
    user = world["users"]["owner_a"]
    _login(client, user.email)
    activate = reverse("mfa_activate_totp")
    client.get(activate)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    client.get(activate)
    secret = client.session["mfa.totp.secret"]
    # allauth announces a new authenticator once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(activate, {"code": _code(secret)}, REMOTE_ADDR=IP)
    assert response.status_code == 302

    [added] = _events(Event.MFA_ADDED)
    assert (added.actor, added.target_id, added.ip) == (user, str(user.pk), IP)

    assert client.post(reverse("mfa_deactivate_totp"), REMOTE_ADDR=IP).status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    [removed] = _events(Event.MFA_REMOVED)
    assert (removed.actor, removed.ip) == (user, IP)

    editor = world["users"]["portal_editor"]
    TOTP.activate(editor, generate_totp_secret())
    client.logout()
    _login(client, editor.email)
    client.post(reverse("mfa_authenticate"), {"code": "000000"}, REMOTE_ADDR=IP)
    [failed] = _events(Event.MFA_FAILED)
    assert failed.actor is None and failed.target_id == str(editor.pk) and failed.ip == IP


# --- Roles and memberships ------------------------------------------------------------------


def test_portal_role_change_is_logged_once_with_old_and_new_role(world):
    target = UserFactory()
    user_set_portal_role(user=target, role=User.PortalRole.EDITOR, by=None)
    user_set_portal_role(user=target, role=User.PortalRole.EDITOR, by=None)  # no change
    [event] = _events(Event.ROLE_CHANGED, target_id=str(target.pk))
    assert "ingen → editor" in event.target_label
    # A login saves the user too (last_login) without touching the role.
    target.save(update_fields=["last_login"])
    assert len(_events(Event.ROLE_CHANGED, target_id=str(target.pk))) == 1


def test_wagtail_user_edit_making_a_superuser_or_changing_groups_is_logged(world, admin_login):
    from django.contrib.auth.models import Group

    admin, target = world["users"]["administrator"], UserFactory()
    group = Group.objects.create(name="Testgruppe")
    client = admin_login(admin)
    form = {
        "email": target.email,
        "first_name": target.first_name,
        "last_name": target.last_name,
        "is_active": "on",
    }
    response = client.post(f"/admin/users/edit/{target.pk}/", {**form, "is_superuser": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    [made_superuser] = _events(Event.ROLE_CHANGED, target_id=str(target.pk))
    assert made_superuser.actor == admin
    assert "superbruker: nei → ja" in made_superuser.target_label

    client.post(f"/admin/users/edit/{target.pk}/", {**form, "groups": [group.pk]}, REMOTE_ADDR=IP)
    events = _events(Event.ROLE_CHANGED, target_id=str(target.pk))
    # Taking superuser away and joining a group in one save: one event for the save.
    assert len(events) == 2
    assert "superbruker: ja → nei" in events[0].target_label
    target.refresh_from_db()
    assert not target.is_superuser and list(target.groups.all()) == [group]

    group.user_set.remove(target)  # from the group's side, with no user save
    assert len(_events(Event.ROLE_CHANGED, target_id=str(target.pk))) == 3


def test_membership_added_in_the_admin_is_logged_with_the_administrator(world, admin_login):
    admin, newcomer = world["users"]["administrator"], UserFactory()
    client = admin_login(admin)
    response = client.post(
        "/admin/snippets/directory/organisationmembership/add/",
        {"user": newcomer.pk, "organisation": world["org_b"].pk, "role": "editor"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = OrganisationMembership.objects.get(user=newcomer)
    [event] = _events(Event.MEMBERSHIP_ADDED, target_id=str(membership.pk))
    assert event.actor == admin and event.ip == IP
    assert event.target_type == "directory.organisationmembership"


def test_membership_role_change_and_removal_are_logged_once(world):
    membership = NavOfficeMembership.objects.get(user=world["users"]["nav_staff_x"])
    pk = str(membership.pk)
    membership.role = NavOfficeMembership.Role.LEADER
    membership.save()
    membership.save()  # saved again, unchanged
    assert len(_events(Event.MEMBERSHIP_CHANGED, target_id=pk)) == 1
    membership.delete()
    assert len(_events(Event.MEMBERSHIP_REMOVED, target_id=pk)) == 1


def test_approved_claim_logs_the_decision_and_the_new_membership(world):
    asker = UserFactory()
    claim = organisation_claim_request(
        organisation=world["org_a"], by=asker, message="Jeg er Quentina Zyx, leder i laget."
    )
    organisation_claim_decide(claim=claim, by=world["users"]["owner_a"], approve=True)
    [decision] = _events(Event.APPROVED, target_type="directory.organisationclaim")
    assert decision.target_id == str(claim.pk)
    membership = OrganisationMembership.objects.get(user=asker)
    assert len(_events(Event.MEMBERSHIP_ADDED, target_id=str(membership.pk))) == 1
    # The message the user wrote is theirs to give, not the log's to keep.
    assert not SecurityEvent.objects.filter(target_label__icontains="Zyx").exists()
    assert OrganisationClaim.objects.get(pk=claim.pk).status == "approved"


# --- Approvals ------------------------------------------------------------------------------


def test_organisation_and_offer_decisions_are_logged_once(world):
    vocabularies_load()
    staff, owner = world["users"]["nav_staff_x"], world["users"]["owner_a"]
    org = world["org_a"]
    organisation_decide(organisation=org, by=staff, approve=True)
    [org_event] = _events(Event.APPROVED, target_type="directory.organisation")
    assert org_event.target_id == str(org.pk)
    assert org.status == Organisation.Status.APPROVED

    offer = offer_save_draft(offer=offer_build(organisation=org), by=owner)
    offer_submit(offer=offer, by=owner)
    offer_reject(offer=offer, by=staff, reason="Mangler sted.")
    offer_submit(offer=Offer.objects.get(pk=offer.pk), by=owner)
    offer_approve(offer=offer, by=staff)
    offer_events = SecurityEvent.objects.filter(target_type="directory.offer").order_by("pk")
    assert [(e.event, e.target_id) for e in offer_events] == [
        (Event.REJECTED, str(offer.pk)),
        (Event.APPROVED, str(offer.pk)),
    ]
    # The reason is written to the organisation; it may name people, so it is not logged.
    assert not SecurityEvent.objects.filter(target_label__icontains="Mangler").exists()


# --- Exports ----------------------------------------------------------------------------------


def test_export_request_and_download_are_logged_once(
    client, world, django_capture_on_commit_callbacks
):
    user = world["users"]["nav_staff_x"]
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(user=user, format="xlsx")
    export.refresh_from_db()
    assert export.status == JobStatus.DONE, export.error
    [requested] = _events(Event.EXPORT_REQUESTED)
    assert requested.actor == user and requested.target_id == str(export.pk)

    client.force_login(user)
    url = reverse("opendata_export_download", args=[export.pk])
    response = client.get(url, REMOTE_ADDR=IP)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [downloaded] = _events(Event.EXPORT_DOWNLOADED)
    assert (downloaded.actor, downloaded.target_id, downloaded.ip) == (user, str(export.pk), IP)

    # Someone else may not download it, and a refused download is not an export.
    client.force_login(world["users"]["rep_b"])
    assert client.get(url).status_code == 403
    assert len(_events(Event.EXPORT_DOWNLOADED)) == 1


# --- Passwords, settings and signed documents ---------------------------------------------------


def test_a_password_change_is_logged_once_and_the_password_is_not(client, world):
    user = world["users"]["owner_a"]
    client.force_login(user)
    new = "et-helt-nytt-passord-2027"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new, "password2": new},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    [changed] = _events(Event.PASSWORD_CHANGED)
    assert (changed.actor, changed.target_id, changed.ip) == (user, str(user.pk), IP)
    assert new not in " ".join(
        str(value) for value in SecurityEvent.objects.values_list() for value in value
    )
    # A wrong old password changes nothing and logs nothing.
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "feil", "password1": new + "x", "password2": new + "x"},
    )
    assert len(_events(Event.PASSWORD_CHANGED)) == 1


def test_a_change_to_an_administrators_setting_is_logged_with_who_made_it(world, admin_login):
    from directory.models import ContactSettings

    row = ContactSettings.load()  # the first load creates the row, as the admin's form would
    before = len(_events(Event.SETTINGS_CHANGED))
    admin = world["users"]["administrator"]
    client = admin_login(admin)
    response = client.post(
        f"/admin/settings/directory/contactsettings/{row.pk}/",
        {"visibility": ContactSettings.Visibility.SIGNED_IN},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContactSettings.load().visibility == ContactSettings.Visibility.SIGNED_IN
    assert len(_events(Event.SETTINGS_CHANGED)) == before + 1
    changed = SecurityEvent.objects.filter(event=Event.SETTINGS_CHANGED).latest("pk")
    assert (changed.actor, changed.ip) == (admin, IP)
    assert changed.target_type == "directory.contactsettings"


def test_a_signed_document_download_is_logged_and_a_refused_one_is_not(client, agreement_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.services.documents import agreement_document_add

    staff = agreement_world["users"]["nav_staff_x"]
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    document = agreement_document_add(
        agreement=agreement_world["agreement"],
        by=staff,
        title="Signert avtale",
        uploaded=SimpleUploadedFile("avtale.pdf", pdf, content_type="application/pdf"),
    )
    url = reverse(
        "agreement_document_download", args=[agreement_world["agreement"].pk, document.pk]
    )
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    response = client.get(url, REMOTE_ADDR=IP)
    assert response.status_code == 200
    [downloaded] = _events(Event.DOCUMENT_DOWNLOADED)
    assert (downloaded.actor, downloaded.target_id, downloaded.ip) == (staff, str(document.pk), IP)

    client.force_login(agreement_world["users"]["rep_b"])
    assert client.get(url).status_code in (403, 404)
    assert len(_events(Event.DOCUMENT_DOWNLOADED)) == 1
