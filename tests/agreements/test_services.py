"""Registering, activating, evaluating, ending and sweeping agreements; documents and history."""

from datetime import date, datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSettings,
    AgreementVersion,
    Evaluation,
)
from agreements.permissions import can_edit_agreement
from agreements.services.agreements import agreement_save, agreements_sweep
from agreements.services.documents import agreement_document_add, agreement_document_remove
from agreements.services.evaluations import evaluation_decide, evaluation_respond
from agreements.services.reminders import BEFORE, DUE, ENDING, OVERDUE
from directory.models import Reminder
from tests.agreements.conftest import (
    OSLO,
    full_answers,
    municipality_party,
    office_party,
    organisation_party,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _messages(excinfo, field="__all__"):
    return excinfo.value.message_dict[field]


def _scheduled(agreement):
    return set(
        Reminder.objects.for_object(agreement)
        .scheduled()
        .values_list("topic", "event_date", "send_on", "expires_on")
    )


# --- Registering ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_end_before_start_is_refused_on_the_end_date_field(world, make_agreement):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(start=date(2026, 3, 1), end=date(2026, 2, 1))
    assert _messages(excinfo, "end_date") == [
        "Sluttdatoen kan ikke være før startdatoen (01.03.2026)."
    ]
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_an_agreement_needs_two_parties(world, make_agreement):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(parties=[office_party(world["office_x"])])
    assert any("minst to parter" in m for m in _messages(excinfo))
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_an_agreement_needs_a_nav_office_or_municipality_party(world, make_agreement):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(
            parties=[organisation_party(world["org_a"]), organisation_party(world["org_b"])]
        )
    assert "Minst én av partene må være et Nav-kontor eller en kommune." in _messages(excinfo)


@pytest.mark.django_db
def test_the_same_party_twice_is_refused(world, make_agreement):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(
            parties=[
                office_party(world["office_x"]),
                organisation_party(world["org_a"]),
                organisation_party(world["org_a"]),
            ]
        )
    assert f"{world['org_a'].name} står som part to ganger." in _messages(excinfo)


@pytest.mark.django_db
def test_the_creator_must_belong_to_a_public_side_party(world, make_agreement):
    # Staff of another office may register agreements, but not on office_x's behalf.
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(by=world["users"]["nav_staff_y"])
    assert "Du må selv høre til" in excinfo.value.messages[0]
    # Organisations take part in agreements; they do not register them.
    with pytest.raises(PermissionDenied):
        make_agreement(by=world["users"]["owner_a"])
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_a_municipality_may_register_an_agreement_it_is_party_to(world, make_agreement):
    staff = world["users"]["municipality_staff"]
    agreement = make_agreement(
        by=staff,
        parties=[
            municipality_party(world["municipality"], contact_user=staff),
            organisation_party(world["org_a"]),
        ],
    )
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.created_by == staff


@pytest.mark.django_db
def test_the_contact_person_must_be_a_member_of_the_party(world, make_agreement):
    with pytest.raises(ValidationError) as excinfo:
        make_agreement(
            parties=[
                office_party(world["office_x"], contact_user=world["users"]["owner_a"]),
                organisation_party(world["org_a"]),
            ]
        )
    assert (
        f"Kontaktpersonen for {world['office_x'].name} må ha tilgang til denne parten i portalen."
        in _messages(excinfo)
    )


# --- Activating -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("end", "due", "review_type"),
    [
        (None, date(2027, 1, 15), Evaluation.ReviewType.SCHEDULED),
        # Twelve months come before "three months before the end".
        (date(2028, 12, 31), date(2027, 1, 15), Evaluation.ReviewType.SCHEDULED),
        # Three months before the end comes first.
        (date(2027, 3, 31), date(2026, 12, 31), Evaluation.ReviewType.BEFORE_END),
    ],
)
def test_activating_plans_the_first_evaluation(world, make_agreement, end, due, review_type):
    draft = make_agreement(start=date(2026, 1, 15), end=end, activate=False)
    assert draft.status == Agreement.Status.DRAFT
    assert draft.next_evaluation_due is None
    assert not Reminder.objects.for_object(draft).exists()

    from agreements.services.agreements import agreement_activate

    agreement = agreement_activate(agreement=draft, by=world["users"]["nav_staff_x"])
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.next_evaluation_due == due
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert (evaluation.due_on, evaluation.review_type) == (due, review_type)
    assert evaluation.period_from == date(2026, 1, 15)
    expected = {
        (BEFORE, due, due - relativedelta(days=30), due),
        (DUE, due, due, due + relativedelta(days=14)),
        (OVERDUE, due, due + relativedelta(days=14), None),
    }
    if end:
        expected.add((ENDING, end, end - relativedelta(days=60), end))
    assert _scheduled(agreement) == expected


@pytest.mark.django_db
def test_an_agreement_in_its_last_stretch_gets_only_the_ending_reminder(world, make_agreement):
    agreement = make_agreement(start=date(2026, 1, 15), end=date(2026, 3, 31))
    assert agreement.next_evaluation_due is None
    assert not agreement.evaluations.exists()
    assert _scheduled(agreement) == {
        (ENDING, date(2026, 3, 31), date(2026, 1, 30), date(2026, 3, 31))
    }


@pytest.mark.django_db
def test_only_drafts_can_be_activated(agreement_world):
    from agreements.services.agreements import agreement_activate

    with pytest.raises(ValidationError, match="Bare utkast"):
        agreement_activate(
            agreement=agreement_world["agreement"], by=agreement_world["users"]["nav_staff_x"]
        )


@pytest.mark.django_db
def test_settings_change_the_cadence(world, make_agreement):
    rules = AgreementSettings.load()
    rules.end_review_months = 6
    rules.reminder_before_days = 10
    rules.save()
    agreement = make_agreement(start=date(2026, 1, 15), end=date(2027, 3, 31))
    assert agreement.next_evaluation_due == date(2026, 9, 30)
    assert (BEFORE, date(2026, 9, 30), date(2026, 9, 20), date(2026, 9, 30)) in _scheduled(
        agreement
    )


# --- Evaluations ----------------------------------------------------------------------------


@pytest.fixture
def due_agreement(world, make_agreement):
    """Started 1 October 2025: the first evaluation was due 1 October 2026."""
    agreement = make_agreement(start=date(2025, 10, 1))
    return agreement, agreement.evaluations.get(status=Evaluation.Status.OPEN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decision", "changes"),
    [("fornye", ""), ("justere", "Møtes hver måned i stedet for hvert kvartal.")],
)
def test_continuing_plans_the_next_evaluation_from_the_decision_date(
    world, due_agreement, answer_all, decision, changes
):
    agreement, evaluation = due_agreement
    answer_all(evaluation)
    decided = evaluation_decide(
        evaluation=evaluation,
        by=world["users"]["nav_staff_x"],
        decision=decision,
        changes=changes,
        decided_on=date(2026, 10, 20),
    )
    agreement.refresh_from_db()
    assert decided.status == Evaluation.Status.DECIDED
    assert decided.decided_by == world["users"]["nav_staff_x"]
    assert decided.changes == changes
    assert (agreement.last_evaluated_on, agreement.last_decision) == (date(2026, 10, 20), decision)
    # Twelve months from the decision, not from the old due date.
    assert decided.next_due_on == agreement.next_evaluation_due == date(2027, 10, 20)
    following = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert following.due_on == date(2027, 10, 20)
    assert following.period_from == date(2026, 10, 20)
    assert {event for _topic, event, _send, _expires in _scheduled(agreement)} == {
        date(2027, 10, 20)
    }
    old = Reminder.objects.for_object(agreement).filter(event_date=date(2026, 10, 1))
    assert set(old.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


@pytest.mark.django_db
def test_a_chosen_next_date_wins(world, due_agreement, answer_all):
    agreement, evaluation = due_agreement
    answer_all(evaluation)
    evaluation_decide(
        evaluation=evaluation,
        by=world["users"]["nav_staff_x"],
        decision="fornye",
        decided_on=date(2026, 10, 20),
        next_due_on=date(2027, 4, 1),
    )
    agreement.refresh_from_db()
    assert agreement.next_evaluation_due == date(2027, 4, 1)


@pytest.mark.django_db
def test_adjusting_without_saying_what_changes_is_refused(world, due_agreement, answer_all):
    agreement, evaluation = due_agreement
    answer_all(evaluation)
    with pytest.raises(ValidationError) as excinfo:
        evaluation_decide(
            evaluation=evaluation,
            by=world["users"]["nav_staff_x"],
            decision="justere",
            changes="   ",
            decided_on=date(2026, 10, 20),
        )
    assert _messages(excinfo, "changes") == ["Beskriv hvilke endringer dere er enige om."]
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN


@pytest.mark.django_db
def test_the_decision_waits_for_every_party_unless_told_otherwise(world, due_agreement):
    agreement, evaluation = due_agreement
    office = agreement.parties.get(kind="nav_office")
    answers, checklist = full_answers()
    evaluation_respond(
        evaluation=evaluation,
        party=office,
        by=world["users"]["nav_staff_x"],
        answers=answers,
        checklist=checklist,
    )
    decide = {
        "evaluation": evaluation,
        "by": world["users"]["nav_staff_x"],
        "decision": "fornye",
        "decided_on": date(2026, 10, 20),
    }
    with pytest.raises(ValidationError) as excinfo:
        evaluation_decide(**decide)
    (message,) = _messages(excinfo, "without_all_answers")
    assert world["org_a"].name in message
    assert world["office_x"].name not in message

    decided = evaluation_decide(**decide, without_all_answers=True)
    assert decided.status == Evaluation.Status.DECIDED


@pytest.mark.django_db
def test_only_the_nav_office_decides(world, due_agreement, answer_all):
    agreement, evaluation = due_agreement
    answer_all(evaluation)
    for key in ("owner_a", "municipality_staff", "nav_staff_y"):
        with pytest.raises(PermissionDenied):
            evaluation_decide(
                evaluation=evaluation,
                by=world["users"][key],
                decision="fornye",
                decided_on=date(2026, 10, 20),
            )


@pytest.mark.django_db
def test_an_incomplete_checklist_is_refused(world, due_agreement):
    agreement, evaluation = due_agreement
    answers, checklist = full_answers()
    checklist.pop("children")
    with pytest.raises(ValidationError) as excinfo:
        evaluation_respond(
            evaluation=evaluation,
            party=agreement.parties.get(kind="organisation"),
            by=world["users"]["editor_a"],
            answers=answers,
            checklist=checklist,
        )
    assert "1 mangler" in _messages(excinfo, "checklist")[0]


@pytest.mark.django_db
def test_deciding_to_end_ends_the_agreement_and_cancels_its_reminders(
    world, make_agreement, answer_all
):
    agreement = make_agreement(start=date(2025, 10, 1), end=date(2027, 12, 31))
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert len(_scheduled(agreement)) == 4  # before, due, overdue, ending
    answer_all(evaluation)
    evaluation_decide(
        evaluation=evaluation,
        by=world["users"]["nav_leader_x"],
        decision="avslutte",
        decided_on=date(2026, 10, 20),
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ENDED
    assert agreement.next_evaluation_due is None
    assert agreement.last_decision == "avslutte"
    assert not agreement.evaluations.filter(status=Evaluation.Status.OPEN).exists()
    assert _scheduled(agreement) == set()
    assert set(Reminder.objects.for_object(agreement).values_list("status", flat=True)) == {
        Reminder.Status.CANCELLED
    }
    # An ended agreement is a record.
    assert not can_edit_agreement(world["users"]["nav_staff_x"], agreement)
    latest = agreement.versions.first()
    assert latest.summary == "Avtalen ble avsluttet: besluttet i evaluering"
    assert latest.user == world["users"]["nav_leader_x"]


# --- The daily sweep ------------------------------------------------------------------------


def _oslo(*args):
    return datetime(*args, tzinfo=OSLO)


@pytest.mark.django_db
def test_sweep_expires_explicit_renewal_agreements_after_their_end(world, make_agreement):
    agreement = make_agreement(
        start=date(2025, 7, 1), end=date(2026, 6, 30), renewal=Agreement.Renewal.EXPLICIT
    )
    # The end date is the last day of the agreement.
    assert agreements_sweep(now=_oslo(2026, 6, 30, 23, 30)) == {"utløpt": 0, "fornyet": 0}
    assert agreements_sweep(now=_oslo(2026, 7, 1, 0, 30)) == {"utløpt": 1, "fornyet": 0}
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EXPIRED
    assert agreement.end_date == date(2026, 6, 30)
    assert _scheduled(agreement) == set()
    assert agreement.versions.first().summary == "Avtalen utløp"
    # Running it again changes nothing.
    assert agreements_sweep(now=_oslo(2026, 7, 2, 6)) == {"utløpt": 0, "fornyet": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "today", "new_end"),
    [
        # A calendar year renews to the next calendar year.
        (date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 5), date(2026, 12, 31)),
        # Half a year, found two periods later: each period ends on the day before a start.
        (date(2025, 3, 1), date(2025, 8, 31), date(2026, 3, 5), date(2026, 8, 31)),
    ],
)
def test_sweep_rolls_tacit_agreements_forward_by_their_length(
    world, make_agreement, start, end, today, new_end
):
    agreement = make_agreement(start=start, end=end)
    report = agreements_sweep(now=_oslo(today.year, today.month, today.day, 6))
    assert report == {"utløpt": 0, "fornyet": 1}
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.end_date == new_end
    ending = {row for row in _scheduled(agreement) if row[0] == ENDING}
    assert ending == {(ENDING, new_end, new_end - relativedelta(days=60), new_end)}
    version = agreement.versions.first()
    assert version.summary == "Avtalen ble fornyet stilltiende"
    assert version.user is None
    assert {
        "field": "end_date",
        "label": "sluttdato",
        "old": end.strftime("%d.%m.%Y"),
        "new": new_end.strftime("%d.%m.%Y"),
    } in version.changes


# --- History --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_records_who_changed_which_field(agreement_world):
    users = agreement_world["users"]
    agreement = agreement_world["agreement"]
    first = agreement.versions.last()
    assert (first.summary, first.user, first.changes) == (
        "Avtalen ble registrert",
        users["nav_staff_x"],
        [],
    )

    agreement.title = "Matutdeling, veiledning og leksehjelp"
    agreement.end_date = date(2027, 12, 31)
    parties = list(agreement.parties.all())
    parties[1].contact_email = "leder@org-a.example"
    agreement_save(agreement=agreement, parties=parties, by=users["nav_leader_x"])

    latest = agreement.versions.first()
    assert latest.summary == "Avtalen ble endret"
    assert latest.user == users["nav_leader_x"]
    changed = {change["field"]: (change["old"], change["new"]) for change in latest.changes}
    assert changed["title"] == (
        "Matutdeling og veiledning",
        "Matutdeling, veiledning og leksehjelp",
    )
    assert changed["end_date"] == ("–", "31.12.2027")
    assert "post@org-a.example" in changed["parties"][0]
    assert "leder@org-a.example" in changed["parties"][1]
    assert set(changed) == {"title", "end_date", "parties"}
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 3


@pytest.mark.django_db
def test_organisations_and_outsiders_cannot_change_an_agreement(agreement_world):
    agreement = agreement_world["agreement"]
    for key in ("owner_a", "nav_staff_y", "municipality_staff", "administrator"):
        agreement.title = "Endret av feil person"
        with pytest.raises(PermissionDenied):
            agreement_save(
                agreement=agreement,
                parties=list(agreement.parties.all()),
                by=agreement_world["users"][key],
            )
    agreement.refresh_from_db()
    assert agreement.title == "Matutdeling og veiledning"


@pytest.mark.django_db
def test_editing_cannot_change_the_lifecycle(agreement_world):
    agreement = agreement_world["agreement"]
    agreement.status = Agreement.Status.DRAFT
    agreement.next_evaluation_due = date(2030, 1, 1)
    agreement_save(
        agreement=agreement,
        parties=list(agreement.parties.all()),
        by=agreement_world["users"]["nav_staff_x"],
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.next_evaluation_due == date(2027, 1, 15)


@pytest.mark.django_db
def test_adding_an_end_date_brings_the_review_before_the_end_forward(agreement_world):
    agreement = agreement_world["agreement"]
    assert agreement.next_evaluation_due == date(2027, 1, 15)
    agreement.end_date = date(2027, 3, 31)
    agreement_save(
        agreement=agreement,
        parties=list(agreement.parties.all()),
        by=agreement_world["users"]["nav_staff_x"],
    )
    agreement.refresh_from_db()
    # DOMAIN.md 4.5: agreements with an end date are reviewed three months before it.
    assert agreement.next_evaluation_due == date(2026, 12, 31)
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert evaluation.due_on == date(2026, 12, 31)
    assert {(topic, event) for topic, event, _send, _expires in _scheduled(agreement)} == {
        (BEFORE, date(2026, 12, 31)),
        (DUE, date(2026, 12, 31)),
        (OVERDUE, date(2026, 12, 31)),
        (ENDING, date(2027, 3, 31)),
    }


# --- Documents ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_pdf_is_stored(agreement_world, django_capture_on_commit_callbacks):
    agreement = agreement_world["agreement"]
    upload = SimpleUploadedFile("Signert avtale.pdf", PDF, content_type="application/pdf")
    document = agreement_document_add(
        agreement=agreement, by=agreement_world["users"]["editor_a"], title="", uploaded=upload
    )
    assert document.title == "Signert avtale.pdf"
    assert document.size == len(PDF)
    assert document.uploaded_by == agreement_world["users"]["editor_a"]
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    # The uploaded name never becomes a path.
    assert document.file.name.startswith("agreements/")
    assert "Signert" not in document.file.name
    assert agreement.versions.first().summary == "Dokument lagt til: Signert avtale.pdf"

    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        agreement_document_remove(document=document, by=agreement_world["users"]["nav_staff_x"])
    assert not AgreementDocument.objects.exists()
    assert not storage.exists(name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a\x01\x00\x01\x00 not a pdf at all",
        b"%PDF-1.4\n but cut off before the end",
        b"",
    ],
    ids=["image-named-pdf", "truncated-pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_is_refused_even_if_named_pdf(agreement_world, content):
    upload = SimpleUploadedFile("avtale.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        agreement_document_add(
            agreement=agreement_world["agreement"],
            by=agreement_world["users"]["nav_staff_x"],
            title="Avtale",
            uploaded=upload,
        )
    assert _messages(excinfo, "file") == [
        "Filen er ikke en PDF. Last opp den signerte avtalen som PDF."
    ]
    assert not AgreementDocument.objects.exists()


@pytest.mark.django_db
def test_an_oversized_pdf_is_refused(agreement_world):
    rules = AgreementSettings.load()
    rules.document_max_megabytes = 1
    rules.save()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    upload = SimpleUploadedFile("stor.pdf", big, content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        agreement_document_add(
            agreement=agreement_world["agreement"],
            by=agreement_world["users"]["nav_staff_x"],
            title="Stor",
            uploaded=upload,
        )
    assert _messages(excinfo, "file") == [
        "Filen er for stor (1,0 MB). Største tillatte størrelse er 1 MB."
    ]
    assert not AgreementDocument.objects.exists()


@pytest.mark.django_db
def test_only_parties_upload_documents(agreement_world):
    upload = SimpleUploadedFile("avtale.pdf", PDF, content_type="application/pdf")
    for key in ("rep_b", "municipality_staff", "portal_editor"):
        with pytest.raises(PermissionDenied):
            agreement_document_add(
                agreement=agreement_world["agreement"],
                by=agreement_world["users"][key],
                title="Avtale",
                uploaded=upload,
            )
    assert not AgreementDocument.objects.exists()
