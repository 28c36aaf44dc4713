"""The HSDS 3.0 read API under /api/hsds/: public offers, organisations, places and vocabularies
as Open Referral objects (mapping in opendata/hsds.py, description in opendata/openapi.py).

Every view answers GET and HEAD only, with JSON: paged lists in HSDS's envelope, errors in our
own body (`error_body`), an ETag from the content and a Last-Modified from the records, so a
conditional GET is answered 304. One client (IP address) may make OPENDATA_API_RATE requests
(default 120 a minute); then 429 until the window ends.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from directory.permissions import contact_data_is_open
from opendata import hsds, selectors

DEFAULT_RATE = "120/m"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_SEARCH_LENGTH = 200
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
# HSDS parameters we do not offer: asking for them is an error rather than a silent ignore.
UNSUPPORTED = ("minimal", "postcode", "proximity")
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Collection:
    """An answer holding several records, and the latest change among them. One may drop out
    (hidden, ended) without any remaining record changing, so only the ETag validates it."""

    payload: dict
    last_modified: datetime | None = None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def error_body(status: int, code: str, message: str, parameter: str | None = None) -> dict:
    """Our error object (HSDS defines none): {"error": {status, code, message[, parameter]}}."""
    error = {"status": status, "code": code, "message": message}
    if parameter:
        error["parameter"] = parameter
    return {"error": error}


def _error_response(status, code, message, parameter=None, **headers) -> JsonResponse:
    response = JsonResponse(
        error_body(status, code, message, parameter),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _rate() -> str:
    return getattr(settings, "OPENDATA_API_RATE", DEFAULT_RATE)


def _period_seconds(rate: str) -> int:
    """Seconds in a django-ratelimit rate's window: "120/m" -> 60, "10/5m" -> 300."""
    period = rate.partition("/")[2]
    multiplier = int(period[:-1]) if len(period) > 1 else 1
    return multiplier * RATE_PERIODS[period[-1]]


def _respond(
    request, payload, last_modified: datetime | None, *, dated: bool = True
) -> HttpResponse:
    if not contact_data_is_open():
        payload = hsds.contact_data_strip(payload)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(body, content_type="application/json")
    etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    response["ETag"] = etag
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    # Shared caches may keep an answer briefly; clients revalidate with the validators above.
    response["Cache-Control"] = "public, max-age=60"
    response["Link"] = f'<{hsds.profile_uri()}>; rel="profile"'
    # If-Modified-Since cannot vouch for a collection (see Collection): ETag only.
    return get_conditional_response(
        request, etag=etag, last_modified=timestamp if dated else None, response=response
    )


def api_view(view):
    """GET/HEAD only, rate-limited per IP, errors as JSON, conditional GET. The view returns
    (payload, last_modified) for one record, or a `Collection`, or raises ApiError."""

    # No state is ever changed here, and a POST must get a plain 405 rather than a CSRF 403.
    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        rate = _rate()
        # A WSGI server need not pass the client's address; such requests share one bucket.
        key = "ip" if request.META.get("REMOTE_ADDR") else (lambda group, request: "no-address")
        if is_ratelimited(request, group="opendata.hsds", key=key, rate=rate, increment=True):
            return _error_response(
                429,
                "rate_limited",
                f"For mange forespørsler: høyst {rate}. Prøv igjen senere.",
                Retry_After=str(_period_seconds(rate)),
            )
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if request.method not in ("GET", "HEAD"):
            return _error_response(
                405,
                "method_not_allowed",
                "API-et kan bare leses (GET).",
                Allow=", ".join(ALLOWED_METHODS),
            )
        try:
            answer = view(request, *args, **kwargs)
        except ApiError as error:
            return _error_response(error.status, error.code, error.message, error.parameter)
        if isinstance(answer, Collection):
            return _respond(request, answer.payload, answer.last_modified, dated=False)
        payload, last_modified = answer
        return _respond(request, payload, last_modified)

    return wrapped


# --- Parameters ------------------------------------------------------------------------------


def _bad(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", message, parameter)


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"Fant ingen offentlig {what} med denne id-en.")


def _check_common(request) -> None:
    for name in UNSUPPORTED:
        if name in request.GET:
            raise _bad(name, f"Parameteren «{name}» støttes ikke av dette API-et.")
    if request.GET.get("format", "json") != "json":
        raise _bad("format", "Bare format=json støttes.")


def _int(request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, f"«{name}» må være et heltall.") from None
    if value < low or (high is not None and value > high):
        limits = f"mellom {low} og {high}" if high is not None else f"minst {low}"
        raise _bad(name, f"«{name}» må være {limits}.")
    return value


def _paging(request) -> tuple[int, int]:
    page = _int(request, "page", 1, 1, 1_000_000)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def _bool(request, name: str) -> bool:
    raw = request.GET.get(name, "").lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise _bad(name, f"«{name}» må være true eller false.")


def _uuid(request, name: str) -> str | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise _bad(name, f"«{name}» må være en UUID.") from None


def _datetime(request, name: str) -> datetime | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(name, f"«{name}» må være et ISO 8601-tidspunkt.") from None
    try:
        if timezone.is_naive(value):
            # The portal's own zone, as everywhere else on the site.
            value = timezone.make_aware(value, timezone.get_default_timezone())
        # In UTC: PostgreSQL refuses offsets ISO 8601 allows (+20:30), and a time at the edge
        # of the calendar may not fit in UTC at all.
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _bad(name, f"«{name}» er utenfor gyldige tidspunkter.") from None


def _text(request, name: str = "search") -> str:
    value = request.GET.get(name, "")
    if len(value) > MAX_SEARCH_LENGTH:
        raise _bad(name, f"«{name}» kan være høyst {MAX_SEARCH_LENGTH} tegn.")
    if "\x00" in value:
        raise _bad(name, f"«{name}» inneholder ugyldige tegn.")
    return value.strip()


def _page(items: list, total: int, page: int, per_page: int) -> dict:
    """HSDS's paging envelope around one page of `items`."""
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
        "contents": items,
    }


def _slice(keys: list, page: int, per_page: int) -> list:
    start = (page - 1) * per_page
    return keys[start : start + per_page]


def _latest(*values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


# --- Services --------------------------------------------------------------------------------


# The query parameters _filtered_offers narrows by.
OFFER_FILTERS = ("taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")


def _filtered_offers(request):
    """Public offers matching the request's filters (not the text), or None when a filter names
    something unknown (no offer can match)."""
    offers = selectors.public_offers()
    term_id = _uuid(request, "taxonomy_term_id")
    vocabulary_id = _uuid(request, "taxonomy_id")
    organisation_id = _uuid(request, "organization_id")
    modified_after = _datetime(request, "modified_after")
    if term_id:
        term_pk = selectors.term_pk_for(term_id)
        if term_pk is None:
            return None
        offers = selectors.offers_with_term(offers, term_pk)
    if vocabulary_id:
        vocabulary_pk = selectors.vocabulary_pk_for(vocabulary_id)
        if vocabulary_pk is None:
            return None
        offers = selectors.offers_with_vocabulary(offers, vocabulary_pk)
    if organisation_id:
        organisation_pk = selectors.organisation_pk_for(organisation_id)
        if organisation_pk is None:
            return None
        offers = offers.filter(organisation_id=organisation_pk)
    if modified_after:
        offers = selectors.offers_modified_after(offers, modified_after)
    return offers


def _offer_pks(request) -> list[int]:
    """Public offers matching the request's filters, in listing order (best match first when
    searching, else by title)."""
    offers = _filtered_offers(request)
    if offers is None:
        return []
    text = _text(request)
    if text:
        allowed = set(offers.values_list("pk", flat=True))
        return [pk for pk in selectors.offer_pks_matching_text(text) if pk in allowed]
    return list(offers.order_by("title", "pk").values_list("pk", flat=True))


def _offer_page(request, page: int, per_page: int) -> tuple[list[int], int]:
    """One page of `_offer_pks` and how many there are in all. Without a text to rank by, the
    page is cut in SQL (on the title index) instead of reading every public offer's id."""
    if _text(request):
        pks = _offer_pks(request)
        return _slice(pks, page, per_page), len(pks)
    offers = _filtered_offers(request)
    if offers is None:
        return [], 0
    start = (page - 1) * per_page
    if not any(request.GET.get(name) for name in OFFER_FILTERS):
        return selectors.public_offer_page(start, per_page), selectors.public_offer_count()
    ordered = offers.order_by("title", "pk").values_list("pk", flat=True)
    return list(ordered[start : start + per_page]), offers.count()


def _load_offers(pks: list[int]) -> list:
    return selectors.offers_hsds_load(pks)


@api_view
def root(request):
    return {
        "version": hsds.HSDS_VERSION,
        "profile": hsds.profile_uri(),
        "openapi_url": request.build_absolute_uri(reverse("hsds_openapi")),
    }, None


@api_view
def profile(request):
    return {
        "name": hsds.PROFILE_NAME,
        "version": hsds.PROFILE_VERSION,
        "hsds_version": hsds.HSDS_VERSION,
        "id_namespace": str(hsds.ID_NAMESPACE),
        "organization_identifier_scheme": hsds.ORGANISATION_NUMBER_SCHEME,
        "taxonomy": hsds.profile_taxonomy_object(),
        "terms": [hsds.profile_term_object(code) for code in hsds.PROFILE_TERMS],
        "documentation": "docs/hsds-profile.md",
    }, None


@api_view
def services(request):
    _check_common(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")
    chosen, total = _offer_page(request, page, per_page)
    offers = _load_offers(chosen) if full else selectors.offers_hsds_list_load(chosen)
    build = hsds.service_object if full else hsds.service_list_object
    return Collection(
        _page([build(offer) for offer in offers], total, page, per_page),
        _latest(*(hsds.offer_last_modified(offer) for offer in offers)),
    )


@api_view
def service(request, id):
    pk = selectors.offer_pk_for(id)
    if pk is None:
        raise _not_found("tjeneste")
    offer = selectors.offers_for_hsds().get(pk=pk)
    return hsds.service_object(offer), hsds.offer_last_modified(offer)


# --- Places ----------------------------------------------------------------------------------


@api_view
def service_at_locations(request):
    _check_common(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")
    offer_pks = _offer_pks(request)
    places: dict[int, list[int]] = {}
    for offer_pk, location_pk in selectors.location_keys(offer_pks):
        places.setdefault(offer_pk, []).append(location_pk)
    keys = [(o, loc) for o in offer_pks for loc in places.get(o, ())]
    chosen = _slice(keys, page, per_page)
    offers = {o.pk: o for o in _load_offers(list(dict.fromkeys(o for o, _ in chosen)))}
    build = hsds.service_at_location_object if full else hsds.service_at_location_list_object
    items = []
    for offer_pk, location_pk in chosen:
        offer = offers[offer_pk]
        location = next(loc for loc in offer.locations.all() if loc.pk == location_pk)
        items.append(build(offer, location))
    return Collection(
        _page(items, len(keys), page, per_page),
        _latest(*(hsds.offer_last_modified(offer) for offer in offers.values())),
    )


@api_view
def service_at_location(request, id):
    found = selectors.service_at_location_for(id)
    if found is None:
        raise _not_found("tjeneste på sted")
    offer_pk, location_pk = found
    offer = selectors.offers_for_hsds().get(pk=offer_pk)
    location = next(loc for loc in offer.locations.all() if loc.pk == location_pk)
    return hsds.service_at_location_object(offer, location), hsds.offer_last_modified(offer)


# --- Organisations ---------------------------------------------------------------------------


def _organisation_pks(request) -> list[int]:
    """Approved organisations matching the request's filters, best match first when searching,
    else by name."""
    organisations = selectors.public_organisations()
    term_id = _uuid(request, "taxonomy_term_id")
    vocabulary_id = _uuid(request, "taxonomy_id")
    modified_after = _datetime(request, "modified_after")
    text = _text(request)
    if term_id:
        term_pk = selectors.term_pk_for(term_id)
        if term_pk is None:
            return []
        organisations = organisations.filter(organisation_type_id=term_pk)
    if vocabulary_id:
        vocabulary_pk = selectors.vocabulary_pk_for(vocabulary_id)
        if vocabulary_pk is None:
            return []
        organisations = organisations.filter(organisation_type__vocabulary_id=vocabulary_pk)
    if modified_after:
        organisations = organisations.filter(updated_at__gte=modified_after)
    if text:
        allowed = set(organisations.values_list("pk", flat=True))
        return [pk for pk in selectors.organisation_pks_matching_text(text) if pk in allowed]
    return list(organisations.order_by("name", "pk").values_list("pk", flat=True))


@api_view
def organizations(request):
    _check_common(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")
    pks = _organisation_pks(request)
    chosen = _slice(pks, page, per_page)
    by_pk = {o.pk: o for o in selectors.organisations_for_hsds().filter(pk__in=chosen)}
    orgs = [by_pk[pk] for pk in chosen if pk in by_pk]
    build = hsds.organization_object if full else hsds.organization_list_object
    return Collection(
        _page([build(org) for org in orgs], len(pks), page, per_page),
        _latest(*(org.updated_at for org in orgs)),
    )


@api_view
def organization(request, id):
    full_service = _bool(request, "full_service")
    pk = selectors.organisation_pk_for(id)
    if pk is None:
        raise _not_found("organisasjon")
    org = selectors.organisations_for_hsds().get(pk=pk)
    offers = list(
        selectors.offers_for_hsds(selectors.public_offers().filter(organisation_id=pk)).order_by(
            "title", "pk"
        )
    )
    return Collection(
        hsds.organization_object(org, services=offers, full_services=full_service),
        _latest(org.updated_at, *(hsds.offer_last_modified(offer) for offer in offers)),
    )


# --- Taxonomies ------------------------------------------------------------------------------


def _matches(obj: dict, text: str) -> bool:
    text = text.casefold()
    return any(text in str(obj.get(key, "")).casefold() for key in ("name", "description", "code"))


def _all_taxonomies() -> list[dict]:
    return [hsds.profile_taxonomy_object()] + [
        hsds.taxonomy_object(vocabulary) for vocabulary in selectors.public_vocabularies()
    ]


@api_view
def taxonomies(request):
    _check_common(request)
    page, per_page = _paging(request)
    text = _text(request)
    items = [t for t in _all_taxonomies() if not text or _matches(t, text)]
    return Collection(_page(_slice(items, page, per_page), len(items), page, per_page))


@api_view
def taxonomy(request, id):
    for item in _all_taxonomies():
        if item["id"] == id:
            return item, None
    raise _not_found("taksonomi")


def _all_terms(vocabulary_id: str | None = None) -> list[dict]:
    profile_terms = []
    if vocabulary_id in (None, hsds.taxonomy_id(hsds.PROFILE_TAXONOMY)):
        taxonomy = hsds.profile_taxonomy_object()
        profile_terms = [
            hsds.profile_term_object(code) | {"taxonomy_detail": taxonomy}
            for code in hsds.PROFILE_TERMS
        ]
    terms = selectors.public_terms()
    if vocabulary_id is not None:
        vocabulary_pk = selectors.vocabulary_pk_for(vocabulary_id)
        terms = terms.filter(vocabulary_id=vocabulary_pk) if vocabulary_pk else terms.none()
    return profile_terms + [hsds.taxonomy_term_object(t, with_taxonomy=True) for t in terms]


@api_view
def taxonomy_terms(request):
    _check_common(request)
    page, per_page = _paging(request)
    text = _text(request)
    vocabulary_id = _uuid(request, "taxonomy_id")
    parent_id = _uuid(request, "parent_id")
    _bool(request, "top_only")  # Validated only: our vocabularies are flat, every term is top.
    # Our vocabularies are flat: no term has a parent.
    items = [] if parent_id else _all_terms(vocabulary_id)
    items = [t for t in items if not text or _matches(t, text)]
    return Collection(_page(_slice(items, page, per_page), len(items), page, per_page))


@api_view
def taxonomy_term(request, id):
    for item in _all_terms():
        if item["id"] == id:
            return item, None
    raise _not_found("taksonomiterm")


@api_view
def openapi_document(request):
    # Imported here: the description reads this module's limits.
    from opendata.openapi import openapi_description

    return openapi_description(), None
