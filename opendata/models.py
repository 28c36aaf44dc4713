"""Bulk exports and imports of the catalogue, as rows a user can follow while a task works.

Files live in the private media root, never under MEDIA_URL: a download goes through a view
that asks `opendata.permissions`, and an uploaded file may hold records that are not public yet.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_storage():
    """Outside MEDIA_ROOT, which DEBUG serves to anyone (as agreements' signed documents)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Arbeider")
    DONE = "done", _("Ferdig")
    FAILED = "failed", _("Feilet")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class DataExport(models.Model):
    """One request to build a file of the whole public catalogue."""

    class Format(models.TextChoices):
        HSDS_CSV = "hsds_csv", _("HSDS-datapakke (CSV i zip)")
        XLSX = "xlsx", _("Excel-arbeidsbok (XLSX)")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("fremdrift"), default=0)
    message = models.CharField(_("melding"), max_length=200, blank=True)
    file = models.FileField(_("fil"), storage=private_storage, upload_to="exports/%Y/", blank=True)
    size = models.PositiveBigIntegerField(_("størrelse i byte"), null=True, blank=True)
    row_counts = models.JSONField(_("rader per tabell"), default=dict, blank=True)
    error = models.TextField(_("feilmelding"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("eksport")
        verbose_name_plural = _("eksporter")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Building files costs server time: one at a time per person, enforced where two
            # quick clicks cannot race past it.
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=models.Q(status__in=["queued", "running"]),
                name="dataexport_one_active_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="dataexport_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class DataImport(models.Model):
    """An uploaded file, checked in a dry run and, when the user says so, applied as a whole."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        CHECKING = "checking", _("Kontrollerer")
        CHECKED = "checked", _("Kontrollert – klar til import")
        REJECTED = "rejected", _("Kontrollert – har feil")
        APPLYING = "applying", _("Importerer")
        APPLIED = "applied", _("Importert")
        FAILED = "failed", _("Feilet")

    class Kind(models.TextChoices):
        TEMPLATE_CSV = "template_csv", _("CSV etter malen")
        HSDS_ZIP = "hsds_zip", _("HSDS-datapakke (zip)")
        XLSX = "xlsx", _("Excel-arbeidsbok (XLSX)")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_imports"
    )
    file = models.FileField(_("fil"), storage=private_storage, upload_to="imports/%Y/")
    original_name = models.CharField(_("filnavn"), max_length=255)
    kind = models.CharField(_("filtype"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("fremdrift"), default=0)
    message = models.CharField(_("melding"), max_length=200, blank=True)
    # The dry run, row by row: {"rows": [{"row", "sheet", "action", "title", "reasons"}], "summary"}
    report = models.JSONField(_("kontrollrapport"), default=dict, blank=True)
    # What applying wrote: counts of created/updated/unchanged records.
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    error = models.TextField(_("feilmelding"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="dataimport_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.APPLYING)

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.CHECKED
