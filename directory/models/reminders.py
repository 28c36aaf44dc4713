"""Reminders planned ahead as rows, and the in-portal notifications they leave behind.

A reminder is written in the same transaction as the change that makes it necessary (an agreement
activated, an evaluation decided, a grant scheme followed), so it cannot be lost if the broker is
down: a periodic dispatcher sends whatever is due whenever it next runs. Each reminder has a
window (`send_on` to `expires_on`): a dispatcher that was away for days still sends what is in
its window and skips what a later stage has overtaken.

Agreements and grant schemes register a handler per `topic` that says who gets the reminder and
what it says; the machinery here knows nothing about either.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(status=Reminder.Status.SCHEDULED)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )


class Reminder(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Planlagt")
        SENT = "sent", _("Sendt")
        SKIPPED = "skipped", _("Utgått")
        CANCELLED = "cancelled", _("Avlyst")

    # Unique per object, stage and event date: planning the same reminder twice is a no-op.
    key = models.CharField(_("nøkkel"), max_length=200, unique=True)
    topic = models.CharField(_("type"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # The date the reminder is about (evaluation due, agreement end, application deadline).
    event_date = models.DateField(_("gjelder dato"))
    send_on = models.DateField(_("sendes fra"))
    expires_on = models.DateField(_("utgår"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    recipients_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        indexes = [
            models.Index(
                fields=["send_on"],
                condition=models.Q(status="scheduled"),
                name="reminder_scheduled_idx",
            ),
            models.Index(fields=["content_type", "object_id"], name="reminder_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_date} ({self.get_status_display()})"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a user's «Varsler» list. Written with the email, exactly once per key."""

    key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("tittel"), max_length=255)
    body = models.TextField(_("tekst"), blank=True)
    link = models.CharField(_("lenke"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("varsel")
        verbose_name_plural = _("varsler")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_idx")]

    def __str__(self) -> str:
        return self.title
