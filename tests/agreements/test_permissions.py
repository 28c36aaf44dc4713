"""Who sees and does what with the office_x–org_a agreement: every world user × every action."""

from datetime import date, datetime

import pytest
from icalendar import Calendar

from agreements import permissions as p
from agreements.models import Agreement, AgreementDocument, AgreementParty, Evaluation
from agreements.selectors import AgreementFilters, agreements_for_user
from agreements.services.calendar import calendar_feed_for, calendar_feed_ics
from directory.models import Notification
from directory.services.reminders import reminders_dispatch
from tests.agreements.conftest import (
    OSLO,
    municipality_party,
    office_party,
    organisation_party,
)

USERS = [
    "anonymous",
    "plain_user",
    "owner_a",
    "editor_a",
    "rep_b",
    "nav_staff_x",
    "nav_leader_x",
    "nav_staff_y",
    "municipality_staff",
    "portal_editor",
    "administrator",
]
OFFICE_X = {"nav_staff_x", "nav_leader_x"}
ORG_A = {"owner_a", "editor_a"}
SEES = OFFICE_X | ORG_A | {"municipality_staff"}

EXPECTED = {
    "view": SEES,
    "view_history": SEES,
    "edit": OFFICE_X,
    "add_document": OFFICE_X | ORG_A,
    "view_document": SEES,
    "respond_for_office": OFFICE_X,
    "respond_for_organisation": ORG_A,
    "decide": OFFICE_X,
    "listed": SEES,
    "in_calendar": SEES,
}


def _titles_in_feed(user, now):
    if not user.is_authenticated:
        return set()  # no feed without an account
    calendar = Calendar.from_ical(calendar_feed_ics(calendar_feed_for(user), now=now))
    return {str(event["SUMMARY"]).split(": ", 1)[1] for event in calendar.walk("VEVENT")}


ACTIONS = {
    "view": lambda user, w: p.can_view_agreement(user, w["agreement"]),
    "view_history": lambda user, w: p.can_view_agreement_history(user, w["agreement"]),
    "edit": lambda user, w: p.can_edit_agreement(user, w["agreement"]),
    "add_document": lambda user, w: p.can_add_agreement_document(user, w["agreement"]),
    "view_document": lambda user, w: p.can_view_agreement_document(user, w["document"]),
    "respond_for_office": lambda user, w: p.can_respond_to_evaluation(
        user, w["evaluation"], w["office_party"]
    ),
    "respond_for_organisation": lambda user, w: p.can_respond_to_evaluation(
        user, w["evaluation"], w["org_party"]
    ),
    "decide": lambda user, w: p.can_decide_evaluation(user, w["evaluation"]),
    "listed": lambda user, w: (
        w["agreement"]
        in agreements_for_user(user, filters=AgreementFilters(), today=date(2026, 11, 1))
    ),
    "in_calendar": lambda user, w: w["agreement"].title in _titles_in_feed(user, w["now"]),
}


@pytest.fixture
def matrix_world(agreement_world):
    """The agreement, a document on it, and another agreement (office_y–org_b) that the
    office_x side must never see."""
    users = agreement_world["users"]
    document = AgreementDocument.objects.create(
        agreement=agreement_world["agreement"],
        title="Signert avtale",
        file="agreements/2026/avtale.pdf",
        size=1024,
        uploaded_by=users["nav_staff_x"],
    )
    hidden = agreement_world["make_agreement"](
        title="Leksehjelp i Testby",
        by=users["nav_staff_y"],
        parties=[
            office_party(agreement_world["office_y"], contact_user=users["nav_staff_y"]),
            organisation_party(agreement_world["org_b"], contact_email="post@org-b.example"),
        ],
    )
    return {
        **agreement_world,
        "document": document,
        "hidden": hidden,
        "now": datetime(2026, 11, 1, 12, tzinfo=OSLO),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("user_key", USERS)
def test_permission_matrix(matrix_world, user_key, action):
    user = matrix_world["users"][user_key]
    assert ACTIONS[action](user, matrix_world) is (user_key in EXPECTED[action])


@pytest.mark.django_db
@pytest.mark.parametrize("user_key", USERS)
def test_visible_counts_and_lists_never_include_what_a_user_may_not_see(matrix_world, user_key):
    user = matrix_world["users"][user_key]
    expected = set()
    if user_key in SEES:
        expected.add("Matutdeling og veiledning")
    if user_key in {"rep_b", "nav_staff_y", "portal_editor", "administrator"}:
        expected.add("Leksehjelp i Testby")  # their own office's or organisation's agreement
    assert Agreement.objects.visible_to(user).count() == len(expected)
    assert set(Agreement.objects.visible_to(user).values_list("title", flat=True)) == expected
    listed = agreements_for_user(user, filters=AgreementFilters(), today=date(2026, 11, 1))
    assert sorted(a.title for a in listed) == sorted(expected)
    assert _titles_in_feed(user, matrix_world["now"]) == expected


@pytest.mark.django_db
def test_reminders_reach_only_people_who_may_see_the_agreement(matrix_world):
    reminders_dispatch(now=datetime(2027, 1, 29, 9, tzinfo=OSLO))
    users = matrix_world["users"]
    notified = {
        key
        for key, user in users.items()
        if user.pk and Notification.objects.filter(user=user).exists()
    }
    # The overdue reminder of both agreements has gone out by 29 January 2027.
    assert notified == OFFICE_X | ORG_A | {"nav_staff_y", "rep_b"}
    for notification in Notification.objects.select_related("user"):
        agreement_id = int(notification.key.split(":")[1])
        assert p.can_view_agreement(notification.user, Agreement.objects.get(pk=agreement_id))


# --- Municipalities -------------------------------------------------------------------------


@pytest.mark.django_db
def test_municipality_staff_act_only_when_their_municipality_is_a_party(world, make_agreement):
    users = world["users"]
    staff = users["municipality_staff"]
    agreement = make_agreement(
        parties=[
            office_party(world["office_x"], contact_user=users["nav_staff_x"]),
            municipality_party(world["municipality"], contact_user=staff),
            organisation_party(world["org_a"]),
        ]
    )
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    parties = {party.kind: party for party in agreement.parties.all()}
    assert p.can_view_agreement(staff, agreement)
    assert p.can_edit_agreement(staff, agreement)
    assert p.can_add_agreement_document(staff, agreement)
    assert p.can_respond_to_evaluation(staff, evaluation, parties[AgreementParty.Kind.MUNICIPALITY])
    assert not p.can_respond_to_evaluation(
        staff, evaluation, parties[AgreementParty.Kind.NAV_OFFICE]
    )
    assert not p.can_respond_to_evaluation(
        staff, evaluation, parties[AgreementParty.Kind.ORGANISATION]
    )
    # The Nav office that is party records the decision.
    assert not p.can_decide_evaluation(staff, evaluation)
    assert p.can_decide_evaluation(users["nav_staff_x"], evaluation)


@pytest.mark.django_db
def test_without_a_nav_office_the_party_municipality_decides(world, make_agreement):
    staff = world["users"]["municipality_staff"]
    agreement = make_agreement(
        by=staff,
        parties=[
            municipality_party(world["municipality"], contact_user=staff),
            organisation_party(world["org_a"]),
        ],
    )
    evaluation = agreement.evaluations.get(status=Evaluation.Status.OPEN)
    assert p.can_decide_evaluation(staff, evaluation)
    assert not p.can_decide_evaluation(world["users"]["owner_a"], evaluation)
    # office_x serves the municipality, but is no party here.
    assert not p.can_view_agreement(world["users"]["nav_staff_x"], agreement)


@pytest.mark.django_db
def test_an_ended_agreement_is_a_record(agreement_world):
    from agreements.services.agreements import agreement_end

    users = agreement_world["users"]
    agreement = agreement_end(agreement=agreement_world["agreement"], by=users["nav_staff_x"])
    assert p.can_view_agreement(users["owner_a"], agreement)
    assert not p.can_edit_agreement(users["nav_staff_x"], agreement)
    evaluation = agreement.evaluations.first()
    assert evaluation.status == Evaluation.Status.CANCELLED
    assert not p.can_decide_evaluation(users["nav_staff_x"], evaluation)
    assert not p.can_respond_to_evaluation(
        users["owner_a"], evaluation, agreement_world["org_party"]
    )


@pytest.mark.django_db
def test_a_deactivated_account_sees_nothing(agreement_world):
    user = agreement_world["users"]["nav_staff_x"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not p.can_view_agreement(user, agreement_world["agreement"])
    assert not p.can_edit_agreement(user, agreement_world["agreement"])
    assert not Agreement.objects.visible_to(user).exists()
