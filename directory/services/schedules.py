"""The periodic jobs, as django-celery-beat rows: administrators can change them in the database
without a deploy. Creating them is idempotent."""

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

SCHEDULES = [
    # (name, task, crontab or interval)
    (
        "Ferskhet: påminnelser, skjuling og arkivering av tilbud",
        "directory.tasks.offers_freshness_sweep_task",
        {"crontab": {"minute": "0", "hour": "6"}},
    ),
    (
        "Påminnelser: avtaler og tilskuddsfrister",
        "directory.tasks.reminders_dispatch_task",
        {"interval": {"every": 10, "period": IntervalSchedule.MINUTES}},
    ),
    (
        "Samarbeidsavtaler: utløp og stilltiende fornyelse",
        "agreements.tasks.agreements_sweep_task",
        {"crontab": {"minute": "15", "hour": "5"}},
    ),
    (
        # A grant scheme's status (open, upcoming, closed) follows the calendar, not an edit.
        "Søk: oppdater status for tilskuddsordninger",
        "search.tasks.grant_schemes_reindex_task",
        {"crontab": {"minute": "5", "hour": "0"}},
    ),
    (
        "Send ventende e-poster",
        "directory.tasks.deliveries_dispatch_task",
        {"interval": {"every": 5, "period": IntervalSchedule.MINUTES}},
    ),
]


@transaction.atomic
def periodic_tasks_ensure() -> int:
    created = 0
    for name, task, schedule in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue  # an administrator may have changed it: leave it be
        kwargs = {}
        if "crontab" in schedule:
            kwargs["crontab"], _ = CrontabSchedule.objects.get_or_create(
                timezone="Europe/Oslo", **schedule["crontab"]
            )
        else:
            kwargs["interval"], _ = IntervalSchedule.objects.get_or_create(**schedule["interval"])
        PeriodicTask.objects.create(name=name, task=task, **kwargs)
        created += 1
    return created
