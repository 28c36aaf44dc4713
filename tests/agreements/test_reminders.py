"""Agreement reminders: the right people on the right (Oslo) day, each exactly once, whatever
happens to the dispatcher, the mail server or the broker."""

import os
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from agreements.models import Agreement, Evaluation
from agreements.services.evaluations import evaluation_decide
from agreements.services.reminders import BEFORE, DUE, ENDING, OVERDUE
from directory.models import Delivery, Notification, OrganisationMembership, Reminder
from directory.services.deliveries import deliveries_dispatch, message_id
from directory.services.reminders import reminders_dispatch
from directory.tasks import reminders_dispatch_task
from portal.celery import app
from tests.agreements.conftest import (
    OFFICE_CONTACT_EMAIL,
    ORG_CONTACT_EMAIL,
    OSLO,
    office_party,
    organisation_party,
)

PARTY_USERS = {"nav_staff_x", "owner_a", "editor_a"}
CONTACT_EMAILS = {OFFICE_CONTACT_EMAIL, ORG_CONTACT_EMAIL}


def _oslo(y, m, d, hour=12, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=OSLO)


def _utc(text):
    return datetime.fromisoformat(text)


def _dispatch(now):
    report = reminders_dispatch(now=now)
    deliveries_dispatch()
    return report


def _reminder(agreement, topic):
    return Reminder.objects.for_object(agreement).get(
        topic=topic,
        event_date=agreement.end_date if topic == ENDING else agreement.next_evaluation_due,
    )


def _sent(world, reminder):
    """(users notified, addresses emailed, emails in the outbox) for one reminder."""
    names = {user.pk: key for key, user in world["users"].items() if user.pk}
    notified = Counter(
        names[uid]
        for uid in Notification.objects.filter(key__startswith=f"{reminder.key}:").values_list(
            "user_id", flat=True
        )
    )
    queued = Counter(
        Delivery.objects.filter(key__startswith=f"{reminder.key}:").values_list(
            "recipient", flat=True
        )
    )
    return notified, queued


def _emails(world, keys):
    return {world["users"][key].email for key in keys}


# --- Stages on their days -------------------------------------------------------------------


@pytest.mark.django_db
def test_each_stage_goes_out_on_its_day_to_both_parties_once(world, make_agreement):
    """Due 15 January 2027 (before is 16 December, overdue 29 January); ends 31 December 2027
    (the ending reminder 1 November)."""
    agreement = make_agreement(start=date(2026, 1, 15), end=date(2027, 12, 31))
    assert agreement.next_evaluation_due == date(2027, 1, 15)
    everyone = _emails(world, PARTY_USERS) | CONTACT_EMAILS
    stages = [
        # (day, topic, users notified, subject)
        (date(2026, 12, 16), BEFORE, PARTY_USERS, "innen 15.01.2027"),
        (date(2027, 1, 15), DUE, PARTY_USERS, "skal gjøres i dag"),
        (date(2027, 1, 29), OVERDUE, PARTY_USERS | {"nav_leader_x"}, "er forfalt"),
        (date(2027, 11, 1), ENDING, PARTY_USERS, "utløper 31.12.2027"),
    ]
    for day, topic, users, subject in stages:
        # The day before: nothing new.
        mail.outbox.clear()
        report = _dispatch(_oslo(*(day - timedelta(days=1)).timetuple()[:3]))
        assert report["sendt"] == 0, (topic, report)
        assert mail.outbox == []

        report = _dispatch(_oslo(day.year, day.month, day.day, 7))
        assert report["sendt"] == 1, (topic, report)
        reminder = _reminder(agreement, topic)
        assert reminder.status == Reminder.Status.SENT
        notified, queued = _sent(world, reminder)
        addresses = _emails(world, users) | CONTACT_EMAILS
        # One notification per user and one delivery per address.
        assert notified == Counter(users), topic
        assert queued == Counter(addresses), topic
        assert reminder.recipients_count == len(users) + len(CONTACT_EMAILS)
        assert Counter(m.to[0] for m in mail.outbox) == Counter(addresses), topic
        assert all(subject in m.subject and agreement.title in m.subject for m in mail.outbox)
        assert addresses >= everyone  # both parties hear of every stage

        # Running again the same day sends nothing new.
        before = (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox))
        assert reminders_dispatch(now=_oslo(day.year, day.month, day.day, 18))["sendt"] == 0
        assert deliveries_dispatch() == 0
        assert before == (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox))


@pytest.mark.django_db
def test_the_email_links_to_the_evaluation_form(agreement_world):
    agreement = agreement_world["agreement"]
    _dispatch(_oslo(2027, 1, 15))
    evaluation_url = f"http://testserver/intern/avtaler/{agreement.pk}/evaluering/"
    assert mail.outbox
    assert all(m.body.endswith(evaluation_url) for m in mail.outbox)
    notification = Notification.objects.filter(user=agreement_world["users"]["owner_a"]).get()
    assert notification.link == f"/intern/avtaler/{agreement.pk}/evaluering/"
    assert notification.read_at is None


@pytest.mark.django_db
def test_an_address_shared_by_a_user_and_a_party_gets_one_email(world, make_agreement):
    owner = world["users"]["owner_a"]
    agreement = make_agreement(
        parties=[
            office_party(world["office_x"], contact_user=world["users"]["nav_staff_x"]),
            organisation_party(world["org_a"], contact_email=owner.email.upper()),
        ]
    )
    _dispatch(_oslo(2027, 1, 15))
    notified, queued = _sent(world, _reminder(agreement, DUE))
    assert notified == Counter(PARTY_USERS)
    assert queued == Counter(_emails(world, PARTY_USERS) | {OFFICE_CONTACT_EMAIL})
    assert Counter(m.to[0] for m in mail.outbox)[owner.email] == 1


@pytest.mark.django_db
def test_someone_who_left_the_organisation_hears_nothing_more(agreement_world):
    OrganisationMembership.objects.filter(user=agreement_world["users"]["editor_a"]).delete()
    _dispatch(_oslo(2027, 1, 15))
    notified, queued = _sent(agreement_world, _reminder(agreement_world["agreement"], DUE))
    assert set(notified) == {"nav_staff_x", "owner_a"}
    assert agreement_world["users"]["editor_a"].email not in queued


# --- A dispatcher that was away -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_run", "skipped", "sent"),
    [
        (date(2027, 1, 20), {BEFORE}, DUE),  # «due in 30 days» is never sent after the due date
        (date(2027, 2, 5), {BEFORE, DUE}, OVERDUE),
    ],
)
def test_a_dispatcher_back_after_days_sends_only_the_current_stage(
    agreement_world, first_run, skipped, sent
):
    agreement = agreement_world["agreement"]
    report = _dispatch(_oslo(first_run.year, first_run.month, first_run.day))
    assert (report["sendt"], report["utgått"]) == (1, len(skipped))
    statuses = dict(
        Reminder.objects.for_object(agreement)
        .exclude(status=Reminder.Status.SCHEDULED)
        .values_list("topic", "status")
    )
    assert statuses == {
        **dict.fromkeys(skipped, Reminder.Status.SKIPPED),
        sent: Reminder.Status.SENT,
    }
    subjects = {m.subject for m in mail.outbox}
    assert len(subjects) == 1
    assert (
        Notification.objects.filter(key__contains=f":{sent}:").count()
        == Notification.objects.count()
    )


@pytest.mark.django_db
def test_a_decision_before_the_due_date_cancels_the_pending_reminders(world, make_agreement):
    agreement = make_agreement(start=date(2025, 12, 1))  # due 1 December 2026
    _dispatch(_oslo(2026, 11, 5))
    assert _reminder(agreement, BEFORE).status == Reminder.Status.SENT
    sent_before = len(mail.outbox)

    evaluation_decide(
        evaluation=agreement.evaluations.get(status=Evaluation.Status.OPEN),
        by=world["users"]["nav_staff_x"],
        decision="fornye",
        decided_on=date(2026, 11, 20),
        without_all_answers=True,
    )
    old = Reminder.objects.for_object(agreement).filter(event_date=date(2026, 12, 1))
    assert dict(old.values_list("topic", "status")) == {
        BEFORE: Reminder.Status.SENT,
        DUE: Reminder.Status.CANCELLED,
        OVERDUE: Reminder.Status.CANCELLED,
    }
    for day in (date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31)):
        assert _dispatch(_oslo(day.year, day.month, day.day))["sendt"] == 0
    assert len(mail.outbox) == sent_before
    # The next cycle is planned from the decision date.
    assert (
        Reminder.objects.for_object(agreement)
        .scheduled()
        .filter(event_date=date(2027, 11, 20))
        .count()
        == 3
    )


@pytest.mark.django_db
def test_an_ended_agreement_gets_no_more_reminders(agreement_world):
    from agreements.services.agreements import agreement_end

    agreement_end(
        agreement=agreement_world["agreement"], by=agreement_world["users"]["nav_staff_x"]
    )
    for day in (date(2026, 12, 16), date(2027, 1, 15), date(2027, 1, 29)):
        assert _dispatch(_oslo(day.year, day.month, day.day))["sendt"] == 0
    assert mail.outbox == []
    assert not Notification.objects.exists()


# --- Daylight saving time -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "late_evening", "just_after_midnight"),
    [
        # Summer time ends in the night to Sunday 25 October 2026 (03:00 CEST -> 02:00 CET).
        (date(2025, 10, 25), "2026-10-24T21:30:00+00:00", "2026-10-24T23:30:00+00:00"),
        # Summer time starts in the night to Sunday 28 March 2027 (02:00 CET -> 03:00 CEST).
        (date(2026, 3, 28), "2027-03-27T22:30:00+00:00", "2027-03-27T23:30:00+00:00"),
    ],
    ids=["autumn", "spring"],
)
def test_the_due_reminder_follows_the_oslo_date_across_dst(
    world, make_agreement, start, late_evening, just_after_midnight
):
    agreement = make_agreement(start=start)
    due = agreement.next_evaluation_due
    assert due == start + relativedelta(years=1)
    # 23:30 in Oslo on the day before: still the day before.
    assert timezone.localdate(_utc(late_evening)) == due - timedelta(days=1)
    reminders_dispatch(now=_utc(late_evening))
    assert _reminder(agreement, DUE).status == Reminder.Status.SCHEDULED
    assert not Notification.objects.filter(key__contains=f":{DUE}:").exists()

    # Just after midnight in Oslo, though still the day before in UTC: the due date.
    assert _utc(just_after_midnight).date() == due - timedelta(days=1)
    report = reminders_dispatch(now=_utc(just_after_midnight))
    assert report["sendt"] == 1
    assert _reminder(agreement, DUE).status == Reminder.Status.SENT
    assert Notification.objects.filter(key__contains=f":{DUE}:").count() == len(PARTY_USERS)


# --- Concurrency ----------------------------------------------------------------------------


def _in_threads(target, count=2):
    errors, results = [], []
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced in the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_reminder_to_each_recipient_once(world, make_agreement):
    agreements = [make_agreement(title=f"Avtale {n}") for n in range(4)]
    moment = _oslo(2027, 1, 15, 6)

    def both():
        report = reminders_dispatch(now=moment, batch_size=1)
        report["e-post"] = deliveries_dispatch(batch_size=1)
        return report

    reports = _in_threads(both)
    # Together the two did each reminder once (each «before» expired, each «due» sent).
    assert sum(r["sendt"] for r in reports) == len(agreements)
    assert sum(r["utgått"] for r in reports) == len(agreements)
    recipients_each = len(PARTY_USERS) + len(CONTACT_EMAILS)
    assert sum(r["e-post"] for r in reports) == len(agreements) * recipients_each
    assert Notification.objects.count() == len(agreements) * len(PARTY_USERS)
    assert Delivery.objects.count() == len(agreements) * recipients_each
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    sent = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == len(agreements) * recipients_each
    assert set(sent.values()) == {1}

    # And again, both at once: nothing new.
    reports = _in_threads(both)
    assert sum(r["sendt"] for r in reports) == 0
    assert sum(r["e-post"] for r in reports) == 0
    assert len(mail.outbox) == len(agreements) * recipients_each


# --- A worker that dies while sending -------------------------------------------------------


class FlakyEmailBackend(EmailBackend):
    """The mail server takes the first message, then the connection drops before the worker
    hears back: as if the worker died mid-send. Records every Message-ID it was handed."""

    handed: list[tuple[str, str]] = []
    fail_next = True

    def send_messages(self, messages):
        for message in messages:
            FlakyEmailBackend.handed.append((message.to[0], message.message()["Message-ID"]))
        if FlakyEmailBackend.fail_next:
            FlakyEmailBackend.fail_next = False
            raise ConnectionResetError("Forbindelsen til e-postserveren ble brutt")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    FlakyEmailBackend.handed = []
    FlakyEmailBackend.fail_next = True
    settings.EMAIL_BACKEND = f"{__name__}.FlakyEmailBackend"
    return FlakyEmailBackend


@pytest.mark.django_db
def test_a_send_that_died_is_retried_once_with_the_same_message_id(agreement_world, flaky_mail):
    reminders_dispatch(now=_oslo(2027, 1, 15))
    total = Delivery.objects.count()
    assert total == len(PARTY_USERS) + len(CONTACT_EMAILS)

    assert deliveries_dispatch() == total - 1
    (failed,) = Delivery.objects.pending()
    assert failed.attempts == 1
    assert "brutt" in failed.last_error
    first_recipient, first_id = flaky_mail.handed[0]
    assert failed.recipient == first_recipient
    assert first_id == message_id(failed.key)

    assert deliveries_dispatch() == 1
    assert deliveries_dispatch() == 0
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.SENT, 2)
    # Every address got its email once, each under the Message-ID fixed by its key; the
    # retry carried the same Message-ID as the attempt that died.
    assert Counter(m.to[0] for m in mail.outbox) == Counter(
        Delivery.objects.values_list("recipient", flat=True)
    )
    keys = dict(Delivery.objects.values_list("recipient", "key"))
    for message in mail.outbox:
        assert message.message()["Message-ID"] == message_id(keys[message.to[0]])
    retried = [m for m in mail.outbox if m.to[0] == first_recipient]
    assert retried[0].message()["Message-ID"] == first_id
    assert len({mid for _to, mid in flaky_mail.handed}) == total


def test_message_ids_are_stable_and_distinct(settings):
    assert message_id("a:1:x") == message_id("a:1:x")
    assert message_id("a:1:x") != message_id("a:1:y")
    assert message_id("a:1:x").startswith("<")
    assert message_id("a:1:x").endswith(f"@{settings.MESSAGE_ID_DOMAIN}>")


# --- The broker -----------------------------------------------------------------------------


def _drop_broker_connections():
    """Celery remembers its broker connection pool; forget it so the next call connects to the
    broker the settings name now. (kombu keeps one pool per URL, so nothing is closed here.)"""
    app._pool = None
    app.amqp._producer_pool = None


def _due_today(make_agreement):
    """An agreement whose evaluation is due today, in real time: tasks take no `now`."""
    start = timezone.localdate() - relativedelta(years=1)
    agreement = make_agreement(start=start)
    # At month ends a year back and forth may land a day early; still inside the due window.
    assert timezone.localdate() - timedelta(days=1) <= agreement.next_evaluation_due
    assert agreement.next_evaluation_due <= timezone.localdate()
    return agreement


@pytest.fixture
def broker_down(settings):
    # Read before the settings change: app.conf falls back to the Django settings, so reading
    # it after would "restore" the dead broker.
    original = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_TASK_PUBLISH_RETRY = False
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    settings.CELERY_BROKER_CONNECTION_RETRY = False
    settings.CELERY_BROKER_CONNECTION_MAX_RETRIES = 0
    # Another test may have set the URL on the app itself, which then shadows the settings.
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    _drop_broker_connections()

    def back():
        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.broker_url = original
        _drop_broker_connections()

    yield back
    app.conf.broker_url = original
    _drop_broker_connections()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_nothing_is_lost_and_nothing_sent_twice(
    world, make_agreement, broker_down
):
    # Saving still works: reminders are rows written with the agreement, not queued messages.
    agreement = _due_today(make_agreement)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ACTIVE
    assert Reminder.objects.for_object(agreement).scheduled().count() == 3

    started = time.monotonic()
    with pytest.raises(OperationalError):
        reminders_dispatch_task.delay()
    assert time.monotonic() - started < 10
    assert _reminder(agreement, DUE).status == Reminder.Status.SCHEDULED
    assert not Delivery.objects.exists()
    assert mail.outbox == []

    broker_down()
    reminders_dispatch_task.delay()
    reminders_dispatch_task.delay()
    assert _reminder(agreement, DUE).status == Reminder.Status.SENT
    addresses = _emails(world, PARTY_USERS) | CONTACT_EMAILS
    assert Counter(m.to[0] for m in mail.outbox) == Counter(addresses)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_due_reminder_once_through_redis(world, make_agreement, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CELERY_WORKER_HIJACK_ROOT_LOGGER = False
    _drop_broker_connections()
    agreement = _due_today(make_agreement)
    finished = []

    def on_postrun(sender=None, **kwargs):
        connection.close()  # the worker thread's own connection
        if sender is not None and sender.name == reminders_dispatch_task.name:
            finished.append(kwargs.get("state"))

    def wait_for(count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(finished) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(finished) >= count, "the worker did not run the task in time"

    task_postrun.connect(on_postrun, weak=False)
    try:
        app.control.purge()  # leftovers from an earlier, interrupted run
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            reminders_dispatch_task.delay()
            wait_for(1)
            reminders_dispatch_task.delay()
            wait_for(2)
    finally:
        task_postrun.disconnect(on_postrun)
        _drop_broker_connections()

    assert finished == ["SUCCESS", "SUCCESS"]
    assert _reminder(agreement, DUE).status == Reminder.Status.SENT
    addresses = _emails(world, PARTY_USERS) | CONTACT_EMAILS
    assert Counter(m.to[0] for m in mail.outbox) == Counter(addresses)
    assert Notification.objects.count() == len(PARTY_USERS)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
