"""Demo grant schemes from demo-content.md, section 3, as published Wagtail pages.

The schemes are real, but every value was seen on public pages dated 2018–2025 and is «to be
verified», so every page is marked `is_example` and shows a notice. Loading twice creates nothing.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from directory.models import GrantRound, GrantSchemeIndexPage, GrantSchemePage, Term
from directory.services.demo_content import DEMO_CONTENT_MD, demo_terms

INDEX_SLUG = "tilskudd"

# demo-content.md keeps its editorial notes in English; the site shows bokmål. Keyed by record
# id and field; a record's own text is used where nothing is given here.
NB_TEXT: dict[str, dict[str, str]] = {
    "demo-tilskudd-01": {
        "status_note": "Står i den nasjonale tilskuddsoversikten. Dagens status må verifiseres.",
        "amount_note": "2020: Om lag 13 millioner kroner av dette gikk til videreføring.",
    },
    "demo-tilskudd-02": {
        "regulation": "Forskrift av 13. januar 2021 (må verifiseres)",
        "status_note": "Videreført i 2022. Senere år må verifiseres.",
    },
    "demo-tilskudd-03": {"status_note": "Videreført i 2022. Senere år må verifiseres."},
    "demo-tilskudd-04": {
        "status_note": (
            "Erstattet i 2021, sammen med «Tilskudd til drift av organisasjoner som drives av "
            "sosialt og økonomisk vanskeligstilte» og «Tilskudd til prosjekter rettet mot "
            "fattigdom og sosial ekskludering» (må verifiseres)."
        ),
    },
    "demo-tilskudd-05": {
        "amount_note": "2023: 225 millioner kroner i nye nasjonale midler, av 664,43 millioner "
        "kroner totalt.",
        "co_funding_note": "Egenfinansiering: 20 % for offentlige og private søkere, 5 % for "
        "frivillige, ifølge én kommunes side (må verifiseres).",
        "reporting_note": "Eldre sider sier at rapporten skal leveres om lag én måned etter at "
        "tilskuddsåret er slutt (må verifiseres).",
    },
    "demo-tilskudd-05a": {"status_note": "Slått sammen med andre ordninger i 2022."},
    "demo-tilskudd-06": {
        "administrator": "Arbeids- og velferdsdirektoratet. Statsforvalteren (den gang "
        "Fylkesmannen) vurderte og rangerte søknadene.",
        "budget": "kap. 0621, post 63 (må verifiseres)",
        "status_note": "Historisk. Om ordningen finnes i dag, må verifiseres.",
    },
    "demo-tilskudd-07": {
        "status_note": "I 2018 ble det bare gitt videreføringstilskudd («i utgangspunktet siste "
        "tilskuddsår»). Avviklet rundt 2018/19.",
    },
    "demo-tilskudd-08": {
        "purpose_nb": "Prioriteringer i 2018: mindre bruk av midlertidig botilbud, helhetlig "
        "lokalt boligsosialt arbeid og tiltak for ungdom og unge voksne.",
        "status_note": "Historisk. I 2018 kunne bare de som fikk tilskudd i 2017, søke. Må "
        "verifiseres.",
    },
}


def _nb(record: dict) -> dict:
    """The record with its English notes in bokmål, and «to be verified» as «må verifiseres»."""
    record = {**record, **NB_TEXT.get(record["id"], {})}
    for key in ("requirements_nb", "regulation", "budget"):
        if isinstance(record.get(key), str):
            record[key] = record[key].replace("(to be verified)", "(må verifiseres)")
    return record


def demo_grant_records(path: Path = DEMO_CONTENT_MD) -> list[dict]:
    """The YAML blocks of section 3; section 3.7 is a list of records."""
    text = path.read_text(encoding="utf-8")
    section = text[text.index("## 3.") : text.index("## 4.")]
    records: list[dict] = []
    for block in re.findall(r"```yaml\n(.*?)```", section, re.S):
        data = yaml.safe_load(block)
        records += data if isinstance(data, list) else [data]
    return records


def _merged_records(records: list[dict]) -> list[dict]:
    """demo-content.md asks for the schemes merged into 3.5 in 2022 as records of their own,
    replaced by it."""
    extra = []
    for record in records:
        for n, name in enumerate(record.get("merged_with_nb") or [], start=1):
            extra.append(
                {
                    "id": f"{record['id']}-{n}",
                    "name": name,
                    "administrator": record["administrator"],
                    "purpose_nb": (
                        f"Slått sammen med «{record['name']}» i 2022. Les om ordningen som "
                        "erstatter den."
                    ),
                    "target_groups": record.get("target_groups") or [],
                    "status": "erstattet",
                    "replaced_by": record.get("replaced_by") or [],
                }
            )
    return extra


def _slug(name: str) -> str:
    # slugify drops æ, ø and å: «entreprenørskap» would become «entreprenrskap».
    name = name.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return slugify(name)[:80].strip("-")


def _amounts(value) -> dict:
    """`amounts` is one mapping or a list of them; the newest total wins, the rest is a note."""
    items = value if isinstance(value, list) else [value] if value else []
    fields: dict = {}
    notes = []
    for item in items:
        if item.get("total_nok"):
            fields["amount_total"] = item["total_nok"]
            fields["amount_year"] = item.get("year")
        if item.get("min_per_activity_type_per_year_nok"):
            fields["amount_min"] = item["min_per_activity_type_per_year_nok"]
        if item.get("note"):
            notes.append(f"{item['year']}: {item['note']}" if item.get("year") else item["note"])
    if notes:
        fields["amount_note"] = "; ".join(notes)[:300]
    return fields


def _page(record: dict, replacements: dict[str, GrantSchemePage]) -> GrantSchemePage:
    purpose = record.get("purpose_nb") or ""
    if record.get("former_names"):
        purpose += "\n\nTidligere navn: " + ", ".join(record["former_names"]) + "."
    requirements_text = record.get("requirements_nb") or ""
    for key in ("co_funding_note", "reporting_note"):
        if record.get(key):
            requirements_text = f"{requirements_text}\n\n{record[key]}".strip()
    activities = record.get("activity_types_nb") or []
    replaced_by = [replacements[i] for i in record.get("replaced_by") or [] if i in replacements]
    sources = record.get("sources") or []
    amounts = _amounts(record.get("amounts"))
    if record.get("amount_note"):
        amounts["amount_note"] = record["amount_note"]
    page = GrantSchemePage(
        title=record["name"],
        slug=_slug(record["name"]),
        source_id=record["id"],
        is_example=True,
        administrator=record["administrator"][:300],
        ministry=record.get("ministry") or "",
        scheme_code=record.get("scheme_id") or "",
        budget_chapter=record.get("budget") or "",
        purpose=purpose,
        funded_text=("Det kan søkes om tilskudd til: " + ", ".join(activities).lower() + ".")
        if activities
        else "",
        target_groups_note=(record.get("target_groups_note") or "")[:300],
        requirements_text=requirements_text,
        max_duration_years=record.get("max_duration_years"),
        lifecycle=record.get("status") or GrantSchemePage.Lifecycle.UNKNOWN,
        status_note=(record.get("status_note") or "").strip()[:300],
        replaced_by=replaced_by[0] if replaced_by else None,
        regulation=(record.get("regulation") or "")[:300],
        source_url=sources[0] if sources else "",
        grant_type=Term.objects.filter(
            vocabulary__slug="grant_types", slug=record.get("grant_type") or ""
        ).first(),
        **amounts,
    )
    page.target_groups = demo_terms("target_groups", record.get("target_groups"))
    page.applicant_types = demo_terms("applicant_types", record.get("applicant_types"))
    page.requirements = demo_terms("grant_requirements", record.get("requirements"))
    page.rounds = [
        GrantRound(
            grant_year=r["grant_year"],
            application_deadline=r.get("deadline"),
            status=r.get("status") or GrantRound.Status.UPCOMING,
        )
        for r in record.get("rounds") or []
        if isinstance(r.get("deadline"), date | None)
    ]
    return page


def demo_grant_index_ensure() -> GrantSchemeIndexPage:
    from wagtail.models import Site

    index = GrantSchemeIndexPage.objects.first()
    if index is None:
        home = Site.objects.get(is_default_site=True).root_page
        index = home.add_child(
            instance=GrantSchemeIndexPage(
                title="Tilskuddsordninger",
                slug=INDEX_SLUG,
                show_in_menus=True,
                intro=(
                    "Statlige tilskuddsordninger for arbeid mot fattigdom og utenforskap, med "
                    "hvem som kan søke, krav og frister."
                ),
            )
        )
        index.save_revision().publish()
    return index


@transaction.atomic
def demo_grants_load() -> int:
    """Create the index page and the demo schemes that are missing; returns how many schemes."""
    index = demo_grant_index_ensure()
    records = [_nb(record) for record in demo_grant_records()]
    records += _merged_records(records)
    existing = {
        p.source_id: p
        for p in GrantSchemePage.objects.filter(source_id__in=[r["id"] for r in records])
    }
    # Replacements first, so a replaced scheme is created with its link (its clean() needs it).
    records.sort(key=lambda r: bool(r.get("replaced_by")))
    created = 0
    for record in records:
        if record["id"] in existing:
            continue
        page = index.add_child(instance=_page(record, existing))
        page.save_revision().publish()
        existing[record["id"]] = page
        created += 1
    return created
