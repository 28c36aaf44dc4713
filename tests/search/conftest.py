"""Shared search fixtures: a small published catalogue with its search documents."""

import itertools
import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from directory.factories import offer_build
from directory.models import Municipality, Offer, Organisation
from directory.services.offers import offer_approve, offer_save_draft, offer_submit
from directory.services.reference_data import reference_data_load
from directory.signals import announce_offers_changed

DRAMMEN = (59.7439, 10.2045)
OSLO = (59.9127, 10.7600)
BERGEN = (60.3913, 5.3221)


@pytest.fixture(autouse=True)
def _fresh_label_cache():
    """Term and municipality labels are cached; each test loads its own reference data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks):
    """Publish an offer of org_a through the real workflow, indexing it on commit."""
    reference_data_load()
    Organisation.objects.update(status="approved")
    org, owner, staff = world["org_a"], world["users"]["owner_a"], world["users"]["nav_staff_x"]

    def publish(title, code, point, **fields):
        offer = offer_build(
            organisation=org,
            municipality=Municipality.objects.get(code=code),
            title=title,
            point=point,
            **fields,
        )
        with django_capture_on_commit_callbacks(execute=True):
            offer = offer_save_draft(offer=offer, by=owner)
            offer_submit(offer=offer, by=owner)
            return offer_approve(offer=offer, by=staff)

    return publish


@pytest.fixture
def catalogue(world, publish, django_capture_on_commit_callbacks):
    """Published offers in three towns, one draft and one hidden offer."""
    offers = {
        "lekser_drammen": publish(
            "Leksehjelp for 10-åringer",
            "3301",
            DRAMMEN,
            min_age=8,
            max_age=12,
            target_groups=["barn-og-unge"],
        ),
        "lekser_oslo": publish(
            "Leksehjelp på biblioteket",
            "0301",
            OSLO,
            min_age=13,
            max_age=19,
            target_groups=["barn-og-unge"],
        ),
        "sprak_bergen": publish(
            "Språkkafé på tirsdager",
            "4601",
            BERGEN,
            categories=["sprakkafe"],
            target_groups=["innvandrere"],
            mode="drop-in",
        ),
        "gjeld_oslo": publish(
            "Gjeldsrådgivning med frivillige økonomer",
            "0301",
            OSLO,
            categories=["okonomisk-radgivning"],
            target_groups=["alle"],
            cost="gratis",
        ),
    }
    draft = offer_save_draft(
        offer=offer_build(
            organisation=world["org_a"],
            municipality=Municipality.objects.get(code="3301"),
            title="Leksehjelp utkast",
        ),
        by=world["users"]["owner_a"],
    )
    hidden = offers["gjeld_oslo"]
    with django_capture_on_commit_callbacks(execute=True):
        Offer.objects.filter(pk=hidden.pk).update(visibility="hidden_stale")
        announce_offers_changed([hidden.pk])
    offers["draft"] = draft
    return offers


# --- The backends under test (the contract and no-leak suites) -------------------------------

ES_TEST_PREFIX = "test-contract"
_ES_SKIP = "ELASTICSEARCH_URL is not set: no Elasticsearch cluster to run the contract against"


@pytest.fixture(
    params=[
        "postgresql",
        pytest.param(
            "elasticsearch",
            marks=pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason=_ES_SKIP),
        ),
    ]
)
def backend(request, db, settings):
    """Each search backend in turn, empty. Call `index_sync(backend)` after writing records
    and before querying: Elasticsearch needs its indices rebuilt and refreshed, PostgreSQL's
    rows are already written by the indexing tasks."""
    from search.backends import get_backend

    get_backend.cache_clear()
    if request.param == "postgresql":
        from search.backends.postgresql import PostgresBackend

        yield PostgresBackend()
        return
    # Imported here so the PostgreSQL run never needs the Elasticsearch modules.
    from search.backends.elasticsearch import ElasticsearchBackend
    from search.es_indexing import es_client, es_reindex

    url = os.environ["ELASTICSEARCH_URL"]
    # Own index names, so a developer's indices on the same cluster are left alone; the
    # indexing tasks write to them too once the aliases exist.
    settings.ELASTICSEARCH_INDEX_PREFIX = ES_TEST_PREFIX
    settings.ELASTICSEARCH_URL = url
    client = es_client(url=url)
    instance = ElasticsearchBackend(url=url, timeout=30.0)
    instance.reindex = lambda: _es_reload(es_reindex, client)
    instance.reindex()
    try:
        yield instance
    finally:
        client.options(ignore_status=404).indices.delete(index=f"{ES_TEST_PREFIX}-*")
        get_backend.cache_clear()


_es_reindexes = itertools.count(1)


def _es_reload(es_reindex, client):
    # Each full reindex makes an index named by the second; several in one test must differ.
    es_reindex(client=client, now=timezone.now() + timedelta(seconds=next(_es_reindexes)))
    client.indices.refresh(index=f"{ES_TEST_PREFIX}-*")


def index_sync(backend) -> None:
    """Make what the database holds now searchable in `backend` (see the `backend` fixture)."""
    reindex = getattr(backend, "reindex", None)
    if reindex is not None:
        reindex()
