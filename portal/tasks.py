from celery import shared_task

from portal.retention import retention_sweep


@shared_task(ignore_result=True)
def retention_sweep_task():
    """Delete unverified accounts and stale personal data (portal.retention)."""
    retention_sweep()
