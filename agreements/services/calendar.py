"""Personal iCal feeds of evaluation and end dates, behind a secret, revocable URL."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from agreements.models import Agreement, CalendarFeed
from agreements.models.calendar import new_token


def calendar_feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_revoke(user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed = calendar_feed_for(user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    return feed


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    # A NUL byte (%00 in the URL) cannot even be sent to PostgreSQL; no token contains one.
    feed = (
        CalendarFeed.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
        if token and "\x00" not in token
        else None
    )
    if feed is not None:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


def calendar_feed_ics(feed: CalendarFeed, *, now: datetime | None = None) -> bytes:
    """The feed's agreements, checked against the user's access as it is now. Dates are
    all-day events: an evaluation due 15 October is 15 October in Oslo, whatever the reader's
    time zone or daylight saving."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Samarbeidsportalen//Avtaler//NB")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Samarbeidsavtaler"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    agreements = (
        Agreement.objects.visible_to(feed.user)
        .filter(status=Agreement.Status.ACTIVE)
        .only("pk", "title", "next_evaluation_due", "end_date", "updated_at")
        .order_by("pk")
    )
    host = settings.MESSAGE_ID_DOMAIN
    for agreement in agreements:
        url = settings.SITE_URL + reverse("agreement_detail", args=[agreement.pk])
        for kind, day, summary in (
            ("evaluering", agreement.next_evaluation_due, _("Evaluering: %(title)s")),
            ("slutt", agreement.end_date, _("Avtalen utløper: %(title)s")),
        ):
            if day is None:
                continue
            event = Event()
            event.add("uid", f"avtale-{agreement.pk}-{kind}-{day.isoformat()}@{host}")
            event.add("summary", summary % {"title": agreement.title})
            event.add("dtstart", day)
            event.add("dtstamp", now)
            event.add("last-modified", agreement.updated_at)
            event.add("url", url)
            event.add("description", url)
            calendar.add_component(event)
    return calendar.to_ical()
