from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Søk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from directory.signals import offers_changed
        from search.models import SynonymGroup
        from search.signal_handlers import forget_synonyms, reindex_changed_offers

        offers_changed.connect(reindex_changed_offers, dispatch_uid="search.offers_changed")
        for signal in (post_save, post_delete):
            signal.connect(forget_synonyms, sender=SynonymGroup)
