"""Agreement reminders: before an evaluation is due, on the due date, when overdue (to the office's
leaders as well), and before the agreement ends. Planned as rows when the dates change and sent
by the dispatcher in directory.services.reminders, exactly once per reminder and recipient."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementParty, AgreementSettings
from directory.models import (
    MunicipalityMembership,
    NavOfficeMembership,
    OrganisationMembership,
    Reminder,
)
from directory.services.reminders import (
    Recipient,
    ReminderPlan,
    reminder_topic_register,
    reminders_plan,
)

BEFORE = "agreement.evaluation_before"
DUE = "agreement.evaluation_due"
OVERDUE = "agreement.evaluation_overdue"
ENDING = "agreement.ending"
TOPICS = (BEFORE, DUE, OVERDUE, ENDING)


def agreement_reminder_plans(
    agreement: Agreement, settings: AgreementSettings
) -> list[ReminderPlan]:
    """Each stage has a window, so a dispatcher that was away sends only what still makes
    sense: a «due in 30 days» message is never sent after the due date."""
    if agreement.status != Agreement.Status.ACTIVE:
        return []
    plans = []
    due = agreement.next_evaluation_due
    if due:
        overdue = due + timedelta(days=settings.overdue_after_days)
        plans += [
            ReminderPlan(BEFORE, due, due - timedelta(days=settings.reminder_before_days), due),
            ReminderPlan(DUE, due, due, overdue),
            ReminderPlan(OVERDUE, due, overdue, None),
        ]
    if agreement.end_date:
        end = agreement.end_date
        plans.append(
            ReminderPlan(ENDING, end, end - timedelta(days=settings.ending_before_days), end)
        )
    return plans


def agreement_reminders_plan(agreement: Agreement) -> int:
    return reminders_plan(
        obj=agreement,
        plans=agreement_reminder_plans(agreement, AgreementSettings.load()),
        replace=TOPICS,
    )


def _date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _texts(topic: str, agreement: Agreement, event: date) -> tuple[str, str, str]:
    context = {"title": agreement.title, "date": _date(event)}
    detail = reverse("agreement_detail", args=[agreement.pk])
    evaluation = reverse("evaluation_respond", args=[agreement.pk])
    if topic == BEFORE:
        return (
            _("Evaluering av «%(title)s» innen %(date)s") % context,
            _(
                "Samarbeidsavtalen «%(title)s» skal evalueres innen %(date)s. Hver part svarer "
                "på det samme korte skjemaet, og Nav-kontoret tar beslutningen. Svar her:"
            )
            % context,
            evaluation,
        )
    if topic == DUE:
        return (
            _("Evalueringen av «%(title)s» skal gjøres i dag") % context,
            _(
                "Fristen for å evaluere samarbeidsavtalen «%(title)s» er i dag, %(date)s. Har "
                "dere ikke svart ennå, gjør det her:"
            )
            % context,
            evaluation,
        )
    if topic == OVERDUE:
        return (
            _("Evalueringen av «%(title)s» er forfalt") % context,
            _(
                "Samarbeidsavtalen «%(title)s» skulle vært evaluert innen %(date)s. Denne "
                "påminnelsen går også til lederne ved Nav-kontoret. Fullfør evalueringen her:"
            )
            % context,
            evaluation,
        )
    return (
        _("«%(title)s» utløper %(date)s: forny eller avslutt") % context,
        _(
            "Samarbeidsavtalen «%(title)s» utløper %(date)s. Bli enige om dere skal fornye "
            "den eller avslutte den, og registrer det i portalen:"
        )
        % context,
        detail,
    )


def _recipients_by_agreement(agreement_ids: list[int], leaders: bool) -> dict[int, list]:
    """(user id or None, email) per agreement: each party's portal contact (or, for an
    organisation, its representatives) and its contact address; with `leaders`, also the
    leaders of the party Nav offices. Only people who are members of a party count: someone
    who has left the office or organisation hears nothing more."""
    parties = list(
        AgreementParty.objects.filter(agreement_id__in=agreement_ids).values(
            "agreement_id",
            "kind",
            "nav_office_id",
            "organisation_id",
            "municipality_id",
            "contact_user_id",
            "contact_email",
            "agreement__created_by_id",
        )
    )
    offices = {row["nav_office_id"] for row in parties if row["nav_office_id"]}
    organisations = {row["organisation_id"] for row in parties if row["organisation_id"]}
    municipalities = {row["municipality_id"] for row in parties if row["municipality_id"]}
    office_members: dict[int, dict[int, tuple[str, str]]] = {}
    for office_id, user_id, email, role in NavOfficeMembership.objects.filter(
        office_id__in=offices, user__is_active=True
    ).values_list("office_id", "user_id", "user__email", "role"):
        office_members.setdefault(office_id, {})[user_id] = (email, role)
    organisation_members: dict[int, dict[int, str]] = {}
    for organisation_id, user_id, email in OrganisationMembership.objects.filter(
        organisation_id__in=organisations, user__is_active=True
    ).values_list("organisation_id", "user_id", "user__email"):
        organisation_members.setdefault(organisation_id, {})[user_id] = email
    municipality_members: dict[int, dict[int, str]] = {}
    for municipality_id, user_id, email in MunicipalityMembership.objects.filter(
        municipality_id__in=municipalities, user__is_active=True
    ).values_list("municipality_id", "user_id", "user__email"):
        municipality_members.setdefault(municipality_id, {})[user_id] = email

    result: dict[int, list] = {}
    for row in parties:
        people: list[tuple[int | None, str]] = []
        contact = row["contact_user_id"]
        if row["kind"] == AgreementParty.Kind.NAV_OFFICE:
            members = office_members.get(row["nav_office_id"], {})
            chosen = contact if contact in members else row["agreement__created_by_id"]
            if chosen in members:
                people.append((chosen, members[chosen][0]))
            elif not leaders:
                # No contact in the portal: the office's leaders take the reminder.
                people += [(uid, e) for uid, (e, role) in members.items() if role == "leader"]
            if leaders:
                people += [(uid, e) for uid, (e, role) in members.items() if role == "leader"]
        elif row["kind"] == AgreementParty.Kind.ORGANISATION:
            people += list(organisation_members.get(row["organisation_id"], {}).items())
        elif row["kind"] == AgreementParty.Kind.MUNICIPALITY:
            members = municipality_members.get(row["municipality_id"], {})
            if contact in members:
                people.append((contact, members[contact]))
            else:
                people += list(members.items())
        if row["contact_email"]:
            people.append((None, row["contact_email"]))
        result.setdefault(row["agreement_id"], []).extend(people)
    return result


def _handle(reminders: list[Reminder], today: date) -> dict[int, list[Recipient] | None]:
    agreements = Agreement.objects.in_bulk([r.object_id for r in reminders])
    answers: dict[int, list[Recipient] | None] = {}
    wanted: dict[bool, list[int]] = {True: [], False: []}
    for reminder in reminders:
        agreement = agreements.get(reminder.object_id)
        still_true = agreement is not None and agreement.status == Agreement.Status.ACTIVE
        if still_true and reminder.topic == ENDING:
            still_true = agreement.end_date == reminder.event_date
        elif still_true:
            still_true = agreement.next_evaluation_due == reminder.event_date
        if not still_true:
            answers[reminder.pk] = None  # the agreement moved on: cancel
            continue
        wanted[reminder.topic == OVERDUE].append(agreement.pk)
    people = {
        **_recipients_by_agreement(wanted[False], leaders=False),
    }
    people_with_leaders = _recipients_by_agreement(wanted[True], leaders=True)
    for reminder in reminders:
        if reminder.pk in answers:
            continue
        agreement = agreements[reminder.object_id]
        title, body, link = _texts(reminder.topic, agreement, reminder.event_date)
        source = people_with_leaders if reminder.topic == OVERDUE else people
        answers[reminder.pk] = [
            Recipient(email=email, title=title, body=body, link=link, user_id=user_id)
            for user_id, email in source.get(agreement.pk, [])
        ]
    return answers


def register() -> None:
    for topic in TOPICS:
        reminder_topic_register(topic, _handle)
