"""Following a grant scheme in a real browser: a signed-in organisation representative finds a
scheme in the listing with the filters, opens it and follows it; time moves to 21 and then 7
days before the deadline, and each reminder arrives once, by email and under «Varsler»."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.text import slugify

from directory.factories import term
from directory.models import GrantRound, GrantSchemeIndexPage, GrantSchemePage, Notification
from directory.services.deliveries import deliveries_dispatch
from directory.services.demo_grants import demo_grants_load
from directory.services.reference_data import vocabularies_load
from directory.services.reminders import reminders_dispatch
from portal.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import axe, describe, log_in

pytestmark = pytest.mark.browser

REP_EMAIL = "leder@frivillig-demo.example.org"
TITLE = "Tilskudd til leksehjelp og fritid"


@pytest.fixture
def scheme(site):
    """The demo schemes (whose rounds are all past) and one open scheme, 30 days to go."""
    vocabularies_load()
    demo_grants_load()
    deadline = timezone.localdate() + timedelta(days=30)
    page = GrantSchemePage(
        title=TITLE,
        slug=slugify(TITLE),
        administrator="Barne-, ungdoms- og familiedirektoratet (Bufdir)",
        purpose="Aktiviteter for barn og unge i familier med lav inntekt.",
    )
    page.applicant_types = [term("applicant_types", "frivillig-organisasjon")]
    page.target_groups = [term("target_groups", "barn-og-unge")]
    page.rounds = [
        GrantRound(grant_year=deadline.year, application_deadline=deadline, status="apen")
    ]
    GrantSchemeIndexPage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    UserFactory(email=REP_EMAIL)
    return page


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def _dispatch(now) -> int:
    sent = reminders_dispatch(now=now)["sendt"]
    deliveries_dispatch()
    return sent


def test_find_follow_and_get_each_reminder_once(page, scheme):
    deadline = scheme.rounds.get().application_deadline
    log_in(page, REP_EMAIL, DEFAULT_PASSWORD)
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()

    page.goto("/tilskudd/")
    page.get_by_role("heading", name="Tilskuddsordninger", level=1).wait_for()
    assert not axe(page), describe(axe(page))
    page.get_by_label("Hvem kan søke").select_option(label="Frivillige organisasjoner")
    page.get_by_label("Status").select_option(label="Åpen for søknad")
    page.get_by_label("Søknadsfrist innen antall dager").fill("45")
    page.get_by_role("button", name="Vis ordninger").click()
    page.get_by_text("1 ordning", exact=True).wait_for()
    assert "within_days=45" in page.url
    assert not axe(page), describe(axe(page))

    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    assert not axe(page), describe(axe(page))
    page.get_by_role("button", name="Følg ordningen").click()
    page.get_by_text(re.compile(f"Du følger «{TITLE}»")).wait_for()
    page.get_by_role("button", name="Slutt å følge").wait_for()
    assert not axe(page), describe(axe(page))

    # Nothing yet today; then time moves to 21 and 7 days before the deadline.
    assert _dispatch(_at(timezone.localdate())) == 0
    subject = f"Søknadsfrist {deadline:%d.%m.%Y}: {TITLE}"
    for days_before, notified in ((21, 1), (7, 2)):
        mail.outbox.clear()
        moved = _at(deadline - timedelta(days=days_before))
        assert _dispatch(moved) == 1
        assert [(m.to, m.subject) for m in mail.outbox] == [([REP_EMAIL], subject)]
        assert f"om {days_before} dager" in mail.outbox[0].body
        # Running again sends nothing.
        assert _dispatch(moved) == 0
        assert len(mail.outbox) == 1
        assert Notification.objects.filter(user__email=REP_EMAIL).count() == notified

        page.goto("/varsler/")
        expect_links = page.get_by_role("link", name=subject)
        expect_links.nth(notified - 1).wait_for()
        assert expect_links.count() == notified
    assert not axe(page), describe(axe(page))

    # The notification leads back to the scheme.
    page.get_by_role("link", name=subject).first.click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()


def test_replaced_scheme_and_filter_errors_are_accessible(page, scheme):
    """Signed out: a replaced demo scheme leads to its replacement; a bad filter value is
    explained next to the field and the other filters still apply."""
    page.goto("/tilskudd/?applicant_type=frivillig-organisasjon&within_days=mange")
    page.get_by_text("Skriv antall dager som et helt tall, for eksempel 30.").wait_for()
    assert (
        page.get_by_label("Søknadsfrist innen antall dager").get_attribute("aria-invalid") == "true"
    )
    page.get_by_role("link", name=TITLE).wait_for()
    assert not axe(page), describe(axe(page))

    old = GrantSchemePage.objects.get(source_id="demo-tilskudd-04")
    page.goto(old.url)
    page.get_by_text("Ordningen er erstattet av «Tilskudd til brukerstyrte").wait_for()
    page.get_by_role("link", name="Logg inn for å følge ordningen").wait_for()
    assert not axe(page), describe(axe(page))
    page.get_by_role("link", name=re.compile("Gå til «Tilskudd til brukerstyrte")).click()
    page.get_by_role(
        "heading", name="Tilskudd til brukerstyrte organisasjoner som arbeider mot fattigdom"
    ).wait_for()
    assert not axe(page), describe(axe(page))
