from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Open data: the HSDS 3.0 read API, bulk export and import. Depends on the domain apps and
    search; nothing depends on it but portal's URLs."""

    name = "opendata"
    verbose_name = _("Åpne data")
    default_auto_field = "django.db.models.BigAutoField"
