from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="lock")
class PrivacySettings(BaseGenericSetting):
    """How long the portal keeps personal data; the retention job (portal.retention) reads it.
    Administrators change it in Wagtail like the freshness rules."""

    unverified_account_days = models.PositiveSmallIntegerField(
        _("slett kontoer som ikke er bekreftet etter (dager)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    rejected_organisation_contact_days = models.PositiveSmallIntegerField(
        _("fjern kontaktdata for avviste organisasjoner etter (dager)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    claim_message_days = models.PositiveSmallIntegerField(
        _("fjern meldinger i behandlede tilgangsforespørsler etter (dager)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("fjern mottaker og tekst i sendte e-poster etter (dager)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    audit_ip_days = models.PositiveSmallIntegerField(
        _("fjern IP-adresser i sikkerhetsloggen etter (dager)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    audit_days = models.PositiveSmallIntegerField(
        _("slett hendelser i sikkerhetsloggen etter (dager)"),
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )

    panels = [
        FieldPanel("unverified_account_days"),
        MultiFieldPanel(
            [
                FieldPanel("rejected_organisation_contact_days"),
                FieldPanel("claim_message_days"),
                FieldPanel("delivery_days"),
            ],
            heading=_("Personopplysninger i katalogen"),
        ),
        MultiFieldPanel(
            [FieldPanel("audit_ip_days"), FieldPanel("audit_days")],
            heading=_("Sikkerhetsloggen"),
        ),
    ]

    class Meta:
        verbose_name = _("personvern og lagringstid")
