"""Planning and dispatching reminders (see directory.models.reminders).

Domain apps register a handler per topic. The dispatcher claims due rows with
`FOR UPDATE SKIP LOCKED`, asks the handler who should hear what, and in the same transaction writes
one notification and one queued email per recipient, each under a unique key, and marks the
reminder sent. Two dispatchers at once get disjoint rows; a dispatcher that dies mid-batch rolls
back and the next run does the batch again; the keys make any replay a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from directory.models import Notification, Reminder
from directory.services.deliveries import Message, deliveries_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderPlan:
    topic: str
    event_date: date
    send_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class Recipient:
    """One person to tell. `user` gets an in-portal notification; `email` gets an email."""

    email: str
    title: str
    body: str
    link: str = ""
    user_id: int | None = None


# topic -> handler(reminders, today) -> {reminder id: recipients, or None to cancel it}
Handler = Callable[[list[Reminder], date], dict[int, list[Recipient] | None]]
_handlers: dict[str, Handler] = {}


def reminder_topic_register(topic: str, handler: Handler) -> None:
    _handlers[topic] = handler


def reminder_key(obj, plan: ReminderPlan) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}:{plan.topic}:{plan.event_date.isoformat()}"


@transaction.atomic
def reminders_plan(*, obj, plans: Iterable[ReminderPlan], replace: Iterable[str] = ()) -> int:
    """Make `obj`'s scheduled reminders for the topics in `replace` exactly `plans`: reminders
    for dates that no longer apply are cancelled, new ones added, sent ones left alone."""
    plans = list(plans)
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    wanted = {reminder_key(obj, plan): plan for plan in plans}
    topics = set(replace) | {plan.topic for plan in plans}
    Reminder.objects.for_object(obj).scheduled().filter(topic__in=topics).exclude(
        key__in=wanted
    ).update(status=Reminder.Status.CANCELLED, handled_at=timezone.now())
    existing = set(Reminder.objects.filter(key__in=wanted).values_list("key", flat=True))
    new = [
        Reminder(
            key=key,
            topic=plan.topic,
            content_type=content_type,
            object_id=obj.pk,
            event_date=plan.event_date,
            send_on=plan.send_on,
            expires_on=plan.expires_on,
        )
        for key, plan in wanted.items()
        if key not in existing
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reminders_cancel(*, obj, topics: Iterable[str] | None = None) -> int:
    """Cancel what is still scheduled for `obj` (ended agreement, unfollowed scheme)."""
    pending = Reminder.objects.for_object(obj).scheduled()
    if topics is not None:
        pending = pending.filter(topic__in=list(topics))
    return pending.update(status=Reminder.Status.CANCELLED, handled_at=timezone.now())


def _deliver(reminder: Reminder, recipients: list[Recipient]) -> tuple[list, list[Message]]:
    notifications, messages, seen = [], [], set()
    for r in recipients:
        if r.user_id is not None and ("u", r.user_id) not in seen:
            seen.add(("u", r.user_id))
            notifications.append(
                Notification(
                    key=f"{reminder.key}:user:{r.user_id}",
                    user_id=r.user_id,
                    title=r.title[:255],
                    body=r.body,
                    link=r.link,
                )
            )
        email = r.email.strip().lower()
        if email and ("e", email) not in seen:
            seen.add(("e", email))
            link = f"{settings.SITE_URL}{r.link}" if r.link.startswith("/") else r.link
            body = f"{r.body}\n\n{link}" if link else r.body
            messages.append(
                Message(
                    key=f"{reminder.key}:email:{email}",
                    recipient=email,
                    subject=r.title[:255],
                    body=body,
                    link=link,
                )
            )
    return notifications, messages


def reminders_dispatch(*, now=None, batch_size: int = 500) -> dict[str, int]:
    """Turn every reminder that is due today (Europe/Oslo) into notifications and queued
    emails; skip those whose window has passed. Safe to run twice, or twice at once."""
    today = timezone.localdate(now)
    report = {"sendt": 0, "utgått": 0, "avlyst": 0, "mottakere": 0}
    while True:
        with transaction.atomic():
            batch = list(
                Reminder.objects.scheduled()
                .filter(send_on__lte=today)
                .order_by("send_on", "pk")
                .select_for_update(skip_locked=True)[:batch_size]
            )
            if not batch:
                return report
            handled_at = timezone.now()
            live = []
            for reminder in batch:
                reminder.handled_at = handled_at
                if reminder.expires_on is not None and reminder.expires_on <= today:
                    reminder.status = Reminder.Status.SKIPPED
                    report["utgått"] += 1
                else:
                    live.append(reminder)
            by_topic: dict[str, list[Reminder]] = {}
            for reminder in live:
                by_topic.setdefault(reminder.topic, []).append(reminder)
            notifications, messages = [], []
            for topic, reminders in by_topic.items():
                handler = _handlers.get(topic)
                answers = handler(reminders, today) if handler else {}
                for reminder in reminders:
                    recipients = answers.get(reminder.pk)
                    if recipients is None:
                        if handler is None:
                            logger.error("No handler for reminder topic %s", topic)
                        reminder.status = Reminder.Status.CANCELLED
                        report["avlyst"] += 1
                        continue
                    reminder.status = Reminder.Status.SENT
                    reminder.recipients_count = len(recipients)
                    report["sendt"] += 1
                    report["mottakere"] += len(recipients)
                    n, m = _deliver(reminder, recipients)
                    notifications += n
                    messages += m
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
            deliveries_enqueue(messages)
            Reminder.objects.bulk_update(
                batch, ["status", "handled_at", "recipients_count"], batch_size=batch_size
            )


def notification_mark_read(*, notification: Notification, now=None) -> None:
    """Opening a notification marks it read (once; a second open keeps the first time)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notifications_mark_all_read(*, user, now=None) -> int:
    return Notification.objects.filter(user=user).unread().update(read_at=now or timezone.now())
