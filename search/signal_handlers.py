"""Keep the search documents in step with the records: every handler only enqueues, on
commit, so a rolled-back change is never indexed and a request never waits for indexing."""

from django.db import transaction

from search.tasks import offers_index_task, site_index_task

# Wagtail page types with a document, by kind.
PAGE_KINDS = {
    "grantschemepage": "grant_scheme",
    "preventionmodelpage": "prevention_model",
    "contentpage": "page",
}


def _enqueue(kind: str, ids) -> None:
    ids = sorted({int(i) for i in ids if i is not None})
    if ids:
        transaction.on_commit(lambda: site_index_task.delay(kind, ids), robust=True)


def reindex_changed_offers(sender, offer_ids, **kwargs):
    """Only enqueue: the task rebuilds the documents."""
    transaction.on_commit(lambda: offers_index_task.delay(list(offer_ids)), robust=True)


def forget_synonyms(sender, **kwargs):
    """An edited synonym list applies from the next search."""
    from django.conf import settings

    from search.synonyms import synonyms_forget
    from search.tasks import es_synonyms_task

    transaction.on_commit(synonyms_forget)
    if settings.ELASTICSEARCH_URL:
        transaction.on_commit(es_synonyms_task.delay, robust=True)


def reindex_organisation(sender, instance, created=False, **kwargs):
    """The organisation's document, and its offers' when its name changed (they carry it)."""
    _enqueue("organisation", [instance.pk])
    renamed = instance.name_changed
    instance.saved_name = instance.name  # a second save of the same object is not a rename
    if not created and renamed:
        from directory.models import Offer

        offer_ids = list(
            Offer.objects.filter(organisation=instance.pk).values_list("pk", flat=True)
        )
        if offer_ids:
            transaction.on_commit(lambda: offers_index_task.delay(offer_ids), robust=True)


def reindex_organisation_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _enqueue("organisation", [instance.pk])


def reindex_page(sender, instance, **kwargs):
    """Published, unpublished or deleted: the page's document follows."""
    kind = PAGE_KINDS.get(
        instance.specific_class._meta.model_name if instance.specific_class else ""
    )
    if kind:
        _enqueue(kind, [instance.pk])


def _enqueue_subtree(page) -> None:
    """The page and every page under it: visibility and URLs are inherited down the tree."""
    from wagtail.models import Page

    by_kind: dict[str, list[int]] = {}
    for descendant in Page.objects.descendant_of(page, inclusive=True).select_related(
        "content_type"
    ):
        kind = PAGE_KINDS.get(descendant.content_type.model)
        if kind:
            by_kind.setdefault(kind, []).append(descendant.pk)
    for kind, ids in by_kind.items():
        _enqueue(kind, ids)


def reindex_restricted_pages(sender, instance, **kwargs):
    """A view restriction hides a page and everything under it from the public."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _enqueue_subtree(page)


def reindex_moved_pages(sender, instance, **kwargs):
    """A moved page takes its subtree along: under a private parent, all of it stops being
    public, and every URL changes."""
    _enqueue_subtree(instance)


def reindex_agreement(sender, instance, **kwargs):
    _enqueue("agreement", [instance.pk])


def reindex_agreement_of_party(sender, instance, **kwargs):
    _enqueue("agreement", [instance.agreement_id])


def reindex_agreement_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _enqueue("agreement", [instance.pk])


def reindex_agreements_of_office(sender, instance, action, **kwargs):
    """Who may see an agreement follows the municipalities its Nav office serves."""
    from agreements.models import Agreement

    if action in ("post_add", "post_remove", "post_clear"):
        _enqueue(
            "agreement",
            Agreement.objects.filter(parties__nav_office=instance.pk).values_list("pk", flat=True),
        )
