"""What the shared live-results script (portal/static/js/live-results.js) keeps across an htmx
swap on /tilbud/ and /sok/: open facet groups, focus on the control the user was on, focus on
the results heading after a page change, and the filter panel folded or open; and no script
errors on pages that load only part of the scripts."""

import re

import pytest
from playwright.sync_api import expect

from directory.factories import OrganisationFactory
from directory.models import Organisation
from search.indexing import site_reindex_all
from tests.browser.test_offer_pages import OSLO, catalogue, publish  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def errors(page):
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            found.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    yield found


def test_offer_open_group_survives_a_sort_change(page, catalogue, publish, errors):  # noqa: F811
    publish(
        "Aktivitetshuset",
        "0301",
        OSLO,
        "Mye.",
        categories=[
            "moteplass",
            "sprakkafe",
            "fritidsaktivitet",
            "digital-hjelp",
            "utstyrssentral",
            "besokstjeneste",
        ],
    )
    page.goto("/tilbud/")
    expect(page.locator("#sok-status")).to_have_text("5 tilbud")
    details = page.locator('[data-facet="categories"] details')
    expect(details).not_to_have_attribute("open", "")
    page.locator('[data-facet="categories"] summary').click()
    expect(details).to_have_attribute("open", "")
    options = page.locator("#id_sort option").evaluate_all("os => os.map(o => o.value)")
    current = page.locator("#id_sort").input_value()
    other = [value for value in options if value != current][0]
    with page.expect_response(re.compile(r"/tilbud/\?")):
        page.locator("#id_sort").select_option(other)
    page.wait_for_timeout(500)
    expect(details).to_have_attribute("open", "")
    # A facet checkbox in the folded part keeps focus (and its group opens).
    box = details.get_by_role("checkbox").last
    name = box.get_attribute("id")
    box.focus()
    page.keyboard.press("Space")
    expect(page.locator("#sok-status")).to_have_text("1 tilbud")
    expect(page.locator(f"#{name}")).to_be_focused()
    assert errors == []


def test_offer_pagination_focuses_the_heading(page, publish, errors):  # noqa: F811
    for i in range(21):
        publish(f"Tilbud nummer {i}", "0301", OSLO, "Noe.")
    page.goto("/tilbud/")
    expect(page.locator("#sok-status")).to_have_text("21 tilbud")
    page.locator("[data-pagination]").get_by_role("link", name=re.compile("2")).first.click()
    expect(page).to_have_url(re.compile(r"side=2"))
    expect(page.locator("#sokeresultater-tittel")).to_be_focused()
    assert errors == []


def test_site_pagination_and_folded_panel(page, site, errors):
    for i in range(21):
        OrganisationFactory(name=f"Leksehjelpen {i}", status=Organisation.Status.APPROVED)
    site_reindex_all()
    page.goto("/sok/?q=leksehjelpen")
    expect(page.locator("#sok-status")).to_have_text(re.compile(r"^21 treff"))
    page.locator("[data-pagination]").get_by_role("link", name=re.compile("2")).first.click()
    expect(page).to_have_url(re.compile(r"side=2"))
    expect(page.locator("#sok-resultater-tittel")).to_be_focused()
    panel = page.locator("#sok-filtre details[data-collapse-narrow]")
    expect(panel).to_have_attribute("open", "")
    page.evaluate(
        "document.querySelector('#sok-filtre details[data-collapse-narrow]').open = false"
    )
    page.evaluate("document.getElementById('sok-type-organisation').click()")
    expect(page).to_have_url(re.compile(r"type=organisation"))
    page.wait_for_timeout(500)
    expect(panel).not_to_have_attribute("open", "")
    page.evaluate("document.querySelector('#sok-filtre details[data-collapse-narrow]').open = true")
    page.evaluate("document.getElementById('sok-type-organisation').click()")
    expect(page).not_to_have_url(re.compile(r"type=organisation"))
    page.wait_for_timeout(500)
    expect(panel).to_have_attribute("open", "")
    assert errors == []


def test_home_and_handout_have_no_script_errors(page, catalogue, errors):  # noqa: F811
    page.goto("/")
    page.goto(f"/tilbud/{catalogue['oslo_barn'].pk}/")
    expect(page.get_by_role("button", name="Kopier lenke")).to_be_visible()
    page.get_by_role("link", name="Skriv ut tilbudsark").click()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    assert errors == []
