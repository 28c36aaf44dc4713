"""Import of organisations and offers from a file: a dry run that says, row by row, what would
be created, updated or rejected and why, then an all-or-nothing apply.

Two kinds of file are read into the same form (one "spec" per offer, with its organisation):

- the simple template, one row per offer with its organisation (CSV in UTF-8, or the first sheet
  of an XLSX workbook); its columns are TEMPLATE_COLUMNS;
- an HSDS 3.0 tabular data package as `opendata.exporting` writes it (a zip of CSV files, or an
  XLSX workbook with one sheet per table), read back through the ids and attributes of
  `opendata.hsds`.

Imported offers enter moderation like any other: they are saved with the directory's
`offer_save_draft` and sent with `offer_submit`, so Nav approves them before they are public.
Organisations are matched by organisasjonsnummer and offers by a stable id from the file (the
`ekstern_id` column, or the HSDS service id), so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections import defaultdict
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from directory import permissions as dp
from directory.models import (
    Municipality,
    Offer,
    OfferLocation,
    OfferSchedule,
    Organisation,
    Term,
)
from directory.services.offers import offer_save_draft, offer_submit, offers_submit_new
from directory.services.organisations import organisation_register
from directory.validators import normalise_organisation_number, validate_organisation_number
from opendata import hsds
from opendata import permissions as p
from opendata.job_queue import job_enqueue_on_commit
from opendata.models import DataImport

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A zip may expand far beyond its own size; refuse archives that would (zip bombs).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# The template's columns (header text -> spec key), in the order the downloadable template has.
TEMPLATE_COLUMNS = {
    "ekstern_id": "source_id",
    "organisasjonsnummer": "org_number",
    "organisasjonsnavn": "org_name",
    "tittel": "title",
    "kort beskrivelse": "summary",
    "beskrivelse": "description",
    "kommunenummer": "municipality",
    "stedsnavn": "place_name",
    "adresse": "address",
    "postnummer": "postal_code",
    "skjult adresse": "hidden_address",
    "kategorier": "categories",
    "målgrupper": "target_groups",
    "livsområder": "life_areas",
    "behov": "needs",
    "språk": "languages",
    "tilgjengelighet": "accessibility_features",
    "om tilgjengelighet": "accessibility_text",
    "pris": "cost_level",
    "pris i kroner": "price_amount",
    "om prisen": "price_text",
    "type": "kind",
    "slik blir du med": "participation_mode",
    "neste steg": "next_step",
    "alder fra": "min_age",
    "alder til": "max_age",
    "tidspunkter": "schedules",
    "startdato": "start_date",
    "sluttdato": "end_date",
    "kontaktperson (rolle)": "contact_role",
    "kontakt e-post": "contact_email",
    "kontakttelefon": "contact_phone",
    "digitalt": "is_digital",
    "landsdekkende": "is_national",
    "kortvarig melding": "notice",
}
TEMPLATE_REQUIRED = (
    "ekstern_id",
    "organisasjonsnummer",
    "organisasjonsnavn",
    "tittel",
    "kort beskrivelse",
    "kommunenummer",
    "kategorier",
)
TEMPLATE_DEFAULTS = {
    "cost_level": "gratis",
    "kind": "lopende",
    "participation_mode": "drop-in",
    "contact_role": "Kontaktperson",
}
# Spec key -> vocabulary of its slugs.
MULTI_VOCABULARIES = {
    "categories": "offer_categories",
    "target_groups": "target_groups",
    "life_areas": "life_areas",
    "needs": "needs",
    "languages": "languages",
    "accessibility_features": "accessibility_features",
}
SINGLE_VOCABULARIES = {
    "cost_level": "cost_levels",
    "kind": "offer_kinds",
    "participation_mode": "participation_modes",
}
VOCABULARY_NAMES = {
    "offer_categories": "kategori",
    "target_groups": "målgruppe",
    "life_areas": "livsområde",
    "needs": "behov",
    "languages": "språk",
    "accessibility_features": "tilgjengelighet",
    "cost_levels": "pris",
    "offer_kinds": "type",
    "participation_modes": "slik blir du med",
    "arenas": "arena",
    "organisation_types": "organisasjonstype",
}
WEEKDAYS = {
    "mandag": 0,
    "tirsdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "søndag": 6,
    **{code.lower(): n for n, code in enumerate(hsds.WEEKDAY_CODES)},
}
_SCHEDULE_RE = re.compile(
    r"^\s*(?P<day>\w+)\s+(?P<opens>\d{1,2}(?:[:.]\d{2})?)\s*[-–]\s*(?P<closes>\d{1,2}(?:[:.]\d{2})?)\s*$"
)
SCALAR_FIELDS = (
    "title",
    "summary",
    "description",
    "price_amount",
    "price_text",
    "fees_can_be_covered",
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
SCHEDULE_NOTES_PREFIX = "Lokal tid (Europe/Oslo)."


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


# --- Reading files -------------------------------------------------------------------------------


def detect_kind(head: bytes, name: str = "") -> str:
    """What an upload is, by its content (not its name); FileProblem when it is none of ours."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("Gamle Excel-filer (.xls) kan ikke leses. Lagre filen som .xlsx."))
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may cut a multibyte character in two; only an error before the end counts.
        if exc.start < len(head) - 3:
            raise FileProblem(
                _("Filen er ikke UTF-8-kodet tekst. Lagre CSV-filen som «CSV UTF-8».")
            ) from exc
    return "csv"


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileProblem(_("Zip-filen er skadet og kan ikke åpnes.")) from exc
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise FileProblem(_("Zip-filen er for stor når den pakkes ut."))
    return archive


def classify_upload(data: bytes) -> str:
    """The DataImport kind of an upload, checked by content; FileProblem for anything else."""
    if not data:
        raise FileProblem(_("Filen er tom."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileProblem(
            _("Filen er større enn %(mb)s MB. Del den opp i flere filer.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if detect_kind(data[:4096]) == "zip":
        names = set(_open_zip(data).namelist())
        if "xl/workbook.xml" in names:
            return DataImport.Kind.XLSX
        if "datapackage.json" in names or "services.csv" in names:
            return DataImport.Kind.HSDS_ZIP
        raise FileProblem(
            _("Zip-filen er ikke en HSDS-datapakke (den mangler datapackage.json og services.csv).")
        )
    header = _csv_rows(data)[:1]
    if not header or not any(cell.strip() for cell in header[0]):
        raise FileProblem(_("CSV-filen mangler overskriftsrad."))
    missing = [c for c in TEMPLATE_REQUIRED if c not in {_norm(h) for h in header[0]}]
    if missing:
        raise FileProblem(
            _("CSV-filen følger ikke malen. Disse kolonnene mangler: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return DataImport.Kind.TEMPLATE_CSV


def _norm(header: str) -> str:
    return " ".join(str(header or "").strip().lower().split())


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("Filen er ikke UTF-8-kodet tekst. Lagre CSV-filen som «CSV UTF-8».")
        ) from exc
    sample = text[:4096]
    # Norwegian Excel saves CSV with semicolons; our own files use commas.
    delimiter = (
        ";" if sample.split("\n", 1)[0].count(";") > sample.split("\n", 1)[0].count(",") else ","
    )
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _records(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {normalised header: text}); blank rows skipped."""
    if not rows:
        return []
    header = [_norm(h) for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(_cell_text(v) for v in values):
            continue
        out.append((number, {h: _cell_text(v) for h, v in zip(header, values, strict=False) if h}))
    return out


def _xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise FileProblem(_("Excel-filen kan ikke åpnes. Lagre den på nytt som .xlsx.")) from exc
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def read_upload(data: bytes, kind: str) -> tuple[str, object]:
    """("template", [(sheet, row, record)]) or ("hsds", {table: [(row, record)]})."""
    if kind == DataImport.Kind.TEMPLATE_CSV:
        return "template", [("CSV", n, r) for n, r in _records(_csv_rows(data))]
    if kind == DataImport.Kind.HSDS_ZIP:
        archive = _open_zip(data)
        names = set(archive.namelist())
        paths = {}
        if "datapackage.json" in names:
            descriptor = json.loads(archive.read("datapackage.json"))
            paths = {r["name"]: r["path"] for r in descriptor.get("resources", [])}
        from opendata.exporting import tabular_schema

        for table, spec in tabular_schema().items():
            paths.setdefault(table, spec["path"])
        tables = {}
        for table, path in paths.items():
            if path in names:
                tables[table] = _records(_csv_rows(archive.read(path)))
        return "hsds", tables
    sheets = _xlsx_sheets(data)
    if "service" in sheets and "organization" in sheets:
        return "hsds", {name: _records(rows) for name, rows in sheets.items()}
    name, rows = next(iter(sheets.items()), ("", []))
    header = {_norm(h) for h in (rows[0] if rows else [])}
    missing = [c for c in TEMPLATE_REQUIRED if c not in header]
    if missing:
        raise FileProblem(
            _("Første ark i Excel-filen følger ikke malen. Disse kolonnene mangler: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return "template", [(name, n, r) for n, r in _records(rows)]


# --- From records to specs -----------------------------------------------------------------------


def _bool(value: str, default: bool, problems: list, label: str) -> bool:
    text = (value or "").strip().lower()
    if not text:
        return default
    if text in ("ja", "true", "1", "x", "yes"):
        return True
    if text in ("nei", "false", "0", "no"):
        return False
    problems.append(
        _("«%(label)s» må være ja eller nei, ikke «%(value)s».") % {"label": label, "value": value}
    )
    return default


def _int(value: str, problems: list, label: str) -> int | None:
    if not value:
        return None
    try:
        return int(Decimal(value.replace(",", ".")))
    except InvalidOperation:
        problems.append(
            _("«%(label)s» må være et helt tall, ikke «%(value)s».")
            % {"label": label, "value": value}
        )
        return None


def _decimal(value: str, problems: list, label: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value.replace(" ", "").replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(
            _("«%(label)s» må være et tall, ikke «%(value)s».") % {"label": label, "value": value}
        )
        return None


def _date(value: str, problems: list, label: str) -> str | None:
    if not value:
        return None
    text = value.strip()[:10]
    for parse in (date.fromisoformat, lambda s: date(int(s[6:10]), int(s[3:5]), int(s[0:2]))):
        try:
            return parse(text).isoformat()
        except (ValueError, IndexError):
            continue
    problems.append(
        _("«%(label)s» må være en dato som 2026-08-15, ikke «%(value)s».")
        % {"label": label, "value": value}
    )
    return None


def _clock(text: str) -> str:
    text = text.replace(".", ":")
    hours, _sep, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0)).strftime("%H:%M")


def _schedules(value: str, problems: list) -> list[tuple[int, str, str]]:
    out = []
    for part in filter(None, (piece.strip() for piece in (value or "").split(";"))):
        match = _SCHEDULE_RE.match(part)
        day = WEEKDAYS.get(match.group("day").lower()) if match else None
        try:
            if day is None:
                raise ValueError
            opens, closes = _clock(match.group("opens")), _clock(match.group("closes"))
        except ValueError:
            problems.append(
                _(
                    "Tidspunktet «%(value)s» kan ikke leses. "
                    "Skriv for eksempel «tirsdag 17:00-19:00»."
                )
                % {"value": part}
            )
            continue
        if opens >= closes:
            problems.append(
                _("Tidspunktet «%(value)s» slutter før det begynner.") % {"value": part}
            )
            continue
        out.append((day, opens, closes))
    return sorted(set(out))


def _slugs(value: str) -> list[str]:
    return sorted({s.strip().lower() for s in re.split(r"[;,]", value or "") if s.strip()})


def template_spec(record: dict[str, str]) -> tuple[dict, list[str]]:
    """One template row as a spec, and the problems found just reading it."""
    problems: list[str] = []
    get = lambda column: (record.get(column) or "").strip()  # noqa: E731
    missing = [c for c in TEMPLATE_REQUIRED if not get(c)]
    for column in missing:
        problems.append(_("Mangler «%(column)s».") % {"column": column})
    spec = {
        "source_id": get("ekstern_id"),
        "organisation": {
            "number": normalise_organisation_number(get("organisasjonsnummer")),
            "name": get("organisasjonsnavn"),
            "municipalities": [get("kommunenummer")] if get("kommunenummer") else [],
        },
        "title": get("tittel"),
        "summary": " ".join(get("kort beskrivelse").split()),
        "description": get("beskrivelse"),
        "price_amount": _decimal(get("pris i kroner"), problems, "pris i kroner"),
        "price_text": get("om prisen"),
        "fees_can_be_covered": False,
        "next_step": get("neste steg"),
        "min_age": _int(get("alder fra"), problems, "alder fra"),
        "max_age": _int(get("alder til"), problems, "alder til"),
        "capacity": None,
        "has_waiting_list": False,
        "contact_role": get("kontaktperson (rolle)") or TEMPLATE_DEFAULTS["contact_role"],
        "contact_email": get("kontakt e-post"),
        "contact_phone": get("kontakttelefon"),
        "is_digital": _bool(get("digitalt"), False, problems, "digitalt"),
        "is_national": _bool(get("landsdekkende"), False, problems, "landsdekkende"),
        "not_nav_user_required": True,
        "season_text": "",
        "start_date": _date(get("startdato"), problems, "startdato"),
        "end_date": _date(get("sluttdato"), problems, "sluttdato"),
        "notice": get("kortvarig melding"),
        "accessibility_text": get("om tilgjengelighet"),
        "schedules": _schedules(get("tidspunkter"), problems),
        "locations": [
            {
                "name": get("stedsnavn"),
                "address": get("adresse"),
                "postal_code": get("postnummer"),
                "municipality": get("kommunenummer"),
                "latitude": None,
                "longitude": None,
                "hidden_address": _bool(get("skjult adresse"), False, problems, "skjult adresse"),
                "arena": "",
            }
        ]
        if get("kommunenummer")
        else [],
    }
    for key, _vocabulary in MULTI_VOCABULARIES.items():
        column = next(c for c, k in TEMPLATE_COLUMNS.items() if k == key)
        spec[key] = _slugs(get(column))
    for key in SINGLE_VOCABULARIES:
        column = next(c for c, k in TEMPLATE_COLUMNS.items() if k == key)
        spec[key] = (get(column) or TEMPLATE_DEFAULTS[key]).lower()
    return spec, problems


class HsdsPackage:
    """The tables of an HSDS package, indexed for reading services back as specs."""

    def __init__(self, tables: dict[str, list[tuple[int, dict]]]):
        rows = {name: [r for _n, r in records] for name, records in tables.items()}
        self.services = tables.get("service", [])
        self.organizations = {r.get("id"): r for r in rows.get("organization", [])}
        self.identifiers = defaultdict(list)
        for r in rows.get("organization_identifier", []):
            self.identifiers[r.get("organization_id")].append(r)
        self.attributes = defaultdict(list)
        for r in rows.get("attribute", []):
            self.attributes[r.get("link_id")].append(r)
        self.taxonomy_names = {r.get("id"): r.get("name") for r in rows.get("taxonomy", [])}
        # Terms we publish are known by id even when the file leaves their table out.
        self.terms = {
            hsds.term_id(vocabulary, slug): (vocabulary, slug)
            for vocabulary, slug in Term.objects.values_list("vocabulary__slug", "slug")
        }
        self.terms |= {
            hsds.term_id(hsds.PROFILE_TAXONOMY, c): (hsds.PROFILE_TAXONOMY, c)
            for c in hsds.PROFILE_TERMS
        }
        for r in rows.get("taxonomy_term", []):
            taxonomy = r.get("taxonomy") or self.taxonomy_names.get(r.get("taxonomy_id"), "")
            self.terms[r.get("id")] = (taxonomy, r.get("code") or "")
        self.by_service = {}
        for table in (
            "phone",
            "contact",
            "schedule",
            "language",
            "cost_option",
            "service_at_location",
        ):
            index = defaultdict(list)
            for r in rows.get(table, []):
                index[r.get("service_id")].append(r)
            self.by_service[table] = index
        self.org_phones = defaultdict(list)
        for r in rows.get("phone", []):
            if r.get("organization_id") and not r.get("service_id"):
                self.org_phones[r["organization_id"]].append(r)
        self.locations = {r.get("id"): r for r in rows.get("location", [])}
        self.addresses = defaultdict(list)
        for r in rows.get("address", []):
            self.addresses[r.get("location_id")].append(r)
        self.accessibility = defaultdict(list)
        for r in rows.get("accessibility", []):
            self.accessibility[r.get("location_id")].append(r)
        self.mode_labels = dict(
            Term.objects.filter(vocabulary__slug="participation_modes").values_list(
                "slug", "label_nb"
            )
        )

    def _facts(self, link_id: str) -> tuple[dict[str, list[str]], dict[str, str], list[str]]:
        """Attributes of a record: {vocabulary: [slugs]}, {profile code: value}, unknown ids."""
        terms, profile, unknown = defaultdict(list), {}, []
        for attribute in self.attributes.get(link_id, []):
            found = self.terms.get(attribute.get("taxonomy_term_id"))
            if found is None:
                unknown.append(attribute.get("taxonomy_term_id") or "")
            elif found[0] == hsds.PROFILE_TAXONOMY:
                profile[found[1]] = attribute.get("value", "")
            else:
                terms[found[0]].append(found[1])
        return terms, profile, unknown

    def spec(self, service: dict) -> tuple[dict, list[str]]:
        problems: list[str] = []
        sid = service.get("id", "")
        for column in ("id", "name", "organization_id"):
            if not service.get(column):
                problems.append(_("Mangler «%(column)s».") % {"column": column})
        org_row = self.organizations.get(service.get("organization_id"), {})
        if service.get("organization_id") and not org_row:
            problems.append(_("Organisasjonen tjenesten viser til, finnes ikke i filen."))
        number = next(
            (
                i.get("identifier", "")
                for i in self.identifiers.get(org_row.get("id"), [])
                if i.get("identifier_type") == hsds.ORGANISATION_NUMBER_TYPE
                or i.get("identifier_scheme") == hsds.ORGANISATION_NUMBER_SCHEME
            ),
            "",
        )
        if org_row and not number:
            problems.append(_("Organisasjonen mangler organisasjonsnummer."))
        org_terms, org_profile, _unknown = self._facts(org_row.get("id"))
        org_phone = next((r.get("number") for r in self.org_phones.get(org_row.get("id"), [])), "")
        terms, profile, unknown = self._facts(sid)
        for term in unknown:
            problems.append(_("Ukjent term-id «%(id)s» i attributtene.") % {"id": term})
        summary, _sep, description = (service.get("description") or "").partition("\n\n")
        mode = (terms.get("participation_modes") or [""])[0]
        application = service.get("application_process", "")
        label = self.mode_labels.get(mode, "")
        next_step = (
            application[len(label) :].strip()
            if label and application.startswith(label)
            else application
        )
        schedules_rows = [
            r
            for r in self.by_service["schedule"].get(sid, [])
            if not r.get("service_at_location_id")
        ]
        schedules, notes = [], ""
        for r in schedules_rows:
            try:
                for code in filter(None, (r.get("byday") or "").split(",")):
                    schedules.append(
                        (
                            WEEKDAYS[code.strip().lower()],
                            _clock(r["opens_at"]),
                            _clock(r["closes_at"]),
                        )
                    )
            except (KeyError, ValueError):
                problems.append(_("Et tidspunkt for tjenesten kan ikke leses."))
            # A schedule without weekdays carries only text (e.g. «Første mandag i måneden»).
            notes = (
                notes or r.get("notes", "") or ("" if r.get("byday") else r.get("description", ""))
            )
        first_schedule = schedules_rows[0] if schedules_rows else {}
        cost = (self.by_service["cost_option"].get(sid) or [{}])[0]
        contact = (self.by_service["contact"].get(sid) or [{}])[0]
        phone = next(
            (
                r.get("number")
                for r in self.by_service["phone"].get(sid, [])
                if not r.get("contact_id")
            ),
            "",
        )
        locations, accessibility_text = [], ""
        for sal in self.by_service["service_at_location"].get(sid, []):
            location = self.locations.get(sal.get("location_id"), {})
            _lt, loc_profile, _u = self._facts(location.get("id"))
            loc_terms = _lt
            address = (self.addresses.get(location.get("id")) or [{}])[0]
            code = loc_profile.get("kommunenummer", "")
            if not code:
                problems.append(_("Et sted mangler kommunenummer."))
            hidden = loc_profile.get("skjult-adresse") == "true"
            for row in self.accessibility.get(location.get("id"), []):
                # The offer's one text is repeated on each of its places.
                accessibility_text = accessibility_text or row.get("description", "")
            name = "" if hidden else location.get("name", "")
            if name and name == address.get("city"):
                name = ""  # the mapping names a place without a name after its municipality
            locations.append(
                {
                    "name": name,
                    "address": "" if hidden else address.get("address_1", ""),
                    "postal_code": "" if hidden else address.get("postal_code", ""),
                    "municipality": code,
                    "latitude": _float(location.get("latitude")),
                    "longitude": _float(location.get("longitude")),
                    "hidden_address": hidden,
                    "arena": (loc_terms.get("arenas") or [""])[0],
                }
            )
        spec = {
            "source_id": sid,
            "organisation": {
                "number": normalise_organisation_number(number),
                "name": org_row.get("name", ""),
                "email": org_row.get("email", ""),
                "website": org_row.get("website", ""),
                "phone": org_phone,
                "type": (org_terms.get("organisation_types") or [""])[0],
                "in_frivillighetsregisteret": org_profile.get("frivillighetsregisteret") == "true",
                "municipalities": sorted(
                    a.get("value", "")
                    for a in self.attributes.get(org_row.get("id"), [])
                    if self.terms.get(a.get("taxonomy_term_id"))
                    == (hsds.PROFILE_TAXONOMY, "kommunenummer")
                ),
            },
            "title": service.get("name", ""),
            "summary": summary,
            "description": description,
            "price_amount": _decimal(cost.get("amount", ""), problems, "amount"),
            "price_text": service.get("fees_description", ""),
            "fees_can_be_covered": profile.get("avgift-kan-dekkes") == "true",
            "next_step": next_step,
            "min_age": _int(service.get("minimum_age", ""), problems, "minimum_age"),
            "max_age": _int(service.get("maximum_age", ""), problems, "maximum_age"),
            "capacity": _int(profile.get("kapasitet", ""), problems, "kapasitet"),
            "has_waiting_list": profile.get("venteliste") == "true",
            "contact_role": contact.get("title", "") or TEMPLATE_DEFAULTS["contact_role"],
            "contact_email": service.get("email", ""),
            "contact_phone": phone,
            "is_digital": profile.get("digitalt") == "true",
            "is_national": profile.get("landsdekkende") == "true",
            "not_nav_user_required": profile.get("ikke-nav-bruker", "true") == "true",
            "season_text": notes.removeprefix(SCHEDULE_NOTES_PREFIX).strip(),
            "start_date": _date(
                first_schedule.get("valid_from") or cost.get("valid_from", ""),
                problems,
                "valid_from",
            ),
            "end_date": _date(
                first_schedule.get("valid_to") or cost.get("valid_to", ""), problems, "valid_to"
            ),
            "notice": service.get("alert", ""),
            "accessibility_text": accessibility_text,
            "schedules": sorted(set(schedules)),
            "locations": locations,
            "languages": sorted(
                r.get("code", "") for r in self.by_service["language"].get(sid, [])
            ),
        }
        for key, vocabulary in MULTI_VOCABULARIES.items():
            if key != "languages":
                spec[key] = sorted(terms.get(vocabulary, []))
        for key, vocabulary in SINGLE_VOCABULARIES.items():
            spec[key] = (terms.get(vocabulary) or [TEMPLATE_DEFAULTS[key]])[0]
        return spec, problems


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def file_specs(data: bytes, kind: str) -> list[dict]:
    """Every offer in the file: {"sheet", "row", "spec", "problems"}."""
    shape, content = read_upload(data, kind)
    if shape == "template":
        out = []
        for sheet, number, record in content:
            spec, problems = template_spec(record)
            out.append({"sheet": sheet, "row": number, "spec": spec, "problems": problems})
        return out
    package = HsdsPackage(content)
    if not package.services:
        raise FileProblem(_("Datapakken har ingen tjenester (services.csv er tom eller mangler)."))
    out = []
    for number, record in package.services:
        spec, problems = package.spec(record)
        out.append({"sheet": "services.csv", "row": number, "spec": spec, "problems": problems})
    return out


# --- The spec of an offer already in the portal --------------------------------------------------


def offer_spec(offer) -> dict:
    """An offer (or a revision of it, as an object) in the form file rows are read into."""
    spec = {name: getattr(offer, name) for name in SCALAR_FIELDS}
    for name in ("start_date", "end_date"):
        spec[name] = spec[name].isoformat() if spec[name] else None
    if spec["price_amount"] is not None:
        spec["price_amount"] = Decimal(spec["price_amount"]).quantize(Decimal("0.01"))
    for key in MULTI_VOCABULARIES:
        spec[key] = sorted(t.slug for t in getattr(offer, key).all())
    for key in SINGLE_VOCABULARIES:
        term = getattr(offer, key)
        spec[key] = term.slug if term else ""
    spec["schedules"] = sorted(
        {
            (s.weekday, s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M"))
            for s in offer.schedules.all()
        }
    )
    spec["locations"] = [
        {
            "name": loc.name,
            "address": loc.address,
            "postal_code": loc.postal_code,
            "municipality": loc.municipality.code,
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "hidden_address": loc.hidden_address,
            "arena": loc.arena.slug if loc.arena_id else "",
        }
        for loc in sorted(offer.locations.all(), key=lambda loc: (loc.sort_order or 0, loc.pk or 0))
    ]
    return spec


def spec_from_content(content: dict, terms: dict, codes: dict) -> dict:
    """`offer_spec` of a revision's stored content (Wagtail's `serializable_data`), without
    queries: terms by primary key and municipality codes by primary key come from memory."""
    spec = {name: content.get(name) for name in SCALAR_FIELDS}
    if spec["price_amount"] is not None:
        spec["price_amount"] = Decimal(str(spec["price_amount"])).quantize(Decimal("0.01"))
    for key in MULTI_VOCABULARIES:
        spec[key] = sorted(terms[pk].slug for pk in content.get(key) or [] if pk in terms)
    for key in SINGLE_VOCABULARIES:
        term = terms.get(content.get(key))
        spec[key] = term.slug if term else ""
    spec["schedules"] = sorted(
        {(s["weekday"], s["opens"][:5], s["closes"][:5]) for s in content.get("schedules") or []}
    )
    spec["locations"] = [
        {
            "name": loc["name"],
            "address": loc["address"],
            "postal_code": loc["postal_code"],
            "municipality": codes.get(loc["municipality"], ""),
            "latitude": loc["latitude"],
            "longitude": loc["longitude"],
            "hidden_address": loc["hidden_address"],
            "arena": terms[loc["arena"]].slug if loc.get("arena") in terms else "",
        }
        for loc in sorted(
            content.get("locations") or [],
            key=lambda loc: (loc.get("sort_order") or 0, loc.get("pk") or 0),
        )
    ]
    return spec


def _comparable(spec: dict) -> dict:
    out = {k: spec.get(k) for k in (*SCALAR_FIELDS, *MULTI_VOCABULARIES, *SINGLE_VOCABULARIES)}
    out["schedules"] = [tuple(s) for s in spec.get("schedules", [])]
    out["locations"] = spec.get("locations", [])
    for key in ("description",):
        out[key] = _plain(out[key] or "")
    return out


def _plain(html: str) -> str:
    # Descriptions are stored as sanitised rich text; compare what a reader sees.
    from django.utils.html import strip_tags

    return " ".join(strip_tags(html).split())


# --- The dry run ---------------------------------------------------------------------------------


class Lookups:
    """Everything the check compares rows with, loaded once per file."""

    def __init__(self, specs: list[dict]):
        self.municipalities = {m.code: m for m in Municipality.objects.select_related("county")}
        self.terms: dict[str, dict[str, Term]] = defaultdict(dict)
        for term in Term.objects.select_related("vocabulary"):
            self.terms[term.vocabulary.slug][term.slug] = term
        numbers = {s["spec"]["organisation"]["number"] for s in specs}
        self.organisations = {
            o.organisation_number: o
            for o in Organisation.objects.filter(organisation_number__in=numbers)
        }
        self.offers_by_key: dict[str, int] = {}
        self.offer_rows: dict[int, tuple] = {}
        for pk, source_id, org_id, title in Offer.objects.values_list(
            "pk", "source_id", "organisation_id", "title"
        ):
            self.offer_rows[pk] = (org_id, title)
            self.offers_by_key[hsds.offer_id_from(pk=pk, source_id=source_id)] = pk
            if source_id:
                self.offers_by_key[source_id] = pk
        self.titles = defaultdict(set)
        for pk, (org_id, title) in self.offer_rows.items():
            self.titles[(org_id, title.strip().lower())].add(pk)
        self._current: dict[int, dict] | None = None
        self._keys = {s["spec"]["source_id"] for s in specs if s["spec"]["source_id"]}

    def current_spec(self, offer_pk: int) -> dict:
        """The latest version of an offer (its newest revision, else its row) as a spec.

        Read from the revisions' stored content for every offer the file names at once:
        rebuilding each revision as an object costs a dozen queries an offer."""
        if self._current is None:
            pks = {self.offers_by_key[k] for k in self._keys if k in self.offers_by_key}
            self._current = self._current_specs(pks)
        if offer_pk not in self._current:
            offer = Offer.objects.get(pk=offer_pk).get_latest_revision_as_object()
            self._current[offer_pk] = offer_spec(offer)
        return self._current[offer_pk]

    def _current_specs(self, offer_pks: set[int]) -> dict[int, dict]:
        terms = {t.pk: t for by_slug in self.terms.values() for t in by_slug.values()}
        codes = {m.pk: code for code, m in self.municipalities.items()}
        contents = Offer.objects.filter(
            pk__in=offer_pks, latest_revision__isnull=False
        ).values_list("pk", "latest_revision__content")
        return {pk: spec_from_content(content, terms, codes) for pk, content in contents}


def _validate(entry: dict, lookups: Lookups, user, seen: dict) -> tuple[str, list[str], dict]:
    """(action, reasons, details) for one file row. Nothing is written."""
    spec, reasons = entry["spec"], list(entry["problems"])
    details = {"organisation_action": "", "offer_pk": None}
    org = spec["organisation"]
    if org["number"]:
        try:
            validate_organisation_number(org["number"])
        except ValidationError as exc:
            reasons.extend(exc.messages)
    for location in spec["locations"]:
        code = location["municipality"]
        if code and code not in lookups.municipalities:
            reasons.append(_("Ukjent kommunenummer «%(code)s».") % {"code": code})
        if location.get("arena") and location["arena"] not in lookups.terms["arenas"]:
            reasons.append(_("Ukjent arena «%(slug)s».") % {"slug": location["arena"]})
    place_codes = {location["municipality"] for location in spec["locations"]}
    for code in org.get("municipalities", []):
        if code and code not in lookups.municipalities and code not in place_codes:
            reasons.append(
                _("Ukjent kommunenummer «%(code)s» for organisasjonen.") % {"code": code}
            )
    for key, vocabulary in {**MULTI_VOCABULARIES, **SINGLE_VOCABULARIES}.items():
        values = spec[key] if key in MULTI_VOCABULARIES else [spec[key]] if spec[key] else []
        for slug in values:
            if slug not in lookups.terms[vocabulary]:
                reasons.append(
                    _("Ukjent %(what)s «%(slug)s».")
                    % {"what": VOCABULARY_NAMES[vocabulary], "slug": slug}
                )
    if org.get("type") and org["type"] not in lookups.terms["organisation_types"]:
        reasons.append(_("Ukjent organisasjonstype «%(slug)s».") % {"slug": org["type"]})
    key = spec["source_id"]
    if key:
        if key in seen:
            reasons.append(_("Samme ekstern_id som rad %(row)s i filen.") % {"row": seen[key]})
        else:
            seen[key] = entry["row"]
    if not spec["categories"]:
        reasons.append(_("Mangler kategori: oppgi minst én."))
    existing_org = lookups.organisations.get(org["number"])
    if existing_org is None:
        details["organisation_action"] = "create"
        if not org["name"]:
            reasons.append(_("Mangler organisasjonsnavn for en ny organisasjon."))
    else:
        details["organisation_action"] = "existing"
        if not dp.can_create_offer(user, existing_org):
            reasons.append(
                _(
                    "Du representerer ikke %(name)s og kan ikke legge inn tilbud for den. Be "
                    "organisasjonen om tilgang, eller be en portalredaktør importere raden."
                )
                % {"name": existing_org.name}
            )
    offer_pk = lookups.offers_by_key.get(key) if key else None
    details["offer_pk"] = offer_pk
    if offer_pk and existing_org and lookups.offer_rows[offer_pk][0] != existing_org.pk:
        reasons.append(_("ekstern_id brukes allerede av et tilbud hos en annen organisasjon."))
    if offer_pk is None and existing_org is not None and spec["title"]:
        same_title = lookups.titles.get((existing_org.pk, spec["title"].strip().lower()))
        if same_title:
            reasons.append(
                _(
                    "%(org)s har allerede et tilbud med tittelen «%(title)s» (uten denne "
                    "ekstern_id-en). Bruk tilbudets ekstern_id for å oppdatere det, eller gi "
                    "det nye tilbudet en annen tittel."
                )
                % {"org": existing_org.name, "title": spec["title"]}
            )
    if not reasons and existing_org is None:
        reasons.extend(_organisation_problems(org))
    if not reasons:
        reasons.extend(_model_problems(spec, lookups))
    if reasons:
        return "reject", reasons, details
    if offer_pk is None:
        return "create", [], details
    if _comparable(lookups.current_spec(offer_pk)) == _comparable(spec):
        return "unchanged", [], details
    return "update", [], details


def _organisation_problems(org: dict) -> list[str]:
    """What the organisation model would refuse of a new organisation (e-mail, web address)."""
    organisation = Organisation(
        name=org["name"],
        organisation_number=org["number"],
        email=org.get("email", ""),
        website=org.get("website", ""),
        phone=org.get("phone", ""),
    )
    try:
        organisation.full_clean(exclude=["slug"], validate_unique=False)
    except ValidationError as exc:
        return [
            _("Organisasjonen, %(field)s: %(message)s")
            % {"field": Organisation._meta.get_field(field).verbose_name, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
            if field != "organisation_number"  # reported above, in the file's own words
        ]
    return []


def _model_problems(spec: dict, lookups: Lookups) -> list[str]:
    """What the offer model itself would refuse (lengths, e-mail, ages), in its own words."""
    offer = build_offer(spec, Offer(organisation=Organisation(name="-")), lookups)
    # Terms and municipalities were looked up in the database already; checking each foreign
    # key again would cost a query per key and row.
    try:
        offer.full_clean(
            exclude=[f.name for f in Offer._meta.concrete_fields if f.is_relation],
            validate_unique=False,
            validate_constraints=False,
        )
        for location in offer.locations.all():
            location.full_clean(
                exclude=["offer", "municipality", "arena"], validate_constraints=False
            )
    except ValidationError as exc:
        problems = []
        for field, messages in exc.message_dict.items():
            label = (
                Offer._meta.get_field(field).verbose_name
                if field in {f.name for f in Offer._meta.get_fields()}
                else field
            )
            problems.extend(f"{str(label).capitalize()}: {m}" for m in messages)
        return problems
    return []


def build_offer(spec: dict, offer: Offer, lookups: Lookups) -> Offer:
    """Put a spec on an offer in memory (fields, terms, places, times), as a form would."""
    for name in SCALAR_FIELDS:
        setattr(offer, name, spec[name] if spec[name] is not None or name in _NULLABLE else "")
    for name in ("start_date", "end_date"):
        setattr(offer, name, date.fromisoformat(spec[name]) if spec[name] else None)
    for key, vocabulary in MULTI_VOCABULARIES.items():
        setattr(
            offer,
            key,
            [lookups.terms[vocabulary][s] for s in spec[key] if s in lookups.terms[vocabulary]],
        )
    for key, vocabulary in SINGLE_VOCABULARIES.items():
        setattr(offer, key, lookups.terms[vocabulary].get(spec[key]))
    offer.locations = [
        OfferLocation(
            name=loc["name"],
            address=loc["address"],
            postal_code=loc["postal_code"],
            municipality=lookups.municipalities.get(loc["municipality"]),
            latitude=loc["latitude"],
            longitude=loc["longitude"],
            hidden_address=loc["hidden_address"],
            arena=lookups.terms["arenas"].get(loc["arena"]) if loc["arena"] else None,
        )
        for loc in spec["locations"]
    ]
    offer.schedules = [
        OfferSchedule(
            weekday=day, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes)
        )
        for day, opens, closes in spec["schedules"]
    ]
    return offer


_NULLABLE = {"price_amount", "min_age", "max_age", "capacity", "start_date", "end_date"}


def check_specs(specs: list[dict], *, user, progress=None) -> dict:
    """The dry-run report of a file's specs: one entry per row, and a summary."""
    lookups = Lookups(specs)
    seen: dict[str, int] = {}
    rows, summary = [], defaultdict(int)
    new_orgs = set()
    for index, entry in enumerate(specs):
        action, reasons, details = _validate(entry, lookups, user, seen)
        spec = entry["spec"]
        rows.append(
            {
                "sheet": entry["sheet"],
                "row": entry["row"],
                "source_id": spec["source_id"],
                "title": spec["title"],
                "organisation": spec["organisation"]["name"],
                "organisation_number": spec["organisation"]["number"],
                "action": action,
                "reasons": reasons,
                **details,
            }
        )
        summary[action] += 1
        if details["organisation_action"] == "create" and action != "reject":
            new_orgs.add(spec["organisation"]["number"])
        if progress and index % 100 == 0:
            progress(index, len(specs))
    summary["organisations_create"] = len(new_orgs)
    summary["rows"] = len(specs)
    return {"rows": rows, "summary": dict(summary)}


# --- Services ------------------------------------------------------------------------------------


def import_upload(*, user, uploaded_file) -> DataImport:
    """Store an upload (checked by content) and start its dry run."""
    if not p.can_import(user):
        raise PermissionDenied(_("Bare portalredaktører og kommuneansatte kan importere tilbud."))
    data = uploaded_file.read()
    try:
        kind = classify_upload(data)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc
    uploaded_file.seek(0)
    from django.core.files.base import ContentFile

    name = (uploaded_file.name or "import").rsplit("/", 1)[-1][:200]
    data_import = DataImport(
        uploaded_by=user, original_name=name, kind=kind, message=_("Venter på kontroll")
    )
    data_import.file.save(f"{slugify(name) or 'import'}", ContentFile(data), save=False)
    data_import.save()
    from opendata.tasks import import_check_task

    job_enqueue_on_commit(
        import_check_task,
        data_import.pk,
        unavailable=lambda: _set(
            data_import.pk,
            status=DataImport.Status.FAILED,
            message=_("Kunne ikke startes"),
            error=_(
                "Kontrollen kunne ikke startes fordi køtjenesten ikke svarer akkurat nå. "
                "Last opp filen på nytt om noen minutter."
            ),
        ),
    )
    return data_import


def _set(import_id: int, **fields) -> None:
    DataImport.objects.filter(pk=import_id).update(**fields)


def progress_key(import_id: int) -> str:
    return f"opendata:import:{import_id}:progress"


def import_progress(data_import: DataImport) -> tuple[int, str]:
    """(percent, message) of an import. While it is applied, progress lives in the cache: the
    apply runs in one transaction, so its own row cannot show progress until it commits."""
    if data_import.status == DataImport.Status.APPLYING:
        value = cache.get(progress_key(data_import.pk))
        if value:
            return value
    return data_import.progress, data_import.message


def _read(data_import: DataImport) -> list[dict]:
    with data_import.file.open("rb") as handle:
        return file_specs(handle.read(), data_import.kind)


def import_check(*, import_id: int) -> DataImport | None:
    """The dry run: read the file and report what would happen, row by row. Writes nothing but
    the report."""
    data_import = DataImport.objects.select_related("uploaded_by").filter(pk=import_id).first()
    if data_import is None or data_import.status != DataImport.Status.QUEUED:
        return data_import
    _set(import_id, status=DataImport.Status.CHECKING, progress=1, message=_("Leser filen"))

    def progress(done: int, total: int) -> None:
        _set(
            import_id,
            progress=5 + int(94 * done / max(total, 1)),
            message=_("Kontrollerer rad %(done)s av %(total)s") % {"done": done, "total": total},
        )

    try:
        specs = _read(data_import)
        report = check_specs(specs, user=data_import.uploaded_by, progress=progress)
    except FileProblem as exc:
        _set(
            import_id,
            status=DataImport.Status.FAILED,
            message=_("Filen kan ikke leses"),
            error=str(exc),
            checked_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Import check %s failed", import_id)
        _set(
            import_id,
            status=DataImport.Status.FAILED,
            message=_("Kontrollen feilet"),
            error=_("Kontrollen stoppet uventet: %(reason)s") % {"reason": str(exc)[:300]},
            checked_at=timezone.now(),
        )
    else:
        rejected = report["summary"].get("reject", 0)
        _set(
            import_id,
            status=DataImport.Status.REJECTED if rejected else DataImport.Status.CHECKED,
            progress=100,
            message=_("%(n)s rader har feil") % {"n": rejected}
            if rejected
            else _("Klar til import"),
            report=report,
            checked_at=timezone.now(),
        )
    data_import.refresh_from_db()
    return data_import


def import_request_apply(*, data_import: DataImport, user) -> DataImport:
    """Queue the apply of a checked import (only its uploader or a portal editor)."""
    if not p.can_view_import(user, data_import):
        raise PermissionDenied(_("Du kan ikke bruke denne importen."))
    updated = DataImport.objects.filter(pk=data_import.pk, status=DataImport.Status.CHECKED).update(
        status=DataImport.Status.APPLYING, progress=0, message=_("Venter på å starte")
    )
    if not updated:
        raise ValidationError(_("Importen er ikke klar til å tas i bruk."))
    from opendata.tasks import import_apply_task

    # Back to «checked» if the apply cannot be started: the dry run still holds, and the user
    # can press the button again.
    job_enqueue_on_commit(
        import_apply_task,
        data_import.pk,
        unavailable=lambda: _set(
            data_import.pk,
            status=DataImport.Status.CHECKED,
            message=_("Kunne ikke startes nå. Prøv igjen om noen minutter."),
        ),
    )
    data_import.refresh_from_db()
    return data_import


class _Rejected(Exception):
    def __init__(self, report):
        self.report = report


def import_apply(*, import_id: int) -> DataImport | None:
    """Write a checked import in one transaction: every row, or (if any row is now rejected,
    e.g. because the catalogue changed since the dry run) nothing."""
    data_import = DataImport.objects.select_related("uploaded_by").filter(pk=import_id).first()
    if data_import is None or data_import.status != DataImport.Status.APPLYING:
        return data_import
    user = data_import.uploaded_by
    key = progress_key(import_id)

    def progress(percent: int, message: str) -> None:
        cache.set(key, (percent, message), 3600)

    try:
        specs = _read(data_import)
        with transaction.atomic():
            report = check_specs(
                specs,
                user=user,
                progress=lambda d, t: progress(int(20 * d / max(t, 1)), _("Kontrollerer på nytt")),
            )
            if report["summary"].get("reject"):
                raise _Rejected(report)
            result = _write(specs, report, user=user, progress=progress)
    except _Rejected as rejected:
        _set(
            import_id,
            status=DataImport.Status.REJECTED,
            progress=100,
            message=_("Ingenting ble importert: noen rader har feil"),
            report=rejected.report,
        )
    except Exception as exc:
        logger.exception("Import apply %s failed", import_id)
        _set(
            import_id,
            status=DataImport.Status.FAILED,
            message=_("Ingenting ble importert"),
            error=_("Importen stoppet, og ingenting ble lagret: %(reason)s")
            % {"reason": str(exc)[:300]},
        )
    else:
        _set(
            import_id,
            status=DataImport.Status.APPLIED,
            progress=100,
            message=_("Importert"),
            report=report,
            result=result,
            applied_at=timezone.now(),
        )
    finally:
        cache.delete(key)
    data_import.refresh_from_db()
    return data_import


def _organisation_create(org: dict, *, user, lookups: Lookups) -> Organisation:
    organisation = Organisation(
        name=org["name"],
        organisation_number=org["number"],
        email=org.get("email", ""),
        website=org.get("website", ""),
        phone=org.get("phone", ""),
        organisation_type=lookups.terms["organisation_types"].get(org.get("type") or ""),
        in_frivillighetsregisteret=org.get("in_frivillighetsregisteret", False),
    )
    if p.can_create_approved_organisations(user):
        base = slugify(org["name"])[:180] or "organisasjon"
        slug, n = base, 2
        while Organisation.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        organisation.slug = slug
        organisation.status = Organisation.Status.APPROVED
        organisation.full_clean()
        organisation.save()
    else:
        # Like a registration: pending until Nav approves it, and the importer its owner.
        organisation = organisation_register(organisation=organisation, by=user)
    codes = [c for c in org.get("municipalities", []) if c in lookups.municipalities]
    organisation.municipalities.set([lookups.municipalities[c] for c in codes])
    return organisation


def _write(specs: list[dict], report: dict, *, user, progress) -> dict:
    """Organisations first, then every new offer in one bulk write, then the updates (each
    through the ordinary edit workflow: they are few, and each needs its own revision diff)."""
    lookups = Lookups(specs)
    counts = defaultdict(int)
    total = len(specs)
    new_offers, updates = [], []
    for index, (entry, row) in enumerate(zip(specs, report["rows"], strict=True)):
        spec = entry["spec"]
        if row["action"] == "unchanged":
            counts["unchanged"] += 1
            continue
        number = spec["organisation"]["number"]
        organisation = lookups.organisations.get(number)
        if organisation is None:
            organisation = _organisation_create(spec["organisation"], user=user, lookups=lookups)
            lookups.organisations[number] = organisation
            counts["organisations_created"] += 1
        if row["offer_pk"]:
            updates.append((row["offer_pk"], spec))
        else:
            offer = Offer(organisation=organisation, source_id=spec["source_id"])
            new_offers.append(build_offer(spec, offer, lookups))
        if index % 100 == 0:
            progress(
                20 + int(20 * index / max(total, 1)),
                _("Kontrollerer rad %(n)s av %(total)s") % {"n": index + 1, "total": total},
            )
    if new_offers:
        progress(40, _("Lagrer %(n)s nye tilbud") % {"n": len(new_offers)})
        offers_submit_new(offers=new_offers, by=user)
        counts["created"] = len(new_offers)
    for index, (offer_pk, spec) in enumerate(updates):
        offer = Offer.objects.get(pk=offer_pk).get_latest_revision_as_object()
        offer = offer_save_draft(offer=build_offer(spec, offer, lookups), by=user)
        offer_submit(offer=offer, by=user)
        counts["updated"] += 1
        if index % 25 == 0:
            progress(
                80 + int(20 * index / len(updates)),
                _("Oppdaterer tilbud %(n)s av %(total)s") % {"n": index + 1, "total": len(updates)},
            )
    return dict(counts)


def template_csv() -> str:
    """The template as a CSV text with its header and one example row."""
    example = {
        "ekstern_id": "drammen-leksehjelp-1",
        "organisasjonsnummer": "889640782",
        "organisasjonsnavn": "Eksempel frivilligsentral",
        "tittel": "Leksehjelp for ungdom",
        "kort beskrivelse": "Gratis leksehjelp med frivillige voksne hver tirsdag.",
        "kommunenummer": "3301",
        "adresse": "Eksempelgata 1",
        "postnummer": "3015",
        "skjult adresse": "nei",
        "kategorier": "leksehjelp",
        "målgrupper": "barn-og-unge",
        "pris": "gratis",
        "type": "lopende",
        "slik blir du med": "drop-in",
        "tidspunkter": "tirsdag 17:00-19:00",
        "kontaktperson (rolle)": "Koordinator",
        "kontakt e-post": "post@example.org",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()
