from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Cooperation agreements, their evaluations and reminders (built on directory/)."""

    name = "agreements"
    verbose_name = _("Samarbeidsavtaler")
    default_auto_field = "django.db.models.BigAutoField"
