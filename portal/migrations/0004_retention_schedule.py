"""Schedule the data-retention job as a django-celery-beat row, like the other periodic jobs
(directory.services.schedules): administrators may change or pause it in the database, and an
existing row is left as it is."""

from django.db import migrations

NAME = "Personvern: slett ubekreftede kontoer og gamle personopplysninger"
TASK = "portal.tasks.retention_sweep_task"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Oslo",
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=crontab)


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_security_audit_privacy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
