"""The demo cooperation agreements of demo-content.md, section 2, marked as examples.

Every agreement there is invented. Loading twice creates nothing new. Parties are matched to the
demo Nav offices and organisations by name; a county-level Nav party (in the partnerskapsavtale)
is represented by the Nav office the agreement is about.
"""

from __future__ import annotations

import logging
import re

import yaml
from django.db import transaction

from agreements.models import (
    CHECKLIST_KEYS,
    Agreement,
    AgreementParty,
    Evaluation,
    EvaluationResponse,
)
from agreements.services.agreements import _schedule
from agreements.services.history import agreement_version_record
from directory.models import Municipality, NavOffice, Offer, Organisation, Term
from directory.services.demo_content import DEMO_CONTENT_MD

logger = logging.getLogger(__name__)

_CHECKLIST_FROM_DEMO = dict(
    zip(
        [
            "1_supplement_ikke_erstatning",
            "2_partner_kjenner_sosiale_tjenester",
            "3_samarbeidsform_som_avtalt",
            "4_naar_prioriterte_grupper",
            "5_barns_behov_og_fritid",
            "6_brukermedvirkning",
            "7_lederforankring",
            "8_hemmer_og_fremmer",
            "9_fast_kontaktperson",
            "10_videre_og_erfaringsdeling",
        ],
        CHECKLIST_KEYS,
        strict=True,
    )
)


def demo_agreement_records() -> tuple[list[dict], list[dict]]:
    text = DEMO_CONTENT_MD.read_text(encoding="utf-8")
    section = text[text.index("## 2.") : text.index("## 3.")]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    agreements = [b for b in blocks if str(b.get("id", "")).startswith("demo-avtale")]
    evaluations = [b for b in blocks if str(b.get("id", "")).startswith("demo-evaluering")]
    return agreements, evaluations


def _base_name(name: str) -> str:
    return name.split(" (")[0].strip()


def _party(spec: dict, record: dict) -> AgreementParty | None:
    kind = spec.get("type")
    municipality = (
        Municipality.objects.filter(code=str(spec["municipality"])).first()
        if spec.get("municipality")
        else None
    )
    if kind == "nav-kontor":
        office = NavOffice.objects.filter(name=_base_name(spec["name"])).first()
        if office is None and municipality is not None:
            office = NavOffice.objects.filter(municipalities=municipality).first()
        return office and AgreementParty(kind=AgreementParty.Kind.NAV_OFFICE, nav_office=office)
    if kind == "nav-fylke":
        codes = [str(p.get("municipality")) for p in record["parties"] if p.get("municipality")]
        office = NavOffice.objects.filter(municipalities__code__in=codes).first()
        return office and AgreementParty(kind=AgreementParty.Kind.NAV_OFFICE, nav_office=office)
    if kind == "kommune":
        return municipality and AgreementParty(
            kind=AgreementParty.Kind.MUNICIPALITY, municipality=municipality
        )
    if kind == "kommunal-tjeneste":
        service = Term.objects.filter(
            vocabulary__slug="public_services", slug=spec.get("public_service")
        ).first()
        return service and AgreementParty(
            kind=AgreementParty.Kind.PUBLIC_SERVICE,
            public_service=service,
            public_service_municipality=municipality,
        )
    # YAML flow mappings split names at commas («Røde Kors, lokalforening …»): prefer the
    # organisation of that name in the party's municipality.
    candidates = Organisation.objects.filter(name__startswith=_base_name(spec["name"]))
    organisation = (
        candidates.filter(municipalities=municipality).order_by("-name").first()
        if municipality
        else None
    ) or candidates.first()
    return organisation and AgreementParty(
        kind=AgreementParty.Kind.ORGANISATION, organisation=organisation
    )


def _terms(vocabulary: str, slugs) -> list[Term]:
    return list(Term.objects.filter(vocabulary__slug=vocabulary, slug__in=slugs or []))


@transaction.atomic
def demo_agreements_load() -> int:
    records, evaluations = demo_agreement_records()
    created = 0
    for record in records:
        if Agreement.objects.filter(source_id=record["id"]).exists():
            continue
        parties = [_party(spec, record) for spec in record["parties"]]
        if any(party is None for party in parties):
            logger.warning("Demo agreement %s skipped: a party is unknown", record["id"])
            continue
        responsibilities = list((record.get("responsibilities") or {}).values())
        contacts = record.get("contacts") or []
        period = record.get("period") or {}
        agreement = Agreement.objects.create(
            title=record["title"],
            purpose=" ".join(record.get("purpose_nb", "").split()),
            agreement_type=Term.objects.get(
                vocabulary__slug="agreement_types", slug=record["agreement_type"]
            ),
            legal_basis=", ".join(record.get("legal_basis") or []),
            meetings=(record.get("meetings") or {}).get("frequency_nb", ""),
            start_date=period["start"],
            end_date=period.get("end"),
            renewal=Agreement.Renewal.EXPLICIT
            if period.get("renewal") == "uttrykkelig"
            else Agreement.Renewal.TACIT,
            notice_months=period.get("notice_months"),
            evaluation_interval_months=record.get("evaluation_interval_months") or 12,
            next_evaluation_due=record.get("next_evaluation_due"),
            last_evaluated_on=record.get("last_evaluation"),
            status=Agreement.Status.ACTIVE,
            dormant=not record.get("in_use", True),
            is_demo=True,
            source_id=record["id"],
        )
        for order, (party, spec) in enumerate(zip(parties, record["parties"], strict=True)):
            contact = contacts[order] if order < len(contacts) else {}
            party.agreement = agreement
            party.sort_order = order
            party.responsibilities = " ".join(
                (responsibilities[order] if order < len(responsibilities) else "").split()
            )
            party.contact_role = contact.get("role") or spec.get("signatory_role", "")
            party.contact_email = contact.get("email", "")
            party.signatory_role = spec.get("signatory_role", "")
            party.signed_on = spec.get("signed")
            party.save()
        agreement.cooperation_forms.set(
            _terms("cooperation_forms", record.get("cooperation_forms"))
        )
        agreement.target_groups.set(_terms("target_groups", record.get("target_groups")))
        agreement.offers.set(Offer.objects.filter(source_id__in=record.get("offers") or []))
        for evaluation in evaluations:
            if evaluation["agreement"] == record["id"]:
                _demo_evaluation(agreement, evaluation)
        _schedule(agreement)
        agreement_version_record(agreement=agreement, by=None, summary="Eksempelavtale lastet inn")
        created += 1
    return created


def _demo_evaluation(agreement: Agreement, record: dict) -> None:
    evaluation = Evaluation.objects.create(
        agreement=agreement,
        due_on=record["date"],
        period_from=record["period"]["from"],
        period_to=record["period"]["to"],
        participants=", ".join(record.get("participants") or []),
        decision=record["decision"],
        changes="\n".join(a["action_nb"] for a in record.get("actions") or []),
        share_as_experience=bool(record.get("share_as_experience")),
        decided_on=record["date"],
        next_due_on=record.get("next_evaluation_due"),
        status=Evaluation.Status.DECIDED,
    )
    checklist = {
        _CHECKLIST_FROM_DEMO[key]: {"answer": item["answer"], "comment": item.get("comment_nb", "")}
        for key, item in (record.get("checklist") or {}).items()
    }
    parties = list(agreement.parties.all())
    nav = next(p for p in parties if p.kind == AgreementParty.Kind.NAV_OFFICE)
    partner = next(p for p in parties if p.pk != nav.pk)
    for party, answers in (
        (nav, record["answers"]["nav"]),
        (partner, record["answers"]["partner"]),
    ):
        EvaluationResponse.objects.create(
            evaluation=evaluation,
            party=party,
            goals_met=answers["goals_met"],
            works=answers.get("works_nb", ""),
            not_working=answers.get("not_working_nb", ""),
            contacts_count=answers.get("contacts_count"),
            contact_quality=answers["contact_quality"],
            changes_needed=answers.get("changes_nb", ""),
            checklist=checklist,
        )
