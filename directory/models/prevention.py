"""Good-practice prevention models (forebyggingsmodeller): editorial Wagtail pages.

Evidence is stored in each registry's own terms (registry, its label, date, link), with a
normalised tier used only for filtering (DOMAIN.md 4.6). Municipality staff propose new models
and updates from the front end; proposals go through Wagtail's moderation workflow.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from directory.models.taxonomy import vocabulary_terms


class PreventionModelIndexPage(Page):
    intro = models.TextField(_("ingress"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["directory.PreventionModelPage"]
    max_count = 1
    template = "pages/prevention_model_index.html"

    class Meta:
        verbose_name = _("oversikt over forebyggingsmodeller")

    def get_context(self, request, *args, **kwargs):
        from directory.views.prevention import prevention_index_context

        return {**super().get_context(request), **prevention_index_context(request, self)}


class PreventionModelPage(Page):
    also_known_as = models.CharField(
        _("også kalt"), max_length=300, blank=True, help_text=_("Andre navn, skilt med komma.")
    )
    problem = models.TextField(_("problemet modellen løser"))
    prevention_levels = vocabulary_terms("prevention_levels", _("forebyggingsnivå"))
    target_groups = vocabulary_terms("target_groups", _("målgrupper"))
    life_areas = vocabulary_terms("life_areas", _("livsområder"))
    themes = vocabulary_terms("themes", _("temaer"))
    arenas = vocabulary_terms("arenas", _("arenaer"))
    how_it_works = models.TextField(_("slik fungerer det"))
    partners_text = models.TextField(
        _("partnere og roller"), blank=True, help_text=_("Hvem gjør hva. Én linje per partner.")
    )
    resources = models.TextField(_("ressurser som trengs"), blank=True)
    how_to_start = models.TextField(
        _("slik kommer dere i gang"), blank=True, help_text=_("Ett steg per linje.")
    )
    model_status = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "model_statuses"},
        verbose_name=_("status"),
    )
    funding_sources = vocabulary_terms("funding_sources", _("finansiering"))
    funding_note = models.CharField(_("om finansieringen"), max_length=300, blank=True)
    fundable_by = ParentalManyToManyField(
        "directory.GrantSchemePage",
        related_name="fundable_models",
        blank=True,
        verbose_name=_("tilskuddsordninger som kan finansiere modellen"),
    )
    evidence_note = models.TextField(
        _("om dokumentasjonen"),
        blank=True,
        help_text=_("For eksempel hva studier av beslektede tiltak har vist."),
    )
    # Shown side by side on the model page: a related model's evidence may temper this one's
    # (a similar approach that showed no effect in a trial, say).
    related_models = ParentalManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        verbose_name=_("beslektede modeller"),
    )
    municipalities = ParentalManyToManyField(
        "directory.Municipality",
        related_name="prevention_models",
        blank=True,
        verbose_name=_("kommuner der modellen brukes"),
    )
    origin_municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommunen modellen kommer fra"),
    )
    municipality_sizes = vocabulary_terms(
        "municipality_size", _("kommunestørrelse der den er prøvd")
    )
    contact_role = models.CharField(_("kontakt (rolle)"), max_length=120, blank=True)
    contact_email = models.EmailField(_("kontakt-e-post"), blank=True)
    last_reviewed_on = models.DateField(_("sist gjennomgått"), null=True, blank=True)
    is_example = models.BooleanField(
        _("eksempel som må verifiseres"),
        default=False,
        help_text=_("Vises med en merknad om at opplysningene ikke er kontrollert."),
    )
    source_id = models.CharField(max_length=100, unique=True, null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("also_known_as"),
        FieldPanel("problem"),
        FieldPanel("prevention_levels"),
        FieldPanel("target_groups"),
        FieldPanel("life_areas"),
        FieldPanel("themes"),
        FieldPanel("arenas"),
        FieldPanel("how_it_works"),
        FieldPanel("partners_text"),
        FieldPanel("resources"),
        FieldPanel("how_to_start"),
        InlinePanel("evidence", label=_("Evidens")),
        FieldPanel("evidence_note"),
        FieldPanel("related_models"),
        InlinePanel("evaluations", label=_("Evalueringer og rapporter")),
        MultiFieldPanel(
            [
                FieldPanel("model_status"),
                FieldPanel("funding_sources"),
                FieldPanel("funding_note"),
                FieldPanel("fundable_by"),
            ],
            heading=_("Status og finansiering"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("origin_municipality"),
                FieldPanel("municipalities"),
                FieldPanel("municipality_sizes"),
            ],
            heading=_("Hvor den brukes"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_role"),
                FieldPanel("contact_email"),
                FieldPanel("last_reviewed_on"),
                FieldPanel("is_example"),
            ],
            heading=_("Kontakt og gjennomgang"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("also_known_as"),
        index.SearchField("problem"),
        index.SearchField("how_it_works"),
    ]
    parent_page_types = ["directory.PreventionModelIndexPage"]
    subpage_types: list[str] = []
    template = "pages/prevention_model.html"

    class Meta:
        verbose_name = _("forebyggingsmodell")
        verbose_name_plural = _("forebyggingsmodeller")

    def get_context(self, request, *args, **kwargs):
        from directory.views.prevention import prevention_model_context

        return {**super().get_context(request), **prevention_model_context(request, self)}

    def steps(self) -> list[str]:
        return [line.strip() for line in self.how_to_start.splitlines() if line.strip()]


class EvidenceRating(Orderable):
    """One registry's rating, in its own words. The tier is only for filtering."""

    model = ParentalKey(PreventionModelPage, on_delete=models.CASCADE, related_name="evidence")
    registry = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "evidence_registries"},
        verbose_name=_("register"),
    )
    label = models.CharField(
        _("registerets vurdering"),
        max_length=200,
        help_text=_("Med registerets egne ord, for eksempel «Nivå 3 – Noe dokumentasjon»."),
    )
    tier = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "evidence_tiers"},
        verbose_name=_("nivå (for filtrering)"),
    )
    rated_on = models.CharField(_("vurdert (år eller dato)"), max_length=40, blank=True)
    link = models.URLField(_("lenke"), blank=True)
    note = models.CharField(_("merknad"), max_length=300, blank=True)

    panels = [
        FieldPanel("registry"),
        FieldPanel("label"),
        FieldPanel("tier"),
        FieldPanel("rated_on"),
        FieldPanel("link"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("evidensvurdering")


class ModelEvaluation(Orderable):
    model = ParentalKey(PreventionModelPage, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(
        _("type"), max_length=120, help_text=_("Effekt-, prosess- eller erfaringsevaluering.")
    )
    year = models.CharField(_("år"), max_length=20, blank=True)
    by = models.CharField(_("utført av"), max_length=200, blank=True)
    result = models.TextField(_("resultat"), blank=True)
    link = models.URLField(_("lenke"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapport"),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("year"),
        FieldPanel("by"),
        FieldPanel("result"),
        FieldPanel("link"),
        FieldPanel("document"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("evaluering eller rapport")
