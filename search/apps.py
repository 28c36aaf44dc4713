from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Søk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from agreements.models import Agreement, AgreementParty
        from directory.models import (
            GrantSchemePage,
            NavOffice,
            Organisation,
            PreventionModelPage,
        )
        from directory.signals import offers_changed
        from search import signal_handlers as h
        from search.models import SynonymGroup

        offers_changed.connect(h.reindex_changed_offers, dispatch_uid="search.offers_changed")
        for signal in (post_save, post_delete):
            signal.connect(h.forget_synonyms, sender=SynonymGroup)
            signal.connect(h.reindex_organisation, sender=Organisation)
            signal.connect(h.reindex_agreement, sender=Agreement)
            signal.connect(h.reindex_agreement_of_party, sender=AgreementParty)
            signal.connect(h.reindex_restricted_pages, sender=PageViewRestriction)
        m2m_changed.connect(h.reindex_organisation_m2m, sender=Organisation.municipalities.through)
        m2m_changed.connect(h.reindex_agreement_m2m, sender=Agreement.target_groups.through)
        m2m_changed.connect(h.reindex_agreements_of_office, sender=NavOffice.municipalities.through)
        for page_model in (GrantSchemePage, PreventionModelPage):
            page_published.connect(h.reindex_page, sender=page_model)
            page_unpublished.connect(h.reindex_page, sender=page_model)
            post_delete.connect(h.reindex_page, sender=page_model)
        post_page_move.connect(h.reindex_moved_pages)
