"""Queueing and sending messages exactly once per key (see directory.models.deliveries)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from directory.models import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Message:
    key: str
    recipient: str
    subject: str
    body: str
    link: str = ""


def deliveries_enqueue(messages: list[Message]) -> int:
    """Insert messages whose key is new; returns how many were new. Safe to call twice."""
    if not messages:
        return 0
    keys = [m.key for m in messages]
    before = set(Delivery.objects.filter(key__in=keys).values_list("key", flat=True))
    Delivery.objects.bulk_create(
        [
            Delivery(key=m.key, recipient=m.recipient, subject=m.subject, body=m.body, link=m.link)
            for m in messages
        ],
        ignore_conflicts=True,
    )
    return len(set(keys) - before)


def deliveries_send_soon(messages: list[Message]) -> int:
    """Queue messages and dispatch them once the current transaction has committed."""
    created = deliveries_enqueue(messages)
    from directory.tasks import deliveries_dispatch_task  # tasks import this module

    # robust: a broker that is down must not turn a saved change into an error page; the
    # periodic dispatcher sends the queued rows when the broker is back.
    transaction.on_commit(deliveries_dispatch_task.delay, robust=True)
    return created


def message_id(key: str) -> str:
    """A Message-ID fixed by the delivery's key. If a worker dies after the mail server took a
    message but before the row was marked sent, the retry carries the same Message-ID, and mail
    systems drop it as a duplicate: the recipient sees the reminder once."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.MESSAGE_ID_DOMAIN}>"


def _send(delivery: Delivery) -> None:
    EmailMessage(
        delivery.subject,
        delivery.body,
        settings.DEFAULT_FROM_EMAIL,
        [delivery.recipient],
        headers={"Message-ID": message_id(delivery.key)},
    ).send()


def deliveries_dispatch(*, batch_size: int = 100) -> int:
    """Send pending messages. Each row is claimed under a row lock (SKIP LOCKED) for the
    duration of its send, so concurrent dispatchers never send the same row twice."""
    sent = 0
    tried: set[int] = set()  # a failed row waits for the next run instead of spinning here
    while True:
        with transaction.atomic():
            batch = list(
                Delivery.objects.pending()
                .filter(attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=tried)
                .order_by("created_at")
                .select_for_update(skip_locked=True)[:batch_size]
            )
            if not batch:
                return sent
            for delivery in batch:
                tried.add(delivery.pk)
                delivery.attempts += 1
                try:
                    _send(delivery)
                except Exception as exc:  # SMTP errors vary; keep the row for a retry
                    logger.warning("Sending delivery %s failed: %s", delivery.pk, exc)
                    delivery.last_error = str(exc)[:255]
                    if delivery.attempts >= MAX_ATTEMPTS:
                        delivery.status = Delivery.Status.FAILED
                    delivery.save(update_fields=["attempts", "last_error", "status"])
                    continue
                delivery.status = Delivery.Status.SENT
                delivery.sent_at = timezone.now()
                delivery.save(update_fields=["attempts", "status", "sent_at"])
                sent += 1
            if len(batch) < batch_size:
                return sent
