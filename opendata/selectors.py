"""Reads behind the HSDS API (and the export): what is public, loaded in a fixed number of queries
for the mapping in opendata/hsds.py, and the lookups from published ids back to our rows."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Prefetch, Q, QuerySet, Value

from directory.models import (
    Municipality,
    Offer,
    OfferLocation,
    Organisation,
    Term,
    Vocabulary,
)
from opendata import hsds
from search.backends import get_backend
from search.backends.base import OfferQuery, SiteQuery

# The search backends answer at most this many hits per query (Elasticsearch's default
# max_result_window); a text filter looks no further than that.
SEARCH_MAX_HITS = 10_000

_TERM_FIELDS_MULTI = (*hsds.OFFER_MULTI_TERMS, "languages")
# The cached count is exact (see public_offer_count); this only bounds an unused entry's life.
COUNT_CACHE_SECONDS = 3600
# A deep page of the HSDS listing seeks to the nearest of these marks (public_offer_page).
BOOKMARK_EVERY = 100

logger = logging.getLogger(__name__)


def public_offers() -> QuerySet:
    """Offers anyone may see (published, visible) of organisations Nav has approved."""
    return Offer.objects.public().filter(organisation__status=Organisation.Status.APPROVED)


def _catalogue_generation() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch, value FROM opendata_catalogue_generation WHERE id = 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row else ""


def _per_generation(name: str, compute):
    """compute(), kept in the cache until an offer or organisation is next written: PostgreSQL
    bumps the catalogue generation on each such write (opendata migration 0002), and the value
    is cached under it, so it is never stale."""
    generation = _catalogue_generation()
    if not generation:
        return compute()
    key = f"opendata:{name}:{generation}"
    try:
        value = cache.get(key)
    except Exception:  # a cache outage must not take the API down with it
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, COUNT_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not cache %s", name, exc_info=True)
    return value


def public_offer_count() -> int:
    """How many offers `public_offers` holds: the HSDS listing's total without filters.
    Counting them joins every public offer to its organisation (tens of ms at national scale,
    on every page of the API), for a number that changes only with a write."""
    return _per_generation("public-offers", lambda: public_offers().count())


def _public_offer_bookmarks() -> list[tuple[str, int]]:
    """(title, id) of every BOOKMARK_EVERY-th public offer in title order, from the first
    after the start: where a deep page can seek to instead of counting past every earlier
    offer."""
    ordered = public_offers().order_by("title", "pk").values_list("title", "pk")
    sql, params = ordered.query.sql_with_params()
    # The inner statement is Django's own for the queryset above, its values bound.
    numbered = (
        "SELECT title, id FROM (SELECT q.*, row_number() OVER () AS n"  # noqa: S608
        f" FROM ({sql}) AS q(title, id)) AS numbered WHERE n > 1 AND n %% %s = 1 ORDER BY n"
    )
    with connection.cursor() as cursor:
        cursor.execute(numbered, [*params, BOOKMARK_EVERY])
        return [tuple(row) for row in cursor.fetchall()]


def public_offer_page(start: int, size: int) -> list[int]:
    """Ids of the public offers at positions start .. start + size in (title, id) order.

    OFFSET reads and drops every earlier row: page 300 of 50 walked 15,000 offers and their
    organisations (55 ms). Past the first bookmark the page seeks to the nearest bookmark
    before it on the title index and skips fewer than BOOKMARK_EVERY rows from there."""
    ordered = public_offers().order_by("title", "pk")
    skip = start
    if start >= BOOKMARK_EVERY:
        marks = _per_generation("public-offer-bookmarks", _public_offer_bookmarks)
        index = min(start // BOOKMARK_EVERY, len(marks))
        if index:
            title, pk = marks[index - 1]
            # title >= t first, so the title index gives the range; then the few rows of
            # that same title before the bookmark are left out.
            ordered = ordered.filter(title__gte=title).exclude(title=title, pk__lt=pk)
            skip = start - index * BOOKMARK_EVERY
    return list(ordered.values_list("pk", flat=True)[skip : skip + size])


def public_organisations() -> QuerySet:
    return Organisation.objects.approved()


def _terms():
    return Term.objects.select_related("vocabulary")


def offers_for_hsds(queryset: QuerySet | None = None, *, terms: bool = True) -> QuerySet:
    """Offers with everything hsds.service_object reads, in a fixed number of queries (without
    their many-to-many terms when `terms` is false: offers_hsds_load attaches those)."""
    queryset = public_offers() if queryset is None else queryset
    return queryset.select_related(
        "organisation__organisation_type__vocabulary",
        "organisation__parent",
        "cost_level__vocabulary",
        "kind__vocabulary",
        "participation_mode__vocabulary",
    ).prefetch_related(
        *(Prefetch(name, queryset=_terms()) for name in (_TERM_FIELDS_MULTI if terms else ())),
        "schedules",
        Prefetch(
            "locations",
            queryset=OfferLocation.objects.select_related(
                "municipality__county", "arena__vocabulary"
            ),
        ),
        Prefetch(
            "organisation__municipalities",
            queryset=Municipality.objects.select_related("county"),
        ),
    )


def offers_hsds_list_load(pks: list[int]) -> list:
    """The public offers with these ids, in this order, with what hsds.service_list_object
    reads (no terms, places or times: a list item has none of them)."""
    offers = (
        public_offers()
        .filter(pk__in=pks)
        .select_related(
            "organisation__organisation_type", "organisation__parent", "participation_mode"
        )
    )
    by_pk = {offer.pk: offer for offer in offers}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def offers_hsds_load(pks: list[int]) -> list:
    """The public offers with these ids, in this order, ready for hsds.service_object.

    A page of fifty offers names a few dozen distinct terms, but prefetching each many-to-many
    field builds a term (and its vocabulary) per offer and link, some 1,500 objects a page.
    Here the links are read as id pairs in one statement and each term is built once and
    shared (hsds.offer_terms reads them)."""
    by_pk = {o.pk: o for o in offers_for_hsds(terms=False).filter(pk__in=pks)}
    pairs = [
        Offer._meta.get_field(field)
        .remote_field.through.objects.filter(offer_id__in=list(by_pk))
        .annotate(field=Value(field, output_field=CharField()))
        .values_list("field", "offer_id", "term_id")
        for field in _TERM_FIELDS_MULTI
    ]
    links = list(pairs[0].union(*pairs[1:], all=True)) if by_pk else []
    terms = _terms().in_bulk({term_id for _field, _offer, term_id in links})
    for offer in by_pk.values():
        offer.hsds_terms = {field: [] for field in _TERM_FIELDS_MULTI}
    for field, offer_pk, term_id in links:
        if term_id in terms:
            by_pk[offer_pk].hsds_terms[field].append(terms[term_id])
    return [by_pk[pk] for pk in pks if pk in by_pk]


def organisations_for_hsds(queryset: QuerySet | None = None) -> QuerySet:
    """Organisations with everything hsds.organization_object reads."""
    queryset = public_organisations() if queryset is None else queryset
    return queryset.select_related("organisation_type__vocabulary", "parent").prefetch_related(
        Prefetch("municipalities", queryset=Municipality.objects.select_related("county"))
    )


def public_vocabularies() -> QuerySet:
    return Vocabulary.objects.filter(slug__in=hsds.PUBLIC_VOCABULARIES).order_by("slug")


def public_terms() -> QuerySet:
    return (
        Term.objects.filter(vocabulary__slug__in=hsds.PUBLIC_VOCABULARIES)
        .select_related("vocabulary")
        .order_by("vocabulary__slug", "sort_order", "slug")
    )


# --- From a published id back to our rows ----------------------------------------------------
# Ids are computed from natural keys, not stored: these read the keys of the public rows (one
# query of a few columns) and compute. Cheap at the catalogue's size (thousands of rows).


def offer_pk_for(hsds_id: str) -> int | None:
    for pk, source_id in public_offers().values_list("pk", "source_id"):
        if hsds.offer_id_from(pk=pk, source_id=source_id) == hsds_id:
            return pk
    return None


def organisation_pk_for(hsds_id: str) -> int | None:
    for pk, number, slug in public_organisations().values_list("pk", "organisation_number", "slug"):
        if hsds.organisation_id_from(organisation_number=number, slug=slug) == hsds_id:
            return pk
    return None


def vocabulary_pk_for(hsds_id: str) -> int | None:
    for pk, slug in public_vocabularies().values_list("pk", "slug"):
        if hsds.taxonomy_id(slug) == hsds_id:
            return pk
    return None


def term_pk_for(hsds_id: str) -> int | None:
    for pk, vocabulary, slug in public_terms().values_list("pk", "vocabulary__slug", "slug"):
        if hsds.term_id(vocabulary, slug) == hsds_id:
            return pk
    return None


def location_keys(offer_pks) -> list[tuple[int, int]]:
    """(offer pk, location pk) of the offers' places, each offer's in its place order."""
    return list(
        OfferLocation.objects.filter(offer_id__in=offer_pks)
        .order_by("offer_id", "sort_order", "pk")
        .values_list("offer_id", "pk")
    )


def service_at_location_for(hsds_id: str) -> tuple[int, int] | None:
    """(offer pk, location pk) of a published service_at_location id."""
    offers = dict(public_offers().values_list("pk", "source_id"))
    position, previous = 0, None
    for offer_pk, location_pk in location_keys(list(offers)):
        position = position + 1 if offer_pk == previous else 0
        previous = offer_pk
        service_id = hsds.offer_id_from(pk=offer_pk, source_id=offers[offer_pk])
        location_id = hsds.location_id(service_id, position)
        if hsds.service_at_location_id(service_id, location_id) == hsds_id:
            return offer_pk, location_pk
    return None


# --- Filters ---------------------------------------------------------------------------------


def _offers_with_term(lookup: str, value: int) -> Q:
    """Offers linked to a term (lookup "") or to any term of a vocabulary ("__vocabulary")
    by any of their vocabulary fields, their places' arenas or their organisation's type."""
    match = Q()
    for name in _TERM_FIELDS_MULTI:
        match |= Q(pk__in=Offer.objects.filter(**{f"{name}{lookup}": value}).values("pk"))
    for name in hsds.OFFER_SINGLE_TERMS:
        match |= Q(**{f"{name}{lookup}": value})
    match |= Q(**{f"organisation__organisation_type{lookup}": value})
    # A hidden address hides its arena too: filtering on it must not reveal it.
    places = OfferLocation.objects.filter(hidden_address=False, **{f"arena{lookup}": value})
    return match | Q(pk__in=places.values("offer_id"))


def offers_with_term(queryset: QuerySet, term_pk: int) -> QuerySet:
    return queryset.filter(_offers_with_term("", term_pk))


def offers_with_vocabulary(queryset: QuerySet, vocabulary_pk: int) -> QuerySet:
    return queryset.filter(_offers_with_term("__vocabulary", vocabulary_pk))


def offers_modified_after(queryset: QuerySet, when) -> QuerySet:
    """As hsds.offer_last_modified: the offer or its organisation changed on or after `when`."""
    return queryset.filter(Q(updated_at__gte=when) | Q(organisation__updated_at__gte=when))


def offer_pks_matching_text(text: str) -> list[int]:
    """Offers the site's own search finds for `text` (synonyms, spelling), best match first."""
    results = get_backend().search_offers(OfferQuery(text=text, per_page=SEARCH_MAX_HITS))
    return [hit.offer_id for hit in results.hits]


def organisation_pks_matching_text(text: str) -> list[int]:
    """Organisations the site's own search finds for `text`, best match first."""
    results = get_backend().search_site(
        SiteQuery(text=text, kinds=("organisation",), per_page=SEARCH_MAX_HITS)
    )
    return [hit.object_id for hit in results.hits if hit.kind == "organisation"]
