"""Export of the public catalogue: an HSDS 3.0 tabular data package (CSV + datapackage.json in a
zip) or an XLSX workbook with one sheet per HSDS table.

Rows come from the same mapping as the read API (`opendata.hsds`): each nested HSDS object is
flattened into the table its schema names, so the API and the files cannot disagree.
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.permissions import contact_data_is_open
from opendata import hsds, selectors
from opendata import permissions as p
from opendata.job_queue import job_enqueue_on_commit
from opendata.models import DataExport, JobStatus

logger = logging.getLogger(__name__)

# Open Referral's compiled tabular schema (CC BY-SA 4.0), vendored so a deploy needs no checkout
# of the standard: it fixes the files, their columns and types.
TABULAR_SCHEMA = Path(__file__).resolve().parent / "data" / "hsds-3.0-tabular.json"

# How a nested HSDS property is named -> the table its rows belong to.
NESTED_TABLES = {
    "organization": "organization",
    "organizations": "organization",
    "service": "service",
    "services": "service",
    "program": "program",
    "programs": "program",
    "location": "location",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "addresses": "address",
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "accessibility": "accessibility",
    "funding": "funding",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "organization_identifiers": "organization_identifier",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "metadata": "metadata",
}

# An export still queued or running after this long has lost its worker.
STALE_AFTER = timedelta(hours=2)

# Tables always in the package, even when empty, so consumers find the files they expect.
CORE_TABLES = (
    "organization",
    "organization_identifier",
    "service",
    "location",
    "address",
    "service_at_location",
    "schedule",
    "phone",
    "taxonomy",
    "taxonomy_term",
    "attribute",
    "service_area",
    "cost_option",
    "language",
)

# Foreign-key columns whose target is not "<column without _id>".
FOREIGN_KEY_TARGETS = {
    "parent_organization_id": "organization",
    "parent_id": "taxonomy_term",
}


@cache
def tabular_schema() -> dict[str, dict]:
    """table name -> HSDS tabular item schema (path, columns with types, required columns)."""
    document = json.loads(TABULAR_SCHEMA.read_text(encoding="utf-8"))
    return {name: spec["items"] for name, spec in document["properties"].items()}


def table_columns(table: str) -> list[str]:
    """The CSV columns of a table: its scalar properties, in the schema's order."""
    properties = tabular_schema()[table]["properties"]
    return [name for name, spec in properties.items() if spec.get("type") not in ("array", None)]


def table_path(table: str) -> str:
    return tabular_schema()[table]["path"]


# --- Flattening HSDS objects into rows ---------------------------------------------------------


class TableWriter:
    """Rows per table, streamed to CSV files in a folder; each id is written once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[str, object] = {}
        self._writers: dict[str, csv.DictWriter] = {}
        self._seen: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}

    def _writer(self, table: str) -> csv.DictWriter:
        if table not in self._writers:
            handle = open(self.folder / table_path(table), "w", newline="", encoding="utf-8")  # noqa: SIM115
            writer = csv.DictWriter(handle, fieldnames=table_columns(table), extrasaction="ignore")
            writer.writeheader()
            self._files[table], self._writers[table] = handle, writer
            self._seen[table], self.counts[table] = set(), 0
        return self._writers[table]

    def add(self, table: str, row: dict) -> None:
        writer = self._writer(table)
        key = row.get("id")
        if key in self._seen[table]:
            return  # a location or term shared by many services is one row
        self._seen[table].add(key)
        writer.writerow({column: _cell(row.get(column)) for column in writer.fieldnames})
        self.counts[table] += 1

    def ensure(self, tables: Iterable[str]) -> None:
        for table in tables:
            self._writer(table)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    @property
    def tables(self) -> list[str]:
        order = {
            name: spec["datapackage_metadata"]["order"] for name, spec in tabular_schema().items()
        }
        return sorted(self._writers, key=order.__getitem__)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(table: str, obj: dict, writer: TableWriter, parent: tuple[str, dict] | None = None):
    """Write `obj` as a row of `table` and its nested objects as rows of theirs, filling the
    foreign keys the nesting implies when the mapping left them out."""
    row = {key: value for key, value in obj.items() if not isinstance(value, dict | list)}
    columns = set(table_columns(table))
    if parent:
        parent_table, parent_row = parent
        fk = f"{parent_table}_id"
        if fk in columns and not row.get(fk):
            row[fk] = parent_row.get("id")
        if table == "attribute":
            row.setdefault("link_id", parent_row.get("id"))
            row.setdefault("link_entity", parent_table)
        if table == "metadata":
            row.setdefault("resource_id", parent_row.get("id"))
            row.setdefault("resource_type", parent_table)
    for key, value in obj.items():
        child_table = NESTED_TABLES.get(key)
        if child_table is None or child_table not in tabular_schema():
            continue
        if isinstance(value, dict):
            # A nested single object (service.organization, attribute.taxonomy_term): the
            # parent points at it.
            link = "taxonomy_id" if child_table == "taxonomy" else f"{child_table}_id"
            if link in columns and not row.get(link):
                row[link] = value.get("id")
    writer.add(table, row)
    for key, value in obj.items():
        child_table = NESTED_TABLES.get(key)
        if child_table is None or child_table not in tabular_schema():
            continue
        children = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for child in children:
            if isinstance(child, dict) and child.get("id"):
                flatten(child_table, child, writer, parent=(table, row))


# --- Where the rows come from ------------------------------------------------------------------


def catalogue_objects(progress: Callable[[int, int], None]) -> Iterator[tuple[str, dict]]:
    """(table, HSDS object) for the whole public catalogue, from the read API's mapping:
    taxonomies and their terms, approved organisations, and public offers as whole services."""
    yield "taxonomy", hsds.profile_taxonomy_object()
    for code in hsds.PROFILE_TERMS:
        yield "taxonomy_term", hsds.profile_term_object(code)
    for vocabulary in selectors.public_vocabularies():
        yield "taxonomy", hsds.taxonomy_object(vocabulary)
    for term in selectors.public_terms():
        yield "taxonomy_term", hsds.taxonomy_term_object(term)
    # The same selection and loading as the read API: the two cannot disagree on what is public.
    organisations = selectors.organisations_for_hsds().order_by("pk")
    offers = selectors.offers_for_hsds().order_by("pk")
    shown = (lambda obj: obj) if contact_data_is_open() else hsds.contact_data_strip
    total = organisations.count() + offers.count()
    done = 0
    for organisation in organisations.iterator(chunk_size=500):
        yield "organization", shown(hsds.organization_object(organisation))
        done += 1
        if done % 50 == 0:
            progress(done, total)
    for offer in offers.iterator(chunk_size=500):
        yield "service", shown(hsds.service_object(offer))
        done += 1
        if done % 50 == 0:
            progress(done, total)
    progress(total, total)


# --- Packaging ---------------------------------------------------------------------------------


def datapackage_descriptor(tables: list[str], counts: dict[str, int]) -> dict:
    """A Frictionless Data package descriptor for the CSV files written."""
    present = set(tables)
    resources = []
    for table in tables:
        spec = tabular_schema()[table]
        fields = []
        for column in table_columns(table):
            prop = spec["properties"][column]
            field = {"name": column, "type": prop["type"]}
            for key in ("title", "description", "format"):
                if prop.get(key):
                    field[key] = prop[key]
            constraints = {}
            if column in (spec.get("required") or []) or column in (
                spec.get("tabular_required") or []
            ):
                constraints["required"] = True
            if (prop.get("constraints") or {}).get("unique"):
                constraints["unique"] = True
            if constraints:
                field["constraints"] = constraints
            fields.append(field)
        foreign_keys = []
        for column in table_columns(table):
            if column == "id" or not column.endswith("_id"):
                continue
            target = FOREIGN_KEY_TARGETS.get(column, column.removesuffix("_id"))
            if target in present:
                foreign_keys.append(
                    {"fields": column, "reference": {"resource": target, "fields": "id"}}
                )
        resources.append(
            {
                "name": table,
                "path": spec["path"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": spec.get("description", ""),
                "schema": {"fields": fields, "primaryKey": "id", "foreignKeys": foreign_keys},
                "stats": {"rows": counts.get(table, 0)},
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "samarbeidsportalen-hsds",
        "title": "Samarbeidsportalen – frivillige tilbud (HSDS 3.0)",
        "version": hsds.HSDS_VERSION,
        "created": timezone.now().isoformat(timespec="seconds"),
        "licenses": [
            {
                "name": "NLOD-2.0",
                "path": "https://data.norge.no/nlod/no/2.0",
                "title": "Norsk lisens for offentlige data (NLOD) 2.0",
            }
        ],
        "resources": resources,
    }


def _typed(value: str, kind: str):
    """A CSV cell as the value an XLSX cell should hold (numbers stay numbers)."""
    if value == "":
        return None
    if kind in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and kind == "integer" else number
    return value


def write_zip(folder: Path, tables: list[str], counts: dict[str, int], target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        descriptor = datapackage_descriptor(tables, counts)
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for table in tables:
            archive.write(folder / table_path(table), arcname=table_path(table))


def write_xlsx(folder: Path, tables: list[str], target: Path) -> None:
    from openpyxl import Workbook

    # write_only streams rows to disk; the whole catalogue never sits in memory as cells.
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table[:31])
        kinds = {
            column: tabular_schema()[table]["properties"][column]["type"]
            for column in table_columns(table)
        }
        with open(folder / table_path(table), newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            sheet.append(header)
            for values in reader:
                sheet.append([_typed(v, kinds[c]) for c, v in zip(header, values, strict=True)])
    workbook.save(target)


# --- Services ----------------------------------------------------------------------------------


def export_request(*, user, format: str) -> DataExport:
    """Queue an export for a signed-in user; at most one runs per user at a time."""
    if not p.can_export(user):
        raise PermissionDenied(_("Du må være innlogget for å eksportere katalogen."))
    if format not in DataExport.Format.values:
        raise ValidationError({"format": _("Velg et format.")})
    # A worker that died mid-build leaves its row running; after this long it is given up, so
    # the one-at-a-time rule cannot lock the user out for good.
    DataExport.objects.filter(
        requested_by=user,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        created_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=JobStatus.FAILED,
        message=_("Avbrutt"),
        error=_("Eksporten ble avbrutt. Prøv igjen."),
        finished_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            export = DataExport.objects.create(
                requested_by=user, format=format, message=_("Venter på å starte")
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Du har allerede en eksport som pågår. Vent til den er ferdig.")
        ) from exc
    from opendata.tasks import export_build_task

    job_enqueue_on_commit(
        export_build_task,
        export.pk,
        unavailable=lambda: _set(
            export.pk,
            status=JobStatus.FAILED,
            message=_("Kunne ikke startes"),
            error=_(
                "Eksporten kunne ikke startes fordi køtjenesten ikke svarer akkurat nå. "
                "Prøv igjen om noen minutter."
            ),
            finished_at=timezone.now(),
        ),
    )
    return export


def _set(export_id: int, **fields) -> None:
    # An update by id, outside any transaction of the build, so the page sees progress at once.
    DataExport.objects.filter(pk=export_id).update(**fields)


def export_build(*, export_id: int, objects=catalogue_objects) -> DataExport | None:
    """Build the file of a queued export, reporting progress on the row; a failure marks the
    row failed with the reason and leaves no half-written file behind."""
    export = DataExport.objects.filter(pk=export_id).first()
    if export is None or export.status != JobStatus.QUEUED:
        return export
    _set(
        export_id,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress=1,
        message=_("Henter tilbudene"),
    )
    last = {"percent": 1}

    def progress(done: int, total: int) -> None:
        percent = 1 + int(79 * done / total) if total else 80
        if percent > last["percent"]:
            last["percent"] = percent
            _set(
                export_id,
                progress=percent,
                message=_("Skriver %(done)s av %(total)s poster") % {"done": done, "total": total},
            )

    try:
        with tempfile.TemporaryDirectory(prefix="opendata-export-") as tmp:
            folder = Path(tmp)
            writer = TableWriter(folder)
            try:
                writer.ensure(CORE_TABLES)
                for table, obj in objects(progress):
                    flatten(table, obj, writer)
            finally:
                writer.close()
            _set(export_id, progress=85, message=_("Pakker filen"))
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            if export.format == DataExport.Format.XLSX:
                name = f"samarbeidsportalen-hsds-{stamp}.xlsx"
                write_xlsx(folder, writer.tables, folder / name)
            else:
                name = f"samarbeidsportalen-hsds-{stamp}.zip"
                write_zip(folder, writer.tables, writer.counts, folder / name)
            with open(folder / name, "rb") as handle:
                export.file.save(name, File(handle), save=False)
        _set(
            export_id,
            file=export.file.name,
            size=export.file.size,
            row_counts=writer.counts,
            status=JobStatus.DONE,
            progress=100,
            message=_("Ferdig"),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Export %s failed", export_id)
        if export.file:
            export.file.delete(save=False)
        _set(
            export_id,
            status=JobStatus.FAILED,
            message=_("Eksporten feilet"),
            error=_("Eksporten kunne ikke lages: %(reason)s") % {"reason": exc},
            finished_at=timezone.now(),
        )
    export.refresh_from_db()
    return export
