from celery import shared_task

from agreements.services.agreements import agreements_sweep


@shared_task(ignore_result=True)
def agreements_sweep_task():
    """Expire agreements past their end date, or renew those that renew tacitly."""
    agreements_sweep()
