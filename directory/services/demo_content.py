"""Demo Nav offices and organisations for development and demo sites (see demo-content.md).

Everything created here is marked as demo data. Loading twice creates nothing new.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date, datetime, time
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from directory.models import (
    Municipality,
    NavOffice,
    Offer,
    OfferLocation,
    OfferSchedule,
    Organisation,
    Term,
)
from directory.signals import announce_offers_changed
from directory.validators import organisation_number_check_digit

logger = logging.getLogger(__name__)

# (office name, municipality codes served, management form, approximate town-centre point)
DEMO_NAV_OFFICES = [
    ("Nav Grünerløkka", ["0301"], "felles-kommune", (59.9233, 10.7583)),
    ("Nav Bergenhus", ["4601"], "felles-kommune", (60.3929, 5.3241)),
    ("Nav Trondheim", ["5001"], "felles-kommune", (63.4305, 10.3951)),
    ("Nav Stavanger", ["1103"], "felles-kommune", (58.9700, 5.7331)),
    ("Nav Sandnes", ["1108"], "felles-kommune", (58.8517, 5.7355)),
    ("Nav Tromsø", ["5501"], "felles-kommune", (69.6496, 18.9560)),
    ("Nav Hamar", ["3403"], "felles-kommune", (60.7945, 11.0680)),
    ("Nav Ålesund", ["1508"], "felles-kommune", (62.4722, 6.1495)),
    ("Nav Alta", ["5601"], "felles-kommune", (69.9689, 23.2716)),
    ("Nav Fredrikstad", ["3107"], "felles-kommune", (59.2181, 10.9298)),
    ("Nav Lillestrøm", ["3205"], "felles-kommune", (59.9560, 11.0504)),
    ("Nav Skien", ["4003"], "felles-kommune", (59.2096, 9.6090)),
    ("Nav Bodø", ["1804"], "felles-kommune", (67.2804, 14.4049)),
    ("Nav Nord-Østerdal", ["3427", "3426"], "felles-kommune", (62.2736, 10.7817)),
    ("Nav Drammen", ["3301"], "felles-kommune", (59.7439, 10.2045)),
    ("Nav Gjøvik", ["3407"], "felles-kommune", (60.7957, 10.6916)),
]

# (organisation name, organisation type slug, municipality code)
DEMO_ORGANISATIONS = [
    ("Kirkens Bymisjon (demo-tilbud)", "frivillig-organisasjon", "0301"),
    ("Frelsesarmeen (demo-tilbud)", "tros-livssynssamfunn", "0301"),
    ("Røde Kors, lokalforening i Bergen (demo-tilbud)", "humanitaer-organisasjon", "4601"),
    ("Frivilligsentralen i Bergen sentrum (demo-navn)", "frivilligsentral", "4601"),
    ("Frivilligsentralen i Trondheim (demo-navn)", "frivilligsentral", "5001"),
    ("Gjenbruksverkstedet (demo-navn)", "sosial-entreprenor", "1103"),
    ("Idrettslagene i Sandnes (demo-navn)", "idrettslag", "1108"),
    ("Røde Kors, lokalforening i Tromsø (demo-tilbud)", "humanitaer-organisasjon", "5501"),
    ("Frivilligsentralen i Hamar (demo-navn)", "frivilligsentral", "3403"),
    ("Frivilligsentralen i Ålesund (demo-navn)", "frivilligsentral", "1508"),
    ("Frivilligsentralen i Alta (demo-navn)", "frivilligsentral", "5601"),
    ("Frivilligsentralen i Lillestrøm (demo-navn)", "frivilligsentral", "3205"),
    ("Turlaget i Skien (demo-navn)", "frivillig-organisasjon", "4003"),
    ("Frivilligsentralen i Bodø (demo-navn)", "frivilligsentral", "1804"),
    ("Frivilligsentralen i Tynset (demo-navn)", "frivilligsentral", "3427"),
    ("Diakonien i Drammen (demo-navn)", "tros-livssynssamfunn", "3301"),
]


def fictitious_organisation_number(seed: str) -> str:
    """A MOD11-valid, deterministic number for demo records (demo-content.md: real numbers come
    from Enhetsregisteret, demo ones are generated and marked as fictitious)."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).hexdigest()
        first_eight = "9" + str(int(digest, 16))[:7]
        check = organisation_number_check_digit(first_eight)
        if check is not None:
            return f"{first_eight}{check}"
        counter += 1


def _term(vocabulary: str, slug: str) -> Term | None:
    return Term.objects.filter(vocabulary__slug=vocabulary, slug=slug).first() if slug else None


@transaction.atomic
def demo_directory_load() -> dict[str, int]:
    """Create the demo Nav offices and organisations that are missing."""
    created = {"Nav-kontorer": 0, "organisasjoner": 0}
    for name, codes, form, (latitude, longitude) in DEMO_NAV_OFFICES:
        municipalities = list(Municipality.objects.filter(code__in=codes))
        if len(municipalities) != len(codes):
            raise ValueError(f"Referansedata mangler kommune for {name}: last dem først.")
        office, was_created = NavOffice.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "is_demo": True,
                "management_form": _term("nav_office_management_forms", form),
                "email": f"samarbeid.{slugify(name)}@nav-demo.example.org",
                "latitude": latitude,
                "longitude": longitude,
            },
        )
        if was_created:
            office.municipalities.set(municipalities)
            created["Nav-kontorer"] += 1
    for name, type_slug, code in DEMO_ORGANISATIONS:
        organisation, was_created = Organisation.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "is_demo": True,
                "status": Organisation.Status.APPROVED,
                "organisation_number": fictitious_organisation_number(name),
                "organisation_type": _term("organisation_types", type_slug),
                "email": f"post@{slugify(name)[:30].strip('-')}.example.org",
            },
        )
        if was_created:
            organisation.municipalities.set(Municipality.objects.filter(code=code))
            created["organisasjoner"] += 1
    return created


# --- Demo offers, read from the YAML blocks of demo-content.md, section 1 ---------------------

DEMO_CONTENT_MD = Path(__file__).resolve().parent.parent / "data" / "demo-content.md"
DEMO_STATUS_VISIBILITY = {
    "publisert": Offer.Visibility.VISIBLE,
    "ma-bekreftes": Offer.Visibility.VISIBLE,
    "skjult-utdatert": Offer.Visibility.HIDDEN_STALE,
}
_RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def demo_offer_records(path: Path = DEMO_CONTENT_MD) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    section = text[text.index("## 1.") : text.index("## 2.")]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def demo_terms(vocabulary: str, slugs) -> list[Term]:
    """The demo's terms by slug; a slug the vocabulary lacks is logged and skipped."""
    found = list(Term.objects.filter(vocabulary__slug=vocabulary, slug__in=slugs or []))
    missing = set(slugs or []) - {t.slug for t in found}
    if missing:
        logger.warning("Demo: unknown %s terms skipped: %s", vocabulary, sorted(missing))
    return found


def _schedules(schedule: dict | None) -> tuple[list[OfferSchedule], str]:
    if not schedule:
        return [], ""
    text = schedule.get("text_nb", "")
    rrule = schedule.get("rrule", "")
    rows = []
    if rrule.startswith("FREQ=WEEKLY") and "INTERVAL" not in rrule and schedule.get("opens"):
        days = re.search(r"BYDAY=([A-Z,]+)", rrule)
        for day in days.group(1).split(",") if days else []:
            rows.append(
                OfferSchedule(
                    weekday=_RRULE_DAYS[day],
                    opens=time.fromisoformat(schedule["opens"]),
                    closes=time.fromisoformat(schedule["closes"]),
                )
            )
    elif schedule.get("opens") and not text:
        text = f"Klokka {schedule['opens']}–{schedule['closes']}."
    return rows, text


def _aware_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@transaction.atomic
def demo_offers_load() -> int:
    """Create the demo offers that are missing, published as the file says."""
    from directory.services.freshness import confirmation_due_after

    created = 0
    for record in demo_offer_records():
        if Offer.objects.filter(source_id=record["id"]).exists():
            continue
        org_spec = record["organisation"]
        organisation = Organisation.objects.filter(name=org_spec["name"]).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=org_spec["name"],
                slug=slugify(org_spec["name"]),
                is_demo=True,
                status=Organisation.Status.APPROVED,
                organisation_number=fictitious_organisation_number(org_spec["name"]),
                organisation_type=_term("organisation_types", org_spec.get("type", "")),
            )
        schedules, schedule_text = _schedules(record.get("schedule"))
        age, cost = record.get("age") or {}, record.get("cost") or {}
        capacity, valid = record.get("capacity") or {}, record.get("valid") or {}
        contact = record.get("contact") or {}
        offer = Offer(
            organisation=organisation,
            source_id=record["id"],
            is_demo=True,
            title=record["title"],
            summary=" ".join(record["summary_nb"].split())[:300],
            description=f"<p>{record.get('next_step_nb', '')}</p>"
            if record.get("next_step_nb")
            else "",
            cost_level=_term("cost_levels", cost.get("level", "gratis")),
            price_text=cost.get("text_nb", ""),
            kind=_term("offer_kinds", record.get("kind", "lopende")),
            participation_mode=_term("participation_modes", record.get("how_to_join", "drop-in")),
            next_step=record.get("next_step_nb", "")[:300],
            min_age=age.get("min"),
            max_age=age.get("max"),
            capacity=capacity.get("places"),
            has_waiting_list=bool(capacity.get("waiting_list")),
            start_date=valid.get("from"),
            end_date=valid.get("to"),
            season_text=schedule_text[:200],
            notice=(record.get("alert_nb") or "")[:200],
            contact_role=contact.get("role", "Kontaktperson"),
            contact_email=contact.get("email", ""),
            contact_phone=contact.get("phone", ""),
            not_nav_user_required=record.get("not_nav_user_required", True),
        )
        offer.categories = demo_terms("offer_categories", record.get("categories"))
        offer.target_groups = demo_terms("target_groups", record.get("target_groups"))
        offer.life_areas = demo_terms("life_areas", record.get("life_areas"))
        offer.needs = demo_terms("needs", record.get("needs"))
        offer.languages = demo_terms("languages", record.get("languages"))
        offer.accessibility_features = demo_terms(
            "accessibility_features",
            {a for loc in record.get("locations", []) for a in loc.get("accessibility", [])},
        )
        offer.locations = [
            OfferLocation(
                name=loc.get("name") or "",
                address=loc.get("address") or "",
                municipality=Municipality.objects.get(code=loc["municipality"]["code"]),
                latitude=(loc.get("coordinates") or {}).get("lat"),
                longitude=(loc.get("coordinates") or {}).get("lon"),
                hidden_address=bool(loc.get("hidden_address")),
                arena=_term("arenas", loc.get("arena", "")),
            )
            for loc in record.get("locations", [])
        ]
        offer.schedules = schedules
        offer.live = False
        offer.save()
        revision = offer.save_revision(log_action=False)
        revision.publish(log_action=False, skip_permission_checks=True)
        verified = _aware_noon(record["last_verified"]) if record.get("last_verified") else None
        Offer.objects.filter(pk=offer.pk).update(
            moderation_status=Offer.ModerationStatus.APPROVED,
            visibility=DEMO_STATUS_VISIBILITY.get(record.get("status"), Offer.Visibility.VISIBLE),
            last_verified_at=verified,
            verified_by_role=record.get("verified_by_role", ""),
            confirmation_due_at=confirmation_due_after(verified) if verified else None,
        )
        announce_offers_changed([offer.pk])
        created += 1
    return created
