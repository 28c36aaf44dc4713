"""Export of the public catalogue as an HSDS 3.0 tabular data package and as XLSX."""

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from directory.factories import OrganisationFactory, offer_build
from directory.models import Municipality, Offer, Organisation
from directory.services.demo_content import demo_directory_load, demo_offers_load
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import reference_data_load
from opendata.exporting import export_build, export_request, table_columns, tabular_schema
from opendata.models import DataExport, JobStatus


@pytest.fixture
def catalogue(world, settings, tmp_path):
    """The demo catalogue plus the records that must never leave: a draft, a hidden offer, an
    offer of a pending organisation and a crisis offer's hidden address."""
    from django.core.cache import cache

    cache.clear()
    reference_data_load()
    demo_directory_load()
    demo_offers_load()
    editor, staff = world["users"]["portal_editor"], world["users"]["nav_staff_x"]
    oslo = Municipality.objects.get(code="0301")
    approved = Organisation.objects.filter(status="approved").order_by("pk").first()

    def published(title, organisation=approved, **fields):
        offer = offer_save_draft(
            offer=offer_build(organisation=organisation, municipality=oslo, title=title, **fields),
            by=editor,
        )
        offer_submit(offer=offer, by=editor)
        return offer_approve(offer=offer, by=staff)

    crisis = published("Krisesenter for unge")
    location = crisis.locations.get()
    location.address, location.hidden_address = "Hemmeligveien 13", True
    location.save()
    hidden = published("Skjult tilbud om strikking")
    Offer.objects.filter(pk=hidden.pk).update(visibility=Offer.Visibility.HIDDEN_STALE)
    offer_save_draft(
        offer=offer_build(organisation=approved, municipality=oslo, title="Utkast til kor"),
        by=editor,
    )
    pending = OrganisationFactory(name="Ventende forening", status="pending")
    offer_save_draft(
        offer=offer_build(organisation=pending, municipality=oslo, title="Tilbud fra ventende"),
        by=editor,
    )
    return {"crisis": crisis}


def run_export(user, format, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(user=user, format=format)
    export.refresh_from_db()
    assert export.status == JobStatus.DONE, export.error
    return export


def read_package(export) -> dict[str, list[dict]]:
    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {}
        for resource in descriptor["resources"]:
            text = archive.read(resource["path"]).decode("utf-8")
            reader = csv.DictReader(io.StringIO(text))
            assert reader.fieldnames == [f["name"] for f in resource["schema"]["fields"]]
            tables[resource["name"]] = list(reader)
        return {"descriptor": descriptor, "tables": tables, "names": archive.namelist()}


def row_validator(table: str) -> Draft202012Validator:
    """HSDS's tabular schema for one row (its array properties are other tables' rows)."""
    spec = tabular_schema()[table]
    properties = {k: v for k, v in spec["properties"].items() if v.get("type") != "array"}
    schema = {"type": "object", "properties": properties, "required": spec.get("required", [])}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def typed_row(table: str, row: dict) -> dict:
    """A CSV row as HSDS values: empty cells are absent, number columns are numbers."""
    types = {k: v.get("type") for k, v in tabular_schema()[table]["properties"].items()}
    return {k: float(v) if types[k] == "number" else v for k, v in row.items() if v != ""}


def test_package_holds_the_public_catalogue_in_hsds_tables(
    catalogue, world, django_capture_on_commit_callbacks
):
    export = run_export(
        world["users"]["plain_user"], "hsds_csv", django_capture_on_commit_callbacks
    )

    assert (export.status, export.progress, export.message) == (JobStatus.DONE, 100, "Ferdig")
    assert export.size == export.file.size > 0
    package = read_package(export)
    tables = package["tables"]
    for name in (
        "organization",
        "service",
        "location",
        "address",
        "service_at_location",
        "schedule",
        "phone",
        "taxonomy",
        "taxonomy_term",
        "attribute",
        "organization_identifier",
        "service_area",
        "cost_option",
        "language",
    ):
        assert name in tables, name
        assert list(tables[name][0]) == table_columns(name) if tables[name] else True
    assert "organizations.csv" in package["names"] and "services.csv" in package["names"]

    public = Offer.objects.public().filter(organisation__status="approved")
    assert sorted(r["name"] for r in tables["service"]) == sorted(o.title for o in public)
    assert {r["name"] for r in tables["organization"]} == set(
        Organisation.objects.approved().values_list("name", flat=True)
    )
    for table in ("service", "organization", "location", "schedule", "attribute", "taxonomy_term"):
        validator = row_validator(table)
        for row in tables[table]:
            errors = [e.message for e in validator.iter_errors(typed_row(table, row))]
            assert not errors, (table, row, errors)
    numbers = {r["identifier"] for r in tables["organization_identifier"]}
    assert numbers == set(
        Organisation.objects.approved().values_list("organisation_number", flat=True)
    )
    # Every foreign key of the descriptor points at a row that is in the package.
    ids = {name: {r["id"] for r in rows} for name, rows in tables.items()}
    for resource in package["descriptor"]["resources"]:
        assert resource["schema"]["primaryKey"] == "id"
        for fk in resource["schema"]["foreignKeys"]:
            target = ids[fk["reference"]["resource"]]
            dangling = [
                r[fk["fields"]]
                for r in tables[resource["name"]]
                if r[fk["fields"]] and r[fk["fields"]] not in target
            ]
            assert not dangling, (resource["name"], fk, dangling[:3])


def test_package_leaves_out_drafts_hidden_offers_pending_organisations_and_hidden_addresses(
    catalogue, world, django_capture_on_commit_callbacks
):
    export = run_export(
        world["users"]["plain_user"], "hsds_csv", django_capture_on_commit_callbacks
    )

    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
        everything = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    titles = {r["name"] for r in read_package(export)["tables"]["service"]}
    assert "Krisesenter for unge" in titles
    for secret in (
        "Skjult tilbud om strikking",
        "Utkast til kor",
        "Tilbud fra ventende",
        "Ventende forening",
        "Hemmeligveien",
    ):
        assert secret not in everything


def test_workbook_has_a_sheet_per_table_with_the_same_rows(
    catalogue, world, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    user = world["users"]["plain_user"]
    package = read_package(run_export(user, "hsds_csv", django_capture_on_commit_callbacks))
    export = run_export(user, "xlsx", django_capture_on_commit_callbacks)

    assert export.status == JobStatus.DONE and export.file.name.endswith(".xlsx")
    with export.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    assert set(workbook.sheetnames) == set(package["tables"])
    for name, rows in package["tables"].items():
        sheet = list(workbook[name].iter_rows(values_only=True))
        assert list(sheet[0]) == table_columns(name)
        as_text = [
            {
                h: ""
                if v is None
                else str(
                    int(v)
                    if isinstance(v, float)
                    and v.is_integer()
                    and h in ("minimum_age", "maximum_age")
                    else v
                )
                for h, v in zip(sheet[0], [*values, *[None] * len(sheet[0])], strict=False)
            }
            for values in sheet[1:]
        ]
        assert [r["id"] for r in as_text] == [r["id"] for r in rows], name
        if name == "service":
            assert [r["name"] for r in as_text] == [r["name"] for r in rows]


def test_one_export_at_a_time_per_user(world):
    user = world["users"]["plain_user"]
    export_request(user=user, format="xlsx")  # queued: its task waits for the commit

    with pytest.raises(ValidationError, match="allerede en eksport"):
        export_request(user=user, format="hsds_csv")
    export_request(user=world["users"]["rep_b"], format="hsds_csv")


def test_a_failure_marks_the_export_failed_and_keeps_earlier_files(
    catalogue, world, django_capture_on_commit_callbacks
):
    user = world["users"]["plain_user"]
    earlier = run_export(user, "hsds_csv", django_capture_on_commit_callbacks)
    failing = DataExport.objects.create(requested_by=user, format="hsds_csv")

    def broken(progress):
        yield "taxonomy", {"id": "9b2e5f0c-4c41-5f3e-9d8f-0b8a0b1c7a11", "name": "x"}
        raise RuntimeError("databasen svarte ikke")

    export_build(export_id=failing.pk, objects=broken)

    failing.refresh_from_db()
    assert failing.status == JobStatus.FAILED
    assert "databasen svarte ikke" in failing.error
    assert not failing.file
    earlier.refresh_from_db()
    assert earlier.status == JobStatus.DONE and earlier.file.storage.exists(earlier.file.name)
    # The user may start again at once.
    assert export_request(user=user, format="xlsx").status == JobStatus.QUEUED


def test_export_page_lists_own_exports_and_polls_only_while_running(
    world, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    user, other = world["users"]["plain_user"], world["users"]["rep_b"]
    DataExport.objects.create(requested_by=other, format="xlsx", status="done")
    client.force_login(user)

    empty = client.get("/apne-data/eksport/")
    assert "Du har ikke eksportert katalogen ennå" in empty.content.decode()

    response = client.post("/apne-data/eksport/", {"format": "hsds_csv"})
    assert response.status_code == 302
    export = DataExport.objects.get(requested_by=user)
    page = client.get("/apne-data/eksport/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Venter på å starte" in page
    assert "Excel" not in page.split("Dine eksporter")[1]  # the other user's export

    again = client.post("/apne-data/eksport/", {"format": "xlsx"})
    assert again.status_code == 400
    assert "allerede en eksport som pågår" in again.content.decode()

    export_build(export_id=export.pk, objects=lambda progress: iter(()))
    row = client.get(f"/apne-data/eksport/{export.pk}/status/", HTTP_HX_REQUEST="true")
    text = row.content.decode()
    assert "hx-trigger" not in text and "Last ned" in text
    download = client.get(f"/apne-data/eksport/{export.pk}/last-ned/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="samarbeidsportalen')
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).testzip() is None


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("portal_editor", 200), ("other", 403), ("anonymous", 302)]
)
def test_only_the_requester_and_portal_editors_download(
    world, client, settings, tmp_path, who, status
):
    export = DataExport.objects.create(requested_by=world["users"]["plain_user"], format="hsds_csv")
    export_build(export_id=export.pk, objects=lambda progress: iter(()))
    users = {"owner": "plain_user", "portal_editor": "portal_editor", "other": "rep_b"}
    if who in users:
        client.force_login(world["users"][users[who]])

    response = client.get(f"/apne-data/eksport/{export.pk}/last-ned/")

    assert response.status_code == status
    if status == 302:
        assert "/konto/login/" in response["Location"]


def test_an_export_whose_worker_died_does_not_block_the_user_for_good(world):
    from datetime import timedelta

    from django.utils import timezone

    user = world["users"]["plain_user"]
    stuck = DataExport.objects.create(requested_by=user, format="xlsx", status="running")
    DataExport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=3))

    assert export_request(user=user, format="xlsx").status == JobStatus.QUEUED
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == (JobStatus.FAILED, "Eksporten ble avbrutt. Prøv igjen.")


@pytest.mark.parametrize(
    ("who", "sees_import"),
    [
        ("plain_user", False),
        ("nav_staff_x", False),
        ("municipality_staff", True),
        ("portal_editor", True),
    ],
)
def test_open_data_is_in_the_menu_and_leads_on_to_import_and_the_api(
    world, client, who, sees_import
):
    client.force_login(world["users"][who])

    home = client.get("/apne-data/eksport/").content.decode()
    menu = home.split('aria-label="Hovedmeny"')[1].split("</nav>")[0]
    assert 'href="/apne-data/eksport/"' in menu and "Åpne data" in menu
    more = home.split("Mer om åpne data")[1]
    assert ('href="/apne-data/import/"' in more) is sees_import
    assert 'href="/api/hsds/"' in more and 'href="/api/hsds/openapi.json"' in more


def test_open_data_is_not_in_the_menu_of_anonymous_visitors(world, client):
    assert "/apne-data/" not in client.get("/tilbud/").content.decode()
