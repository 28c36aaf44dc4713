"""The personal iCal feed: all-day Oslo dates, stable UIDs, a secret URL that can be revoked."""

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from agreements.models import CalendarFeed
from agreements.services.agreements import agreement_end
from agreements.services.calendar import (
    calendar_feed_by_token,
    calendar_feed_for,
    calendar_feed_ics,
    calendar_feed_revoke,
)
from directory.models import OrganisationMembership
from tests.agreements.conftest import OSLO

NOW = datetime(2026, 11, 1, 12, tzinfo=OSLO)


def _events(user, now=NOW):
    raw = calendar_feed_ics(calendar_feed_for(user), now=now)
    calendar = Calendar.from_ical(raw)
    return raw, calendar, {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_evaluation_and_end_dates_are_all_day_oslo_dates(world, make_agreement):
    # Due on 25 October 2026, the night summer time ends; ends 31 March 2027.
    agreement = make_agreement(start=date(2025, 10, 25), end=date(2027, 3, 31), interval=12)
    assert agreement.next_evaluation_due == date(2026, 10, 25)
    raw, calendar, events = _events(world["users"]["owner_a"])

    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Oslo"
    assert set(events) == {
        "Evaluering: Matutdeling og veiledning",
        "Avtalen utløper: Matutdeling og veiledning",
    }
    evaluation = events["Evaluering: Matutdeling og veiledning"]
    ending = events["Avtalen utløper: Matutdeling og veiledning"]
    for event, day in ((evaluation, date(2026, 10, 25)), (ending, date(2027, 3, 31))):
        start = event.decoded("DTSTART")
        # A DATE, not a DATETIME: the same day in every reader's time zone.
        assert type(start) is date
        assert start == day
    assert b"DTSTART;VALUE=DATE:20261025" in raw
    assert b"DTSTART;VALUE=DATE:20270331" in raw
    url = f"http://testserver/intern/avtaler/{agreement.pk}/"
    assert str(evaluation["URL"]) == url


@pytest.mark.django_db
def test_uids_are_stable_across_fetches_and_distinct_per_event(agreement_world, settings):
    user = agreement_world["users"]["nav_staff_x"]
    _raw, _cal, first = _events(user)
    _raw, _cal, again = _events(user, now=NOW + timedelta(days=3))
    uids = {summary: str(event["UID"]) for summary, event in first.items()}
    assert uids == {summary: str(event["UID"]) for summary, event in again.items()}
    assert len(set(uids.values())) == len(uids) == 1  # open-ended: only the evaluation
    (uid,) = uids.values()
    pk = agreement_world["agreement"].pk
    assert uid == f"avtale-{pk}-evaluering-2027-01-15@{settings.MESSAGE_ID_DOMAIN}"


@pytest.mark.django_db
def test_ended_agreements_leave_the_feed(agreement_world):
    user = agreement_world["users"]["owner_a"]
    assert _events(user)[2]
    agreement_end(
        agreement=agreement_world["agreement"], by=agreement_world["users"]["nav_staff_x"]
    )
    assert _events(user)[2] == {}


@pytest.mark.django_db
def test_a_revoked_token_finds_nothing(agreement_world):
    user = agreement_world["users"]["editor_a"]
    old = calendar_feed_for(user).token
    assert calendar_feed_for(user).token == old  # one feed per user, same URL until revoked
    found = calendar_feed_by_token(old)
    assert found is not None and found.user == user
    assert CalendarFeed.objects.get(user=user).last_used_at is not None

    new = calendar_feed_revoke(user).token
    assert new != old
    assert calendar_feed_by_token(old) is None
    assert calendar_feed_by_token(new).user == user
    assert calendar_feed_by_token("") is None


@pytest.mark.django_db
def test_a_deactivated_account_has_no_feed(agreement_world):
    user = agreement_world["users"]["nav_staff_x"]
    token = calendar_feed_for(user).token
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert calendar_feed_by_token(token) is None


@pytest.mark.django_db
def test_the_feed_follows_access_as_it_is_now(agreement_world):
    user = agreement_world["users"]["editor_a"]
    feed = calendar_feed_for(user)
    assert Calendar.from_ical(calendar_feed_ics(feed, now=NOW)).walk("VEVENT")
    OrganisationMembership.objects.filter(user=user).delete()
    assert Calendar.from_ical(calendar_feed_ics(feed, now=NOW)).walk("VEVENT") == []
