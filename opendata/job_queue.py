"""Handing export and import jobs to the Celery broker once their rows are committed.

The user's request has been saved by then; if the broker (Redis) cannot take the message, the
error would reach them as a server error for a job that exists but never starts. Instead the
job's row says it could not be started, in words they can act on, and nothing else is lost:
an export can be asked for again, an import keeps its file and its dry run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def job_enqueue_on_commit(task, job_id: int, *, unavailable: Callable[[], None]) -> None:
    """After commit, send `task(job_id)`; if the broker cannot take it, call `unavailable`."""

    def send():
        try:
            task.delay(job_id)
        except OperationalError as exc:
            # The class only: the broker URL may carry a password.
            logger.warning(
                "Broker unavailable (%s); %s for job %s not started",
                exc.__class__.__name__,
                task.name,
                job_id,
            )
            unavailable()

    transaction.on_commit(send)
