"""Hostile values in every form a signed-in user posts, sent as the role that really uses it.

A submission either succeeds (a redirect, and the rows it should write are there) or is
turned back with a message (the form with its errors, or a 4xx), and then nothing at all has
been written: no partial organisation, offer, agreement or evaluation."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.models import CHECKLIST_KEYS
from directory.models import Municipality, Offer, Organisation, OrganisationClaim, Term
from directory.services.demo_content import fictitious_organisation_number
from directory.services.organisations import organisation_claim_request
from opendata.importing import TEMPLATE_COLUMNS
from opendata.models import DataImport
from portal.factories import UserFactory
from tests.security.fuzz.strategies import FUZZ, SWEEP, changed, mutated, post, row_counts

# Nineteen forms, each rendered again on every rejected example: fewer examples per form.
FORM_FUZZ = settings(FUZZ, max_examples=8)

pytestmark = pytest.mark.django_db


# Forms up to this many fields also get a NUL byte in each field alone (larger forms are
# rendered slowly enough that hypothesis's one-to-three-field mutations cover them instead).
SMALL_FORM = 12


def term(vocabulary: str, slug: str | None = None) -> int:
    terms = Term.objects.filter(vocabulary__slug=vocabulary, is_active=True).order_by("pk")
    return (terms.get(slug=slug) if slug else terms.first()).pk


@dataclass
class FormCase:
    """One form: who posts it, where, a valid submission, and the tables a success may change."""

    user: str
    path: Callable[[dict], str]
    baseline: Callable[[dict], dict]
    writes: set[str]
    fields: list[str] | None = None  # the fields to mutate (default: every baseline field)
    prepare: Callable[[dict], None] = field(default=lambda portal: None)
    # For forms that only update a row: how to see that the valid submission took effect.
    took_effect: Callable[[dict], bool] | None = None


def _offer(portal) -> dict:
    return {
        "title": "Leksehjelp for 10-åringer",
        "summary": "Frivillige hjelper med lekser hver tirsdag.",
        "description": "<p>Ta med <strong>bøkene</strong>.</p>",
        "categories": [term("offer_categories", "leksehjelp")],
        "target_groups": [term("target_groups", "barn-og-unge")],
        "cost_level": term("cost_levels", "gratis"),
        "kind": term("offer_kinds", "lopende"),
        "participation_mode": term("participation_modes", "drop-in"),
        "contact_role": "Koordinator",
        "contact_email": "post@example.org",
        "contact_phone": "+47 22 22 22 22",
        "min_age": "8",
        "max_age": "12",
        "start_date": "",
        "end_date": "",
        "price_amount": "",
        "capacity": "",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "0",
        "locations-MAX_NUM_FORMS": "1000",
        "locations-0-name": "Biblioteket",
        "locations-0-address": "Eksempelgata 2, Drammen",
        "locations-0-postal_code": "3015",
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


def _agreement(portal) -> dict:
    data = {
        "title": "Samarbeid om leksehjelp",
        "purpose": "Nav-kontoret og frivilligsentralen samarbeider om leksehjelp.",
        "agreement_type": term("agreement_types", "samarbeidsavtale-frivillig"),
        "cooperation_forms": [term("cooperation_forms")],
        "legal_basis": "sotjl. § 14",
        "meetings": "Kvartalsvis kontaktmøte",
        "start_date": "2026-01-01",
        "end_date": "",
        "renewal": "tacit",
        "notice_months": "3",
        "evaluation_interval_months": "12",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "parties-0-kind": "nav_office",
        "parties-0-nav_office": portal["office_x"].pk,
        "parties-0-contact_role": "Veileder",
        "parties-1-kind": "organisation",
        "parties-1-organisation": portal["org_a"].pk,
        "parties-1-contact_role": "Daglig leder",
        "parties-1-contact_email": "post@frivilligsentralen.example.org",
        "parties-1-responsibilities": "Stiller med frivillige.",
        "parties-1-signed_on": "2026-01-02",
    }
    return data


def _evaluation(portal) -> dict:
    data = {
        "goals_met": "4",
        "contact_quality": "4",
        "contacts_count": "12",
        "works": "Godt samarbeid.",
        "not_working": "",
        "changes_needed": "",
    }
    for key in CHECKLIST_KEYS:
        data[f"checklist_{key}"] = "ja"
        data[f"checklist_{key}_comment"] = "OK"
    return data


def _proposal(portal) -> dict:
    return {
        "title": "Nabohjelp for nyankomne",
        "problem": "Nyankomne familier mangler nettverk.",
        "prevention_levels": [term("prevention_levels")],
        "target_groups": [term("target_groups", "barn-og-unge")],
        "how_it_works": "Frivillige følger en familie i et halvt år.",
        "partners_text": "Frivilligsentralen\nNav-kontoret",
        "resources": "En koordinator i 20 % stilling.",
        "how_to_start": "Finn en koordinator.",
        "contact_role": "Rådgiver",
        "contact_email": "radgiver@kommune.example",
    }


def _pending_claim(portal) -> None:
    claimant = UserFactory()
    organisation_claim_request(organisation=portal["org_a"], by=claimant, message="Jeg er leder.")


def _claim_path(portal) -> str:
    claim = OrganisationClaim.objects.filter(status="pending").latest("pk")
    return reverse("min_side_claim_decide", args=[claim.pk])


def _moderation_claim_path(portal) -> str:
    claim = OrganisationClaim.objects.filter(status="pending").latest("pk")
    return reverse("moderation_claim", args=[claim.pk])


def _pending_organisation(portal) -> None:
    Organisation.objects.filter(pk=portal["org_b"].pk).update(status=Organisation.Status.PENDING)


def _some_offer(portal) -> Offer:
    return Offer.objects.filter(organisation=portal["org_a"]).first() or Offer.objects.first()


def _org_a_offer(portal) -> None:
    # A demo offer moved to org A, so its representatives may confirm and pause it.
    Offer.objects.filter(pk=Offer.objects.order_by("pk").first().pk).update(
        organisation=portal["org_a"]
    )


def _agreement_edit(portal) -> dict:
    """The create form's fields, with the agreement's two parties as existing rows."""
    data = _agreement(portal)
    parties = list(portal["agreement"].parties.order_by("pk"))
    data["parties-INITIAL_FORMS"] = str(len(parties))
    for index, party in enumerate(parties):
        data[f"parties-{index}-id"] = party.pk
        data[f"parties-{index}-agreement"] = portal["agreement"].pk
    return data


def _submitted_offer(portal) -> None:
    """A new offer of org A waiting for a moderator."""
    from directory.factories import offer_build
    from directory.services.offers import offer_save_draft, offer_submit

    owner = portal["users"]["owner_a"]
    offer = offer_save_draft(offer=offer_build(organisation=portal["org_a"]), by=owner)
    offer_submit(offer=offer, by=owner)


def _waiting_offer_path(portal) -> str:
    offer = Offer.objects.filter(moderation_status="submitted").latest("pk")
    return reverse("moderation_offer", args=[offer.pk])


def _live_model(portal) -> int:
    from directory.models import PreventionModelPage

    return PreventionModelPage.objects.live().public().order_by("pk").first().pk


def _decision(portal) -> dict:
    return {
        "decision": "fornye",
        "changes": "",
        "participants": "Nav-leder, daglig leder",
        "decided_on": "2026-12-01",
        "next_due_on": "",
        "without_all_answers": "on",
    }


ORGANISATION_WRITES = {
    "directory.organisation",
    "directory.organisation_municipalities",
    "directory.organisationmembership",
    "directory.delivery",
    "directory.notification",
    "search.searchdocument",
    "wagtailcore.modellogentry",
}
OFFER_WRITES = {
    "directory.offer",
    "directory.offerlocation",
    "directory.offerschedule",
    "directory.offer_categories",
    "directory.offer_target_groups",
    "wagtailcore.revision",
    "wagtailcore.modellogentry",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "search.offerdocument",
    "search.searchdocument",
}
AGREEMENT_WRITES = {
    "agreements.agreement",
    "agreements.agreementversion",
    "agreements.agreementparty",
    "agreements.agreement_cooperation_forms",
    "agreements.agreementevent",
    "agreements.evaluation",
    "search.searchdocument",
    "wagtailcore.modellogentry",
}

# The audit log records approvals and other security-relevant decisions.
# Wagtail's reference index follows every saved page and model that it tracks.
ALWAYS_ALLOWED = {"portal.securityevent", "wagtailcore.referenceindex"}

CASES = {
    "organisation_registration": FormCase(
        user="plain_user",
        path=lambda portal: reverse("min_side_organisation_new"),
        baseline=lambda portal: {
            "name": "Frivilligsentralen i Fuzzby",
            "organisation_number": "",
            "organisation_type": term("organisation_types"),
            "in_frivillighetsregisteret": "on",
            "website": "https://frivillig.example.org",
            "email": "post@frivillig.example.org",
            "phone": "+47 99 99 99 99",
            "municipalities": [Municipality.objects.get(code="3301").pk],
        },
        writes=ORGANISATION_WRITES,
    ),
    "organisation_claim": FormCase(
        user="plain_user",
        path=lambda portal: reverse("min_side_claim"),
        baseline=lambda portal: {
            "organisation_number": portal["org_a"].organisation_number or "",
            "message": "Jeg er styreleder.",
        },
        writes={
            "directory.organisationclaim",
            "directory.delivery",
            "directory.notification",
        },
    ),
    "offer": FormCase(
        user="owner_a",
        path=lambda portal: reverse("min_side_offer_new") + f"?organisasjon={portal['org_a'].pk}",
        baseline=_offer,
        writes=OFFER_WRITES,
    ),
    "agreement": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("agreement_create"),
        baseline=_agreement,
        writes=AGREEMENT_WRITES,
    ),
    "agreement_end": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("agreement_end", args=[portal["agreement"].pk]),
        baseline=lambda portal: {"reason": "Organisasjonen er lagt ned."},
        writes={
            "agreements.agreement",
            "agreements.agreementversion",
            "agreements.agreementevent",
            "agreements.evaluation",
            "search.searchdocument",
            "wagtailcore.modellogentry",
        },
    ),
    "evaluation_response": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("evaluation_respond", args=[portal["agreement"].pk]),
        baseline=_evaluation,
        writes={
            "agreements.evaluationresponse",
            "agreements.agreementversion",
            "agreements.agreementevent",
            "directory.delivery",
            "directory.notification",
        },
    ),
    "prevention_proposal": FormCase(
        user="municipality_staff",
        path=lambda portal: reverse("prevention_propose"),
        baseline=_proposal,
        writes={
            "directory.preventionmodelpage",
            "directory.preventionmodelpage_prevention_levels",
            "directory.preventionmodelpage_target_groups",
            "wagtailcore.page",
            "wagtailcore.revision",
            "wagtailcore.pagelogentry",
            "wagtailcore.workflowstate",
            "wagtailcore.taskstate",
            "directory.delivery",
            "directory.notification",
        },
    ),
    "claim_decision_by_owner": FormCase(
        user="owner_a",
        path=_claim_path,
        baseline=lambda portal: {"decision": "reject", "reason": "Ukjent person.", "next": "/"},
        writes={
            "directory.organisationclaim",
            "directory.organisationmembership",
            "directory.delivery",
            "directory.notification",
        },
        prepare=_pending_claim,
    ),
    "claim_decision_by_nav": FormCase(
        user="nav_staff_x",
        path=_moderation_claim_path,
        baseline=lambda portal: {"decision": "reject", "reason": "Ukjent person."},
        writes={
            "directory.organisationclaim",
            "directory.organisationmembership",
            "directory.delivery",
            "directory.notification",
        },
        prepare=_pending_claim,
    ),
    "agreement_edit": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("agreement_edit", args=[portal["agreement"].pk]),
        baseline=_agreement_edit,
        writes=AGREEMENT_WRITES,
        took_effect=lambda portal: (
            type(portal["agreement"]).objects.get(pk=portal["agreement"].pk).title
            == "Samarbeid om leksehjelp"
        ),
    ),
    "evaluation_decision": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("evaluation_decide", args=[portal["agreement"].pk]),
        baseline=_decision,
        writes={
            "agreements.agreement",
            "agreements.agreementversion",
            "agreements.agreementevent",
            "agreements.evaluation",
            "directory.reminder",
            "directory.delivery",
            "directory.notification",
            "search.searchdocument",
            "wagtailcore.modellogentry",
        },
    ),
    "offer_moderation": FormCase(
        user="nav_staff_x",
        path=_waiting_offer_path,
        baseline=lambda portal: {"decision": "reject", "reason": "Adressen mangler."},
        writes={
            "directory.offer",
            "wagtailcore.revision",
            "wagtailcore.modellogentry",
            "wagtailcore.workflowstate",
            "wagtailcore.taskstate",
            "directory.delivery",
            "directory.notification",
            "search.offerdocument",
            "search.searchdocument",
        },
        prepare=_submitted_offer,
        took_effect=lambda portal: Offer.objects.latest("pk").moderation_status == "rejected",
    ),
    "prevention_change_proposal": FormCase(
        user="municipality_staff",
        path=lambda portal: reverse("prevention_propose_change", args=[_live_model(portal)]),
        baseline=_proposal,
        writes={
            "directory.preventionmodelpage",
            "wagtailcore.page",
            "wagtailcore.revision",
            "wagtailcore.pagelogentry",
            "wagtailcore.workflowstate",
            "wagtailcore.taskstate",
            "directory.delivery",
            "directory.notification",
        },
    ),
    "organisation_models": FormCase(
        user="owner_a",
        path=lambda portal: reverse("min_side_organisation_models", args=[portal["org_a"].pk]),
        baseline=lambda portal: {"prevention_models": [_live_model(portal)]},
        writes={
            "directory.organisation_prevention_models",
            "search.searchdocument",
            "wagtailcore.modellogentry",
        },
    ),
    "organisation_decision": FormCase(
        user="nav_staff_x",
        path=lambda portal: reverse("moderation_organisation", args=[portal["org_b"].pk]),
        baseline=lambda portal: {"decision": "reject", "reason": "Ikke en frivillig organisasjon."},
        writes={
            "directory.organisation",
            "directory.delivery",
            "directory.notification",
            "search.searchdocument",
            "search.offerdocument",
            "wagtailcore.modellogentry",
        },
        prepare=_pending_organisation,
    ),
    "offer_confirm": FormCase(
        user="owner_a",
        path=lambda portal: reverse("min_side_offer_confirm", args=[_some_offer(portal).pk]),
        baseline=lambda portal: {"role": "Daglig leder"},
        writes={"directory.offer", "search.offerdocument", "search.searchdocument"},
        prepare=_org_a_offer,
        took_effect=lambda portal: _some_offer(portal).verified_by_role == "Daglig leder",
    ),
    "offer_visibility": FormCase(
        user="owner_a",
        path=lambda portal: reverse("min_side_offer_visibility", args=[_some_offer(portal).pk]),
        baseline=lambda portal: {"action": "pause"},
        writes={
            "directory.offer",
            "search.offerdocument",
            "search.searchdocument",
            "wagtailcore.modellogentry",
        },
        prepare=_org_a_offer,
        took_effect=lambda portal: _some_offer(portal).visibility == Offer.Visibility.PAUSED,
    ),
    "grant_follow": FormCase(
        user="plain_user",
        path=lambda portal: reverse("grant_follow", args=[_grant(portal)]),
        baseline=lambda portal: {"days_before": ["30", "7"]},
        writes={"directory.grantfollow", "directory.reminder"},
    ),
    "export": FormCase(
        user="plain_user",
        path=lambda portal: reverse("opendata_exports"),
        baseline=lambda portal: {"format": "hsds_csv"},
        writes={"opendata.dataexport"},
    ),
}


def _grant(portal) -> int:
    from directory.models import GrantSchemePage

    return GrantSchemePage.objects.live().order_by("pk").first().pk


def _submit(client, portal, login, case: FormCase, data: dict):
    login(portal["users"][case.user])
    case.prepare(portal)
    path = case.path(portal)
    before = row_counts()
    response = post(client, path, data)
    writes = changed(before, row_counts())
    if response.status_code in (301, 302, 303):
        # Whatever was posted, a redirect stays on this site (no open redirect via ?next=).
        assert response["Location"].startswith("/") and not response["Location"].startswith("//"), (
            response["Location"]
        )
    if response.status_code in (301, 302, 303) and not _is_error_redirect(client, response):
        # Accepted: only the tables this form writes, and nothing taken away.
        assert set(writes) <= case.writes | ALWAYS_ALLOWED, (path, data, writes)
        assert all(delta >= 0 for delta in writes.values()), (path, data, writes)
    else:
        # Turned back: a message for the user, and not one row written anywhere.
        assert response.status_code in (200, 302, 400, 403, 404, 409, 413), response.status_code
        assert writes == {}, (path, data, writes)
    return response


def _is_error_redirect(client, response) -> bool:
    """Some small forms (a button and a reason) answer with a redirect and an error message.
    Only this request's messages count: earlier ones wait in the session until shown."""
    from django.contrib.messages import constants

    queued = response.wsgi_request._messages._queued_messages
    return any(m.level == constants.ERROR for m in queued)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_valid_baseline_is_accepted(client, portal, login, name):
    """The sweep and the fuzzing only prove something if the unchanged form succeeds."""
    case = CASES[name]
    login(portal["users"][case.user])
    case.prepare(portal)
    before = row_counts()
    response = post(client, case.path(portal), case.baseline(portal))
    assert response.status_code == 302, (name, response.content.decode()[:3000])
    assert not _is_error_redirect(client, response), name
    if case.took_effect:
        assert case.took_effect(portal), name
    else:
        assert changed(before, row_counts()), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_field_survives_the_hostile_sweep(client, portal, login, name):
    case = CASES[name]
    baseline = case.baseline(portal)
    fields = case.fields or [k for k in baseline if not k.endswith("_FORMS")]
    for value in SWEEP:
        _submit(client, portal, login, case, {**baseline, **dict.fromkeys(fields, value)})
    if len(fields) <= SMALL_FORM:
        # Each field alone, the rest valid, so the value reaches the service and the database.
        for one in fields:
            _submit(client, portal, login, case, {**baseline, one: "\x00"})


@pytest.mark.parametrize("name", sorted(CASES))
@FORM_FUZZ
@given(data=st.data())
def test_random_hostile_submissions_are_accepted_or_turned_back(client, portal, login, name, data):
    case = CASES[name]
    baseline = case.baseline(portal)
    fields = case.fields or [k for k in baseline if not k.endswith("_FORMS")]
    submission = data.draw(mutated(baseline, fields))
    _submit(client, portal, login, case, submission)


# --- The spreadsheet import: an upload, then its dry run and apply as the worker runs them ---


def _csv(cells: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    writer.writerow(cells)
    return out.getvalue().encode("utf-8", "surrogatepass")


IMPORT_ROW = {
    "ekstern_id": "fuzz-1",
    "organisasjonsnummer": fictitious_organisation_number("fuzz-org"),
    "organisasjonsnavn": "Fuzzforeningen",
    "tittel": "Leksehjelp i Fuzzby",
    "kort beskrivelse": "Gratis leksehjelp med frivillige voksne.",
    "beskrivelse": "Ta med bøkene dine.",
    "kommunenummer": "3301",
    "adresse": "Eksempelgata 1",
    "postnummer": "3015",
    "kategorier": "leksehjelp",
    "målgrupper": "barn-og-unge",
    "pris": "gratis",
    "tidspunkter": "tirsdag 17:00-19:00",
    "kontaktperson (rolle)": "Koordinator",
    "kontakt e-post": "post@example.org",
}


def _import(client, portal, login, capture, content: bytes, name: str = "tilbud.csv"):
    """Upload as a portal editor, run the dry run and (if it passes) the apply."""
    login(portal["users"]["portal_editor"])
    cache.clear()
    before = row_counts()
    with capture(execute=True):
        response = client.post(
            reverse("opendata_imports"), {"file": SimpleUploadedFile(name, content)}
        )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert changed(before, row_counts()) == {}
        return None
    data_import = DataImport.objects.latest("pk")
    # A readable file ends checked or rejected row by row; an unreadable one says so. The
    # catch-all «stopped unexpectedly» would be a bug the user cannot act on.
    assert data_import.status in ("checked", "rejected", "failed"), data_import.status
    if data_import.status == "failed":
        assert data_import.message == "Filen kan ikke leses", data_import.error
    assert set(changed(before, row_counts())) <= {"opendata.dataimport"}
    if data_import.status != "checked":
        return data_import
    before = row_counts()
    with capture(execute=True):
        client.post(reverse("opendata_import_apply", args=[data_import.pk]))
    data_import.refresh_from_db()
    assert data_import.status in ("applied", "rejected"), (data_import.status, data_import.error)
    if data_import.status == "rejected":
        assert set(changed(before, row_counts())) <= {"opendata.dataimport"}
    return data_import


def test_the_valid_import_row_is_applied(client, portal, login, django_capture_on_commit_callbacks):
    data_import = _import(
        client, portal, login, django_capture_on_commit_callbacks, _csv(IMPORT_ROW)
    )
    assert data_import.status == "applied"


@FUZZ
@given(data=st.data())
def test_import_cells_with_hostile_values_are_reported_not_crashed(
    client, portal, login, django_capture_on_commit_callbacks, data
):
    row = data.draw(mutated(IMPORT_ROW))
    _import(client, portal, login, django_capture_on_commit_callbacks, _csv(row))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 100,
        b"\xff\xfe\x00t\x00i",
        b"tittel\n\x00\n",
        b"PK\x03\x04" + b"\x00" * 40,
        b"%PDF-1.4\n",
        b"<script>alert(1)</script>",
        ";".join(TEMPLATE_COLUMNS).encode() + b"\n" + b"x;" * 40,
    ],
)
def test_broken_files_are_refused_with_a_message(
    client, portal, login, django_capture_on_commit_callbacks, content
):
    _import(client, portal, login, django_capture_on_commit_callbacks, content, "tilbud.csv")
