from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_unpublished

        from portal import signal_handlers
        from portal.models import ContentPage
        from portal.search_documents import page_documents
        from search.documents import kind_register
        from search.signal_handlers import reindex_page

        # Content pages are one of the unified search's kinds; portal registers them because
        # search may not import portal (tests/test_architecture.py).
        kind_register("page", page_documents, ("portal", "ContentPage"))
        for signal in (page_published, page_unpublished, post_delete):
            signal.connect(
                reindex_page, sender=ContentPage, dispatch_uid=f"portal.page.{id(signal)}"
            )
        signal_handlers.connect()
