from django.db import transaction

from search.tasks import offers_index_task


def reindex_changed_offers(sender, offer_ids, **kwargs):
    """Only enqueue: the task rebuilds the documents."""
    transaction.on_commit(lambda: offers_index_task.delay(list(offer_ids)), robust=True)


def forget_synonyms(sender, **kwargs):
    """An edited synonym list applies from the next search."""
    from search.synonyms import synonyms_forget

    transaction.on_commit(synonyms_forget)
