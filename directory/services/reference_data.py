"""Loading national reference data: counties, municipalities and the controlled vocabularies.

Loading is idempotent. Municipalities follow the file (it is the national register); vocabulary
terms that already exist keep the labels editors may have changed in the admin.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from directory.models import County, Municipality, Term, Vocabulary

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "kommuner.csv"
VOCABULARIES_YAML = DATA_DIR / "vocabularies.yaml"

# Readable names for the vocabularies of vocabularies.yaml (its keys are the stable slugs).
VOCABULARY_NAMES = {
    "life_areas": "Livsområder",
    "target_groups": "Målgrupper",
    "needs": "Behov",
    "themes": "Temaer",
    "offer_categories": "Tilbudskategorier",
    "activity_levels": "Aktivitetsnivå",
    "cost_levels": "Pris",
    "participation_modes": "Slik blir du med",
    "offer_kinds": "Tilbudstype",
    "offer_statuses": "Tilbudsstatus",
    "accessibility_features": "Tilgjengelighet",
    "organisation_types": "Organisasjonstyper",
    "applicant_types": "Søkertyper",
    "grant_requirements": "Krav til søker",
    "grant_types": "Tilskuddstyper",
    "grant_statuses": "Status for tilskuddsordning",
    "grant_round_statuses": "Status for søknadsrunde",
    "agreement_types": "Avtaletyper",
    "cooperation_forms": "Samarbeidsformer",
    "agreement_statuses": "Avtalestatus",
    "evaluation_decisions": "Evalueringsbeslutninger",
    "review_types": "Evalueringstyper",
    "prevention_levels": "Forebyggingsnivå",
    "evidence_registries": "Evidensregistre",
    "evidence_tiers": "Evidensnivå (normalisert)",
    "model_statuses": "Modellstatus",
    "arenas": "Arenaer",
    "municipality_size": "Kommunestørrelse",
    "funding_sources": "Finansieringskilder",
    "nav_office_management_forms": "Ledelsesform i Nav-kontor",
    "public_services": "Offentlige tjenester",
    "languages": "Språk",
}

# Keys of a vocabulary entry that map to Term columns; any other key is kept in Term.extra.
TERM_FIELDS = {"slug", "nb", "en", "description_nb"}


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(
            f"{kind}: {self.created.get(kind, 0)} nye, {self.updated.get(kind, 0)} fantes fra før"
            for kind in kinds
        )


@transaction.atomic
def municipalities_load(*, path: Path = MUNICIPALITIES_CSV, report: LoadReport | None = None):
    """Create or update every county and municipality listed in the CSV."""
    report = report or LoadReport()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counties: dict[str, County] = {}
    for row in rows:
        code = row["fylkesnummer"].strip().zfill(2)
        if code not in counties:
            counties[code], created = County.objects.update_or_create(
                code=code, defaults={"name": row["fylkesnavn"].strip()}
            )
            report.count("fylker", created=created)
    for row in rows:
        _, created = Municipality.objects.update_or_create(
            code=row["kommunenummer"].strip().zfill(4),
            defaults={
                "name": row["kommunenavn"].strip(),
                "county": counties[row["fylkesnummer"].strip().zfill(2)],
                "alternative_names": (row.get("alternative_navn") or "").strip(),
            },
        )
        report.count("kommuner", created=created)
    return report


@transaction.atomic
def vocabularies_load(*, path: Path = VOCABULARIES_YAML, report: LoadReport | None = None):
    """Create missing vocabularies and terms; existing terms keep their edited labels."""
    report = report or LoadReport()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for vocabulary_slug, entries in data.items():
        vocabulary, created = Vocabulary.objects.get_or_create(
            slug=vocabulary_slug,
            defaults={"name": VOCABULARY_NAMES.get(vocabulary_slug, vocabulary_slug)},
        )
        report.count("vokabularer", created=created)
        existing = set(vocabulary.terms.values_list("slug", flat=True))
        for position, entry in enumerate(entries):
            if entry["slug"] in existing:
                report.count("termer", created=False)
                continue
            extra = {
                k: v for k, v in entry.items() if k not in {"slug", "nb", "en", "description_nb"}
            }
            Term.objects.create(
                vocabulary=vocabulary,
                slug=entry["slug"],
                label_nb=entry["nb"],
                label_en=entry.get("en", ""),
                description_nb=(entry.get("description_nb") or "").strip(),
                sort_order=position,
                extra=extra,
            )
            report.count("termer", created=True)
    return report


def reference_data_load() -> LoadReport:
    """Load all national reference data."""
    report = LoadReport()
    municipalities_load(report=report)
    vocabularies_load(report=report)
    return report
