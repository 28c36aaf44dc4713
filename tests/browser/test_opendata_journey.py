"""«Eksporter katalogen» and «Importer tilbud» in a real browser: empty states, error summaries,
progress that htmx polls while the work runs, the download, the report and the apply, with
axe-core on every page."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from directory.factories import MunicipalityMembershipFactory
from directory.models import Municipality, Offer
from directory.services.reference_data import reference_data_load
from opendata.models import DataExport, DataImport
from portal.factories import DEFAULT_PASSWORD, UserFactory
from tests.browser.conftest import axe, describe, log_in

pytestmark = [pytest.mark.browser]

EMAIL = "koordinator@kommune.example.org"
TEMPLATE_HEADER = (
    "ekstern_id,organisasjonsnummer,organisasjonsnavn,tittel,kort beskrivelse,kommunenummer,"
    "kategorier,tidspunkter"
)


def assert_accessible(page):
    violations = axe(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


@pytest.fixture
def coordinator(site, settings, tmp_path):
    """A municipality's volunteering coordinator: may export and import (no MFA needed)."""
    reference_data_load()
    user = UserFactory(email=EMAIL)
    MunicipalityMembershipFactory(user=user, municipality=Municipality.objects.get(code="3301"))
    return user


def test_export_shows_progress_while_it_runs_and_offers_the_file_when_done(page, coordinator):
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Åpne data").click()
    expect(page.get_by_role("heading", name="Eksporter katalogen", level=1)).to_be_visible()
    expect(page.get_by_text("Du har ikke eksportert katalogen ennå")).to_be_visible()
    assert_accessible(page)

    # An export a worker is busy with: the row polls and shows how far it has come.
    running = DataExport.objects.create(
        requested_by=coordinator,
        format="xlsx",
        status="running",
        progress=40,
        message="Skriver 40 av 100 poster",
    )
    page.reload()
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "40")
    expect(page.get_by_text("Eksport: 40 % – Skriver 40 av 100 poster")).to_be_visible()
    assert_accessible(page)

    running.file.save("katalog.xlsx", ContentFile(b"PK\x03\x04 ..."), save=False)
    DataExport.objects.filter(pk=running.pk).update(
        status="done", progress=100, message="Ferdig", file=running.file.name, size=8
    )
    link = page.get_by_role("link", name="Last ned (8\xa0byte)")
    expect(link).to_be_visible(timeout=5000)  # htmx fetched the row again within 2 s
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert page.locator("[hx-trigger]").count() == 0  # a finished row stops polling
    with page.expect_download() as download:
        link.click()
    name = download.value.suggested_filename
    assert name.startswith("katalog") and name.endswith(".xlsx")

    # The real thing: the task runs at once in tests, so the new row is finished.
    page.get_by_label("HSDS-datapakke (CSV i zip)").check()
    page.get_by_role("button", name="Lag fil").click()
    expect(page.get_by_text("Eksporten er startet")).to_be_visible()
    expect(page.get_by_role("link", name="Last ned").first).to_be_visible()
    assert DataExport.objects.filter(requested_by=coordinator, status="done").count() == 2
    assert_accessible(page)


def test_import_reports_bad_rows_then_imports_a_clean_file(page, coordinator, tmp_path):
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    page.goto("/apne-data/eksport/")
    page.get_by_role("link", name="Importer organisasjoner og tilbud fra CSV eller Excel").click()
    expect(page.get_by_role("heading", name="Importer tilbud", level=1)).to_be_visible()
    expect(page.get_by_text("Du har ikke importert noe ennå")).to_be_visible()
    assert_accessible(page)

    # A file that is not one of ours: an error summary linking to the field.
    wrong = tmp_path / "bilde.csv"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page.get_by_label("Fil med tilbud").set_input_files(str(wrong))
    page.get_by_role("button", name="Last opp og kontroller").click()
    summary = page.locator(".aksel-error-summary")
    # Judged by its content, not its name: a picture called .csv is named for what it is.
    expect(summary).to_contain_text("Filen er et bilde (PNG)")
    assert_accessible(page)

    rows = [
        "tur-1,889640782,Turlaget i Drammen,Rolig tur,Vi går en rolig tur sammen.,3301,"
        "fysisk-aktivitet,onsdag 11:00-13:00",
        "tur-2,889640781,Turlaget i Drammen,Kveldstur,Vi går om kvelden.,3301,fysisk-aktivitet,",
    ]
    bad = tmp_path / "tilbud.csv"
    bad.write_text("\n".join([TEMPLATE_HEADER, *rows]) + "\n", encoding="utf-8")
    page.get_by_label("Fil med tilbud").set_input_files(str(bad))
    page.get_by_role("button", name="Last opp og kontroller").click()
    expect(page.get_by_role("heading", name="1 rad har feil")).to_be_visible()
    expect(page.get_by_role("link", name="Rad 3: Organisasjonsnummeret 889640781")).to_be_visible()
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    assert_accessible(page)

    good = tmp_path / "tilbud-rettet.csv"
    good.write_text("\n".join([TEMPLATE_HEADER, rows[0]]) + "\n", encoding="utf-8")
    page.goto("/apne-data/import/")
    page.get_by_label("Fil med tilbud").set_input_files(str(good))
    page.get_by_role("button", name="Last opp og kontroller").click()
    expect(page.get_by_text("alle radene kan importeres")).to_be_visible()
    expect(page.get_by_role("cell", name="Opprettes")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("Importert: 1 nye tilbud")).to_be_visible()
    assert Offer.objects.get(source_id="tur-1").moderation_status == "submitted"
    assert_accessible(page)


def test_an_import_being_checked_shows_progress_until_its_report_is_ready(page, coordinator):
    data_import = DataImport(
        uploaded_by=coordinator,
        original_name="stor-fil.csv",
        kind="template_csv",
        status="checking",
        progress=35,
        message="Kontrollerer rad 3500 av 10000",
    )
    data_import.file.save("stor-fil.csv", ContentFile(b"x"), save=False)
    data_import.save()
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    page.goto(f"/apne-data/import/{data_import.pk}/")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "35")
    assert_accessible(page)

    DataImport.objects.filter(pk=data_import.pk).update(
        status="checked",
        progress=100,
        message="Klar til import",
        report={
            "rows": [
                {
                    "sheet": "CSV",
                    "row": 2,
                    "title": "Rolig tur",
                    "action": "create",
                    "organisation": "Turlaget",
                    "organisation_action": "create",
                    "reasons": [],
                }
            ],
            "summary": {"rows": 1, "create": 1, "organisations_create": 1},
        },
    )
    expect(page.get_by_role("button", name="Importer")).to_be_visible(timeout=5000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert page.locator("[hx-trigger]").count() == 0
    assert_accessible(page)
