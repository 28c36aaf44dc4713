from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Katalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published

        from directory import signal_handlers
        from directory.models import County, GrantSchemePage, Municipality, Term
        from directory.services import grants

        for signal in (post_save, post_delete):
            signal.connect(signal_handlers.forget_term_labels, sender=Term)
            signal.connect(signal_handlers.forget_place_names, sender=Municipality)
            signal.connect(signal_handlers.forget_place_names, sender=County)
        page_published.connect(signal_handlers.grant_scheme_published, sender=GrantSchemePage)
        # The reminder dispatcher knows grant schemes only through this.
        grants.register()
