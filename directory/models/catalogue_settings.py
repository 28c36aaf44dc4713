from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="time")
class CatalogueSettings(BaseGenericSetting):
    """Freshness rules for offers. DOMAIN.md gives the defaults; administrators may change them."""

    confirmation_interval_months = models.PositiveSmallIntegerField(
        _("bekreftelse hver (måneder)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    grace_period_days = models.PositiveSmallIntegerField(
        _("frist etter forfall før tilbudet skjules (dager)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    first_reminder_days = models.PositiveSmallIntegerField(
        _("første påminnelse (dager før forfall)"), default=30
    )
    second_reminder_days = models.PositiveSmallIntegerField(
        _("andre påminnelse (dager før forfall)"), default=7
    )

    panels = [
        FieldPanel("confirmation_interval_months"),
        FieldPanel("grace_period_days"),
        FieldPanel("first_reminder_days"),
        FieldPanel("second_reminder_days"),
    ]

    class Meta:
        verbose_name = _("regler for ferskhet")
