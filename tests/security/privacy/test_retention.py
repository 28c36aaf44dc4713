"""The retention job deletes accounts that never confirmed their email and personal data the
portal no longer needs, on the periods administrators set, and does nothing the second time."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from directory.factories import OrganisationFactory
from directory.models import Delivery, Organisation, OrganisationClaim, OrganisationMembership
from portal.factories import UserFactory
from portal.models import PrivacySettings, SecurityEvent, User
from portal.retention import REMOVED_RECIPIENT, retention_sweep
from portal.security_audit import security_event_record
from portal.tasks import retention_sweep_task

pytestmark = pytest.mark.django_db


def _signed_up(email, *, joined, verified=False, **fields):
    """An account as allauth's sign-up leaves it: an address row, verified or not."""
    user = UserFactory(email=email, verified_email=False, **fields)
    User.objects.filter(pk=user.pk).update(date_joined=joined)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_unverified_accounts_go_after_the_configured_days_and_nothing_else(db):
    now = timezone.now()
    old = now - timedelta(days=31)
    stale = _signed_up("glemt@example.org", joined=old)
    recent = _signed_up("ny@example.org", joined=now - timedelta(days=29))
    verified = _signed_up("bekreftet@example.org", joined=old, verified=True)
    made_by_admin = UserFactory(email="laget-av-admin@example.org", verified_email=False)
    User.objects.filter(pk=made_by_admin.pk).update(date_joined=old)
    with_role = _signed_up("rolle@example.org", joined=old, portal_role="editor")
    member = _signed_up("medlem@example.org", joined=old)
    OrganisationMembership.objects.create(user=member, organisation=OrganisationFactory())

    result = retention_sweep(now=now)

    assert result.accounts_deleted == 1
    remaining = set(User.objects.values_list("email", flat=True))
    assert stale.email not in remaining
    assert {recent.email, verified.email, made_by_admin.email, with_role.email, member.email} <= (
        remaining
    )
    assert not EmailAddress.objects.filter(email=stale.email).exists()
    [deleted] = SecurityEvent.objects.filter(event=SecurityEvent.Event.ACCOUNT_DELETED)
    assert deleted.target_id == str(stale.pk) and stale.email not in deleted.target_label

    # Idempotent: a second run (or a second worker) finds nothing more.
    again = retention_sweep(now=now)
    assert again.accounts_deleted == 0
    assert SecurityEvent.objects.filter(event=SecurityEvent.Event.ACCOUNT_DELETED).count() == 1

    # The period is the administrators' setting: shortened, the 29-day-old account goes too.
    rules = PrivacySettings.load()
    rules.unverified_account_days = 7
    rules.save()
    assert retention_sweep(now=now).accounts_deleted == 1
    assert not User.objects.filter(email=recent.email).exists()


def test_stale_personal_data_is_cleared_after_its_period(db):
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    rejected = OrganisationFactory(
        status=Organisation.Status.REJECTED, email="leder@lag.example.org", phone="12345678"
    )
    recently_rejected = OrganisationFactory(
        status=Organisation.Status.REJECTED, email="ny@lag.example.org", phone="87654321"
    )
    approved = OrganisationFactory(
        status=Organisation.Status.APPROVED, email="post@lag.example.org", phone="11223344"
    )
    Organisation.objects.filter(pk__in=[rejected.pk, approved.pk]).update(updated_at=long_ago)

    asker = UserFactory()
    decided = OrganisationClaim.objects.create(
        user=asker,
        organisation=approved,
        message="Jeg er Ola Nordmann, kasserer.",
        status=OrganisationClaim.Status.REJECTED,
        decided_at=long_ago,
        decision_reason="Ola er ikke med i styret.",
    )
    pending = OrganisationClaim.objects.create(
        user=UserFactory(), organisation=approved, message="Venter fortsatt."
    )
    old_mail = Delivery.objects.create(
        key="test:old",
        recipient="ola@example.org",
        subject="Emne",
        body="Hei Ola",
        status=Delivery.Status.SENT,
        sent_at=long_ago,
    )
    new_mail = Delivery.objects.create(
        key="test:new",
        recipient="kari@example.org",
        subject="Emne",
        body="Hei Kari",
        status=Delivery.Status.SENT,
        sent_at=now - timedelta(days=1),
    )
    old_event = security_event_record(
        event=SecurityEvent.Event.LOGIN, actor=asker, occurred_at=now - timedelta(days=100)
    )
    SecurityEvent.objects.filter(pk=old_event.pk).update(ip="198.51.100.7")
    ancient = security_event_record(
        event=SecurityEvent.Event.LOGIN, actor=asker, occurred_at=now - timedelta(days=800)
    )
    fresh = security_event_record(event=SecurityEvent.Event.LOGIN, actor=asker, occurred_at=now)
    SecurityEvent.objects.filter(pk=fresh.pk).update(ip="198.51.100.8")

    result = retention_sweep(now=now)

    assert (
        result.organisation_contacts_cleared,
        result.claim_messages_cleared,
        result.deliveries_cleared,
        result.audit_ips_cleared,
        result.audit_events_deleted,
    ) == (1, 1, 1, 1, 1)
    rejected.refresh_from_db()
    assert (rejected.email, rejected.phone) == ("", "")
    assert Organisation.objects.get(pk=recently_rejected.pk).email == "ny@lag.example.org"
    assert Organisation.objects.get(pk=approved.pk).phone == "11223344"
    decided.refresh_from_db()
    assert (decided.message, decided.decision_reason) == ("", "")
    assert OrganisationClaim.objects.get(pk=pending.pk).message == "Venter fortsatt."
    old_mail.refresh_from_db()
    # The row and its key stay, so the email can never be sent again; the person is gone.
    assert (old_mail.recipient, old_mail.body, old_mail.key) == (REMOVED_RECIPIENT, "", "test:old")
    assert Delivery.objects.get(pk=new_mail.pk).recipient == "kari@example.org"
    assert SecurityEvent.objects.get(pk=old_event.pk).ip is None
    assert SecurityEvent.objects.get(pk=fresh.pk).ip == "198.51.100.8"
    assert not SecurityEvent.objects.filter(pk=ancient.pk).exists()

    again = retention_sweep(now=now)
    assert again == type(again)()  # nothing left to do


def test_the_job_is_scheduled_in_beat_and_runs_the_sweep(db):
    task = PeriodicTask.objects.get(task="portal.tasks.retention_sweep_task")
    assert task.enabled and task.crontab is not None
    assert str(task.crontab.timezone) == "Europe/Oslo"

    stale = _signed_up("gammel@example.org", joined=timezone.now() - timedelta(days=60))
    retention_sweep_task.apply()  # run as a worker would run it
    assert not User.objects.filter(pk=stale.pk).exists()
