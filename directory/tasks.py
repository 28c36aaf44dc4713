from celery import shared_task

from directory.services.deliveries import deliveries_dispatch
from directory.services.freshness import offers_freshness_sweep
from directory.services.grants import grant_scheme_followers_replan
from directory.services.reminders import reminders_dispatch


@shared_task(ignore_result=True)
def deliveries_dispatch_task():
    """Send every pending delivery (emails), each exactly once."""
    deliveries_dispatch()


@shared_task(ignore_result=True)
def offers_freshness_sweep_task():
    """Queue confirmation reminders, hide stale offers, archive ended ones, then send."""
    offers_freshness_sweep()
    deliveries_dispatch()


@shared_task(ignore_result=True)
def reminders_dispatch_task():
    """Turn due reminders (agreements, grant deadlines) into notifications and emails, then send.

    Runs every few minutes from beat; a run missed while the broker was down is made up by the
    next, because reminders are rows with windows, not queued messages."""
    reminders_dispatch()
    deliveries_dispatch()


# With the broker down the publishing process replans itself: the publish has committed, and
# a lost message would leave followers reminded of the old deadlines.
@shared_task(ignore_result=True, run_inline_if_broker_down=True)
def grant_scheme_followers_replan_task(page_id: int):
    """After a grant scheme is published: its followers' reminders follow the new deadlines."""
    grant_scheme_followers_replan(scheme_id=page_id)
