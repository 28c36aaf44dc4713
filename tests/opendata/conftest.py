"""Shared open-data fixtures: a small public catalogue with what must never be public beside it,
and validators for HSDS 3.0's compiled JSON schemas."""

import json
import os
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core.cache import cache as django_cache

from directory.factories import offer_build
from directory.models import (
    Municipality,
    Offer,
    OfferLocation,
    Organisation,
    Term,
    Vocabulary,
)
from directory.services import reference_data
from directory.services.offers import (
    offer_approve,
    offer_save_draft,
    offer_set_visibility,
    offer_submit,
)
from directory.signals import announce_offers_changed

# Open Referral's compiled HSDS 3.0 schemas (CC BY-SA 4.0, LICENSE beside them), copied into the
# repository: CI runs on a clean checkout that has no ../shared next to it.
HSDS_DIR = Path(os.environ.get("HSDS_SCHEMA_DIR", Path(__file__).resolve().parent / "hsds-3.0"))

DRAMMEN = (59.7439, 10.2045)
BERGEN = (60.3913, 5.3221)
SECRET_STREET = "Hemmeligveien 7"
SECRET_PLACE = "Det skjulte huset"
SECRET_POINT = (59.1234567, 10.7654321)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Labels, synonyms and rate-limit counters live in the cache: each test starts empty."""
    django_cache.clear()
    yield
    django_cache.clear()


# --- HSDS schemas ----------------------------------------------------------------------------

_formats = jsonschema.FormatChecker()


@_formats.checks("uuid", raises=ValueError)
def _is_uuid(value) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value.lower()


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@_formats.checks("uri", raises=ValueError)
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@cache
def hsds_validator(name: str):
    """A validator for one of HSDS's compiled schemas (compiled/<name>.json), checking formats
    (uuid, date-time, email, uri). They declare no $schema and hold no $ref: Draft 2020-12."""
    schema = json.loads((HSDS_DIR / "compiled" / f"{name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_formats)


def assert_hsds(obj, name: str) -> None:
    """Fail with every violation of compiled/<name>.json."""
    errors = sorted(hsds_validator(name).iter_errors(obj), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:20])


# --- The catalogue ---------------------------------------------------------------------------


def _reference_data_bulk_load() -> None:
    """The national reference data reference_data_load() reads, written in a few bulk inserts:
    the service saves row by row, and its signals make it take ~10 s per test."""
    import csv

    import yaml

    from directory.models import County

    with reference_data.MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counties = {
        row["fylkesnummer"].zfill(2): County(
            code=row["fylkesnummer"].zfill(2), name=row["fylkesnavn"].strip()
        )
        for row in rows
    }
    County.objects.bulk_create(counties.values())
    Municipality.objects.bulk_create(
        Municipality(
            code=row["kommunenummer"].zfill(4),
            name=row["kommunenavn"].strip(),
            county=counties[row["fylkesnummer"].zfill(2)],
        )
        for row in rows
    )
    data = yaml.safe_load(reference_data.VOCABULARIES_YAML.read_text(encoding="utf-8"))
    vocabularies = Vocabulary.objects.bulk_create(
        Vocabulary(slug=slug, name=reference_data.VOCABULARY_NAMES.get(slug, slug)) for slug in data
    )
    Term.objects.bulk_create(
        Term(
            vocabulary=vocabulary,
            slug=entry["slug"],
            label_nb=entry["nb"],
            label_en=entry.get("en", ""),
            description_nb=(entry.get("description_nb") or "").strip(),
            sort_order=position,
        )
        for vocabulary in vocabularies
        for position, entry in enumerate(data[vocabulary.slug])
    )


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    """Publish an offer of `organisation` (org_a by default) through the real workflow,
    indexing it for search on commit."""
    _reference_data_bulk_load()
    Organisation.objects.update(status=Organisation.Status.APPROVED)
    owner, staff = world["users"]["owner_a"], world["users"]["nav_staff_x"]

    def publish(title, code="3301", point=DRAMMEN, *, organisation=None, by=owner, **fields):
        offer = offer_build(
            organisation=organisation or world["org_a"],
            municipality=Municipality.objects.get(code=code),
            title=title,
            point=point,
            **fields,
        )
        with django_capture_on_commit_callbacks(execute=True):
            offer = offer_save_draft(offer=offer, by=by)
            offer_submit(offer=offer, by=by)
            return offer_approve(offer=offer, by=staff)

    return publish


@pytest.fixture
def catalogue(world, publish, django_capture_on_commit_callbacks):
    """Public offers (one with a hidden address), and beside them a draft, a stale, a paused
    and an ended offer, and an offer of an organisation whose approval was withdrawn."""
    from search.synonyms import synonyms_ensure_defaults

    synonyms_ensure_defaults()
    owner = world["users"]["owner_a"]
    offers = {
        "lekser": publish(
            "Leksehjelp for 10-åringer",
            min_age=8,
            max_age=12,
            target_groups=["barn-og-unge"],
        ),
        "sprak": publish(
            "Språkkafé på tirsdager",
            "4601",
            BERGEN,
            categories=["sprakkafe"],
            target_groups=["innvandrere"],
            summary="Øv på norsk med andre over en kopp kaffe.",
        ),
        "mat": publish(
            "Matutdeling fredag",
            "4601",
            BERGEN,
            categories=["mathjelp"],
            target_groups=["alle"],
            summary="Matposer til dem som trenger det, hver fredag.",
            contact_email="mat@example.org",
            contact_phone="22 33 44 55",
        ),
        "krise": publish(
            "Krisetilbud for unge",
            "0301",
            SECRET_POINT,
            categories=["samtaletilbud"],
            target_groups=["alle"],
            summary="Et trygt sted å være, døgnet rundt.",
        ),
        "stale": publish("Gammel leksehjelp", target_groups=["barn-og-unge"]),
        "paused": publish("Pauset leksehjelp"),
        "ended": publish("Avsluttet leksehjelp"),
        "pending_org": publish(
            "Leksehjelp hos venteforeningen",
            organisation=world["org_b"],
            by=world["users"]["rep_b"],
        ),
    }
    offers["sprak"].languages = list(
        Term.objects.filter(vocabulary__slug="languages", slug__in=["nb", "ar"])
    )
    offers["sprak"].save()
    # Nav withdraws org_b's approval: it and its offers leave the public catalogue.
    Organisation.objects.filter(pk=world["org_b"].pk).update(status=Organisation.Status.PENDING)
    OfferLocation.objects.filter(offer=offers["krise"]).update(
        hidden_address=True, name=SECRET_PLACE, address=SECRET_STREET
    )
    with django_capture_on_commit_callbacks(execute=True):
        Offer.objects.filter(pk=offers["stale"].pk).update(visibility="hidden_stale")
        announce_offers_changed([offers["stale"].pk])
        offer_set_visibility(offer=offers["paused"], by=owner, action="pause")
        offer_set_visibility(offer=offers["ended"], by=owner, action="end")
    offers["draft"] = offer_save_draft(
        offer=offer_build(
            organisation=world["org_a"],
            municipality=Municipality.objects.get(code="3301"),
            title="Leksehjelp utkast",
        ),
        by=owner,
    )
    return offers
