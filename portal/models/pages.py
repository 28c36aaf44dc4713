from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class LinkCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Tittel"))
    text = blocks.TextBlock(label=_("Tekst"), required=False)
    page = blocks.PageChooserBlock(label=_("Side"), required=False)
    url = blocks.URLBlock(label=_("Ekstern lenke"), required=False)

    class Meta:
        icon = "link"
        label = _("Lenkekort")
        template = "blocks/link_card.html"


class ContentStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Mellomtittel"), template="blocks/heading.html")
    paragraph = blocks.RichTextBlock(
        label=_("Avsnitt"), features=RICH_TEXT_FEATURES, template="blocks/paragraph.html"
    )
    link_cards = blocks.ListBlock(
        LinkCardBlock(), label=_("Lenkekort"), template="blocks/link_cards.html"
    )


class HomePage(Page):
    """The front page: what the portal is, and the ways into the catalogues."""

    intro = models.TextField(_("ingress"), blank=True)
    body = StreamField(ContentStreamBlock(), blank=True, verbose_name=_("innhold"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "pages/home_page.html"

    class Meta:
        verbose_name = _("forside")


class ContentPage(Page):
    """An editorial page: about the portal, guidance, the accessibility statement."""

    intro = models.TextField(_("ingress"), blank=True)
    body = StreamField(ContentStreamBlock(), blank=True, verbose_name=_("innhold"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["portal.HomePage", "portal.ContentPage"]
    template = "pages/content_page.html"

    class Meta:
        verbose_name = _("innholdsside")
