"""Our records as Open Referral HSDS 3.0 objects: the mapping shared by the read API, the
export and the import. docs/hsds-profile.md describes it field by field ("Norwegian profile").

Every function here is pure: it reads the records it is given and never queries. Callers pass
records loaded with `opendata.selectors` (offers_for_hsds, organisations_for_hsds, ...), which
prefetch everything these functions touch; a record loaded without them still maps correctly,
only with more queries.

Ids. HSDS ids are strings (UUIDs). Ours are UUID 5 over `ID_NAMESPACE` and a natural key, so the
same record gets the same id in every database that holds it (an export imported elsewhere keeps
its ids):

    offer          source_id when it is a UUID (it came from an HSDS import), else
                   "offer:source:<source_id>", else "offer:<pk>"
    organisation   "organisation:<organisasjonsnummer>", else "organisation:slug:<slug>"
    vocabulary     "vocabulary:<vocabulary slug>"      term  "term:<vocabulary slug>:<term slug>"
    location       "location:<service id>:<position>"  (0-based, in the offer's place order)
    service_at_location  "sal:<service id>:<location id>"
    everything else (schedules, attributes, phones, ...) from its owner's id and its content,
    e.g. "schedule:<service id>:<weekday>:<opens>:<closes>".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from directory.models import SUPPLEMENT_NOTICE_CATEGORIES

HSDS_VERSION = "3.0"
# UUID 5 namespace of every id we publish; never change it, or every id changes.
ID_NAMESPACE = uuid.UUID("6f1c7c52-5a0e-5d7c-9a53-2f3b1d3e8a10")
# Where our profile is described (served by the API as JSON, documented in docs/hsds-profile.md).
PROFILE_PATH = "/api/hsds/profile"
PROFILE_NAME = "Samarbeidsportalen – norsk HSDS-profil"
PROFILE_VERSION = "1.0"

# org-id.guide's code for Brønnøysundregistrene's Enhetsregisteret (https://org-id.guide/list/NO-BRC).
ORGANISATION_NUMBER_SCHEME = "NO-BRC"
ORGANISATION_NUMBER_TYPE = "organisasjonsnummer"

# Our vocabularies that describe offers and organisations, published as HSDS taxonomies
# (vocabulary slug -> the field linking it, in the order attributes are listed). Agreement,
# grant and model vocabularies describe no HSDS record and stay out.
OFFER_MULTI_TERMS = (
    "categories",
    "target_groups",
    "life_areas",
    "needs",
    "accessibility_features",
)
OFFER_SINGLE_TERMS = ("cost_level", "kind", "participation_mode")
PUBLIC_VOCABULARIES = (
    "offer_categories",
    "target_groups",
    "life_areas",
    "needs",
    "languages",
    "accessibility_features",
    "cost_levels",
    "offer_kinds",
    "participation_modes",
    "arenas",
    "organisation_types",
)

# The profile's own taxonomy: facts about Norwegian records HSDS has no field for. Each is an
# attribute whose `value` carries the fact. code -> (name, description).
PROFILE_TAXONOMY = "samarbeidsportalen"
PROFILE_TERMS = {
    "kommunenummer": (
        "Kommunenummer",
        "Firesifret kommunenummer (2024-strukturen) for et sted eller tjenesteområde.",
    ),
    "fylkesnummer": ("Fylkesnummer", "Tosifret fylkesnummer for et sted eller tjenesteområde."),
    "supplement-merknad": (
        "Supplement til lovpålagte tjenester",
        "Frivillige tilbud kommer i tillegg til offentlige tjenester. Verdien er merknaden; for "
        "mat-, klær- og pengehjelp: vurder retten til økonomisk stønad først.",
    ),
    "sist-bekreftet": (
        "Sist bekreftet",
        "Når organisasjonen sist bekreftet at tilbudet er riktig (ISO 8601).",
    ),
    "eksempeldata": ("Eksempeldata", "Posten er et eksempel, ikke et virkelig tilbud."),
    "ikke-nav-bruker": (
        "Du trenger ikke være bruker av Nav",
        "«true» når tilbudet er åpent også for dem som ikke er brukere av Nav.",
    ),
    "avgift-kan-dekkes": ("Avgiften kan dekkes", "«true» når avgiften kan dekkes eller fritas."),
    "digitalt": ("Digitalt tilbud", "«true» når tilbudet gis digitalt."),
    "landsdekkende": ("Landsdekkende", "«true» når tilbudet gjelder hele landet."),
    "kapasitet": ("Antall plasser", "Antall plasser i tilbudet."),
    "venteliste": ("Venteliste", "«true» når tilbudet har venteliste."),
    "skjult-adresse": (
        "Skjult adresse",
        "«true» når adressen er skjult med vilje (krisetilbud): bare kommunen oppgis.",
    ),
    "frivillighetsregisteret": (
        "Registrert i Frivillighetsregisteret",
        "«true» når organisasjonen er registrert i Frivillighetsregisteret.",
    ),
}

GENERAL_SUPPLEMENT_NOTICE = (
    "Frivillige tilbud kommer i tillegg til offentlige tjenester og erstatter dem ikke."
)
STRONG_SUPPLEMENT_NOTICE = (
    "Frivillig hjelp med mat, klær eller penger erstatter ikke økonomisk stønad: "
    "Nav vurderer retten til økonomisk stønad først."
)

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- Ids ------------------------------------------------------------------------------------


def stable_id(key: str) -> str:
    """The published id for a natural key (see the module docstring)."""
    return str(uuid.uuid5(ID_NAMESPACE, key))


def offer_id(offer) -> str:
    return offer_id_from(pk=offer.pk, source_id=offer.source_id)


def offer_id_from(*, pk: int, source_id: str | None) -> str:
    """As offer_id, from the two columns (for id lookups without loading offers)."""
    if source_id:
        try:
            return str(uuid.UUID(source_id))
        except ValueError:
            return stable_id(f"offer:source:{source_id}")
    return stable_id(f"offer:{pk}")


def organisation_id(org) -> str:
    return organisation_id_from(organisation_number=org.organisation_number, slug=org.slug)


def organisation_id_from(*, organisation_number: str | None, slug: str) -> str:
    if organisation_number:
        return stable_id(f"organisation:{organisation_number}")
    return stable_id(f"organisation:slug:{slug}")


def taxonomy_id(vocabulary_slug: str) -> str:
    return stable_id(f"vocabulary:{vocabulary_slug}")


def term_id(vocabulary_slug: str, term_slug: str) -> str:
    return stable_id(f"term:{vocabulary_slug}:{term_slug}")


def location_id(service_id: str, position: int) -> str:
    return stable_id(f"location:{service_id}:{position}")


def service_at_location_id(service_id: str, location_hsds_id: str) -> str:
    return stable_id(f"sal:{service_id}:{location_hsds_id}")


def profile_uri() -> str:
    return settings.SITE_URL.rstrip("/") + PROFILE_PATH


# --- Small pieces ---------------------------------------------------------------------------


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _iso(value) -> str:
    return value.isoformat()


def _compact(obj: dict) -> dict:
    """HSDS fields are optional but never null: leave out what we do not know."""
    return {k: v for k, v in obj.items() if v is not None and v != ""}


def _phone(owner_key: str, number: str, **links) -> dict:
    return {"id": stable_id(f"phone:{owner_key}:{number}"), **links, "number": number}


def _term_attribute(link_id: str, link_entity: str, link_type: str, term) -> dict:
    term_object = taxonomy_term_object(term)
    return {
        "id": stable_id(f"attribute:{link_id}:{term_object['id']}"),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": link_entity,
        "taxonomy_term_id": term_object["id"],
        "taxonomy_term": term_object,
    }


def profile_term_object(code: str) -> dict:
    """One term of the profile's own taxonomy (see PROFILE_TERMS)."""
    name, description = PROFILE_TERMS[code]
    return {
        "id": term_id(PROFILE_TAXONOMY, code),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": PROFILE_TAXONOMY,
        "taxonomy_id": taxonomy_id(PROFILE_TAXONOMY),
        "language": "nb",
    }


def profile_taxonomy_object() -> dict:
    return {
        "id": taxonomy_id(PROFILE_TAXONOMY),
        "name": PROFILE_TAXONOMY,
        "description": (
            "Samarbeidsportalens norske profil: opplysninger HSDS ikke har egne felt for "
            "(kommunenummer, ferskhet, merknader og flagg). Verdien står i attributtets «value»."
        ),
        "uri": profile_uri(),
        "version": PROFILE_VERSION,
    }


def _profile_attribute(link_id: str, link_entity: str, code: str, value) -> dict:
    term = profile_term_object(code)
    value = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return {
        "id": stable_id(f"attribute:{link_id}:{term['id']}:{value}"),
        "link_id": link_id,
        "link_type": code,
        "link_entity": link_entity,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
        "value": value,
    }


def _place_attributes(link_id: str, link_entity: str, municipality) -> list[dict]:
    return [
        _profile_attribute(link_id, link_entity, "kommunenummer", municipality.code),
        _profile_attribute(link_id, link_entity, "fylkesnummer", municipality.county.code),
    ]


# --- Taxonomies -----------------------------------------------------------------------------


def taxonomy_object(vocabulary) -> dict:
    """An HSDS taxonomy for one of our vocabularies (`Vocabulary`)."""
    return {
        "id": taxonomy_id(vocabulary.slug),
        "name": vocabulary.slug,
        "description": vocabulary.description or vocabulary.name,
        "uri": _site_url(f"/api/hsds/taxonomies/{taxonomy_id(vocabulary.slug)}"),
        "version": PROFILE_VERSION,
    }


def taxonomy_term_object(term, *, with_taxonomy: bool = False) -> dict:
    """An HSDS taxonomy_term for a `Term` (its vocabulary loaded with it). `code` is the slug;
    with_taxonomy nests the taxonomy as `taxonomy_detail`."""
    vocabulary = term.vocabulary
    obj = {
        "id": term_id(vocabulary.slug, term.slug),
        "code": term.slug,
        "name": term.label_nb,
        "description": term.description_nb or term.label_nb,
        "taxonomy": vocabulary.slug,
        "taxonomy_id": taxonomy_id(vocabulary.slug),
        "language": "nb",
    }
    if with_taxonomy:
        obj["taxonomy_detail"] = taxonomy_object(vocabulary)
    return obj


# --- Organisations --------------------------------------------------------------------------


def organization_list_object(org) -> dict:
    """The one-to-one fields of an organisation (HSDS organization_list)."""
    parent = org.parent if org.parent_id else None
    # HSDS requires a description; we hold none, so the organisation type stands in.
    description = org.organisation_type.label_nb if org.organisation_type_id else ""
    return {"id": organisation_id(org), "name": org.name, "description": description} | _compact(
        {
            "email": org.email,
            "website": org.website,
            "uri": _site_url(reverse("organisation_detail", args=[org.slug])),
            # A parent outside the public catalogue would be a dangling reference.
            "parent_organization_id": (
                organisation_id(parent) if parent and parent.status == "approved" else None
            ),
        }
    )


def organization_object(org, *, services: Iterable | None = None, full_services=False) -> dict:
    """An HSDS organization: organisasjonsnummer as an organization identifier (NO-BRC),
    contact routes, type and register facts as attributes. `services` (public offers of the
    organisation) are nested in list form, or whole when `full_services`."""
    oid = organisation_id(org)
    obj = organization_list_object(org)
    if org.organisation_number:
        obj["organization_identifiers"] = [
            {
                "id": stable_id(f"organization_identifier:{oid}:{org.organisation_number}"),
                "organization_id": oid,
                "identifier_scheme": ORGANISATION_NUMBER_SCHEME,
                "identifier_type": ORGANISATION_NUMBER_TYPE,
                "identifier": org.organisation_number,
            }
        ]
    else:
        obj["organization_identifiers"] = []
    obj["phones"] = [_phone(oid, org.phone, organization_id=oid)] if org.phone else []
    attributes = []
    if org.organisation_type_id:
        attributes.append(
            _term_attribute(oid, "organization", "organisation_types", org.organisation_type)
        )
    attributes.append(
        _profile_attribute(
            oid, "organization", "frivillighetsregisteret", org.in_frivillighetsregisteret
        )
    )
    for municipality in sorted(org.municipalities.all(), key=lambda m: m.code):
        attributes.extend(_place_attributes(oid, "organization", municipality))
    if org.is_demo:
        attributes.append(_profile_attribute(oid, "organization", "eksempeldata", True))
    obj["attributes"] = attributes
    if services is not None:
        build = service_object if full_services else service_list_object
        obj["services"] = [build(offer) for offer in services]
    return obj


# --- Services -------------------------------------------------------------------------------


def offer_last_modified(offer):
    """When the service or what it shows of its organisation last changed."""
    return max(offer.updated_at, offer.organisation.updated_at)


def service_list_object(offer) -> dict:
    """The one-to-one fields of an offer, with its organisation (HSDS service_list)."""
    sid = offer_id(offer)
    mode = offer.participation_mode
    application = " ".join(p for p in (mode.label_nb if mode else "", offer.next_step) if p)
    return _compact(
        {
            "id": sid,
            "organization_id": organisation_id(offer.organisation),
            "name": offer.title,
            "alternate_name": None,
            "description": "\n\n".join(p for p in (offer.summary, offer.description) if p),
            "url": _site_url(reverse("offer_detail", args=[offer.pk])),
            "email": offer.contact_email,
            "status": "active",
            "application_process": application,
            "fees_description": offer.price_text,
            "minimum_age": offer.min_age,
            "maximum_age": offer.max_age,
            "assured_date": offer.last_verified_at.date().isoformat()
            if offer.last_verified_at
            else None,
            "alert": offer.notice,
            "last_modified": _iso(offer_last_modified(offer)),
            "organization": organization_list_object(offer.organisation),
        }
    )


def _ordered_locations(offer) -> list:
    return sorted(offer.locations.all(), key=lambda loc: (loc.sort_order or 0, loc.pk or 0))


def schedule_object(schedule, *, service_id: str) -> dict:
    """An HSDS schedule for a weekly opening (`OfferSchedule`), in Europe/Oslo local time."""
    offer = schedule.offer
    opens, closes = schedule.opens.strftime("%H:%M"), schedule.closes.strftime("%H:%M")
    code = WEEKDAY_CODES[schedule.weekday]
    return _compact(
        {
            "id": stable_id(f"schedule:{service_id}:{code}:{opens}:{closes}"),
            "service_id": service_id,
            "valid_from": offer.start_date.isoformat() if offer.start_date else None,
            "valid_to": offer.end_date.isoformat() if offer.end_date else None,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": code,
            "opens_at": opens,
            "closes_at": closes,
            "description": f"{schedule.get_weekday_display()} {opens}–{closes}",
            "notes": " ".join(p for p in ("Lokal tid (Europe/Oslo).", offer.season_text) if p),
        }
    )


def season_schedule_object(offer, *, service_id: str) -> dict:
    """An offer's season text when it has no weekly times (e.g. «Første mandag i måneden»):
    an HSDS schedule with only a description, so the text is not lost to consumers or on a
    round trip. With weekly times the text rides in their notes instead."""
    return _compact(
        {
            "id": stable_id(f"schedule:{service_id}:season"),
            "service_id": service_id,
            "valid_from": offer.start_date.isoformat() if offer.start_date else None,
            "valid_to": offer.end_date.isoformat() if offer.end_date else None,
            "description": offer.season_text,
            "notes": f"Lokal tid (Europe/Oslo). {offer.season_text}",
        }
    )


def offer_schedule_objects(offer, *, service_id: str) -> list[dict]:
    """The HSDS schedules of an offer: one per weekly opening, or its season text alone."""
    weekly = sorted(offer.schedules.all(), key=lambda s: (s.weekday, s.opens))
    if not weekly:
        return [season_schedule_object(offer, service_id=service_id)] if offer.season_text else []
    return [schedule_object(s, service_id=service_id) for s in weekly]


def offer_terms(offer, field: str) -> list:
    """An offer's terms of one many-to-many field: those opendata.selectors.offers_hsds_load
    attached (shared term objects, for a page of many offers), else the offer's own."""
    attached = getattr(offer, "hsds_terms", None)
    if attached is not None:
        return attached.get(field, [])
    return list(getattr(offer, field).all())


def _service_attributes(offer, sid: str) -> list[dict]:
    attributes = []
    for field in OFFER_MULTI_TERMS:
        for term in sorted(offer_terms(offer, field), key=lambda t: (t.sort_order, t.slug)):
            attributes.append(_term_attribute(sid, "service", term.vocabulary.slug, term))
    for field in OFFER_SINGLE_TERMS:
        term = getattr(offer, field)
        if term is not None:
            attributes.append(_term_attribute(sid, "service", term.vocabulary.slug, term))
    strong = any(t.slug in SUPPLEMENT_NOTICE_CATEGORIES for t in offer_terms(offer, "categories"))
    notice = GENERAL_SUPPLEMENT_NOTICE
    if strong:
        notice = f"{notice} {STRONG_SUPPLEMENT_NOTICE}"
    attributes.append(_profile_attribute(sid, "service", "supplement-merknad", notice))
    if offer.last_verified_at:
        attributes.append(
            _profile_attribute(sid, "service", "sist-bekreftet", _iso(offer.last_verified_at))
        )
    for code, value in (
        ("ikke-nav-bruker", offer.not_nav_user_required),
        ("avgift-kan-dekkes", offer.fees_can_be_covered),
        ("digitalt", offer.is_digital),
        ("landsdekkende", offer.is_national),
        ("venteliste", offer.has_waiting_list),
    ):
        attributes.append(_profile_attribute(sid, "service", code, value))
    if offer.capacity is not None:
        attributes.append(_profile_attribute(sid, "service", "kapasitet", offer.capacity))
    if offer.is_demo:
        attributes.append(_profile_attribute(sid, "service", "eksempeldata", True))
    return attributes


def service_object(offer, *, with_locations: bool = True) -> dict:
    """A whole HSDS service for a public offer: organisation, weekly schedules, cost option,
    languages, municipalities as service areas, places (service_at_locations), vocabulary terms
    and profile facts as attributes, and the role-based contact the offer page shows."""
    sid = offer_id(offer)
    obj = service_list_object(offer)
    obj["organization"] = organization_object(offer.organisation)
    obj["phones"] = (
        [_phone(sid, offer.contact_phone, service_id=sid)] if offer.contact_phone else []
    )
    obj["schedules"] = offer_schedule_objects(offer, service_id=sid)
    municipalities = {loc.municipality.code: loc.municipality for loc in offer.locations.all()}
    obj["service_areas"] = [
        {
            "id": stable_id(f"service_area:{sid}:{code}"),
            "service_id": sid,
            "name": municipality.name,
            "extent_type": "kommune",
            "attributes": _place_attributes(
                stable_id(f"service_area:{sid}:{code}"), "service_area", municipality
            ),
        }
        for code, municipality in sorted(municipalities.items())
    ]
    if offer.is_national:
        obj["service_areas"].append(
            {
                "id": stable_id(f"service_area:{sid}:NO"),
                "service_id": sid,
                "name": "Norge",
                "extent_type": "land",
            }
        )
    if with_locations:
        obj["service_at_locations"] = [
            service_at_location_object(offer, location, with_service=False)
            for location in _ordered_locations(offer)
        ]
    obj["languages"] = [
        {
            "id": stable_id(f"language:{sid}:{term.slug}"),
            "service_id": sid,
            "name": term.label_nb,
            "code": term.slug,
        }
        for term in sorted(offer_terms(offer, "languages"), key=lambda t: (t.sort_order, t.slug))
    ]
    obj["cost_options"] = _cost_options(offer, sid)
    obj["contacts"] = [_contact(offer, sid)]
    obj["attributes"] = _service_attributes(offer, sid)
    return obj


def _cost_options(offer, sid: str) -> list[dict]:
    if offer.cost_level is None and offer.price_amount is None and not offer.price_text:
        return []
    return [
        _compact(
            {
                "id": stable_id(f"cost_option:{sid}"),
                "service_id": sid,
                "valid_from": offer.start_date.isoformat() if offer.start_date else None,
                "valid_to": offer.end_date.isoformat() if offer.end_date else None,
                "option": offer.cost_level.label_nb if offer.cost_level else None,
                "currency": "NOK" if offer.price_amount is not None else None,
                "amount": float(offer.price_amount) if offer.price_amount is not None else None,
                "amount_description": offer.price_text,
            }
        )
    ]


def contact_data_strip(obj):
    """The object with no email or phone anywhere in it: organisations' and contact persons'
    email and phone are open data only when ContactSettings makes them public."""
    if isinstance(obj, dict):
        return {
            key: [] if key == "phones" else contact_data_strip(value)
            for key, value in obj.items()
            if key != "email"
        }
    if isinstance(obj, list):
        return [contact_data_strip(value) for value in obj]
    return obj


def _contact(offer, sid: str) -> dict:
    # A role, never a person's name: the portal stores contact persons by role (DOMAIN.md 4.2).
    cid = stable_id(f"contact:{sid}")
    return _compact(
        {
            "id": cid,
            "service_id": sid,
            "title": offer.contact_role,
            "department": offer.organisation.name,
            "email": offer.contact_email,
            "phones": [_phone(cid, offer.contact_phone, contact_id=cid)]
            if offer.contact_phone
            else [],
        }
    )


# --- Places ---------------------------------------------------------------------------------


def _location_position(location) -> int:
    return [loc.pk for loc in _ordered_locations(location.offer)].index(location.pk)


def location_list_object(location) -> dict:
    """The one-to-one fields of a place (HSDS location, list form). A hidden address (crisis
    offers) keeps only the municipality, exactly as the offer page does: no name, street or
    coordinates."""
    offer = location.offer
    sid = offer_id(offer)
    lid = location_id(sid, _location_position(location))
    municipality = location.municipality
    obj = {
        "id": lid,
        "location_type": "physical",
        "organization_id": organisation_id(offer.organisation),
    }
    if location.hidden_address:
        return obj | {
            "name": municipality.name,
            "description": "Adressen er skjult. Ta kontakt for å avtale oppmøte.",
        }
    return obj | _compact(
        {
            "name": location.name or municipality.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    )


def location_object(location) -> dict:
    """A whole HSDS location: its address (unless hidden), accessibility, and the kommune and
    fylke numbers as attributes. Needs `location.offer` with its locations."""
    obj = location_list_object(location)
    lid = obj["id"]
    municipality = location.municipality
    attributes = _place_attributes(lid, "location", municipality)
    if location.hidden_address:
        attributes.append(_profile_attribute(lid, "location", "skjult-adresse", True))
        return obj | {"addresses": [], "attributes": attributes}
    if location.arena_id:
        attributes.append(_term_attribute(lid, "location", "arenas", location.arena))
    obj["addresses"] = (
        [
            {
                "id": stable_id(f"address:{lid}"),
                "location_id": lid,
                "address_1": location.address,
                "city": municipality.name,
                "state_province": municipality.county.name,
                "postal_code": location.postal_code,
                "country": "NO",
                "address_type": "physical",
            }
        ]
        if location.address
        else []
    )
    offer = location.offer
    features = [t.label_nb for t in offer_terms(offer, "accessibility_features")]
    if offer.accessibility_text or features:
        obj["accessibility"] = [
            _compact(
                {
                    "id": stable_id(f"accessibility:{lid}"),
                    "location_id": lid,
                    "description": offer.accessibility_text,
                    "details": ", ".join(features),
                }
            )
        ]
    obj["attributes"] = attributes
    return obj


def service_at_location_list_object(offer, location) -> dict:
    """A place of an offer, with the one-to-one fields of both (service_at_location_list)."""
    sid = offer_id(offer)
    location_obj = location_list_object(location)
    return {
        "id": service_at_location_id(sid, location_obj["id"]),
        "service_id": sid,
        "location_id": location_obj["id"],
        "service": service_list_object(offer),
        "location": location_obj,
    }


def service_at_location_object(offer, location, *, with_service: bool = True) -> dict:
    """A place of an offer (HSDS service_at_location) with the whole location and the offer's
    weekly schedules; with_service nests the whole service too (without its places)."""
    sid = offer_id(offer)
    location_obj = location_object(location)
    sal_id = service_at_location_id(sid, location_obj["id"])
    obj = {
        "id": sal_id,
        "service_id": sid,
        "location_id": location_obj["id"],
        "schedules": [
            # Its own id: the same opening is also listed under the service.
            schedule
            | {"id": stable_id(f"{schedule['id']}:{sal_id}"), "service_at_location_id": sal_id}
            for schedule in offer_schedule_objects(offer, service_id=sid)
        ],
        "location": location_obj,
    }
    if with_service:
        obj["service"] = service_object(offer, with_locations=False)
    return obj
