from celery import shared_task

from directory.services.deliveries import deliveries_dispatch
from directory.services.freshness import offers_freshness_sweep


@shared_task(ignore_result=True)
def deliveries_dispatch_task():
    """Send every pending delivery (emails), each exactly once."""
    deliveries_dispatch()


@shared_task(ignore_result=True)
def offers_freshness_sweep_task():
    """Queue confirmation reminders, hide stale offers, archive ended ones, then send."""
    offers_freshness_sweep()
    deliveries_dispatch()
