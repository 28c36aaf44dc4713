"""`make bench-data` at a thousandth of national scale: the counts asked for, published offers
that search finds, and a second run that adds nothing."""

import pytest

pytestmark = pytest.mark.django_db(transaction=False)


def test_bench_data_makes_the_records_asked_for_and_a_second_run_adds_nothing(
    django_capture_on_commit_callbacks,
):
    from agreements.models import Agreement
    from benchmarks.national_data import generate
    from directory.models import Offer
    from search.backends import get_backend
    from search.backends.base import OfferQuery

    first = generate(scale=0.001)

    assert first["municipalities"] == 357
    bench = Offer.objects.filter(source_id__startswith="bench-")
    assert bench.count() == 100
    assert bench.public().count() == 100
    assert all(o.live_revision_id == o.latest_revision_id for o in bench)
    assert Agreement.objects.filter(source_id__startswith="bench-").count() == 10
    assert first["agreements_due_on_bench_day"] == 2
    assert first["offer_documents"] == first["offers"]
    found = get_backend().search_offers(OfferQuery(text=""))
    assert found.total == first["public_offers"]

    assert generate(scale=0.001) == first
