"""Demo prevention models, read from section 4 of demo-content.md (safe to repeat).

The models are real and publicly described, but most details are marked «to be verified» or
«demo» in the file, so every one is published as an example (`is_example`), which the page
shows as «Eksempel: opplysningene er ikke kontrollert».
"""

from __future__ import annotations

import logging
import re

import yaml
from django.db import transaction
from django.utils.text import slugify

from directory.models import (
    EvidenceRating,
    GrantSchemePage,
    ModelEvaluation,
    Municipality,
    Offer,
    PreventionModelPage,
    Term,
)
from directory.services.demo_content import DEMO_CONTENT_MD, demo_offer_records, demo_terms
from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure

logger = logging.getLogger(__name__)

# demo-content.md writes its notes in English; the portal speaks bokmål. Text not listed here
# is shown as written (most of the file is already bokmål).
NB_TEXT = {
    "A related approach (HOLF, 4.3), which used family coordinators, showed no significant "
    "effect on work, income or housing in a randomised trial. Show the two together.": (
        "En beslektet modell, HOLF, brukte også familiekoordinatorer. I et randomisert forsøk "
        "ga den ingen signifikant effekt på arbeid, inntekt eller bolig. Se de to modellene "
        "sammen."
    ),
    "Spread between offices by inspiration.": "Spredt mellom kontorer ved inspirasjon.",
    "Has spread to other Nav offices, which are not named.": (
        "Har spredt seg til andre Nav-kontorer, som ikke er navngitt."
    ),
    "not stated": "Ikke oppgitt (må verifiseres).",
    "No evaluation found yet; to be verified.": "Ingen evaluering funnet ennå (må verifiseres).",
    "The trial has ended; whether the model is continued anywhere is to be verified.": (
        "Forsøket er avsluttet. Om modellen videreføres noe sted, må verifiseres."
    ),
    "«Los/ungdomslos» is an activity type in Bufdir's scheme; before 2022 there was a separate "
    "scheme, «Støtte til oppfølgings- og losfunksjoner for ungdom».": (
        "«Los/ungdomslos» er en aktivitetstype i Bufdirs ordning. Før 2022 fantes en egen "
        "ordning, «Støtte til oppfølgings- og losfunksjoner for ungdom»."
    ),
    "Check Ungsinn and evaluations; to be verified.": (
        "Sjekk Ungsinn og evalueringer (må verifiseres)."
    ),
    "About 80 % of Nav offices had such teams (Fafo-rapport 2020:19; figure to be verified).": (
        "Om lag 80 prosent av Nav-kontorene hadde slike team (Fafo-rapport 2020:19, tallet må "
        "verifiseres)."
    ),
    "Described as «et godt organisatorisk grep»; the type of evaluation is to be verified.": (
        "Beskrevet som «et godt organisatorisk grep». Hva slags evaluering det er, må verifiseres."
    ),
    "Also run as a national recruitment programme linked to KS (to be verified).": (
        "Drives også som et nasjonalt rekrutteringsprogram knyttet til KS (må verifiseres)."
    ),
    "Leaders report that fagbrev leads to jobs.": "Ledere forteller at fagbrev fører til jobb.",
    "Used by about 200 municipalities (to be verified).": (
        "Brukes av om lag 200 kommuner (må verifiseres)."
    ),
    "to be verified": "Må verifiseres.",
    "nav.no and oslomet.no project pages (exact URLs to be verified)": (
        "Prosjektsidene på nav.no og oslomet.no (nøyaktige lenker må verifiseres)."
    ),
    "type and result to be verified": "Type og resultat må verifiseres.",
    "Feedback described as «svært gode».": "Tilbakemeldingene beskrives som «svært gode».",
}
# English sentences inside otherwise bokmål text.
NB_SENTENCES = (
    (
        "The details vary by municipality and are to be verified for each record.",
        "Detaljene varierer fra kommune til kommune og må verifiseres for hver av dem.",
    ),
    ("(to be verified)", "(må verifiseres)"),
)


def demo_prevention_records() -> list[dict]:
    text = DEMO_CONTENT_MD.read_text(encoding="utf-8")
    start = text.index("## 4.")
    end = text.find("\n## 5.", start)
    section = text[start : end if end != -1 else len(text)]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def _term(vocabulary: str, slug: str | None) -> Term | None:
    if not slug:
        return None
    return Term.objects.filter(vocabulary__slug=vocabulary, slug=slug).first()


def _one_line(value) -> str:
    """One line of bokmål: whitespace folded, the file's English notes translated."""
    text = " ".join(str(value or "").split())
    text = NB_TEXT.get(text, text)
    for english, bokmal in NB_SENTENCES:
        text = text.replace(english, bokmal)
    return text


def _evidence(record: dict) -> list[EvidenceRating]:
    rows = []
    for item in record.get("evidence") or []:
        registry = _term("evidence_registries", item.get("registry"))
        if registry is None:
            logger.warning("Demo: evidence registry %s missing, row skipped", item.get("registry"))
            continue
        scale = {str(s["value"]): s["nb"] for s in registry.extra.get("scale", [])}
        value = str(item.get("value", ""))
        link = str(item.get("link", ""))
        # The file describes some links instead of giving them: keep those as a note.
        described = _one_line(link) if link and not link.startswith("http") else ""
        rows.append(
            EvidenceRating(
                registry=registry,
                label=scale.get(value, value)[:200],
                rated_on=_one_line(item.get("rated", ""))[:40],
                link=link if link.startswith("http") else "",
                note=" ".join(filter(None, [_one_line(item.get("note")), described]))[:300],
            )
        )
    return rows


def _evaluations(record: dict) -> list[ModelEvaluation]:
    rows = []
    for item in record.get("evaluations") or []:
        result = item.get("result_nb") or _one_line(item.get("note"))
        if item.get("ref"):
            result = f"{item['ref']}. {result}".strip()
        rows.append(
            ModelEvaluation(
                kind=_one_line(item.get("type", "evaluering"))[:120],
                year=_one_line(item.get("scope", ""))[:20],
                by=_one_line(item.get("by", ""))[:200],
                result=_one_line(result),
            )
        )
    return rows


def _partners(record: dict) -> str:
    if record.get("partners_and_roles_nb"):
        return "\n".join(record["partners_and_roles_nb"])
    if record.get("partners_nb"):
        return "\n".join(part.strip() for part in record["partners_nb"].split(","))
    return ""


def _municipalities(record: dict) -> list[Municipality]:
    codes = [str(u["municipality"]) for u in record.get("used_in") or []]
    return list(Municipality.objects.filter(code__in=codes))


def _page_for(record: dict) -> PreventionModelPage:
    funding = record.get("funding") or {}
    origin = record.get("origin") or {}
    notes = [
        record.get("status_note"),
        record.get("used_in_note"),
        record.get("prevalence_note"),
        record.get("national_note"),
    ]
    page = PreventionModelPage(
        title=record["name"],
        slug=slugify(record["name"])[:80],
        source_id=record["id"],
        is_example=True,
        also_known_as=", ".join(record.get("aliases") or [])[:300],
        problem=_one_line(record.get("problem_nb") or record["name"]),
        how_it_works="\n\n".join(
            filter(None, [_one_line(record.get("how_it_works_nb"))] + [_one_line(n) for n in notes])
        ),
        evidence_note=_one_line(record.get("evidence_note")),
        partners_text=_partners(record),
        resources=_one_line(record.get("resources_nb")),
        how_to_start=_one_line(record.get("how_to_start_nb")),
        model_status=_term("model_statuses", record.get("status")),
        funding_note=_one_line(funding.get("note"))[:300],
        origin_municipality=Municipality.objects.filter(code=origin.get("municipality")).first(),
        contact_role="Portalredaksjonen (eksempel)",
    )
    page.prevention_levels = demo_terms("prevention_levels", record.get("prevention_levels"))
    page.target_groups = demo_terms("target_groups", record.get("target_groups"))
    page.life_areas = demo_terms("life_areas", record.get("life_areas"))
    page.themes = demo_terms("themes", record.get("themes"))
    page.arenas = demo_terms("arenas", record.get("arenas"))
    page.funding_sources = demo_terms("funding_sources", funding.get("sources"))
    page.municipality_sizes = demo_terms("municipality_size", record.get("municipality_size"))
    page.municipalities = _municipalities(record)
    page.fundable_by = list(
        GrantSchemePage.objects.filter(source_id__in=funding.get("grant_schemes") or [])
    )
    page.evidence = _evidence(record)
    page.evaluations = _evaluations(record)
    return page


def _link_fundable_grants(page: PreventionModelPage, record: dict) -> None:
    """Grant schemes may be loaded after the models: link the ones that exist now."""
    wanted = (record.get("funding") or {}).get("grant_schemes") or []
    schemes = GrantSchemePage.objects.filter(source_id__in=wanted)
    missing = [s for s in schemes if not page.fundable_by.filter(pk=s.pk).exists()]
    if missing:
        page.fundable_by.add(*missing)
        # A parental many-to-many lives in memory until saved; publishing a revision saves it
        # and keeps the revision history in step with the live page.
        page.save_revision(log_action=False).publish(log_action=False)


def _link_related(page: PreventionModelPage, record: dict) -> None:
    """Related models may come later in the file: link them once they all exist."""
    wanted = PreventionModelPage.objects.filter(source_id__in=record.get("related_models") or [])
    missing = [m for m in wanted if not page.related_models.filter(pk=m.pk).exists()]
    if missing:
        page.related_models.add(*missing)
        page.save_revision(log_action=False).publish(log_action=False)


def _link_offers() -> None:
    """Demo offers that say which model they follow (`model: demo-modell-08`)."""
    for record in demo_offer_records():
        model_id = record.get("model")
        if not model_id:
            continue
        offer = Offer.objects.filter(source_id=record["id"]).first()
        model = PreventionModelPage.objects.filter(source_id=model_id).first()
        if offer and model and not offer.prevention_models.filter(pk=model.pk).exists():
            # The live row is the public offer; the M2M is saved with it.
            offer.prevention_models.add(model)
            # A parental many-to-many is committed only when named in update_fields.
            offer.save(update_fields=["updated_at", "prevention_models"])


@transaction.atomic
def demo_prevention_models_load() -> int:
    """Create the missing demo prevention models, published as examples; returns how many."""
    index = prevention_index_ensure()
    prevention_workflow_ensure()
    created = 0
    for record in demo_prevention_records():
        existing = PreventionModelPage.objects.filter(source_id=record["id"]).first()
        if existing is not None:
            _link_fundable_grants(existing, record)
            continue
        page = _page_for(record)
        index.add_child(instance=page)
        page.save_revision(log_action=False).publish(log_action=False)
        created += 1
    for record in demo_prevention_records():
        if record.get("related_models"):
            _link_related(PreventionModelPage.objects.get(source_id=record["id"]), record)
    _link_offers()
    return created
