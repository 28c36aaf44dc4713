"""Indexing runs in Celery: a request only enqueues (on commit), so a slow or unreachable
search engine never slows down or breaks an edit, and a failed run is retried later."""

from celery import shared_task
from django.conf import settings

from search.indexing import offers_index, site_index


def _es_enqueue(kind: str, ids) -> None:
    if settings.ELASTICSEARCH_URL:
        es_index_task.delay(kind, list(ids))


# run_inline_if_broker_down (portal.celery.BrokerTolerantTask): with the broker down, the
# process that enqueues builds the documents itself, so no change is left out of the search.
INDEXING = {"ignore_result": True, "run_inline_if_broker_down": True}


@shared_task(**INDEXING, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def offers_index_task(offer_ids):
    """Rebuild the search documents of these offers, and of their organisations (whose
    documents carry what their public offers are about)."""
    from directory.models import Offer

    offers_index(offer_ids)
    site_index("offer", offer_ids)
    _es_enqueue("offer", offer_ids)
    organisation_ids = set(
        Offer.objects.filter(pk__in=list(offer_ids)).values_list("organisation_id", flat=True)
    )
    if organisation_ids:
        site_index("organisation", organisation_ids)
        _es_enqueue("organisation", organisation_ids)


@shared_task(**INDEXING, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def site_index_task(kind, ids):
    """Rebuild the unified-search documents of these records; Elasticsearch follows."""
    site_index(kind, ids)
    _es_enqueue(kind, ids)


# Elasticsearch may be down for a while: retry for about a day before giving up (the nightly
# `search_reindex` or the next change of the record catches up after that).
@shared_task(
    **INDEXING,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=30,
)
def es_index_task(kind, ids):
    from search.es_indexing import es_documents_index

    es_documents_index(kind, ids)


@shared_task(
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=30,
)
def es_synonyms_task():
    """Send the editors' synonym list to Elasticsearch's synonyms set (applied at search time,
    so no reindex)."""
    if settings.ELASTICSEARCH_URL:
        from search.es_indexing import es_synonyms_sync

        es_synonyms_sync()


@shared_task(ignore_result=True)
def grant_schemes_reindex_task():
    """Nightly: a scheme's status (open, upcoming, closed) changes with the date."""
    from search.documents import all_ids

    ids = all_ids("grant_scheme")
    site_index("grant_scheme", ids)
    _es_enqueue("grant_scheme", ids)
