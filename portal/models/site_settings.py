from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="cog")
class SiteShellSettings(BaseSiteSetting):
    """Footer contact details and the pages every page links to, edited in Wagtail."""

    contact_email = models.EmailField(
        _("kontakt-e-post"), default="samarbeidsportalen@nav.no", blank=True
    )
    contact_text = models.CharField(
        _("kontakttekst"),
        max_length=255,
        blank=True,
        default="Spørsmål om portalen? Ta kontakt med redaksjonen.",
    )
    accessibility_statement_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("tilgjengelighetserklæring"),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("personvernerklæring"),
    )

    panels = [
        FieldPanel("contact_email"),
        FieldPanel("contact_text"),
        PageChooserPanel("accessibility_statement_page"),
        PageChooserPanel("privacy_page"),
    ]

    class Meta:
        verbose_name = _("felles sideinnhold")
