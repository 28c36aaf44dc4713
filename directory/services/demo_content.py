"""Demo Nav offices and organisations for development and demo sites (see demo-content.md).

Everything created here is marked as demo data. Loading twice creates nothing new.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.text import slugify

from directory.models import Municipality, NavOffice, Organisation, Term
from directory.validators import organisation_number_check_digit

# (office name, municipality codes served, management form)
DEMO_NAV_OFFICES = [
    ("Nav Grünerløkka", ["0301"], "felles-kommune"),
    ("Nav Bergenhus", ["4601"], "felles-kommune"),
    ("Nav Trondheim", ["5001"], "felles-kommune"),
    ("Nav Stavanger", ["1103"], "felles-kommune"),
    ("Nav Sandnes", ["1108"], "felles-kommune"),
    ("Nav Tromsø", ["5501"], "felles-kommune"),
    ("Nav Hamar", ["3403"], "felles-kommune"),
    ("Nav Ålesund", ["1508"], "felles-kommune"),
    ("Nav Alta", ["5601"], "felles-kommune"),
    ("Nav Fredrikstad", ["3107"], "felles-kommune"),
    ("Nav Lillestrøm", ["3205"], "felles-kommune"),
    ("Nav Skien", ["4003"], "felles-kommune"),
    ("Nav Bodø", ["1804"], "felles-kommune"),
    ("Nav Nord-Østerdal", ["3427", "3426"], "felles-kommune"),
    ("Nav Drammen", ["3301"], "felles-kommune"),
    ("Nav Gjøvik", ["3407"], "felles-kommune"),
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
    return Term.objects.filter(vocabulary__slug=vocabulary, slug=slug).first()


@transaction.atomic
def demo_directory_load() -> dict[str, int]:
    """Create the demo Nav offices and organisations that are missing."""
    created = {"Nav-kontorer": 0, "organisasjoner": 0}
    for name, codes, form in DEMO_NAV_OFFICES:
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
                "email": f"post@{slugify(name)[:30]}.example.org",
            },
        )
        if was_created:
            organisation.municipalities.set(Municipality.objects.filter(code=code))
            created["organisasjoner"] += 1
    return created
