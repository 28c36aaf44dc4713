"""The freshness cycle: reminder -> hidden -> confirmed again -> visible, each message once."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from directory.factories import offer_build
from directory.models import Delivery, Offer, Organisation
from directory.services.deliveries import deliveries_dispatch
from directory.services.freshness import (
    confirmation_token,
    offer_confirm,
    offer_from_confirmation_token,
    offers_freshness_sweep,
)
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load

T0 = timezone.make_aware(timezone.datetime(2026, 1, 10, 12, 0))


def _published(world, **fields):
    vocabularies_load()
    Organisation.objects.filter(pk=world["org_a"].pk).update(status="approved")
    offer = offer_save_draft(
        offer=offer_build(organisation=world["org_a"], **fields), by=world["users"]["owner_a"]
    )
    offer_submit(offer=offer, by=world["users"]["owner_a"])
    offer = offer_approve(offer=offer, by=world["users"]["nav_staff_x"], now=T0)
    # The approval emails are not what these tests are about.
    deliveries_dispatch()
    mail.outbox.clear()
    return offer


def _sweep_and_send(now):
    report = offers_freshness_sweep(now=now)
    deliveries_dispatch()
    return report


@pytest.mark.django_db
def test_freshness_cycle_with_time_moved_forward(world):
    offer = _published(world)
    due = offer.confirmation_due_at
    assert due == T0.replace(month=7)  # six months, the default

    # Far from due: nothing.
    assert _sweep_and_send(T0 + timedelta(days=30))["påminnelser"] == 0
    # 30 days before: the first reminder to both representatives, with a one-click link.
    assert _sweep_and_send(due - timedelta(days=29))["påminnelser"] == 2
    assert {m.to[0] for m in mail.outbox} == {
        world["users"]["owner_a"].email,
        world["users"]["editor_a"].email,
    }
    assert "/bekreft/" in mail.outbox[0].body
    # Running the job again sends nothing new.
    assert _sweep_and_send(due - timedelta(days=28))["påminnelser"] == 0
    assert len(mail.outbox) == 2
    # 7 days before and on the due date: one more each.
    _sweep_and_send(due - timedelta(days=6))
    _sweep_and_send(due + timedelta(hours=1))
    assert len(mail.outbox) == 6
    assert Offer.objects.public().filter(pk=offer.pk).exists()

    # After the 30-day grace period: hidden (never deleted), and the organisation is told.
    report = _sweep_and_send(due + timedelta(days=31))
    assert report["skjult"] == 1
    assert not Offer.objects.public().filter(pk=offer.pk).exists()
    assert Offer.objects.filter(pk=offer.pk, visibility="hidden_stale").exists()
    assert any("skjult" in m.subject for m in mail.outbox)

    # One confirmation restores it; the link works once.
    token = confirmation_token(Offer.objects.get(pk=offer.pk))
    confirmed = offer_confirm(
        offer=offer_from_confirmation_token(token), via_token=True, now=due + timedelta(days=32)
    )
    assert Offer.objects.public().filter(pk=offer.pk).exists()
    assert confirmed.confirmation_due_at > due + timedelta(days=150)
    with pytest.raises(ValidationError, match="allerede brukt"):
        offer_from_confirmation_token(token)


@pytest.mark.django_db
def test_tampered_confirmation_link_is_refused(world):
    offer = _published(world)
    token = confirmation_token(offer)
    with pytest.raises(ValidationError, match="ugyldig"):
        offer_from_confirmation_token(token[:-2] + "xx")


@pytest.mark.django_db
def test_dated_offer_is_archived_after_its_end_date(world):
    offer = _published(world, kind="tidsavgrenset", end_date=T0.date() + timedelta(days=10))
    offers_freshness_sweep(now=T0 + timedelta(days=9))
    assert Offer.objects.public().filter(pk=offer.pk).exists()
    assert offers_freshness_sweep(now=T0 + timedelta(days=11))["arkivert"] == 1
    assert Offer.objects.filter(pk=offer.pk, visibility="archived").exists()


def _in_threads(target, count=2):
    errors = []

    def run():
        try:
            target()
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


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_and_dispatchers_deliver_each_message_once(world):
    offer = _published(world)
    moment = offer.confirmation_due_at - timedelta(days=20)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        offers_freshness_sweep(now=moment)

    _in_threads(sweep)
    # One reminder to each of the two representatives.
    assert Delivery.objects.filter(key__contains=":reminder-").count() == 2

    barrier = threading.Barrier(2)

    def dispatch():
        barrier.wait()
        deliveries_dispatch()

    _in_threads(dispatch)
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["users"]["owner_a"].email, world["users"]["editor_a"].email]
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
class SmtpDown(BaseEmailBackend):
    """The mail server refuses connections (outside our control, so this is what we fake)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP nede")


def test_failed_send_is_retried_later_not_lost(world, settings):
    offer = _published(world)
    offers_freshness_sweep(now=offer.confirmation_due_at - timedelta(days=20))

    settings.EMAIL_BACKEND = f"{__name__}.SmtpDown"
    assert deliveries_dispatch() == 0
    assert set(Delivery.objects.pending().values_list("key", flat=True)) == set(
        Delivery.objects.filter(key__contains=":reminder-").values_list("key", flat=True)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_dispatch() == 2
