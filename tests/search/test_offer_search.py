"""Offer search on PostgreSQL: Norwegian stemming, typos, facets, distance, visibility."""

import pytest

from search.backends import get_backend
from search.backends.base import OfferQuery
from search.models import OfferDocument

pytestmark = pytest.mark.django_db

DRAMMEN = (59.7439, 10.2045)
OSLO = (59.9127, 10.7600)
BERGEN = (60.3913, 5.3221)


def search(**kwargs):
    return get_backend().search_offers(OfferQuery(**kwargs))


def ids(results):
    return {hit.offer_id for hit in results.hits}


def test_norwegian_stemming_finds_inflected_forms(catalogue):
    assert ids(search(text="leksehjelpen")) >= {
        catalogue["lekser_drammen"].pk,
        catalogue["lekser_oslo"].pk,
    }


def test_misspelt_query_still_finds_the_offer(catalogue):
    assert catalogue["lekser_drammen"].pk in ids(search(text="lekshjelp drammen"))
    assert catalogue["sprak_bergen"].pk in ids(search(text="sprakkafe"))


def test_drafts_and_hidden_offers_never_appear_nor_count(catalogue):
    results = search(text="")
    assert catalogue["draft"].pk not in ids(results)
    assert catalogue["gjeld_oslo"].pk not in ids(results)
    assert results.total == 3
    assert sum(v.count for v in results.facets["counties"]) == 3


def test_two_facet_filters_and_age(catalogue):
    results = search(
        text="leksehjelp",
        filters={"municipalities": ("3301",), "target_groups": ("barn-og-unge",)},
        age=10,
    )
    assert ids(results) == {catalogue["lekser_drammen"].pk}


def test_sort_by_distance_from_a_nav_office(catalogue):
    results = search(near=OSLO, sort="distance")
    assert results.hits[0].offer_id == catalogue["lekser_oslo"].pk
    assert results.hits[-1].offer_id == catalogue["sprak_bergen"].pk
    assert results.hits[0].distance_km < 1
    within = search(near=OSLO, within_km=60)
    assert ids(within) == {catalogue["lekser_oslo"].pk, catalogue["lekser_drammen"].pk}


def _independent_count(facet, value, filters):
    """Count matching documents in Python, from the documents themselves."""
    count = 0
    for doc in OfferDocument.objects.filter(is_public=True):
        ok = all(
            set(getattr(doc, f)) & {int(v) if f == "weekdays" else v for v in vals}
            for f, vals in filters.items()
            if f != facet
        )
        values = getattr(doc, facet)
        if ok and (int(value) if facet == "weekdays" else value) in values:
            count += 1
    return count


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"municipalities": ("0301",)},
        {"municipalities": ("0301", "4601")},
        {"categories": ("leksehjelp",), "counties": ("33", "03")},
        {"target_groups": ("barn-og-unge",), "cost_levels": ("gratis",)},
    ],
)
def test_facet_counts_equal_counts_computed_independently(catalogue, filters):
    results = search(filters=filters)
    for facet in (
        "counties",
        "municipalities",
        "categories",
        "target_groups",
        "cost_levels",
        "participation_modes",
        "weekdays",
    ):
        for value in results.facets[facet]:
            assert value.count == _independent_count(facet, value.value, filters), (
                facet,
                value,
                filters,
            )


def test_pagination(catalogue):
    first = search(per_page=2, page=1, sort="verified")
    second = search(per_page=2, page=2, sort="verified")
    assert first.total == second.total == 3 and first.pages == 2
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert not ids(first) & ids(second)


def test_renaming_an_organisation_rebuilds_its_offers_and_other_edits_do_not(
    catalogue, django_capture_on_commit_callbacks
):
    from unittest import mock

    from directory.models import Organisation

    offer = catalogue["lekser_drammen"]
    organisation = Organisation.objects.get(pk=offer.organisation_id)
    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "Drammen frivilligsentral"
        organisation.save()
    assert OfferDocument.objects.get(offer=offer).organisation_name == "Drammen frivilligsentral"
    assert offer.pk in ids(search(text="frivilligsentral"))

    with (
        mock.patch("search.tasks.offers_index_task.delay") as offers_reindexed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        organisation.phone = "22 22 22 22"
        organisation.save()  # the same object again: its name is as stored now
        fresh = Organisation.objects.get(pk=organisation.pk)
        fresh.website = "https://drammen.example.org"
        fresh.save()
    offers_reindexed.assert_not_called()
