"""The unified search in a real browser, with the keyboard only: suggestions from the header's
field, then filtering /sok/ by type with htmx; and axe-core on every state of the page and on
the organisation page."""

import re

import pytest
from playwright.sync_api import expect

from directory.factories import OrganisationFactory, offer_build
from directory.models import Municipality, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import reference_data_load
from search.indexing import site_reindex_all
from tests.browser.conftest import axe, describe

pytestmark = pytest.mark.browser


@pytest.fixture
def records(site, world):
    """Two published homework offers of an approved organisation, all indexed."""
    reference_data_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    org, owner, staff = world["org_a"], world["users"]["owner_a"], world["users"]["nav_staff_x"]
    offers = []
    for title, code in (("Leksehjelp på biblioteket", "0301"), ("Leksehjelp i Drammen", "3301")):
        offer = offer_build(
            organisation=org, municipality=Municipality.objects.get(code=code), title=title
        )
        offer = offer_save_draft(offer=offer, by=owner)
        offer_submit(offer=offer, by=owner)
        offers.append(offer_approve(offer=offer, by=staff))
    OrganisationFactory(name="Leksehjelpen frivillighet", status=Organisation.Status.APPROVED)
    site_reindex_all()
    return {"offers": offers, "organisation": org}


def assert_accessible(page):
    violations = axe(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


def test_suggestions_from_the_header_open_a_record_with_the_keyboard(page, records):
    page.goto("/om/")
    field = page.locator("#portal-sok")
    field.focus()
    page.keyboard.type("leksehjelp på")
    listbox = page.locator("#portal-sok-forslag")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#portal-sok-forslag-status")).to_contain_text("forslag")
    assert_accessible(page)

    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(first).to_contain_text("Leksehjelp på biblioteket")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tilbud/{records['offers'][0].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leksehjelp på biblioteket")


def test_enter_without_a_chosen_suggestion_searches(page, records):
    page.goto("/om/")
    page.locator("#portal-sok").focus()
    page.keyboard.type("leksehjelp")
    expect(page.locator("#portal-sok-forslag")).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sok/\?q=leksehjelp$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Søkeresultater for «leksehjelp»")


def test_filtering_by_type_with_the_keyboard_updates_results_and_announces_the_count(page, records):
    page.goto("/sok/?q=leksehjelp")
    status = page.locator("#sok-status")
    expect(status).to_have_text(re.compile(r"^\d+ treff for «leksehjelp»$"))
    before = status.inner_text()
    page.locator("#sok-q").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sok-type-organisation":
            break
    assert page.evaluate("document.activeElement.id") == "sok-type-organisation"
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"type=organisation"))
    expect(status).not_to_have_text(before)
    expect(status).to_have_text(re.compile(r"^\d+ treff for «leksehjelp»$"))
    # No reload: htmx swapped the results, and focus stayed on the ticked box.
    expect(page.locator("#sok-type-organisation")).to_be_checked()
    assert page.evaluate("document.activeElement.id") == "sok-type-organisation"
    kinds = page.locator(".portal-site-hit").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"organisation"}


@pytest.mark.parametrize(
    "path",
    [
        "/sok/",
        "/sok/?q=leksehjelp",
        "/sok/?q=leksehjelp&type=offer&categories=leksehjelp",
        "/sok/?q=lekshjelp",
        "/sok/?q=zyxwvu",
        "/sok/?type=hemmelig",
    ],
)
def test_search_page_has_no_serious_violations(page, records, path):
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page)


def test_organisation_page_has_no_serious_violations(page, records):
    response = page.goto(f"/organisasjoner/{records['organisation'].slug}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(records["organisation"].name)
    assert_accessible(page)
