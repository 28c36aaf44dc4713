"""Cached search results: a repeated search is answered from the cache, and no cached answer
outlives a change to what it was computed from."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from directory.services.offers import offer_set_visibility
from search.models import SynonymGroup
from search.result_cache import search_generation
from search.synonyms import synonyms_forget
from tests.search.conftest import DRAMMEN

pytestmark = pytest.mark.django_db

WORD, TITLE = "hvalsafarien", "Hvalsafarien for familier"


def _get(client, url, q):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.parametrize("url", ["/tilbud/", "/sok/"])
def test_a_repeated_search_is_answered_from_the_cache_until_the_offer_changes(
    client, world, publish, django_capture_on_commit_callbacks, url
):
    offer = publish(TITLE, "3301", DRAMMEN, summary=f"Bli med på {WORD}.")
    first, first_queries = _get(client, url, WORD)
    again, again_queries = _get(client, url, WORD)
    assert TITLE in first and TITLE in again
    # The search's own statements are skipped; what is left reads labels and the generation.
    assert again_queries < first_queries

    with django_capture_on_commit_callbacks(execute=True):
        offer_set_visibility(offer=offer, by=world["users"]["owner_a"], action="pause")
    paused, _ = _get(client, url, WORD)
    assert TITLE not in paused

    with django_capture_on_commit_callbacks(execute=True):
        offer_set_visibility(offer=offer, by=world["users"]["owner_a"], action="resume")
    assert TITLE in _get(client, url, WORD)[0]


def test_a_new_synonym_takes_effect_on_the_next_search(client, publish):
    publish(TITLE, "3301", DRAMMEN, summary="Se hval fra båt.")
    assert TITLE not in _get(client, "/tilbud/", "sjøpattedyrtur")[0]
    SynonymGroup.objects.create(terms="sjøpattedyrtur, hvalsafarien")
    # Saving drops the cached synonym table on commit, which this test's transaction never
    # reaches; the result cached a moment ago must not hide the new synonym either.
    synonyms_forget()
    assert TITLE in _get(client, "/tilbud/", "sjøpattedyrtur")[0]


def test_the_generation_changes_with_every_write_and_never_repeats_after_a_rollback():
    before = search_generation()
    assert before
    with pytest.raises(RuntimeError), transaction.atomic():
        SynonymGroup.objects.create(terms="a, b")
        rolled_back = search_generation()
        assert rolled_back != before
        raise RuntimeError
    # The rolled-back write is gone, and so is its number: a later write never reuses it, so
    # an answer cached inside the rolled-back transaction can never be served.
    assert search_generation() == before
    SynonymGroup.objects.create(terms="c, d")
    after = search_generation()
    assert after not in (before, rolled_back)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_synonymgroup")
    assert search_generation() != after
