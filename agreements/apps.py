from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Cooperation agreements, their evaluations and reminders (built on directory/)."""

    name = "agreements"
    verbose_name = _("Samarbeidsavtaler")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from agreements.services import reminders

        # The reminder dispatcher lives in directory/ and knows agreements only through this.
        reminders.register()
