"""The offer search, the offer page and the handout in a real browser: live results as you type
and tick, the keyboard alone, no JavaScript, and axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from directory.factories import offer_build
from directory.models import Municipality, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import reference_data_load
from portal.factories import DEFAULT_PASSWORD
from tests.browser.conftest import axe, describe, foreign_urls, log_in

pytestmark = pytest.mark.browser

DRAMMEN = (59.7439, 10.2045)
OSLO = (59.9127, 10.7600)
BERGEN = (60.3913, 5.3221)


def assert_accessible(page):
    violations = axe(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


@pytest.fixture
def publish(site, world):
    """Publish an offer through the real workflow; it is indexed on commit, as in production."""
    from django.core.cache import cache

    cache.clear()  # term labels are cached in this process, which the live server shares
    reference_data_load()
    Organisation.objects.update(status="approved")
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]

    def publish(title, code, point, summary, **fields):
        offer = offer_build(
            organisation=world["org_a"],
            municipality=Municipality.objects.get(code=code),
            title=title,
            summary=summary,
            point=point,
            **fields,
        )
        offer = offer_save_draft(offer=offer, by=owner)
        offer_submit(offer=offer, by=owner)
        return offer_approve(offer=offer, by=staff)

    return publish


@pytest.fixture
def catalogue(publish):
    """Three homework offers (two in Drammen, one in Oslo) and food help in Bergen."""
    return {
        "drammen_barn": publish(
            "Leksehjelp for 10-åringer",
            "3301",
            DRAMMEN,
            "Hjelp med lekser for barn på mellomtrinnet.",
            target_groups=["barn-og-unge"],
        ),
        "oslo_barn": publish(
            "Leksehjelp på biblioteket",
            "0301",
            OSLO,
            "Lekser og en prat for ungdom etter skolen.",
            target_groups=["barn-og-unge"],
        ),
        "drammen_voksne": publish(
            "Leksehjelp for voksne",
            "3301",
            DRAMMEN,
            "Hjelp med norskprøven og lekser for voksne.",
            target_groups=["innvandrere"],
        ),
        "bergen_mat": publish(
            "Matutdeling på torsdager",
            "4601",
            BERGEN,
            "Matposer én gang i uka.",
            categories=["mathjelp"],
            target_groups=["alle"],
        ),
    }


def test_live_search_then_the_offer_page_and_the_handout(page, catalogue):
    page.goto("/tilbud/")
    status = page.locator("#sok-status")
    expect(status).to_have_text("4 tilbud")
    assert_accessible(page)
    page.evaluate("window.samePage = true")

    # Typing (with a typo) updates the results without a page load.
    page.get_by_label("Søk etter tilbud").press_sequentially("lekshjelp", delay=30)
    expect(status).to_have_text("3 tilbud")
    page.get_by_role("checkbox", name=re.compile(r"^Drammen")).check()
    expect(status).to_have_text("2 tilbud")
    page.get_by_role("checkbox", name=re.compile(r"^Barn og unge")).check()
    expect(status).to_have_text("1 tilbud")
    results = page.locator("#sokeresultater")
    expect(results.get_by_role("heading", level=3)).to_have_text(["Leksehjelp for 10-åringer"])
    assert page.evaluate("window.samePage") is True
    expect(page).to_have_title("«lekshjelp» – Frivillige tilbud – Samarbeidsportalen")
    # The address bar holds a link to this very search.
    assert re.search(r"q=lekshjelp", page.url)
    assert "municipalities=3301" in page.url and "target_groups=barn-og-unge" in page.url
    assert "kontor=" not in page.url  # empty fields are left out
    assert_accessible(page)

    # Back goes to the search before the last tick, with the form to match.
    page.go_back()
    expect(status).to_have_text("2 tilbud")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Barn og unge"))).not_to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Drammen"))).to_be_checked()
    page.go_forward()
    expect(status).to_have_text("1 tilbud")

    results.get_by_role("link", name="Leksehjelp for 10-åringer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leksehjelp for 10-åringer")
    expect(
        page.locator("main").get_by_text("Frivillige tilbud kommer i tillegg til offentlige")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Kopier lenke")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Skriv ut tilbudsark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leksehjelp for 10-åringer")
    expect(page.get_by_role("heading", name="Slik blir du med")).to_be_visible()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    assert page.locator(".portal-header").count() == 0
    assert_accessible(page)


def test_facet_checkboxes_work_with_the_keyboard_alone(page, catalogue):
    page.goto("/tilbud/?q=lekshjelp")
    status = page.locator("#sok-status")
    expect(status).to_have_text("3 tilbud")

    def tab_to(locator, limit=60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    drammen = page.get_by_role("checkbox", name=re.compile(r"^Drammen"))
    page.get_by_label("Søk etter tilbud").focus()
    tab_to(drammen)
    page.keyboard.press("Space")
    expect(status).to_have_text("2 tilbud")
    # The counts are redrawn, but focus stays on the box that was ticked.
    expect(drammen).to_be_checked()
    expect(drammen).to_be_focused()

    children = page.get_by_role("checkbox", name=re.compile(r"^Barn og unge"))
    tab_to(children)
    page.keyboard.press("Space")
    expect(status).to_have_text("1 tilbud")
    expect(children).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text("2 tilbud")
    expect(children).not_to_be_checked()
    expect(children).to_be_focused()


def test_a_value_in_a_folded_group_keeps_focus_when_ticked_and_unticked(page, catalogue, publish):
    publish(
        "Aktivitetshuset",
        "0301",
        OSLO,
        "Mye forskjellig under ett tak.",
        categories=[
            "moteplass",
            "sprakkafe",
            "fritidsaktivitet",
            "digital-hjelp",
            "utstyrssentral",
            "besokstjeneste",
        ],
    )
    # Eight categories: the six most common show, the last two fold into «Vis 2 til».
    page.goto("/tilbud/")
    status = page.locator("#sok-status")
    expect(status).to_have_text("5 tilbud")
    group = page.locator('[data-facet="categories"]')
    group.locator("summary").click()
    folded = group.locator("details").get_by_role("checkbox").last
    name = folded.get_attribute("id")
    folded.focus()
    page.keyboard.press("Space")
    expect(status).to_have_text("1 tilbud")
    # Ticked values move to the top of the group; focus goes with the box.
    ticked = page.locator(f"#{name}")
    expect(ticked).to_be_checked()
    expect(ticked).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text("5 tilbud")
    expect(ticked).not_to_be_checked()
    expect(ticked).to_be_visible()
    expect(ticked).to_be_focused()


def test_the_search_works_without_javascript(browser, site, catalogue):
    context = browser.new_context(java_script_enabled=False, locale="nb-NO", base_url=site.url)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/tilbud/")
    expect(page.get_by_role("button", name="Bruk min posisjon")).to_be_hidden()
    page.get_by_label("Søk etter tilbud").fill("lekshjelp")
    page.get_by_role("checkbox", name=re.compile(r"^Drammen")).check()
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.locator("#sok-status")).to_have_text("2 tilbud")
    assert "q=lekshjelp" in page.url and "municipalities=3301" in page.url
    page.get_by_role("link", name="Leksehjelp for voksne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leksehjelp for voksne")
    context.close()
    assert foreign_urls(requested, site.url) == []


def test_empty_results_and_ignored_parameters_are_accessible(page, catalogue):
    page.goto("/tilbud/?q=finnesikke&age=abc&sort=distance")
    expect(page.locator("#sok-status")).to_have_text("0 tilbud")
    expect(page.get_by_text("Alder: ")).to_be_visible()
    expect(page.get_by_text("Sortering etter avstand trenger et utgangspunkt")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Fant ingen tilbud som passer «finnesikke»")
    ).to_be_visible()
    assert_accessible(page)


def test_nav_staff_see_the_supplement_notice_and_the_page_stays_accessible(page, catalogue, world):
    log_in(page, world["users"]["nav_staff_x"].email, DEFAULT_PASSWORD)
    page.locator(".portal-header").get_by_text("Logget inn som").wait_for()
    page.goto(f"/tilbud/{catalogue['bergen_mat'].pk}/")
    expect(page.get_by_role("heading", name="Til deg som er Nav-ansatt")).to_be_visible()
    expect(page.get_by_text("sosialtjenesteloven §§ 18–19")).to_be_visible()
    assert_accessible(page)


def test_my_position_sorts_by_distance(page, catalogue, site):
    page.context.grant_permissions(["geolocation"], origin=site.url)
    page.context.set_geolocation({"latitude": 60.3913, "longitude": 5.3221})  # Bergen
    page.goto("/tilbud/?sort=distance")
    expect(page.get_by_text("Sortering etter avstand trenger et utgangspunkt")).to_be_visible()
    page.get_by_role("button", name="Bruk min posisjon").click()
    expect(page.get_by_text("Avstanden regnes nå fra posisjonen din.")).to_be_visible()
    expect(page.get_by_label("Avstand fra")).to_have_value("min-posisjon")
    first = page.locator("#sokeresultater article").first
    expect(first.get_by_role("heading")).to_have_text("Matutdeling på torsdager")
    expect(first).to_contain_text(re.compile(r"\b0,\d km unna"))
    # Rounded to about a kilometre before it goes into the address.
    assert "lat=60.39&lon=5.32" in page.url

    page.get_by_label("Innen").select_option("50")
    expect(page.locator("#sok-status")).to_have_text("1 tilbud")
    page.get_by_label("Avstand fra").select_option("")
    expect(page.locator("#sok-status")).to_have_text("4 tilbud")
    assert "lat=" not in page.url
