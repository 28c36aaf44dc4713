"""Following grant schemes: deadline reminders and calendar feeds.

A follow is planned as one reminder row per coming application deadline and stage («21 dager
før», «7 dager før»), sent by the dispatcher in directory.services.reminders exactly once. The
stage is part of the topic (`grant.deadline.21`), because the reminder key is made of object,
topic and date: two stages for the same deadline need two topics.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from directory.models import GrantFollow, GrantRound, GrantSchemePage, Reminder
from directory.services.reminders import (
    Recipient,
    ReminderPlan,
    reminder_topic_register,
    reminders_cancel,
    reminders_plan,
)

DEFAULT_DAYS_BEFORE = (21, 7)
# The stages a follower may choose; each has its own topic (see the module docstring).
ALLOWED_DAYS_BEFORE = (1, 2, 3, 7, 14, 21, 28, 30, 45, 60, 90)
TOPIC_PREFIX = "grant.deadline."
TOPICS = tuple(f"{TOPIC_PREFIX}{days}" for days in ALLOWED_DAYS_BEFORE)
ENDED = (GrantSchemePage.Lifecycle.DISCONTINUED, GrantSchemePage.Lifecycle.REPLACED)


def _deadlines(scheme: GrantSchemePage, today: date) -> list[date]:
    return sorted(
        set(
            GrantRound.objects.filter(scheme=scheme, application_deadline__gt=today).values_list(
                "application_deadline", flat=True
            )
        )
    )


def grant_follow_plans(follow: GrantFollow, today: date) -> list[ReminderPlan]:
    """One plan per deadline and stage. A stage is sent from N days before the deadline until
    the next, shorter stage takes over (the last one until the deadline), so a dispatcher that
    was away, or someone who follows late, gets one timely message rather than a pile."""
    scheme = follow.scheme
    if not scheme.live or scheme.lifecycle in ENDED:
        return []
    stages = sorted({int(d) for d in follow.days_before}, reverse=True)
    plans = []
    for deadline in _deadlines(scheme, today):
        for i, days in enumerate(stages):
            send_on = deadline - timedelta(days=days)
            expires_on = (
                deadline - timedelta(days=stages[i + 1]) if i + 1 < len(stages) else deadline
            )
            if expires_on <= today:
                continue  # a later stage has overtaken this one
            plans.append(ReminderPlan(f"{TOPIC_PREFIX}{days}", deadline, send_on, expires_on))
    return plans


def grant_follow_replan(follow: GrantFollow, *, today: date | None = None) -> int:
    """Bring the follow's scheduled reminders in line with the scheme's deadlines as published."""
    return reminders_plan(
        obj=follow,
        plans=grant_follow_plans(follow, today or timezone.localdate()),
        replace=TOPICS,
    )


@transaction.atomic
def grant_follow(
    *, user, scheme: GrantSchemePage, days_before=DEFAULT_DAYS_BEFORE, today: date | None = None
) -> GrantFollow:
    """Follow a live scheme (again): reminders N days before each coming application deadline."""
    days = sorted({int(d) for d in days_before}, reverse=True)
    if not days or any(d not in ALLOWED_DAYS_BEFORE for d in days):
        raise ValidationError(_("Velg påminnelser blant de tilgjengelige antall dager."))
    if not scheme.live:
        raise ValidationError(_("Ordningen er ikke publisert."))
    follow, _created = GrantFollow.objects.update_or_create(
        user=user, scheme=scheme, defaults={"days_before": days}
    )
    grant_follow_replan(follow, today=today)
    return follow


@transaction.atomic
def grant_unfollow(*, user, scheme: GrantSchemePage) -> bool:
    """Stop following: what is still scheduled is cancelled, and no more reminders come."""
    follow = GrantFollow.objects.filter(user=user, scheme=scheme).first()
    if follow is None:
        return False
    reminders_cancel(obj=follow, topics=TOPICS)
    follow.delete()
    return True


def grant_scheme_followers_replan(*, scheme_id: int, today: date | None = None) -> int:
    """After a scheme is published: the followers' reminders follow its new deadlines (none
    when the scheme has ended; a scheme that is gone leaves nothing to do)."""
    today = today or timezone.localdate()
    planned = 0
    for follow in GrantFollow.objects.filter(scheme_id=scheme_id).select_related("scheme"):
        planned += grant_follow_replan(follow, today=today)
    return planned


def _handle(reminders: list[Reminder], today: date) -> dict[int, list[Recipient] | None]:
    """Re-check at send time: the follow, the scheme (still live, not ended), the deadline (still
    in a round) and the stage (still chosen). Anything else cancels the reminder."""
    follows = GrantFollow.objects.select_related("user", "scheme").in_bulk(
        [r.object_id for r in reminders]
    )
    scheme_ids = {f.scheme_id for f in follows.values()}
    deadlines = set(
        GrantRound.objects.filter(
            scheme_id__in=scheme_ids, application_deadline__isnull=False
        ).values_list("scheme_id", "application_deadline")
    )
    answers: dict[int, list[Recipient] | None] = {}
    for reminder in reminders:
        follow = follows.get(reminder.object_id)
        days = int(reminder.topic.removeprefix(TOPIC_PREFIX))
        if (
            follow is None
            or not follow.user.is_active
            or not follow.scheme.live
            or follow.scheme.lifecycle in ENDED
            or (follow.scheme_id, reminder.event_date) not in deadlines
            or days not in follow.days_before
        ):
            answers[reminder.pk] = None
            continue
        scheme, deadline = follow.scheme, reminder.event_date
        left = (deadline - today).days
        context = {"title": scheme.title, "date": deadline.strftime("%d.%m.%Y"), "days": left}
        answers[reminder.pk] = [
            Recipient(
                email=follow.user.email,
                user_id=follow.user_id,
                title=_("Søknadsfrist %(date)s: %(title)s") % context,
                body=_(
                    "Søknadsfristen for «%(title)s» er %(date)s, om %(days)s dager. Du får "
                    "denne påminnelsen fordi du følger ordningen. Les mer og finn søknaden her:"
                )
                % context,
                link=scheme.get_url() or "",
            )
        ]
    return answers


def register() -> None:
    for topic in TOPICS:
        reminder_topic_register(topic, _handle)


def grant_calendar_ics(schemes, *, now: datetime | None = None) -> bytes:
    """Application, extension and reporting deadlines as all-day events: a deadline of
    25 October is 25 October in Oslo, whatever the reader's zone or daylight saving. UIDs are
    stable, so a calendar that subscribes updates events rather than duplicating them."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Samarbeidsportalen//Tilskuddsordninger//NB")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Tilskuddsordninger"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.MESSAGE_ID_DOMAIN
    for scheme in schemes:
        url = settings.SITE_URL + (scheme.get_url() or reverse("grant_calendar_all"))
        for round_ in scheme.rounds.all():
            for kind, day, summary in (
                ("soknadsfrist", round_.application_deadline, _("Søknadsfrist: %(title)s")),
                ("utsatt-frist", round_.extension_deadline, _("Utsatt frist: %(title)s")),
                ("rapportering", round_.reporting_deadline, _("Rapporteringsfrist: %(title)s")),
            ):
                if day is None:
                    continue
                event = Event()
                event.add("uid", f"tilskudd-{scheme.pk}-{kind}-{day.isoformat()}@{host}")
                event.add("summary", summary % {"title": scheme.title})
                event.add("dtstart", day)
                event.add("dtstamp", now)
                event.add("url", url)
                event.add("description", url)
                calendar.add_component(event)
    return calendar.to_ical()
