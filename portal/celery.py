import logging
import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

logger = logging.getLogger(__name__)


class BrokerTolerantTask(Task):
    """A task that can opt out of losing its work to a broker outage: declared with
    `run_inline_if_broker_down=True`, it runs here and now, in the process that asked for it,
    when the broker (Redis) cannot take the message.

    The search indexing tasks opt in: a lost message would leave a record out of the search
    for good, and the error, raised after the edit has committed, helps nobody. Periodic work
    does not need it (its rows are picked up by the next run once the broker is back) and
    keeps the default: the enqueue fails and the caller sees it.
    """

    run_inline_if_broker_down = False

    def apply_async(self, args=None, kwargs=None, *call_args, **options):
        from kombu.exceptions import OperationalError

        try:
            return super().apply_async(args, kwargs, *call_args, **options)
        except OperationalError as exc:
            if not self.run_inline_if_broker_down:
                raise
            # The class only: the broker URL may carry a password.
            logger.warning(
                "Broker unavailable (%s); running %s in this process",
                exc.__class__.__name__,
                self.name,
            )
            return self.apply(args, kwargs, task_id=options.get("task_id"))


app = Celery("portal", task_cls=BrokerTolerantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
