"""One world for the permission matrix, built once per module through the real services.

Every record carries a word nothing else uses (`MARK`), in its title, so a test can tell from a
response body alone whether a role saw it. The world is built inside one transaction that is
rolled back when the module ends; each test runs in a savepoint inside it (pytest-django's `db`).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase
from django.utils.text import slugify

from agreements.models import Agreement, AgreementParty, Evaluation
from agreements.services.agreements import agreement_activate, agreement_save
from agreements.services.calendar import calendar_feed_for
from agreements.services.documents import agreement_document_add
from directory.factories import (
    MunicipalityMembershipFactory,
    NavOfficeFactory,
    NavOfficeMembershipFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    offer_build,
    term,
)
from directory.models import (
    GrantRound,
    GrantSchemePage,
    Municipality,
    Notification,
    Offer,
    Organisation,
    OrganisationMembership,
    PreventionModelPage,
    Reminder,
)
from directory.services.deliveries import deliveries_dispatch
from directory.services.demo_grants import demo_grant_index_ensure
from directory.services.offers import (
    offer_approve,
    offer_reject,
    offer_save_draft,
    offer_set_visibility,
    offer_submit,
)
from directory.services.organisations import organisation_decide
from directory.services.prevention import (
    prevention_index_ensure,
    prevention_model_propose,
    prevention_workflow_ensure,
)
from directory.services.reminders import reminders_dispatch
from directory.signals import announce_offers_changed
from opendata.exporting import export_request
from opendata.importing import TEMPLATE_COLUMNS, import_upload
from portal.factories import UserFactory
from portal.models import User
from portal.services import site_shell_ensure, user_set_portal_role
from search.indexing import site_reindex_all
from tests.opendata.conftest import _reference_data_bulk_load

OSLO = ZoneInfo("Europe/Oslo")

# The roles of the matrix (issue 9): who someone is decides what they may see.
ROLES = (
    "anonymous",
    "owner_a",
    "editor_a",
    "rep_b",
    "nav_staff_x",
    "nav_staff_y",
    "municipality_staff",
    "portal_editor",
    "administrator",
)
STAFF = ("nav_staff_x", "nav_staff_y", "portal_editor", "administrator")

# Record -> the word only it carries. Invented words: no stemmer folds them into another.
MARK = {
    "offer_draft": "kvitveisturen",
    "offer_submitted": "multebaerdugnad",
    "offer_rejected": "tyttebaerkvelden",
    "offer_published": "solsikkeleken",
    "offer_pending_edit": "snohuleverkstedet",
    "offer_live_version": "hagetunkvelden",
    "offer_stale": "tangloppetreffet",
    "offer_paused": "rimfrostkafeen",
    "offer_archived": "fjaeresteinkurset",
    "offer_withdrawn_org": "ospeskogmoetet",
    "org_a": "Blaaklokkelaget",
    "org_b": "Krokusforeningen",
    "org_withdrawn": "Ospeskogforeningen",
    "org_rejected": "Lyngheilaget",
    "agreement_active": "gaupesporingen",
    "agreement_draft": "jervesporingen",
    "agreement_y": "ekornsporingen",
    "document": "signaturbladet",
    "grant_live": "moltestipendet",
    "grant_draft": "mosegrodde",
    "model_live": "kantarellmodellen",
    "model_proposal": "tindrevandringen",
    "import": "Importkantarell",
    "notification": "varselordet",
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


PORTAL_ROLES = {
    "portal_editor": User.PortalRole.EDITOR,
    "administrator": User.PortalRole.ADMINISTRATOR,
}


def _users():
    users = {role: UserFactory(email=f"{role}@matrix.example") for role in ROLES[1:]}
    for role in PORTAL_ROLES:
        user_set_portal_role(user=users[role], role=PORTAL_ROLES[role], by=None)
        users[role].refresh_from_db()
    return users


def _offer(org, drammen, key, **fields):
    return offer_build(
        organisation=org,
        municipality=drammen,
        title=f"Tilbud {MARK[key]}",
        summary=f"Vi møtes til {MARK[key]} hver uke.",
        **fields,
    )


def _outbox_roles(users, about: str = "") -> list[str]:
    """Which roles the mail sent since the last call went to (sorted, each once); with
    `about`, only mail that names it."""
    by_address = {user.email: role for role, user in users.items()}
    roles = {
        by_address.get(address, address)
        for m in mail.outbox
        if about in m.subject + m.body
        for address in m.to
    }
    mail.outbox.clear()
    return sorted(roles)


def _build(run):
    cache.clear()
    _reference_data_bulk_load()
    site_shell_ensure()
    drammen = Municipality.objects.get(code="3301")
    users = _users()
    office_x = NavOfficeFactory(name="Nav Matrix X", municipalities=[drammen])
    office_y = NavOfficeFactory(name="Nav Matrix Y")
    org_a = OrganisationFactory(name=MARK["org_a"], status=Organisation.Status.APPROVED)
    org_b = OrganisationFactory(name=MARK["org_b"], status=Organisation.Status.PENDING)
    org_withdrawn = OrganisationFactory(
        name=MARK["org_withdrawn"], status=Organisation.Status.APPROVED
    )
    org_rejected = OrganisationFactory(
        name=MARK["org_rejected"], status=Organisation.Status.REJECTED
    )
    owner, editor = OrganisationMembership.Role.OWNER, OrganisationMembership.Role.EDITOR
    OrganisationMembershipFactory(user=users["owner_a"], organisation=org_a, role=owner)
    OrganisationMembershipFactory(user=users["editor_a"], organisation=org_a, role=editor)
    OrganisationMembershipFactory(user=users["rep_b"], organisation=org_b, role=owner)
    NavOfficeMembershipFactory(user=users["nav_staff_x"], office=office_x)
    NavOfficeMembershipFactory(user=users["nav_staff_y"], office=office_y)
    MunicipalityMembershipFactory(user=users["municipality_staff"], municipality=drammen)

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    for role in STAFF:
        TOTP.activate(users[role], generate_totp_secret())

    emails: dict[str, list[str]] = {}
    rep, staff = users["owner_a"], users["nav_staff_x"]
    offers = {}
    mail.outbox.clear()
    with run(execute=True):
        offers["offer_draft"] = offer_save_draft(
            offer=_offer(org_a, drammen, "offer_draft"), by=rep
        )
        for key in ("offer_submitted", "offer_rejected"):
            offers[key] = offer_submit(
                offer=offer_save_draft(offer=_offer(org_a, drammen, key), by=rep), by=rep
            )
        for key in (
            "offer_published",
            "offer_pending_edit",
            "offer_stale",
            "offer_paused",
            "offer_archived",
        ):
            built = _offer(org_a, drammen, key)
            if key == "offer_pending_edit":
                # Published under a plain title; the word comes with the edit below.
                built.title = f"Tilbud {MARK['offer_live_version']}"
                built.summary = "Et tilbud som snart endres."
            offer = offer_submit(offer=offer_save_draft(offer=built, by=rep), by=rep)
            offers[key] = offer_approve(offer=offer, by=staff)
        deliveries_dispatch()
        _outbox_roles(users)
        offer_reject(offer=offers["offer_rejected"], by=staff, reason="Mangler tidspunkt.")
        deliveries_dispatch()
        emails["offer_rejected"] = _outbox_roles(users)
        # An edit waiting for review: its new title must stay unseen until approved.
        draft = Offer.objects.get(pk=offers["offer_pending_edit"].pk)
        draft = draft.get_latest_revision_as_object()
        draft.title = f"Nytt navn {MARK['offer_pending_edit']}"
        draft.summary = f"Vi møtes til {MARK['offer_pending_edit']} hver uke."
        offer_save_draft(offer=draft, by=rep)
        offer_submit(offer=Offer.objects.get(pk=draft.pk), by=rep)
        Offer.objects.filter(pk=offers["offer_stale"].pk).update(visibility="hidden_stale")
        announce_offers_changed([offers["offer_stale"].pk])
        offer_set_visibility(offer=offers["offer_paused"], by=rep, action="pause")
        offer_set_visibility(offer=offers["offer_archived"], by=rep, action="end")
        # An organisation Nav approved, whose offer went live, and whose approval Nav then
        # withdrew (DOMAIN.md 4.3: its offers leave the public catalogue).
        withdrawn = _offer(org_withdrawn, drammen, "offer_withdrawn_org")
        editor_user = users["portal_editor"]
        withdrawn = offer_submit(
            offer=offer_save_draft(offer=withdrawn, by=editor_user), by=editor_user
        )
        offers["offer_withdrawn_org"] = offer_approve(offer=withdrawn, by=staff)
        mail.outbox.clear()
        organisation_decide(
            organisation=org_withdrawn, by=staff, approve=False, reason="Slettet i registeret."
        )

    for offer in offers.values():
        offer.refresh_from_db()

    # --- Agreements -----------------------------------------------------------------------
    agreement_type = term("agreement_types", "samarbeidsavtale-frivillig")

    def agreement(title, parties, by, activate=True):
        made = agreement_save(
            agreement=Agreement(
                title=title,
                purpose="Frivilligsentralen deler ut mat, og Nav-kontoret har veiledere der.",
                agreement_type=agreement_type,
                start_date=date(2026, 1, 15),
                evaluation_interval_months=12,
            ),
            parties=parties,
            by=by,
        )
        if activate:
            made = agreement_activate(agreement=made, by=by)
        return Agreement.objects.get(pk=made.pk)

    def party(kind, **fields):
        return AgreementParty(
            kind=kind, contact_role="Kontakt", contact_email=f"{kind}@party.example", **fields
        )

    with run(execute=True):
        agreements = {
            "agreement_active": agreement(
                f"Samarbeid om {MARK['agreement_active']}",
                [
                    party(AgreementParty.Kind.NAV_OFFICE, nav_office=office_x),
                    party(AgreementParty.Kind.ORGANISATION, organisation=org_a),
                ],
                staff,
            ),
            "agreement_draft": agreement(
                f"Utkast om {MARK['agreement_draft']}",
                [
                    party(AgreementParty.Kind.NAV_OFFICE, nav_office=office_x),
                    party(AgreementParty.Kind.ORGANISATION, organisation=org_a),
                ],
                staff,
                activate=False,
            ),
            "agreement_y": agreement(
                f"Samarbeid om {MARK['agreement_y']}",
                [
                    party(AgreementParty.Kind.NAV_OFFICE, nav_office=office_y),
                    party(AgreementParty.Kind.ORGANISATION, organisation=org_b),
                ],
                users["nav_staff_y"],
            ),
        }
        document = agreement_document_add(
            agreement=agreements["agreement_active"],
            by=staff,
            title=f"Signert {MARK['document']}",
            uploaded=SimpleUploadedFile("avtale.pdf", PDF, content_type="application/pdf"),
        )
    evaluation = agreements["agreement_active"].evaluations.get(status=Evaluation.Status.OPEN)
    # The first reminder about the active agreement, sent on its day.
    first = (
        Reminder.objects.filter(
            content_type=ContentType.objects.get_for_model(Agreement),
            object_id=agreements["agreement_active"].pk,
        )
        .order_by("send_on")
        .first()
    )
    mail.outbox.clear()
    with run(execute=True):
        reminders_dispatch(now=datetime.combine(first.send_on, time(9), tzinfo=OSLO))
    deliveries_dispatch()
    emails["agreement_active"] = _outbox_roles(users, about=MARK["agreement_active"])
    feeds = {role: calendar_feed_for(users[role]).token for role in ROLES[1:]}

    # --- Grant schemes and prevention models ------------------------------------------------
    grants_index = demo_grant_index_ensure()
    grants = {}
    for key, publish in (("grant_live", True), ("grant_draft", False)):
        page = GrantSchemePage(
            title=f"Tilskudd {MARK[key]}",
            slug=slugify(MARK[key]),
            administrator="Arbeids- og velferdsetaten",
            purpose=f"Tilskudd til {MARK[key]}.",
            live=publish,
        )
        # A coming deadline, so the scheme is in the deadline feeds when it is live.
        page.rounds = [
            GrantRound(
                grant_year=2027,
                application_deadline=date(2027, 3, 1),
                status=GrantRound.Status.OPEN,
            )
        ]
        grants_index.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        grants[key] = page

    models_index = prevention_index_ensure()
    prevention_workflow_ensure()
    live_model = PreventionModelPage(
        title=f"Modell {MARK['model_live']}",
        slug=slugify(MARK["model_live"]),
        problem=f"Problemet {MARK['model_live']} løser.",
        how_it_works="Slik virker det.",
        live=True,
    )
    models_index.add_child(instance=live_model)
    live_model.save_revision().publish()
    mail.outbox.clear()
    with run(execute=True):
        proposal = prevention_model_propose(
            by=users["municipality_staff"],
            data={
                "title": f"Modell {MARK['model_proposal']}",
                "problem": f"Problemet {MARK['model_proposal']} løser.",
                "how_it_works": "Slik virker det.",
                "prevention_levels": [term("prevention_levels", "universell")],
                "target_groups": [term("target_groups", "alle")],
            },
        )
    deliveries_dispatch()
    emails["prevention_proposal"] = _outbox_roles(users)
    models = {"model_live": live_model, "model_proposal": proposal}

    # --- Exports, imports, notifications -----------------------------------------------------
    with run(execute=True):
        export = export_request(user=users["owner_a"], format="hsds_csv")
    export.refresh_from_db()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    writer.writerow(
        {
            "ekstern_id": "matrise-1",
            "organisasjonsnummer": "889640782",  # DOMAIN.md 4.3's worked example
            "organisasjonsnavn": MARK["import"] + "foreningen",
            "tittel": f"Leksehjelp {MARK['import']}",
            "kort beskrivelse": "Gratis leksehjelp med frivillige voksne.",
            "beskrivelse": "Ta med bøkene dine.",
            "kommunenummer": "3301",
            "adresse": "Eksempelgata 1",
            "postnummer": "3015",
            "kategorier": "leksehjelp",
            "målgrupper": "barn-og-unge;barnefamilier",
            "pris": "gratis",
            "tidspunkter": "tirsdag 17:00-19:00",
            "kontaktperson (rolle)": "Koordinator",
            "kontakt e-post": "post@example.org",
        }
    )
    with run(execute=True):
        data_import = import_upload(
            user=users["municipality_staff"],
            uploaded_file=SimpleUploadedFile("tilbud.csv", out.getvalue().encode("utf-8")),
        )
    data_import.refresh_from_db()
    notification = Notification.objects.create(
        key="matrix:notification",
        user=users["owner_a"],
        title=f"Varsel om {MARK['notification']}",
        link="/min-side/",
    )

    site_reindex_all()
    mail.outbox.clear()
    # Sessions made once, in the world's transaction: a test only sets the cookie.
    sessions = {}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(users[role])
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "sessions": sessions,
        "users": users,
        "drammen": drammen,
        "office_x": office_x,
        "office_y": office_y,
        "orgs": {
            "org_a": org_a,
            "org_b": org_b,
            "org_withdrawn": org_withdrawn,
            "org_rejected": org_rejected,
        },
        "offers": offers,
        "agreements": agreements,
        "document": document,
        "evaluation": evaluation,
        "feeds": feeds,
        "grants": grants,
        "models": models,
        "export": export,
        "import": data_import,
        "notification": notification,
        "emails": emails,
    }


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The world, once per module; rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build(TestCase.captureOnCommitCallbacks)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()
