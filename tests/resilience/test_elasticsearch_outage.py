"""Elasticsearch unreachable (ELASTICSEARCH_URL names a closed loopback port): the search pages
answer from PostgreSQL with a notice in Norwegian, edits of offers and organisations still
save, and the Elasticsearch documents catch up once the cluster answers again, through the
indexing task's retries on a real Celery worker."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from directory.models import Offer, Organisation
from portal.celery import app
from search.backends.elasticsearch import fallback_notice
from search.es_schema import alias_name
from search.models import OfferDocument
from tests.resilience.helpers import published_offer
from tests.resilience.test_redis_outage import _drop_broker_connections


@pytest.mark.django_db
def test_search_pages_answer_from_postgresql_with_a_notice(
    world, client, stand_in_elasticsearch, django_capture_on_commit_callbacks
):
    # The offer is approved while the cluster is down: the approval saves, and the PostgreSQL
    # documents (which the fallback reads) are current at once.
    with django_capture_on_commit_callbacks(execute=True):
        offer = published_offer(world, title="Sjakkgruppe for eldre")
    assert Offer.objects.get(pk=offer.pk).live
    assert OfferDocument.objects.get(pk=offer.pk).is_public

    for path in ("/sok/", "/tilbud/"):
        response = client.get(path, {"q": "sjakkgruppe"})
        assert response.status_code == 200
        page = response.content.decode()
        assert fallback_notice() in page
        assert "Søket svarer fra reserveløsningen akkurat nå" in page
        assert "Sjakkgruppe for eldre" in page
    suggestions = client.get("/sok/forslag/", {"q": "sjakk"})
    assert suggestions.status_code == 200
    assert "Sjakkgruppe for eldre" in suggestions.content.decode()


@pytest.mark.django_db(transaction=True)
def test_elasticsearch_catches_up_when_the_cluster_answers_again(
    world, client, throwaway_redis, stand_in_elasticsearch, settings, monkeypatch
):
    # The retries' backoff grows to an hour in production; here its clock runs in seconds.
    import celery.app.autoretry

    backoff = celery.app.autoretry.get_exponential_backoff_interval
    monkeypatch.setattr(
        celery.app.autoretry,
        "get_exponential_backoff_interval",
        lambda **kwargs: min(1, backoff(**kwargs)),
    )
    offer = published_offer(world, title="Sjakkgruppe for eldre")
    # A real worker on a broker of our own, as in production.
    original = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = throwaway_redis.url
    settings.CELERY_WORKER_HIJACK_ROOT_LOGGER = False
    app.conf.broker_url = throwaway_redis.url
    _drop_broker_connections()

    def worker_connection_close(**kwargs):
        connection.close()  # the worker thread's own connection

    from celery.signals import task_postrun

    task_postrun.connect(worker_connection_close, weak=False)
    try:
        # The thread pool: retries come back with a countdown, which the solo pool of
        # Celery's test worker never fires.
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
        ):
            # A rename while the cluster is down: it saves, and the organisation's and the
            # offer's documents are queued for Elasticsearch, whose task fails and retries.
            organisation = Organisation.objects.get(pk=world["org_a"].pk)  # approved since
            organisation.name = "Sjakklubben Løperen"
            organisation.save()
            # The worker rebuilds the PostgreSQL documents; the search (answered from
            # PostgreSQL, with the notice) finds the offer by its organisation's new name.
            deadline = time.monotonic() + 60
            while True:
                response = client.get("/sok/", {"q": "Løperen"})
                assert response.status_code == 200
                if "Sjakkgruppe for eldre" in response.content.decode():
                    break
                assert time.monotonic() < deadline, "the worker did not rebuild the documents"
                time.sleep(0.2)
            assert fallback_notice() in response.content.decode()
            time.sleep(1)
            assert stand_in_elasticsearch.bulk_documents == []

            stand_in_elasticsearch.start()
            wanted = {(alias_name("offer"), str(offer.pk)),
                      (alias_name("organisation"), str(organisation.pk))}  # fmt: skip
            deadline = time.monotonic() + 60
            while not wanted <= set(stand_in_elasticsearch.bulk_documents):
                assert time.monotonic() < deadline, stand_in_elasticsearch.bulk_documents
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(worker_connection_close)
        app.conf.broker_url = original
        _drop_broker_connections()
