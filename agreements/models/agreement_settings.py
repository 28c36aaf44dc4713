from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="date")
class AgreementSettings(BaseGenericSetting):
    """Evaluation cadence and reminder timing. DOMAIN.md gives the defaults; administrators may
    change them. Changes apply to reminders planned from then on."""

    evaluation_interval_months = models.PositiveSmallIntegerField(
        _("evaluering hver (måneder), standard for nye avtaler"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    reminder_before_days = models.PositiveSmallIntegerField(
        _("påminnelse før evaluering (dager før)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    overdue_after_days = models.PositiveSmallIntegerField(
        _("purring til leder når evalueringen er forfalt (dager etter)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    ending_before_days = models.PositiveSmallIntegerField(
        _("påminnelse før avtalen utløper (dager før)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    end_review_months = models.PositiveSmallIntegerField(
        _("evaluering før sluttdato (måneder før)"),
        default=3,
        validators=[MaxValueValidator(24)],
        help_text=_("Avtaler med sluttdato evalueres senest så mange måneder før slutt."),
    )
    document_max_megabytes = models.PositiveSmallIntegerField(
        _("største dokument (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )

    panels = [
        FieldPanel("evaluation_interval_months"),
        FieldPanel("reminder_before_days"),
        FieldPanel("overdue_after_days"),
        FieldPanel("ending_before_days"),
        FieldPanel("end_review_months"),
        FieldPanel("document_max_megabytes"),
    ]

    class Meta:
        verbose_name = _("regler for samarbeidsavtaler")
