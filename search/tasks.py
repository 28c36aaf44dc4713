from celery import shared_task

from search.indexing import offers_index


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def offers_index_task(offer_ids):
    """Rebuild the search documents of these offers."""
    offers_index(offer_ids)
