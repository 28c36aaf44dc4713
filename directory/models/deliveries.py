"""Outgoing messages, each with a unique key written before anything is sent.

Jobs that decide *what* to send insert rows with `ignore_conflicts`, so a job that runs twice,
or on two workers at once, creates each message once. The dispatcher claims pending rows with
`FOR UPDATE SKIP LOCKED`, so two dispatchers never send the same row. Agreements and grant
reminders use the same table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Delivery.Status.PENDING)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    key = models.CharField(_("nøkkel"), max_length=255, unique=True)
    recipient = models.EmailField(_("mottaker"))
    subject = models.CharField(_("emne"), max_length=255)
    body = models.TextField(_("tekst"))
    link = models.CharField(_("lenke"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("utsending")
        verbose_name_plural = _("utsendinger")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
