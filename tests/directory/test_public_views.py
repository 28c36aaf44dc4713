"""The offer page and its printable handout: who sees what, the notices, hidden addresses."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from directory.factories import MunicipalityFactory, offer_build
from directory.models import Offer, OfferLocation, Organisation
from directory.services.offers import offer_approve, offer_reject, offer_save_draft, offer_submit
from directory.services.reference_data import vocabularies_load

pytestmark = pytest.mark.django_db

STANDARD_NOTICE = (
    "Frivillige tilbud kommer i tillegg til offentlige tjenester og erstatter dem ikke."
)
SUPPLEMENT_NOTICE = "Vurder retten til økonomisk stønad etter sosialtjenesteloven §§ 18–19 først."
ROLES = [
    "anonymous",
    "plain_user",
    "owner_a",
    "editor_a",
    "rep_b",
    "nav_staff_x",
    "nav_staff_y",
    "municipality_staff",
    "portal_editor",
    "administrator",
]
# Who may see an offer the public does not: its organisation and Nav staff (moderators).
INSIDERS = {"owner_a", "editor_a", "nav_staff_x", "nav_staff_y", "portal_editor", "administrator"}


@pytest.fixture
def offers(world):
    vocabularies_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]

    def draft(**fields):
        return offer_save_draft(offer=offer_build(organisation=world["org_a"], **fields), by=owner)

    def submitted(**fields):
        return offer_submit(offer=draft(**fields), by=owner)

    def published(**fields):
        return offer_approve(offer=submitted(**fields), by=staff)

    return {"draft": draft, "submitted": submitted, "published": published}


def get(client, world, role, url):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client.get(url)


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def detail(offer) -> str:
    return f"/tilbud/{offer.pk}/"


def printable(offer) -> str:
    return f"/tilbud/{offer.pk}/utskrift/"


def test_everyone_sees_a_published_offer(client, world, offers):
    offer = offers["published"](title="Leksehjelp på biblioteket", min_age=13, max_age=19)
    for role in ROLES:
        response = get(client, world, role, detail(offer))
        assert response.status_code == 200, role
        page = text(response)
        assert "Leksehjelp på biblioteket" in page
        assert "Gratis leksehjelp med frivillige voksne hver tirsdag." in page
        assert world["org_a"].name in page
        assert "13–19 år" in page
        assert "Tirsdag kl. 17.00–19.00" in page
        assert "Bare møt opp" in page
        assert STANDARD_NOTICE in page
        assert "Sist bekreftet" in page
        assert "Bare organisasjonen og Nav ser denne siden." not in page
        assert get(client, world, role, printable(offer)).status_code == 200, role


@pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "hidden_stale", "archived"])
def test_only_the_organisation_and_nav_see_an_offer_that_is_not_public(
    client, world, offers, state
):
    if state == "draft":
        offer = offers["draft"]()
    elif state in ("submitted", "rejected"):
        offer = offers["submitted"]()
        if state == "rejected":
            offer_reject(offer=offer, by=world["users"]["nav_staff_x"], reason="Mangler adresse.")
    else:
        offer = offers["published"]()
        Offer.objects.filter(pk=offer.pk).update(visibility=state)
    expected = {
        "draft": "Dette er et utkast.",
        "submitted": "Tilbudet er sendt til godkjenning og er ikke publisert ennå.",
        "rejected": "Begrunnelse: Mangler adresse.",
        "hidden_stale": "Tilbudet er skjult i søket fordi det ikke er bekreftet i tide.",
        "archived": "Tilbudet er avsluttet og vises ikke i søket.",
    }[state]

    for role in ROLES:
        client.logout()
        response = get(client, world, role, detail(offer))
        handout = get(client, world, role, printable(offer))
        if role not in INSIDERS:
            assert (response.status_code, handout.status_code) == (404, 404), role
            continue
        assert response.status_code == 200, role
        page = text(response)
        assert "Bare organisasjonen og Nav ser denne siden." in page
        assert expected in page
        assert '<meta name="robots" content="noindex">' in response.content.decode()
        assert handout.status_code == 200
        assert "Ikke publisert. Ikke del ut dette arket." in text(handout)


def test_a_pending_edit_is_announced_to_the_organisation_only(client, world, offers):
    offer = offers["published"](title="Leksehjelp")
    edit = offer.get_latest_revision_as_object()
    edit.title = "Nytt navn som venter"
    offer_save_draft(offer=edit, by=world["users"]["owner_a"])
    offer_submit(offer=Offer.objects.get(pk=offer.pk), by=world["users"]["owner_a"])

    public = text(client.get(detail(offer)))
    assert "Leksehjelp" in public and "Nytt navn som venter" not in public
    assert "venter på godkjenning" not in public

    owner = text(get(client, world, "owner_a", detail(offer)))
    assert "En endring av tilbudet venter på godkjenning." in owner
    assert "Nytt navn som venter" not in owner  # the page shows the live version


def test_the_supplement_notice_is_for_nav_staff_on_food_and_money_help(client, world, offers):
    food = offers["published"](title="Matutdeling", categories=["mathjelp"])
    for role, shown in (
        ("anonymous", False),
        ("plain_user", False),
        ("owner_a", False),
        ("municipality_staff", False),
        ("nav_staff_x", True),
        ("nav_staff_y", True),
        ("portal_editor", True),
    ):
        client.logout()
        page = text(get(client, world, role, detail(food)))
        assert (SUPPLEMENT_NOTICE in page) is shown, role
        assert ("Til deg som er Nav-ansatt" in page) is shown, role
        assert STANDARD_NOTICE in page
        # Not on the handout a client takes home.
        assert SUPPLEMENT_NOTICE not in text(get(client, world, role, printable(food)))


def test_no_supplement_notice_for_other_categories(client, world, offers):
    homework = offers["published"](categories=["leksehjelp", "moteplass"])
    page = text(get(client, world, "nav_staff_x", detail(homework)))
    assert SUPPLEMENT_NOTICE not in page
    assert STANDARD_NOTICE in page


def test_money_advice_gets_the_statutory_advice_line_too(client, world, offers):
    advice = offers["published"](categories=["okonomisk-radgivning"])
    page = text(get(client, world, "nav_staff_x", detail(advice)))
    assert SUPPLEMENT_NOTICE in page
    assert "(sosialtjenesteloven § 17)" in page


def test_a_hidden_address_is_never_rendered(client, world, offers):
    town = MunicipalityFactory(name="Skjulestad")
    offer = offer_build(organisation=world["org_a"], title="Krisetilbud")
    offer.locations = [
        OfferLocation(
            municipality=town,
            name="Krisesenteret i Bakgata",
            address="Hemmeligveien 7",
            postal_code="1234",
            latitude=59.123456,
            longitude=10.654321,
            hidden_address=True,
        )
    ]
    offer = offer_approve(
        offer=offer_submit(
            offer=offer_save_draft(offer=offer, by=world["users"]["owner_a"]),
            by=world["users"]["owner_a"],
        ),
        by=world["users"]["nav_staff_x"],
    )
    for role, url in [
        (r, u)
        for r in ("anonymous", "owner_a", "nav_staff_x")
        for u in (detail(offer), printable(offer))
    ]:
        client.logout()
        response = get(client, world, role, url)
        html = response.content.decode()
        for secret in ("Hemmeligveien", "Krisesenteret", "1234", "59.12", "10.65", "59,12"):
            assert secret not in html, (role, url, secret)
        assert "openstreetmap" not in html
        page = text(response)
        assert "Skjulestad" in page
        assert "Adressen er skjult. Ta kontakt for å få vite hvor." in page


def test_a_visible_place_has_its_address_and_a_map_link(client, world, offers):
    town = MunicipalityFactory(name="Synlighavn")
    offer = offer_build(organisation=world["org_a"], point=(59.9127, 10.76))
    offer.locations = [
        OfferLocation(
            municipality=town,
            name="Biblioteket",
            address="Storgata 1",
            postal_code="0155",
            latitude=59.9127,
            longitude=10.76,
        )
    ]
    offer = offer_approve(
        offer=offer_submit(
            offer=offer_save_draft(offer=offer, by=world["users"]["owner_a"]),
            by=world["users"]["owner_a"],
        ),
        by=world["users"]["nav_staff_x"],
    )
    response = client.get(detail(offer))
    page = text(response)
    assert "Biblioteket" in page and "Storgata 1, 0155 Synlighavn" in page
    assert (
        'href="https://www.openstreetmap.org/?mlat=59.91270&amp;mlon=10.76000'
        '#map=16/59.91270/10.76000"' in response.content.decode()
    )


def test_the_page_shows_the_details_an_adviser_needs(client, world, offers):
    offer = offers["published"](
        description="<p>Vi har <strong>frivillige lærere</strong>.</p>",
        target_groups=["barn-og-unge"],
        cost="lav-pris",
        price_amount=50,
        price_text="Per semester.",
        fees_can_be_covered=True,
        next_step="Send en e-post med navn på skolen.",
        capacity=12,
        has_waiting_list=True,
        contact_role="Leksehjelpkoordinator",
        contact_email="lekser@example.org",
        contact_phone="22 22 22 22",
        season_text="Ikke i skoleferiene.",
        notice="Stengt i høstferien.",
        is_demo=True,
    )
    response = client.get(detail(offer))
    html = response.content.decode()
    page = text(response)
    assert "<strong>frivillige lærere</strong>" in html  # sanitised rich text, rendered as HTML
    for expected in (
        "kr 50",
        "Per semester.",
        "Avgiften kan dekkes.",
        "Send en e-post med navn på skolen.",
        "12 plasser.",
        "Det er venteliste.",
        "Leksehjelpkoordinator",
        "Ikke i skoleferiene.",
        "Stengt i høstferien.",
        "Eksempel",
        "Skriv ut tilbudsark",
        "Du trenger ikke være bruker av Nav for å delta.",
    ):
        assert expected in page, expected
    assert 'href="mailto:lekser@example.org"' in html
    assert 'href="tel:22222222"' in html
    # "Kopier lenke" needs JavaScript: hidden until the script shows it.
    assert re.search(r'<button[^>]*hidden[^>]*data-copy-link="http://testserver/tilbud/', html)


def test_an_overdue_confirmation_is_flagged(client, world, offers):
    offer = offers["published"]()
    verified = timezone.now() - timedelta(days=200)
    Offer.objects.filter(pk=offer.pk).update(
        last_verified_at=verified, confirmation_due_at=timezone.now() - timedelta(days=10)
    )
    page = text(client.get(detail(offer)))
    day = verified.astimezone(timezone.get_current_timezone()).day
    assert re.search(rf"Ikke bekreftet siden {day}\. \w+ \d{{4}}", page)

    fresh = offers["published"](title="Fersk")
    assert "Ikke bekreftet siden" not in text(client.get(detail(fresh)))


def test_unknown_offer_is_404(client, world):
    assert client.get("/tilbud/999999/").status_code == 404
    assert client.get("/tilbud/999999/utskrift/").status_code == 404


def test_the_handout_is_plain_and_complete(client, world, offers):
    offer = offers["published"](
        title="Språkkafé",
        categories=["sprakkafe"],
        next_step="Bare kom innom.",
        notice="Stengt 17. mai.",
    )
    response = client.get(printable(offer))
    html = response.content.decode()
    page = text(response)
    for expected in (
        "Tilbudsark fra Samarbeidsportalen",
        "Språkkafé",
        "Hva er dette?",
        "Gratis leksehjelp med frivillige voksne hver tirsdag.",
        "Når?",
        "Tirsdag kl. 17.00–19.00",
        "Hvor?",
        "Slik blir du med",
        "Bare kom innom.",
        "Hva koster det?",
        "Kontakt",
        "Koordinator",
        "Stengt 17. mai.",
        f"http://testserver/tilbud/{offer.pk}/",
        STANDARD_NOTICE,
    ):
        assert expected in page, expected
    # Minimal chrome: no site navigation, no account links, no footer.
    assert "Hovedmeny" not in html and "Logg inn" not in html and "portal-footer" not in html
    assert "@media print" not in html  # print rules live in portal.css, not inline
    assert re.search(r"<button[^>]*data-print[^>]*hidden", html)


def test_the_offer_page_needs_a_fixed_number_of_queries(
    client, world, offers, django_assert_max_num_queries
):
    small = offers["published"](categories=["leksehjelp"], target_groups=["barn-og-unge"])
    big = offers["published"](
        categories=["leksehjelp", "moteplass", "sprakkafe"],
        target_groups=["barn-og-unge", "innvandrere", "alle"],
    )
    client.force_login(world["users"]["nav_staff_x"])
    client.get(detail(small))  # the site and footer settings are cached after the first page
    counts = []
    for offer in (small, big):
        # 26: one more since the page names the prevention models the offer follows.
        with django_assert_max_num_queries(26) as captured:
            assert client.get(detail(offer)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
