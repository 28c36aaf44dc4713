"""Building search documents from offers."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Func, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.html import strip_tags

from directory.models import Offer
from directory.permissions import offer_is_public
from search.models import OfferDocument

# The Norwegian configuration with unaccent in front of the stemmer (migration search 0002).
TS_CONFIG = "norwegian_unaccent"


def _slugs(terms) -> list[str]:
    return sorted({t.slug for t in terms})


def _labels(terms) -> str:
    return " ".join(t.label_nb for t in terms)


@transaction.atomic
def offers_index(offer_ids) -> int:
    """Rebuild the documents of these offers (deleting those of offers that are gone)."""
    offer_ids = list(offer_ids)
    offers = list(
        Offer.objects.filter(pk__in=offer_ids)
        .select_related("organisation", "cost_level", "participation_mode")
        .prefetch_related(
            "categories",
            "target_groups",
            "life_areas",
            "languages",
            "needs",
            "schedules",
            "locations__municipality__county",
        )
    )
    OfferDocument.objects.filter(pk__in=set(offer_ids) - {o.pk for o in offers}).delete()
    for offer in offers:
        locations = list(offer.locations.all())
        categories, target_groups = list(offer.categories.all()), list(offer.target_groups.all())
        life_areas, needs = list(offer.life_areas.all()), list(offer.needs.all())
        keywords = " ".join(
            [_labels(categories), _labels(target_groups), _labels(life_areas), _labels(needs)]
        )
        places = " ".join(
            f"{loc.municipality.name} {loc.name}" for loc in locations if loc.municipality_id
        )
        OfferDocument.objects.update_or_create(
            offer=offer,
            defaults={
                "is_public": offer_is_public(offer),
                "title": offer.title,
                "summary": offer.summary,
                "organisation_name": offer.organisation.name,
                "search_text": f"{offer.title} {keywords} {places} {offer.summary}".lower(),
                "counties": sorted({loc.municipality.county.code for loc in locations}),
                "municipalities": sorted({loc.municipality.code for loc in locations}),
                "categories": _slugs(categories),
                "target_groups": _slugs(target_groups),
                "life_areas": _slugs(life_areas),
                "languages": _slugs(offer.languages.all()),
                "participation_modes": [offer.participation_mode.slug],
                "cost_levels": [offer.cost_level.slug],
                "weekdays": sorted({s.weekday for s in offer.schedules.all()}),
                "min_age": offer.min_age,
                "max_age": offer.max_age,
                "latitude": next(
                    (loc.latitude for loc in locations if loc.latitude is not None), None
                ),
                "longitude": next(
                    (loc.longitude for loc in locations if loc.latitude is not None), None
                ),
                "latitudes": [loc.latitude for loc in locations if loc.latitude is not None],
                "longitudes": [loc.longitude for loc in locations if loc.latitude is not None],
                "is_digital": offer.is_digital,
                "is_national": offer.is_national,
                "last_verified_at": offer.last_verified_at,
            },
        )
        # Weighted: title A, categories/target groups B, summary and places C, full text D.
        OfferDocument.objects.filter(pk=offer.pk).update(
            search_vector=(
                SearchVector(Value(offer.title), weight="A", config=TS_CONFIG)
                + SearchVector(Value(keywords), weight="B", config=TS_CONFIG)
                + SearchVector(
                    Value(f"{offer.summary} {places} {offer.organisation.name}"),
                    weight="C",
                    config=TS_CONFIG,
                )
                + SearchVector(Value(strip_tags(offer.description)), weight="D", config=TS_CONFIG)
            ),
            search_text=Func(Lower(Coalesce("search_text", Value(""))), function="unaccent"),
        )
    words_collect(offer_ids)
    return len(offers)


def words_collect(offer_ids) -> None:
    """Add the words of these documents to the word list used for typo correction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_searchword (word)"
            " SELECT DISTINCT w FROM search_offerdocument d,"
            " regexp_split_to_table(d.search_text, '[^[:alnum:]]+') AS w"
            " WHERE d.offer_id = ANY(%s) AND d.is_public AND length(w) BETWEEN 3 AND 80"
            " ON CONFLICT DO NOTHING",
            [list(offer_ids)],
        )


def offers_reindex_all(*, batch_size: int = 500) -> int:
    ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        offers_index(ids[start : start + batch_size])
    return len(ids)


# --- The unified search's documents (every kind) -------------------------------------------------


def _snippet_source(doc) -> str:
    """The text highlighted snippets are cut from: the summary once, then the rest."""
    text, body = " ".join(doc.text.split()), " ".join(doc.body.split())
    summary = " ".join(doc.summary.split()).removesuffix("…").strip()
    # A summary is often the start of the text (a grant's purpose cut to 300 characters).
    parts = [text, body] if not summary or summary in text else [summary, text, body]
    return " ".join(p for p in parts if p)


@transaction.atomic
def site_index(kind: str, ids) -> int:
    """Rebuild the unified-search rows of these records of one kind; rows of records that are
    gone are deleted. Returns the number of documents written."""
    from search.documents import WEIGHTS, documents_build
    from search.models import SearchDocument

    ids = {int(i) for i in ids}
    docs = documents_build(kind, ids)
    SearchDocument.objects.filter(
        kind=kind, object_id__in=ids - {d.object_id for d in docs}
    ).delete()
    for doc in docs:
        point = doc.points[0] if doc.points else (None, None)
        row, _created = SearchDocument.objects.update_or_create(
            kind=kind,
            object_id=doc.object_id,
            defaults={
                "url": doc.url,
                "title": doc.title[:300],
                "summary": doc.summary[:400],
                "content": _snippet_source(doc),
                "is_public": doc.is_public,
                "audience": doc.audience,
                "facets": doc.facet_tokens(),
                "municipalities": doc.municipalities,
                "latitude": point[0],
                "longitude": point[1],
                "updated_at": doc.updated_at,
            },
        )
        vector = None
        for name, weight in WEIGHTS.items():
            part = SearchVector(Value(getattr(doc, name) or ""), weight=weight, config=TS_CONFIG)
            vector = part if vector is None else vector + part
        SearchDocument.objects.filter(pk=row.pk).update(
            search_vector=vector,
            title_key=Func(Lower(Value(doc.title[:300])), function="unaccent"),
        )
    public_words_collect(kind, ids)
    return len(docs)


def public_words_collect(kind: str, ids) -> None:
    """Add the words of these public documents to the word list used for "did you mean"."""
    with connection.cursor() as cursor:
        # The accented form wins over an unaccented one collected from the offer documents.
        cursor.execute(
            "INSERT INTO search_searchword (word, display)"
            " SELECT DISTINCT ON (unaccent(w)) unaccent(w), w FROM search_searchdocument d,"
            " regexp_split_to_table(lower(d.title || ' ' || d.content), '[^[:alnum:]]+') AS w"
            " WHERE d.kind = %s AND d.object_id = ANY(%s) AND d.is_public"
            " AND length(w) BETWEEN 3 AND 80"
            " ORDER BY unaccent(w), w <> unaccent(w) DESC, w"
            " ON CONFLICT (word) DO UPDATE SET display = EXCLUDED.display"
            " WHERE search_searchword.display IN ('', search_searchword.word)",
            [kind, list(ids)],
        )


def site_reindex_all(kinds=None, *, batch_size: int = 500) -> dict[str, int]:
    """Rebuild every unified-search row of these kinds (all kinds by default)."""
    from search.backends.base import KINDS
    from search.documents import all_ids

    counts = {}
    for kind in kinds or KINDS:
        ids = all_ids(kind)
        for start in range(0, len(ids), batch_size):
            site_index(kind, ids[start : start + batch_size])
        counts[kind] = len(ids)
    return counts
