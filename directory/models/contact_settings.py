from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="user")
class ContactSettings(BaseGenericSetting):
    """Who sees the email addresses and phone numbers of organisations and of offers' contact
    persons (personal data when they name a person). The contact role is always shown."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Alle, også i åpne data (API og eksport)")
        SIGNED_IN = "signed_in", _("Bare innloggede brukere")
        NAV = "nav", _("Bare Nav-ansatte og portalredaksjonen")

    visibility = models.CharField(
        _("hvem ser e-post og telefon"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text=_(
            "Gjelder e-post og telefon for organisasjoner og kontaktpersoner for tilbud. Åpne "
            "data har dem bare når alle kan se dem. Organisasjonens egne representanter ser "
            "alltid sine."
        ),
    )

    panels = [FieldPanel("visibility")]

    class Meta:
        verbose_name = _("synlighet for kontaktdata")
