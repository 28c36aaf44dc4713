"""Grant schemes: the listing and its filters, status, who may be eligible and why, calendar
feeds on Oslo dates, replaced schemes, drafts kept private, and deadline reminders sent once."""

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar

from directory.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    offer_build,
    term,
)
from directory.models import (
    GrantFollow,
    GrantRound,
    GrantSchemeIndexPage,
    GrantSchemePage,
    Notification,
    Organisation,
    OrganisationMembership,
    Reminder,
)
from directory.selectors import (
    GRANT_CLOSED,
    GRANT_DISCONTINUED,
    GRANT_OPEN,
    GRANT_REPLACED,
    GRANT_UPCOMING,
    GrantFilters,
    grant_schemes_for_organisation,
    grant_schemes_listing,
    grant_status,
)
from directory.services.deliveries import deliveries_dispatch
from directory.services.demo_grants import demo_grant_index_ensure, demo_grants_load
from directory.services.grants import grant_follow, grant_unfollow
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load
from directory.services.reminders import reminders_dispatch
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2026, 11, 23)  # the demo's «today»
CARD_TITLE = re.compile(
    r'<li class="portal-card portal-grant-card">\s*<h3[^>]*><a[^>]*>([^<]+)</a>'
)


@pytest.fixture
def index(shell):
    vocabularies_load()
    return demo_grant_index_ensure()


@pytest.fixture
def make_scheme(index):
    """Publish (or only draft) a scheme under the index. rounds: (deadline, round status) or
    dicts of GrantRound fields."""

    def make(
        title,
        *,
        rounds=(),
        applicant_types=("frivillig-organisasjon",),
        target_groups=(),
        requirements=(),
        publish=True,
        **fields,
    ):
        page = GrantSchemePage(
            title=title,
            slug=slugify(title),
            administrator=fields.pop("administrator", "Arbeids- og velferdsetaten"),
            purpose=fields.pop("purpose", "Tilskudd til arbeid mot fattigdom."),
            live=publish,
            **fields,
        )
        page.applicant_types = [term("applicant_types", s) for s in applicant_types]
        page.target_groups = [term("target_groups", s) for s in target_groups]
        page.requirements = [term("grant_requirements", s) for s in requirements]
        page.rounds = [
            GrantRound(**r)
            if isinstance(r, dict)
            else GrantRound(grant_year=r[0].year, application_deadline=r[0], status=r[1])
            for r in rounds
        ]
        index.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page

    return make


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [unescape(t).strip() for t in CARD_TITLE.findall(response.content.decode())]


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _events(raw: bytes) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}


def _at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OSLO)


# --- Status, sort order and filters -----------------------------------------------------------


def test_status_is_computed_from_rounds_and_lifecycle(make_scheme):
    soon = TODAY + timedelta(days=20)
    schemes = {
        GRANT_OPEN: make_scheme("Åpen runde", rounds=[(soon, GrantRound.Status.OPEN)]),
        # Announced already, though the editor left the round as «kommende»: open.
        "utlyst": make_scheme(
            "Utlyst runde",
            rounds=[
                {
                    "grant_year": 2027,
                    "announced_on": TODAY - timedelta(days=1),
                    "application_deadline": soon,
                }
            ],
        ),
        GRANT_UPCOMING: make_scheme("Kommende runde", rounds=[(soon, GrantRound.Status.UPCOMING)]),
        GRANT_CLOSED: make_scheme(
            "Bare gamle runder", rounds=[(TODAY - timedelta(days=1), GrantRound.Status.OPEN)]
        ),
        GRANT_DISCONTINUED: make_scheme(
            "Avviklet ordning",
            rounds=[(soon, GrantRound.Status.OPEN)],
            lifecycle=GrantSchemePage.Lifecycle.DISCONTINUED,
        ),
    }
    schemes[GRANT_REPLACED] = make_scheme(
        "Erstattet ordning",
        lifecycle=GrantSchemePage.Lifecycle.REPLACED,
        replaced_by=schemes[GRANT_OPEN],
    )
    expected = {key: GRANT_OPEN if key == "utlyst" else key for key in schemes}
    in_memory = {key: grant_status(page, TODAY) for key, page in schemes.items()}
    listed = {s.pk: s.grant_status for s in grant_schemes_listing(GrantFilters(), TODAY)}
    assert in_memory == expected
    assert {key: listed[page.pk] for key, page in schemes.items()} == expected
    # The day after the deadline, the open scheme has closed.
    assert grant_status(schemes[GRANT_OPEN], soon + timedelta(days=1)) == GRANT_CLOSED


def test_listing_is_sorted_by_next_deadline_with_undated_schemes_last(make_scheme):
    make_scheme("C uten frist")
    make_scheme(
        "B to runder",
        rounds=[
            (TODAY - timedelta(days=5), GrantRound.Status.CLOSED),
            (TODAY + timedelta(days=90), GrantRound.Status.UPCOMING),
            (TODAY + timedelta(days=10), GrantRound.Status.OPEN),
        ],
    )
    make_scheme("A senere", rounds=[(TODAY + timedelta(days=40), GrantRound.Status.OPEN)])
    make_scheme("D bare passert", rounds=[(TODAY - timedelta(days=1), GrantRound.Status.OPEN)])
    make_scheme("E i dag", rounds=[(TODAY, GrantRound.Status.OPEN)])
    make_scheme("0 avviklet", lifecycle=GrantSchemePage.Lifecycle.DISCONTINUED)
    listing = list(grant_schemes_listing(GrantFilters(), TODAY))
    # Without a coming deadline, schemes still running come before discontinued ones.
    assert [s.title for s in listing] == [
        "E i dag",
        "B to runder",
        "A senere",
        "C uten frist",
        "D bare passert",
        "0 avviklet",
    ]
    # The deadline shown is the next one from today, not the first or the last round's.
    assert listing[1].upcoming_deadline == TODAY + timedelta(days=10)


@pytest.fixture
def filter_world(make_scheme):
    today = timezone.localdate()
    make_scheme(
        "Frivillig og barn, snart",
        rounds=[(today + timedelta(days=10), GrantRound.Status.OPEN)],
        applicant_types=["frivillig-organisasjon"],
        target_groups=["barn-og-unge"],
    )
    make_scheme(
        "Frivillig og barn, senere",
        rounds=[(today + timedelta(days=60), GrantRound.Status.UPCOMING)],
        applicant_types=["frivillig-organisasjon", "stiftelse"],
        target_groups=["barn-og-unge", "lavinntekt"],
    )
    make_scheme(
        "Kommune og bolig",
        rounds=[(today + timedelta(days=20), GrantRound.Status.OPEN)],
        applicant_types=["kommune"],
        target_groups=["vanskeligstilte-boligmarkedet"],
    )
    make_scheme(
        "Gammel ordning",
        rounds=[(today - timedelta(days=30), GrantRound.Status.CLOSED)],
        applicant_types=["frivillig-organisasjon"],
        target_groups=["barn-og-unge"],
    )
    return make_scheme


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {},
            [
                "Frivillig og barn, snart",
                "Kommune og bolig",
                "Frivillig og barn, senere",
                "Gammel ordning",
            ],
        ),
        ({"applicant_type": "kommune"}, ["Kommune og bolig"]),
        ({"applicant_type": "stiftelse"}, ["Frivillig og barn, senere"]),
        ({"target_group": "lavinntekt"}, ["Frivillig og barn, senere"]),
        ({"status": GRANT_OPEN}, ["Frivillig og barn, snart", "Kommune og bolig"]),
        ({"status": GRANT_UPCOMING}, ["Frivillig og barn, senere"]),
        ({"status": GRANT_CLOSED}, ["Gammel ordning"]),
        ({"within_days": "30"}, ["Frivillig og barn, snart", "Kommune og bolig"]),
        ({"within_days": "10"}, ["Frivillig og barn, snart"]),
        ({"within_days": "9"}, []),
        (
            {"applicant_type": "frivillig-organisasjon", "target_group": "barn-og-unge"},
            ["Frivillig og barn, snart", "Frivillig og barn, senere", "Gammel ordning"],
        ),
        (
            {
                "applicant_type": "frivillig-organisasjon",
                "target_group": "barn-og-unge",
                "status": GRANT_OPEN,
                "within_days": "90",
            },
            ["Frivillig og barn, snart"],
        ),
    ],
)
def test_each_filter_and_combined(client, filter_world, index, query, expected):
    response = client.get(index.url, query)
    assert _titles(response) == expected
    text = _text(response)
    count = len(expected)
    assert f"{count} ordning{'er' if count != 1 else ''}" in text
    if not expected:
        assert "Fant ingen ordninger som passer filtrene" in text
        assert "Fjern alle filtre" in text


def test_invalid_within_days_shows_an_error_and_keeps_the_other_filters(
    client, filter_world, index
):
    for bad in ("tretti", "0", "-5", "9999"):
        response = client.get(
            index.url, {"applicant_type": "frivillig-organisasjon", "within_days": bad}
        )
        # The other filter still applies; the bad one is left out, not the whole search.
        assert _titles(response) == [
            "Frivillig og barn, snart",
            "Frivillig og barn, senere",
            "Gammel ordning",
        ], bad
        html = response.content.decode()
        assert 'id="id_within_days_feil"' in html, bad
        error = (
            "Skriv antall dager som et helt tall, for eksempel 30."
            if bad == "tretti"
            else "Skriv et antall dager fra 1 til 366."
        )
        assert error in _text(response), bad
        assert "Fjern alle filtre" in _text(response)
        assert 'aria-invalid="true"' in html or "aksel-text-field--error" in html
        # What the person typed and chose is still in the form.
        assert f'value="{bad}"' in html
        assert re.search(r'<option value="frivillig-organisasjon"[^>]*selected', html)


def test_empty_listing_says_so(client, index):
    response = client.get(index.url)
    assert _titles(response) == []
    assert "Ingen tilskuddsordninger ennå" in _text(response)


# --- The scheme page --------------------------------------------------------------------------


def test_scheme_page_shows_facts_rounds_and_example_notice(client, make_scheme):
    today = timezone.localdate()
    deadline = today + timedelta(days=15)
    page = make_scheme(
        "Tilskudd til inkludering",
        rounds=[(deadline, GrantRound.Status.OPEN)],
        target_groups=["barn-og-unge"],
        requirements=["frivillighetsregisteret"],
        is_example=True,
        amount_min=50000,
        scheme_code="DT-0130",
    )
    response = client.get(page.url)
    assert response.status_code == 200
    text = _text(response)
    assert "Eksempel: opplysningene er ikke kontrollert mot forvalterens side." in text
    assert "Åpen for søknad" in text
    assert "om 15 dager" in text
    assert "DT-0130" in text
    assert "Fra 50 000 kr" in text
    assert "Registrert i Frivillighetsregisteret" in text
    assert "Ikke kontrollert" in text
    # Anonymous: a login link back to the page instead of a follow button.
    assert "Logg inn for å følge ordningen" in text
    assert f"/konto/login/?next={page.url.replace('/', '%2F')}" in text
    assert "Følg ordningen</span>" not in text
    assert reverse("grant_calendar", args=[page.pk]) in text
    # A deadline today says so.
    last_day = make_scheme("Siste frist i dag", rounds=[(today, GrantRound.Status.OPEN)])
    assert "(i dag)" in _text(client.get(last_day.url))
    assert "(i dag)" in _text(client.get(last_day.get_parent().url))
    # Not an example: no notice.
    other = make_scheme("Kontrollert ordning", last_verified_on=today)
    assert "Eksempel:" not in _text(client.get(other.url))


def test_replaced_scheme_links_to_its_replacement_and_back(client, make_scheme):
    new = make_scheme("Ny ordning", rounds=[(TODAY + timedelta(days=400), "kommende")])
    old = make_scheme(
        "Gammel ordning",
        lifecycle=GrantSchemePage.Lifecycle.REPLACED,
        replaced_by=new,
    )
    text = _text(client.get(old.url))
    assert "Ordningen er erstattet av «Ny ordning». Søk på den nye ordningen." in text
    assert (
        f'<a class="aksel-link aksel-body-short" href="{new.url}">Gå til «Ny ordning»</a>' in text
    )
    # The new scheme names the one it replaces.
    new_text = _text(client.get(new.url))
    assert "Erstatter" in new_text and f'href="{old.url}">Gammel ordning</a>' in new_text
    # In the listing, the replaced scheme's tag names and links to the replacement too.
    listing = _text(client.get(old.get_parent().url, {"status": GRANT_REPLACED}))
    assert "Erstattet av «Ny ordning»" in listing and f'href="{new.url}"' in listing

    # A replacement that is not public is not linked.
    new.unpublish()
    text = _text(client.get(old.url))
    assert "Ordningen er erstattet av en annen ordning." in text
    assert new.url not in text


def test_discontinued_scheme_says_no_one_can_apply(client, make_scheme):
    page = make_scheme("Nedlagt", lifecycle=GrantSchemePage.Lifecycle.DISCONTINUED)
    assert "Ordningen er avviklet. Det kan ikke søkes om tilskudd fra den." in _text(
        client.get(page.url)
    )


def test_drafts_are_never_public(client, world, index, make_scheme):
    deadline = timezone.localdate() + timedelta(days=30)
    draft = make_scheme("Hemmelig utkast", rounds=[(deadline, "apen")], publish=False)
    public = make_scheme("Offentlig", rounds=[(deadline, "apen")])
    assert not draft.live
    user = world["users"]["plain_user"]
    client.force_login(user)

    # The page, the listing and both calendar feeds.
    assert client.get(f"{index.url}hemmelig-utkast/").status_code == 404
    assert _titles(client.get(index.url)) == ["Offentlig"]
    assert client.get(reverse("grant_calendar", args=[draft.pk])).status_code == 404
    feed = _events(client.get(reverse("grant_calendar_all")).content)
    assert set(feed) == {"Søknadsfrist: Offentlig"}
    # It cannot be followed, neither by the form nor by calling the service.
    assert client.post(reverse("grant_follow", args=[draft.pk])).status_code == 404
    assert not GrantFollow.objects.filter(scheme=draft).exists()
    with pytest.raises(ValidationError, match="ikke publisert"):
        grant_follow(user=user, scheme=draft)

    # Unpublishing a public scheme takes it out of all of them; its followers hear nothing more.
    grant_follow(user=user, scheme=public, today=deadline - timedelta(days=40))
    public.unpublish()
    assert client.get(f"{index.url}offentlig/").status_code == 404
    assert _titles(client.get(index.url)) == []
    assert client.get(reverse("grant_calendar", args=[public.pk])).status_code == 404
    assert _events(client.get(reverse("grant_calendar_all")).content) == {}
    assert reminders_dispatch(now=_at(deadline - timedelta(days=21)))["sendt"] == 0
    assert Notification.objects.filter(user=user).count() == 0


# --- Calendar feeds ---------------------------------------------------------------------------


def test_calendar_has_all_day_oslo_dates_across_daylight_saving(client, make_scheme):
    # 25 October 2026 is the night summer time ends, 28 March 2027 the night it starts.
    page = make_scheme(
        "Frister rundt sommertid",
        rounds=[
            {
                "grant_year": 2027,
                "application_deadline": date(2026, 10, 25),
                "reporting_deadline": date(2027, 3, 28),
                "status": "stengt",
            },
            {
                "grant_year": 2028,
                "application_deadline": date(2027, 3, 28),
                "extension_deadline": date(2027, 4, 11),
                "status": "kommende",
            },
        ],
    )
    response = client.get(reverse("grant_calendar", args=[page.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    calendar = Calendar.from_ical(raw)
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Oslo"
    events = [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in calendar.walk("VEVENT")]
    assert sorted(events, key=lambda e: (e[1], e[0])) == [
        ("Søknadsfrist: Frister rundt sommertid", date(2026, 10, 25)),
        ("Rapporteringsfrist: Frister rundt sommertid", date(2027, 3, 28)),
        ("Søknadsfrist: Frister rundt sommertid", date(2027, 3, 28)),
        ("Utsatt frist: Frister rundt sommertid", date(2027, 4, 11)),
    ]
    # DATE values, not midnight datetimes that a reader in another zone would move.
    assert all(type(day) is date for _summary, day in events)
    assert b"DTSTART;VALUE=DATE:20261025" in raw
    assert b"DTSTART;VALUE=DATE:20270328" in raw
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == 4
    # Stable: fetching again gives the same UIDs, so subscribers update rather than duplicate.
    again = Calendar.from_ical(client.get(reverse("grant_calendar", args=[page.pk])).content)
    assert uids == [str(e["UID"]) for e in again.walk("VEVENT")]
    assert all(str(e["URL"]) == f"http://testserver{page.url}" for e in again.walk("VEVENT"))


def test_calendar_of_all_schemes_holds_open_and_coming_ones_only(client, make_scheme):
    today = timezone.localdate()
    make_scheme("Åpen", rounds=[(today + timedelta(days=5), "apen")])
    make_scheme("Kommende", rounds=[(today + timedelta(days=50), "kommende")])
    make_scheme("Stengt", rounds=[(today - timedelta(days=5), "stengt")])
    make_scheme(
        "Avviklet",
        rounds=[(today + timedelta(days=5), "apen")],
        lifecycle=GrantSchemePage.Lifecycle.DISCONTINUED,
    )
    events = _events(client.get(reverse("grant_calendar_all")).content)
    assert set(events) == {"Søknadsfrist: Åpen", "Søknadsfrist: Kommende"}


# --- Who may be eligible ----------------------------------------------------------------------


def _organisation(type_slug: str, *, registered=False, number=None):
    organisation = OrganisationFactory(
        organisation_type=term("organisation_types", type_slug),
        in_frivillighetsregisteret=registered,
        status=Organisation.Status.APPROVED,
    )
    Organisation.objects.filter(pk=organisation.pk).update(organisation_number=number)
    organisation.refresh_from_db()
    return organisation


def _publish_offer(world, organisation, target_groups):
    owner = UserFactory()
    OrganisationMembershipFactory(
        user=owner, organisation=organisation, role=OrganisationMembership.Role.OWNER
    )
    offer = offer_save_draft(
        offer=offer_build(organisation=organisation, target_groups=target_groups), by=owner
    )
    offer_submit(offer=offer, by=owner)
    return offer_approve(offer=offer, by=world["users"]["nav_staff_x"])


def test_matching_for_an_organisation_with_reasons_and_warnings(world, make_scheme):
    soon = TODAY + timedelta(days=30)
    make_scheme(
        "For frivillige med barn",
        rounds=[(soon, "apen")],
        applicant_types=["frivillig-organisasjon"],
        target_groups=["barn-og-unge", "lavinntekt"],
        requirements=["frivillighetsregisteret", "enhetsregisteret"],
    )
    make_scheme(
        "For frivillige, alle målgrupper",
        rounds=[(soon + timedelta(days=1), "kommende")],
        applicant_types=["frivillig-organisasjon"],
        requirements=["kommunal-pamelding"],
        lifecycle=GrantSchemePage.Lifecycle.CONTINUATION_ONLY,
    )
    make_scheme(
        "For frivillige med bolig",
        applicant_types=["frivillig-organisasjon"],
        target_groups=["vanskeligstilte-boligmarkedet"],
    )
    make_scheme("Bare for kommuner", applicant_types=["kommune"])
    replacement = make_scheme("Ny for brukerstyrte", applicant_types=["brukerstyrt-organisasjon"])
    make_scheme(
        "Gammel for brukerstyrte",
        applicant_types=["brukerstyrt-organisasjon"],
        lifecycle=GrantSchemePage.Lifecycle.REPLACED,
        replaced_by=replacement,
    )
    make_scheme("Utkast for frivillige", applicant_types=["frivillig-organisasjon"], publish=False)
    make_scheme(
        "Utkast som erstattes",
        applicant_types=["brukerstyrt-organisasjon"],
        lifecycle=GrantSchemePage.Lifecycle.REPLACED,
        replaced_by=replacement,
        publish=False,
    )

    # A voluntary organisation, not in Frivillighetsregisteret, with an offer for children.
    volunteers = _organisation("frivillig-organisasjon")
    _publish_offer(world, volunteers, ["barn-og-unge"])
    matches = {
        s.title: (reasons, warnings)
        for s, reasons, warnings in grant_schemes_for_organisation(volunteers, TODAY)
    }
    # Sorted by next deadline; other applicant types, drafts and unrelated target groups left out.
    assert list(matches) == ["For frivillige med barn", "For frivillige, alle målgrupper"]
    reasons, warnings = matches["For frivillige med barn"]
    assert reasons == [
        "Ordningen er åpen for frivillige organisasjoner, og organisasjonen er registrert som "
        "frivillig organisasjon.",
        "Tilbudene deres har målgrupper ordningen er rettet mot: barn og unge.",
    ]
    assert warnings == [
        "Ordningen krever registrering i Frivillighetsregisteret, og organisasjonen er ikke "
        "registrert der ifølge portalen.",
        "Ordningen krever registrering i Enhetsregisteret, og vi kjenner ikke "
        "organisasjonsnummeret deres.",
    ]
    reasons, warnings = matches["For frivillige, alle målgrupper"]
    assert len(reasons) == 1  # no target groups on the scheme: the type alone decides
    assert warnings == [
        "Kommunen må melde seg på ordningen før dere kan søke.",
        "Bare tidligere tilskuddsmottakere kan søke.",
    ]

    # Registered: the requirement becomes a reason.
    registered = _organisation("frivilligsentral", registered=True, number="974760673")
    _publish_offer(world, registered, ["lavinntekt"])
    reasons, warnings = {
        s.title: (r, w) for s, r, w in grant_schemes_for_organisation(registered, TODAY)
    }["For frivillige med barn"]
    assert (
        "Organisasjonen er registrert i Frivillighetsregisteret, som ordningen krever." in reasons
    )
    assert (
        "Tilbudene deres har målgrupper ordningen er rettet mot: personer med lavinntekt."
        in reasons
    )
    assert warnings == []

    # Without public offers, target groups cannot rule a scheme out.
    no_offers = _organisation("idrettslag")
    assert {s.title for s, _r, _w in grant_schemes_for_organisation(no_offers, TODAY)} == {
        "For frivillige med barn",
        "For frivillige, alle målgrupper",
        "For frivillige med bolig",
    }

    # A user-run organisation gets the new scheme, which says what it replaced; never the old.
    user_run = _organisation("brukerstyrt-organisasjon")
    found = {s.title: r for s, r, _w in grant_schemes_for_organisation(user_run, TODAY)}
    assert "Gammel for brukerstyrte" not in found
    assert found["Ny for brukerstyrte"][-1] == "Erstatter «Gammel for brukerstyrte»."
    # A draft is never named, not even as the scheme that was replaced.
    assert not any("Utkast" in reason for reason in found["Ny for brukerstyrte"])

    # A type no scheme accepts matches nothing.
    assert grant_schemes_for_organisation(_organisation("nav-kontor"), TODAY) == []


# --- Following and reminders ------------------------------------------------------------------


def _dispatch(now):
    report = reminders_dispatch(now=now)
    deliveries_dispatch()
    return report


def test_follow_plans_21_and_7_days_and_each_goes_out_exactly_once(world, make_scheme):
    deadline = date(2027, 3, 28)  # the night summer time starts
    page = make_scheme("Tilskudd til inkludering", rounds=[(deadline, "apen")])
    user = world["users"]["owner_a"]
    follow = grant_follow(user=user, scheme=page, today=date(2027, 1, 10))
    planned = Reminder.objects.for_object(follow).scheduled().order_by("send_on")
    assert [(r.topic, r.event_date, r.send_on) for r in planned] == [
        ("grant.deadline.21", deadline, date(2027, 3, 7)),
        ("grant.deadline.7", deadline, date(2027, 3, 21)),
    ]

    for day, days_left in ((date(2027, 3, 7), 21), (date(2027, 3, 21), 7)):
        mail.outbox.clear()
        # The evening before, nothing; just after midnight in Oslo (still the day before in
        # UTC), the reminder goes out.
        assert _dispatch(_at(day - timedelta(days=1), 23))["sendt"] == 0
        just_after_midnight = datetime.combine(day, time(0, 5), tzinfo=OSLO)
        assert just_after_midnight.astimezone(ZoneInfo("UTC")).date() == day - timedelta(days=1)
        assert _dispatch(just_after_midnight)["sendt"] == 1
        assert [m.to for m in mail.outbox] == [[user.email]]
        (message,) = mail.outbox
        assert message.subject == "Søknadsfrist 28.03.2027: Tilskudd til inkludering"
        assert f"om {days_left} dager" in message.body
        assert f"http://testserver{page.url}" in message.body
        # Running again, the same day or later, sends nothing more.
        assert _dispatch(_at(day, 15))["sendt"] == 0
        assert len(mail.outbox) == 1

    notifications = Notification.objects.filter(user=user).order_by("created_at")
    assert [n.title for n in notifications] == [
        "Søknadsfrist 28.03.2027: Tilskudd til inkludering"
    ] * 2
    assert all(n.link == page.url for n in notifications)
    assert _dispatch(_at(deadline))["sendt"] == 0
    assert Reminder.objects.for_object(follow).scheduled().count() == 0


def test_following_late_sends_only_the_stage_that_is_due(world, make_scheme):
    deadline = date(2027, 3, 28)
    page = make_scheme("Sen følger", rounds=[(deadline, "apen")])
    user = world["users"]["plain_user"]
    # Five days before: the 21-day stage has been overtaken, so only the 7-day one is planned,
    # and it goes out at once.
    follow = grant_follow(user=user, scheme=page, today=deadline - timedelta(days=5))
    assert list(Reminder.objects.for_object(follow).values_list("topic", flat=True)) == [
        "grant.deadline.7"
    ]
    assert _dispatch(_at(deadline - timedelta(days=5)))["sendt"] == 1
    assert "om 5 dager" in mail.outbox[0].body


def test_a_dispatcher_that_was_away_sends_one_timely_message(world, make_scheme):
    deadline = date(2027, 3, 28)
    page = make_scheme("Borte en stund", rounds=[(deadline, "apen")])
    grant_follow(user=world["users"]["plain_user"], scheme=page, today=date(2027, 1, 1))
    # Nothing ran between 21 and 7 days before: one message about 7 days, not two.
    report = _dispatch(_at(deadline - timedelta(days=7)))
    assert (report["sendt"], report["utgått"]) == (1, 1)
    assert len(mail.outbox) == 1 and "om 7 dager" in mail.outbox[0].body


def test_unfollow_cancels_what_is_planned(client, world, make_scheme):
    deadline = timezone.localdate() + timedelta(days=30)
    page = make_scheme("Følg og slutt", rounds=[(deadline, "apen")])
    user = world["users"]["plain_user"]
    client.force_login(user)
    # The follow form carries its CSRF token (the test client would not notice it missing).
    assert 'name="csrfmiddlewaretoken"' in client.get(page.url).content.decode()

    # 21 and 7 days are ticked to begin with.
    form = client.get(page.url).content.decode()
    assert re.search(r'value="21"[^>]*checked', form) and re.search(r'value="7"[^>]*checked', form)
    response = client.post(
        reverse("grant_follow", args=[page.pk]), {"days_before": ["21", "7"]}, follow=True
    )
    text = _text(response)
    assert "Du følger «Følg og slutt»" in text
    assert "21 og 7 dager før hver søknadsfrist" in text
    assert "Slutt å følge" in text
    follow = GrantFollow.objects.get(user=user, scheme=page)
    assert follow.days_before == [21, 7]
    assert Reminder.objects.for_object(follow).scheduled().count() == 2
    # The listing marks it.
    assert "Du følger" in _text(client.get(page.get_parent().url))

    response = client.post(reverse("grant_unfollow", args=[page.pk]), follow=True)
    assert "Du følger ikke lenger «Følg og slutt»" in _text(response)
    assert "Følg ordningen</span>" in _text(response)
    assert not GrantFollow.objects.filter(user=user).exists()
    assert Reminder.objects.filter(topic__startswith="grant.deadline.").scheduled().count() == 0
    assert _dispatch(_at(deadline - timedelta(days=21)))["sendt"] == 0
    assert _dispatch(_at(deadline - timedelta(days=7)))["sendt"] == 0
    assert mail.outbox == []


def test_a_follower_chooses_when_to_be_reminded(client, world, make_scheme):
    deadline = timezone.localdate() + timedelta(days=50)
    page = make_scheme("Velg dager", rounds=[(deadline, "apen")])
    user = world["users"]["plain_user"]
    client.force_login(user)
    url = reverse("grant_follow", args=[page.pk])

    # Nothing ticked: a clear message, and nothing is followed.
    response = client.post(url, {}, follow=True)
    assert "Velg minst én påminnelse" in _text(response)
    assert not GrantFollow.objects.filter(user=user).exists()
    # A stage not offered is refused the same way.
    response = client.post(url, {"days_before": ["5"]}, follow=True)
    assert "Velg påminnelser blant dagene som står i listen." in _text(response)
    assert not GrantFollow.objects.filter(user=user).exists()

    client.post(url, {"days_before": ["30", "14", "1"]})
    follow = GrantFollow.objects.get(user=user, scheme=page)
    assert follow.days_before == [30, 14, 1]
    assert sorted(
        Reminder.objects.for_object(follow).scheduled().values_list("send_on", flat=True)
    ) == [deadline - timedelta(days=d) for d in (30, 14, 1)]
    # Changing the choice re-plans: the stages no longer wanted are gone.
    response = client.post(url, {"days_before": ["7"]}, follow=True)
    assert "7 dager før hver søknadsfrist" in _text(response)
    follow.refresh_from_db()
    assert follow.days_before == [7]
    assert list(
        Reminder.objects.for_object(follow).scheduled().values_list("send_on", flat=True)
    ) == [deadline - timedelta(days=7)]
    assert re.search(r'value="7"[^>]*checked', client.get(page.url).content.decode())


def test_following_needs_login_and_post(client, make_scheme):
    page = make_scheme(
        "Logg inn først", rounds=[(timezone.localdate() + timedelta(days=30), "apen")]
    )
    response = client.post(reverse("grant_follow", args=[page.pk]))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    assert not GrantFollow.objects.exists()


def test_a_rescheduled_deadline_is_planned_again_on_publish(
    world, make_scheme, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    old, new = today + timedelta(days=40), today + timedelta(days=60)
    page = make_scheme("Flyttet frist", rounds=[(old, "apen")])
    user = world["users"]["owner_a"]
    follow = grant_follow(user=user, scheme=page)
    assert set(
        Reminder.objects.for_object(follow).scheduled().values_list("event_date", flat=True)
    ) == {old}

    # A draft with the new deadline changes nothing until it is published.
    page.rounds = [GrantRound(grant_year=new.year, application_deadline=new, status="apen")]
    with django_capture_on_commit_callbacks(execute=True):
        revision = page.save_revision()
    assert set(
        Reminder.objects.for_object(follow).scheduled().values_list("event_date", flat=True)
    ) == {old}

    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()
    scheduled = Reminder.objects.for_object(follow).scheduled()
    assert sorted((r.event_date, r.send_on) for r in scheduled) == [
        (new, new - timedelta(days=21)),
        (new, new - timedelta(days=7)),
    ]
    # The old deadline's reminders are cancelled, not sent.
    assert _dispatch(_at(old - timedelta(days=7)))["sendt"] == 0
    assert _dispatch(_at(new - timedelta(days=21)))["sendt"] == 1
    assert mail.outbox[0].subject.startswith(f"Søknadsfrist {new:%d.%m.%Y}")

    # Published as discontinued: what is left is cancelled.
    page.refresh_from_db()
    page.lifecycle = GrantSchemePage.Lifecycle.DISCONTINUED
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert not Reminder.objects.for_object(follow).scheduled().exists()
    assert _dispatch(_at(new - timedelta(days=7)))["sendt"] == 0


def test_unfollow_service_returns_false_when_not_following(world, make_scheme):
    page = make_scheme("Aldri fulgt")
    assert grant_unfollow(user=world["users"]["plain_user"], scheme=page) is False


# --- Demo content -----------------------------------------------------------------------------


def test_demo_grants_load_is_idempotent_and_renders(client, shell):
    from directory.services.reference_data import reference_data_load

    reference_data_load()
    created = demo_grants_load()
    assert created == GrantSchemePage.objects.count() >= 10
    assert demo_grants_load() == 0
    assert GrantSchemePage.objects.count() == created
    assert GrantSchemeIndexPage.objects.count() == 1
    assert GrantSchemePage.objects.live().count() == created
    assert all(GrantSchemePage.objects.values_list("is_example", flat=True))

    index = GrantSchemeIndexPage.objects.get()
    assert index.show_in_menus and index.live
    titles = _titles(client.get(index.url))
    assert len(titles) == created
    assert "Tilskudd til inkludering av barn og unge" in titles

    # Every scheme page renders, with the example notice.
    for page in GrantSchemePage.objects.live():
        text = _text(client.get(page.url))
        assert "Eksempel: opplysningene er ikke kontrollert" in text, page.title
    # The merged and legacy schemes point to what replaced them.
    old = GrantSchemePage.objects.get(source_id="demo-tilskudd-04")
    assert old.replaced_by.source_id == "demo-tilskudd-02"
    merged = GrantSchemePage.objects.filter(source_id__startswith="demo-tilskudd-05a")
    assert merged.count() == 3
    assert {p.replaced_by.source_id for p in merged} == {"demo-tilskudd-05"}
    text = _text(client.get(old.url))
    assert "Ordningen er erstattet av «Tilskudd til brukerstyrte organisasjoner" in text


# --- Editing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["portal_editor", "administrator"])
def test_editors_open_the_scheme_forms_in_the_admin(client, world, index, make_scheme, role):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world["users"][role]
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    page = make_scheme("Redigerbar", rounds=[(TODAY, "apen")])
    add = client.get(f"/admin/pages/add/directory/grantschemepage/{index.pk}/")
    assert add.status_code == 200
    assert "Søknadsrunder" in add.content.decode()
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200
    assert "Redigerbar" in edit.content.decode()
