from directory.selectors import labels_forget


def forget_term_labels(sender, instance, **kwargs):
    labels_forget(vocabulary=instance.vocabulary.slug)


def forget_place_names(sender, instance, **kwargs):
    labels_forget()


def grant_scheme_published(sender, instance, **kwargs):
    """Followers' reminders follow the deadlines as published, once the publish has committed."""
    from django.db import transaction

    from directory.tasks import grant_scheme_followers_replan_task

    page_id = instance.pk
    transaction.on_commit(lambda: grant_scheme_followers_replan_task.delay(page_id))
