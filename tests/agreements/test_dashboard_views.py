"""The agreements dashboard, the personal calendar feed and the agreement badge on offer pages."""

from datetime import date, datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from agreements.models import AgreementParty, CalendarFeed
from directory.factories import NavOfficeMembershipFactory, offer_build
from directory.models import Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load
from tests.agreements.test_evaluation_views import active_agreement, login, text

pytestmark = pytest.mark.django_db

DASHBOARD = "/intern/oversikt/"


@pytest.fixture
def agreements(world):
    """One agreement overdue for evaluation, one due soon and one ending soon."""
    today = timezone.localdate()
    return {
        "overdue": active_agreement(
            world, title="Matsentralen", start_date=today - relativedelta(months=13)
        ),
        "due_soon": active_agreement(
            world, title="Leksehjelpen", start_date=today - relativedelta(months=12, days=-10)
        ),
        "ending": active_agreement(
            world,
            title="Sommerjobb",
            start_date=today - relativedelta(months=2),
            end_date=today + relativedelta(days=20),
        ),
    }


def section(html: str, heading: str) -> str:
    """The text of the dashboard section under `heading`, up to the next section."""
    start = html.index(heading)
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else None]


def test_dashboard_sorts_agreements_into_its_three_sections(client, world, agreements):
    login(client, world["users"]["nav_staff_x"])
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    overdue = section(html, "Forfalte evalueringer")
    soon = section(html, "Evalueringer de neste 30 dagene")
    ending = section(html, "Avtaler som utløper de neste 60 dagene")
    assert "Matsentralen" in overdue and "Leksehjelpen" not in overdue
    assert "Evaluering forfalt" in overdue
    assert "Leksehjelpen" in soon and "Matsentralen" not in soon
    assert "Sommerjobb" in ending and "Matsentralen" not in ending
    assert world["org_a"].name in overdue  # the parties are named
    assert 'href="/intern/avtaler/"' in html
    assert "Registrer avtale" in html


def test_dashboard_empty_states_and_no_create_link_for_organisations(client, world, agreements):
    login(client, world["users"]["rep_b"])  # takes part in no agreement
    html = text(client.get(DASHBOARD))
    assert "Ingen evalueringer er forfalt." in html
    assert "Ingen evalueringer de neste 30 dagene." in html
    assert "Ingen avtaler utløper de neste 60 dagene." in html
    assert "Matsentralen" not in html
    assert "Registrer avtale" not in html


def test_dashboard_is_refused_to_users_outside_agreements(client, world):
    login(client, world["users"]["plain_user"])
    response = client.get(DASHBOARD)
    assert response.status_code == 403
    assert "Oversikten er for Nav-ansatte" in text(response)
    client.logout()
    assert client.get(DASHBOARD)["Location"].startswith("/konto/login/")


def test_dashboard_filters_by_one_of_the_users_offices(client, world, agreements):
    user = world["users"]["nav_staff_x"]
    NavOfficeMembershipFactory(user=user, office=world["office_y"])
    today = timezone.localdate()
    active_agreement(
        world,
        title="Kafé i Y",
        start_date=today - relativedelta(months=13),
        parties=[
            AgreementParty(kind="nav_office", nav_office=world["office_y"], contact_role="Leder"),
            AgreementParty(kind="organisation", organisation=world["org_b"], contact_role="Leder"),
        ],
    )
    login(client, user)
    everything = text(client.get(DASHBOARD))
    assert "Kafé i Y" in everything and "Matsentralen" in everything
    assert "Vis avtaler for" in everything
    only_x = text(client.get(DASHBOARD, {"gjelder": f"kontor-{world['office_x'].pk}"}))
    assert "Matsentralen" in only_x and "Kafé i Y" not in only_x
    only_y = text(client.get(DASHBOARD, {"gjelder": f"kontor-{world['office_y'].pk}"}))
    assert "Kafé i Y" in only_y and "Matsentralen" not in only_y
    # Someone else's office is not a choice: the filter is ignored.
    other = text(client.get(DASHBOARD, {"gjelder": "kontor-999999"}))
    assert "Kafé i Y" in other and "Matsentralen" in other


def feed_url(user) -> str:
    return f"/kalender/{CalendarFeed.objects.get(user=user).token}.ics"


def events(response):
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_calendar_feed_holds_all_day_evaluation_and_end_dates(client, world, agreements):
    user = world["users"]["nav_staff_x"]
    login(client, user)
    page = client.get("/intern/kalender/")
    assert page.status_code == 200
    url = feed_url(user)
    assert f'value="{settings.SITE_URL}{url}"' in page.content.decode()
    assert "Den gamle lenken slutter å virke" in text(page)

    client.logout()  # calendar apps do not sign in
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    by_summary = {str(e["summary"]): e for e in events(response)}
    evaluation = by_summary["Evaluering: Matsentralen"]
    start = evaluation.decoded("dtstart")
    assert isinstance(start, date) and not isinstance(start, datetime)
    assert start == agreements["overdue"].next_evaluation_due
    assert by_summary["Avtalen utløper: Sommerjobb"].decoded("dtstart") == (
        agreements["ending"].end_date
    )


def test_calendar_link_renewed_and_other_users_feeds_hold_nothing(client, world, agreements):
    user = world["users"]["nav_staff_x"]
    login(client, user)
    client.get("/intern/kalender/")
    old = feed_url(user)
    response = client.post("/intern/kalender/", follow=True)
    assert "Den gamle lenken virker ikke lenger" in text(response)
    new = feed_url(user)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/kalender/finnes-ikke.ics").status_code == 404

    outsider = world["users"]["nav_staff_y"]
    login(client, outsider)
    client.get("/intern/kalender/")
    assert events(client.get(feed_url(outsider))) == []


@pytest.fixture
def offer(world):
    vocabularies_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]

    def published(**fields):
        draft = offer_save_draft(offer=offer_build(organisation=world["org_a"], **fields), by=owner)
        return offer_approve(offer=offer_submit(offer=draft, by=owner), by=staff)

    return published


def test_offer_badge_tells_the_public_and_shows_parties_the_health(client, world, offer):
    covered, plain = offer(title="Leksehjelp med avtale"), offer(title="Leksehjelp uten avtale")
    agreement = active_agreement(world, title="Leksehjelpsavtalen", offers=[covered])

    public = text(client.get(f"/tilbud/{covered.pk}/"))
    assert "Samarbeidsavtale med Nav eller kommunen" in public
    assert "Leksehjelpsavtalen" not in public
    assert "Samarbeidsavtale" not in text(client.get(f"/tilbud/{plain.pk}/"))

    login(client, world["users"]["owner_a"])
    party = client.get(f"/tilbud/{covered.pk}/").content.decode()
    assert f'href="/intern/avtaler/{agreement.pk}/"' in party
    party = text(client.get(f"/tilbud/{covered.pk}/"))
    assert "Leksehjelpsavtalen" in party
    assert "Løpende" in party  # no end date
    assert "Ikke evaluert ennå" in party
    assert "Neste evaluering" in party

    login(client, world["users"]["rep_b"])  # signed in, but not a party
    other = text(client.get(f"/tilbud/{covered.pk}/"))
    assert "Samarbeidsavtale med Nav eller kommunen" in other
    assert "Leksehjelpsavtalen" not in other


def test_menu_links_to_the_dashboard_only_for_those_in_agreements(client, world):
    login(client, world["users"]["municipality_staff"])
    assert (
        'href="/intern/oversikt/">Samarbeidsavtaler</a>' in client.get("/varsler/").content.decode()
    )
    login(client, world["users"]["plain_user"])
    html = client.get("/varsler/").content.decode()
    assert "Samarbeidsavtaler</a>" not in html
    assert 'href="/varsler/">Varsler</a>' in html
    calendar = client.get("/intern/kalender/")
    assert calendar.status_code == 403
    assert not CalendarFeed.objects.exists()


def test_offer_badge_costs_the_same_queries_for_one_agreement_or_four(
    client, world, offer, django_assert_max_num_queries
):
    covered = offer(title="Leksehjelp med avtaler")
    active_agreement(world, title="Avtale 1", offers=[covered])
    login(client, world["users"]["owner_a"])
    client.get(f"/tilbud/{covered.pk}/")  # fill the caches
    with django_assert_max_num_queries(60) as first:
        client.get(f"/tilbud/{covered.pk}/")
    for n in range(2, 5):
        active_agreement(world, title=f"Avtale {n}", offers=[covered])

    with django_assert_max_num_queries(len(first.captured_queries)):
        page = text(client.get(f"/tilbud/{covered.pk}/"))
    assert "Avtale 4" in page
