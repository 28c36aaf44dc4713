"""Import of offers from the template CSV, XLSX and HSDS packages: dry run, all-or-nothing apply,
idempotence, moderation and who may import."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.factories import offer_build
from directory.models import Offer, Organisation, OrganisationMembership
from directory.services.demo_content import fictitious_organisation_number
from directory.services.offers import offer_save_draft
from directory.services.reference_data import reference_data_load
from opendata.importing import TEMPLATE_COLUMNS, import_apply, import_request_apply, import_upload
from opendata.models import DataImport

BAD_NUMBER = "889640781"  # 889 640 782 is valid (DOMAIN.md 4.3); the last digit is off by one


@pytest.fixture
def media(world, settings, tmp_path):
    return world


@pytest.fixture
def reference(media):
    from django.core.cache import cache

    cache.clear()
    reference_data_load()
    return media


def row(n: int, **fields) -> dict:
    base = {
        "ekstern_id": f"import-{n}",
        "organisasjonsnummer": fictitious_organisation_number(f"import-org-{n % 7}"),
        "organisasjonsnavn": f"Importforening {n % 7}",
        "tittel": f"Leksehjelp nummer {n}",
        "kort beskrivelse": "Gratis leksehjelp med frivillige voksne.",
        "beskrivelse": "Ta med bøkene dine.",
        "kommunenummer": "3301",
        "adresse": "Eksempelgata 1",
        "postnummer": "3015",
        "kategorier": "leksehjelp",
        "målgrupper": "barn-og-unge;barnefamilier",
        "pris": "gratis",
        "tidspunkter": "tirsdag 17:00-19:00; torsdag 17-19",
        "kontaktperson (rolle)": "Koordinator",
        "kontakt e-post": "post@example.org",
    }
    return base | fields


def csv_file(rows: list[dict], name="tilbud.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def upload(user, file, capture) -> DataImport:
    with capture(execute=True):
        data_import = import_upload(user=user, uploaded_file=file)
    data_import.refresh_from_db()
    return data_import


def apply(data_import, user, capture) -> DataImport:
    with capture(execute=True):
        import_request_apply(data_import=data_import, user=user)
    data_import.refresh_from_db()
    return data_import


def reasons_by_row(data_import) -> dict[int, list[str]]:
    return {r["row"]: r["reasons"] for r in data_import.report["rows"] if r["action"] == "reject"}


def test_dry_run_says_why_each_bad_row_is_rejected_and_writes_nothing(
    reference, django_capture_on_commit_callbacks
):
    editor = reference["users"]["portal_editor"]
    existing = Organisation.objects.create(
        name="Eksisterende lag",
        slug="eksisterende-lag",
        status="approved",
        organisation_number=fictitious_organisation_number("eksisterende"),
    )
    from directory.models import Municipality

    offer_save_draft(
        offer=offer_build(
            organisation=existing,
            title="Språkkafé på biblioteket",
            municipality=Municipality.objects.get(code="3301"),
        ),
        by=editor,
    )
    before = (Offer.objects.count(), Organisation.objects.count())
    rows = [
        row(1),
        row(2, organisasjonsnummer=BAD_NUMBER),
        row(3, kommunenummer="9999"),
        row(4, tittel=""),
        row(5, ekstern_id="import-1"),
        row(6, kategorier="leksehjelp;finnes-ikke"),
        row(
            7,
            organisasjonsnummer=existing.organisation_number,
            organisasjonsnavn=existing.name,
            tittel="Språkkafé på biblioteket",
        ),
        row(8, tidspunkter="tirsdag ettermiddag"),
        row(9, tidspunkter="onsdag 19:00-17:00"),
    ]

    data_import = upload(editor, csv_file(rows), django_capture_on_commit_callbacks)

    assert data_import.status == DataImport.Status.REJECTED
    assert data_import.progress == 100
    reasons = reasons_by_row(data_import)
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10}  # file rows: the header is row 1
    assert any("kontrollsifferet stemmer ikke" in r for r in reasons[3])
    assert reasons[4] == ["Ukjent kommunenummer «9999»."]
    assert "Mangler «tittel»." in reasons[5]
    assert reasons[6] == ["Samme ekstern_id som rad 2 i filen."]
    assert reasons[7] == ["Ukjent kategori «finnes-ikke»."]
    assert "allerede et tilbud med tittelen «Språkkafé på biblioteket»" in reasons[8][0]
    assert "tirsdag ettermiddag" in reasons[9][0]
    assert reasons[10] == ["Tidspunktet «onsdag 19:00-17:00» slutter før det begynner."]
    first = data_import.report["rows"][0]
    assert (first["row"], first["action"], first["organisation_action"]) == (2, "create", "create")
    assert (Offer.objects.count(), Organisation.objects.count()) == before
    with pytest.raises(ValidationError):
        import_request_apply(data_import=data_import, user=editor)


def test_one_bad_row_among_a_thousand_imports_nothing_and_names_that_row(
    reference, django_capture_on_commit_callbacks
):
    editor = reference["users"]["portal_editor"]
    rows = [row(n) for n in range(1000)]
    rows[600]["organisasjonsnummer"] = BAD_NUMBER

    data_import = upload(editor, csv_file(rows), django_capture_on_commit_callbacks)

    assert data_import.status == DataImport.Status.REJECTED
    assert list(reasons_by_row(data_import)) == [602]
    assert data_import.report["summary"]["create"] == 999
    assert not Offer.objects.exists()
    assert not Organisation.objects.filter(name__startswith="Importforening").exists()


def test_apply_is_all_or_nothing_when_the_catalogue_changed_after_the_dry_run(
    reference, django_capture_on_commit_callbacks
):
    editor = reference["users"]["portal_editor"]
    data_import = upload(
        editor, csv_file([row(n) for n in range(30)]), django_capture_on_commit_callbacks
    )
    assert data_import.status == DataImport.Status.CHECKED
    # Someone registers the organisation of rows 5, 12, ... with another owner meanwhile: the
    # importer may still add offers (editor), but a title now exists there.
    org = Organisation.objects.create(
        name="Importforening 5",
        slug="importforening-5",
        status="approved",
        organisation_number=fictitious_organisation_number("import-org-5"),
    )
    from directory.models import Municipality

    offer_save_draft(
        offer=offer_build(
            organisation=org,
            title="Leksehjelp nummer 12",
            municipality=Municipality.objects.get(code="3301"),
        ),
        by=editor,
    )

    data_import = apply(data_import, editor, django_capture_on_commit_callbacks)

    assert data_import.status == DataImport.Status.REJECTED
    assert list(reasons_by_row(data_import)) == [14]
    assert Offer.objects.count() == 1
    assert Organisation.objects.filter(name__startswith="Importforening").count() == 1


def test_applied_offers_wait_in_moderation_and_reimporting_changes_nothing(
    reference, django_capture_on_commit_callbacks
):
    from wagtail.models import Revision

    editor = reference["users"]["portal_editor"]
    rows = [row(n) for n in range(10)]

    data_import = apply(
        upload(editor, csv_file(rows), django_capture_on_commit_callbacks),
        editor,
        django_capture_on_commit_callbacks,
    )

    assert data_import.status == DataImport.Status.APPLIED, data_import.error
    assert data_import.result == {"created": 10, "organisations_created": 7}
    offers = Offer.objects.filter(source_id__startswith="import-")
    assert offers.count() == 10
    assert set(Offer.objects.awaiting_moderation()) == set(offers)
    assert not offers.filter(live=True).exists()
    offer = offers.get(source_id="import-3")
    assert offer.title == "Leksehjelp nummer 3"
    assert offer.organisation.status == Organisation.Status.APPROVED  # an editor imported it
    assert sorted(t.slug for t in offer.target_groups.all()) == ["barn-og-unge", "barnefamilier"]
    assert [(s.weekday, f"{s.opens:%H:%M}") for s in offer.schedules.order_by("weekday")] == [
        (1, "17:00"),
        (3, "17:00"),
    ]
    assert offer.locations.get().municipality.code == "3301"
    revisions = Revision.objects.count()

    again = upload(editor, csv_file(rows), django_capture_on_commit_callbacks)
    assert again.report["summary"] == {"unchanged": 10, "organisations_create": 0, "rows": 10}
    again = apply(again, editor, django_capture_on_commit_callbacks)

    assert again.status == DataImport.Status.APPLIED
    assert again.result == {"unchanged": 10}
    assert Revision.objects.count() == revisions
    assert (
        Offer.objects.count() == 10
        and Organisation.objects.filter(name__startswith="Importforening").count() == 7
    )

    rows[3]["tittel"] = "Leksehjelp og matte"
    changed = apply(
        upload(editor, csv_file(rows), django_capture_on_commit_callbacks),
        editor,
        django_capture_on_commit_callbacks,
    )
    assert changed.result == {"unchanged": 9, "updated": 1}
    assert Offer.objects.get(source_id="import-3").title == "Leksehjelp og matte"


def test_municipality_staff_import_creates_pending_organisations_they_own(
    reference, django_capture_on_commit_callbacks
):
    staff = reference["users"]["municipality_staff"]

    data_import = apply(
        upload(staff, csv_file([row(1)]), django_capture_on_commit_callbacks),
        staff,
        django_capture_on_commit_callbacks,
    )

    assert data_import.status == DataImport.Status.APPLIED, data_import.error
    organisation = Organisation.objects.get(name="Importforening 1")
    assert organisation.status == Organisation.Status.PENDING
    assert OrganisationMembership.objects.filter(user=staff, organisation=organisation).exists()
    assert Offer.objects.get().moderation_status == Offer.ModerationStatus.SUBMITTED


def test_municipality_staff_cannot_add_offers_to_an_organisation_they_do_not_represent(
    reference, django_capture_on_commit_callbacks
):
    staff, org = reference["users"]["municipality_staff"], reference["org_b"]

    data_import = upload(
        staff,
        csv_file([row(1, organisasjonsnummer=org.organisation_number, organisasjonsnavn=org.name)]),
        django_capture_on_commit_callbacks,
    )

    assert "Du representerer ikke" in reasons_by_row(data_import)[2][0]


def test_xlsx_with_the_template_on_its_first_sheet_is_read_like_csv(
    reference, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(TEMPLATE_COLUMNS))
    for r in (row(1), row(2, kommunenummer="0000")):
        sheet.append([r.get(c, "") for c in TEMPLATE_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)

    data_import = upload(
        reference["users"]["portal_editor"],
        SimpleUploadedFile("tilbud.xlsx", out.getvalue()),
        django_capture_on_commit_callbacks,
    )

    assert data_import.kind == DataImport.Kind.XLSX
    assert reasons_by_row(data_import) == {3: ["Ukjent kommunenummer «0000»."]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "ikke UTF-8"),
        ("tittel;kommune\nKafé;Bø\n".encode("latin-1"), "ikke UTF-8"),
        (b"navn,adresse\nx,y\n", "Disse kolonnene mangler"),
        (b"", "tom"),
        (b"PK\x03\x04broken", "skadet"),
    ],
)
def test_uploads_are_checked_by_content(media, content, message):
    with pytest.raises(ValidationError, match=message):
        import_upload(
            user=media["users"]["portal_editor"],
            uploaded_file=SimpleUploadedFile("tilbud.csv", content),
        )
    assert not DataImport.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "plain_user", "owner_a", "nav_staff_x"])
def test_only_portal_editors_and_municipality_staff_may_import(media, who):
    with pytest.raises(PermissionDenied):
        import_upload(user=media["users"][who], uploaded_file=csv_file([row(1)]))


def test_a_failing_apply_writes_nothing_and_says_so(reference, django_capture_on_commit_callbacks):
    editor = reference["users"]["portal_editor"]
    data_import = upload(editor, csv_file([row(1), row(2)]), django_capture_on_commit_callbacks)
    DataImport.objects.filter(pk=data_import.pk).update(status=DataImport.Status.APPLYING)
    data_import.file.storage.delete(data_import.file.name)  # the file vanished from the disk

    import_apply(import_id=data_import.pk)

    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.FAILED
    assert "ingenting ble lagret" in data_import.error
    assert not Offer.objects.exists()


def public_records() -> dict[str, dict]:
    """What the public sees of every public offer, field by field, keyed by title."""
    from django.utils.html import strip_tags

    records = {}
    offers = Offer.objects.public().filter(organisation__status="approved")
    for offer in offers.select_related("organisation", "cost_level", "kind", "participation_mode"):
        org = offer.organisation
        records[offer.title] = {
            "summary": offer.summary,
            "description": " ".join(strip_tags(offer.description).split()),
            "organisation": (
                org.name,
                org.organisation_number,
                org.email,
                org.website,
                org.organisation_type_id,
                org.status,
            ),
            "organisation_municipalities": sorted(m.code for m in org.municipalities.all()),
            "municipalities": sorted(
                (
                    loc.municipality.code,
                    loc.hidden_address,
                    "" if loc.hidden_address else loc.address,
                    loc.latitude,
                    loc.longitude,
                )
                for loc in offer.locations.all()
            ),
            **{
                field: sorted(t.slug for t in getattr(offer, field).all())
                for field in (
                    "categories",
                    "target_groups",
                    "life_areas",
                    "needs",
                    "languages",
                    "accessibility_features",
                )
            },
            "schedules": sorted((s.weekday, s.opens, s.closes) for s in offer.schedules.all()),
            "cost": (
                offer.cost_level.slug,
                offer.price_amount,
                offer.price_text,
                offer.fees_can_be_covered,
            ),
            "terms": (offer.kind.slug, offer.participation_mode.slug),
            **{
                field: getattr(offer, field)
                for field in (
                    "next_step",
                    "min_age",
                    "max_age",
                    "capacity",
                    "has_waiting_list",
                    "contact_role",
                    "contact_email",
                    "contact_phone",
                    "is_digital",
                    "is_national",
                    "not_nav_user_required",
                    "season_text",
                    "start_date",
                    "end_date",
                    "notice",
                    "accessibility_text",
                )
            },
        }
    return records


def export_then_import_into_an_empty_catalogue(editor, staff, capture) -> bytes:
    """Export the public catalogue, delete every offer and organisation, import the package as
    a portal editor and approve what it submitted, as Nav would."""
    from directory.services.offers import offer_approve
    from opendata.exporting import export_request

    with capture(execute=True):
        export = export_request(user=editor, format="hsds_csv")
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        package = handle.read()
    Offer.objects.all().delete()
    Organisation.objects.all().delete()

    data_import = upload(editor, SimpleUploadedFile("katalog.zip", package), capture)
    assert data_import.kind == DataImport.Kind.HSDS_ZIP
    assert data_import.status == DataImport.Status.CHECKED, reasons_by_row(data_import)
    data_import = apply(data_import, editor, capture)
    assert data_import.status == DataImport.Status.APPLIED, data_import.error
    for offer in Offer.objects.awaiting_moderation():
        offer_approve(offer=offer, by=staff)
    return package


def test_the_exported_catalogue_imports_into_an_empty_catalogue_as_the_same_public_records(
    reference, django_capture_on_commit_callbacks
):
    from directory.services.demo_content import demo_directory_load, demo_offers_load

    editor, staff = reference["users"]["portal_editor"], reference["users"]["nav_staff_x"]
    demo_directory_load()
    demo_offers_load()
    before = public_records()
    assert len(before) == Offer.objects.public().count() > 10

    package = export_then_import_into_an_empty_catalogue(
        editor, staff, django_capture_on_commit_callbacks
    )

    after = public_records()
    assert sorted(after) == sorted(before)
    differences = [
        (title, field, value, after[title][field])
        for title, record in before.items()
        for field, value in record.items()
        if after[title][field] != value
    ]
    assert not differences
    # And the same package once more changes nothing.
    again = upload(
        editor, SimpleUploadedFile("katalog.zip", package), django_capture_on_commit_callbacks
    )
    assert again.report["summary"]["unchanged"] == len(before)


def test_season_text_without_weekly_times_survives_the_round_trip(
    reference, django_capture_on_commit_callbacks
):
    from directory.models import Municipality
    from directory.services.offers import offer_approve, offer_submit

    editor, staff = reference["users"]["portal_editor"], reference["users"]["nav_staff_x"]
    org = reference["org_a"]
    Organisation.objects.filter(pk=org.pk).update(status="approved")
    offer = offer_build(
        organisation=org,
        municipality=Municipality.objects.get(code="3301"),
        season_text="Første mandag i måneden.",
    )
    offer.schedules = []
    offer = offer_save_draft(offer=offer, by=editor)
    offer_submit(offer=offer, by=editor)
    offer_approve(offer=offer, by=staff)

    export_then_import_into_an_empty_catalogue(editor, staff, django_capture_on_commit_callbacks)

    assert Offer.objects.public().get().season_text == "Første mandag i måneden."


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("plain_user", 403),
        ("owner_a", 403),
        ("nav_staff_x", 403),
        ("municipality_staff", 200),
        ("portal_editor", 200),
    ],
)
def test_import_page_is_for_portal_editors_and_municipality_staff(media, client, who, status):
    if who != "anonymous":
        client.force_login(media["users"][who])

    assert client.get("/apne-data/import/").status_code == status
    assert client.get("/apne-data/import/mal.csv").status_code == status


def test_upload_page_shows_the_report_and_applies_on_request(
    reference, client, django_capture_on_commit_callbacks
):
    editor = reference["users"]["portal_editor"]
    client.force_login(editor)
    assert "Du har ikke importert noe ennå" in client.get("/apne-data/import/").content.decode()

    bad = client.post("/apne-data/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400
    assert "Disse kolonnene mangler" in bad.content.decode()
    assert "aksel-error-summary" in bad.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/apne-data/import/", {"file": csv_file([row(1), row(2, kommunenummer="9999")])}
        )
    data_import = DataImport.objects.get()
    assert response["Location"] == f"/apne-data/import/{data_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "1 rad har feil" in page and "Ukjent kommunenummer «9999»." in page
    assert "hx-trigger" not in page and "Importer</span>" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apne-data/import/", {"file": csv_file([row(1)])})
    good = DataImport.objects.latest("pk")
    page = client.get(response["Location"]).content.decode()
    assert "alle radene kan importeres" in page and "Opprettes" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/apne-data/import/{good.pk}/importer/")
    page = client.get(f"/apne-data/import/{good.pk}/").content.decode()
    assert "Importert: 1 nye tilbud" in page
    assert Offer.objects.awaiting_moderation().count() == 1

    client.force_login(reference["users"]["municipality_staff"])
    assert client.get(f"/apne-data/import/{good.pk}/").status_code == 403
