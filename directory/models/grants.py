"""Grant schemes (tilskuddsordninger): editorial Wagtail pages with revisions and moderation.

A scheme has one or more application rounds; their deadlines drive the listing's sort order,
the «søknadsfrist innen N dager» filter, calendar feeds and the reminders people follow. The
next deadline is worked out from the rounds when read (directory.selectors), never stored, so
it cannot go stale as days pass.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from directory.models.taxonomy import vocabulary_terms


class GrantSchemeIndexPage(Page):
    intro = models.TextField(_("ingress"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["directory.GrantSchemePage"]
    max_count = 1
    template = "pages/grant_scheme_index.html"

    class Meta:
        verbose_name = _("oversikt over tilskuddsordninger")

    def get_context(self, request, *args, **kwargs):
        from directory.views.grants import grant_index_context

        return {**super().get_context(request), **grant_index_context(request, self)}


class GrantSchemePage(Page):
    class Lifecycle(models.TextChoices):
        # Slugs of the `grant_statuses` vocabulary.
        ACTIVE = "aktiv", _("Aktiv")
        CONTINUATION_ONLY = "kun-videreforing", _("Kun videreføring")
        WINDING_DOWN = "under-avvikling", _("Under avvikling")
        DISCONTINUED = "avviklet", _("Avviklet")
        REPLACED = "erstattet", _("Erstattet")
        UNKNOWN = "ukjent", _("Ukjent")

    administrator = models.CharField(_("forvalter"), max_length=300)
    ministry = models.CharField(_("departement"), max_length=200, blank=True)
    scheme_code = models.CharField(
        _("ID i tilskuddsportalen"), max_length=40, blank=True, help_text=_("For eksempel DT-0130.")
    )
    purpose = models.TextField(_("formål"))
    funded_text = models.TextField(_("hva det gis og ikke gis tilskudd til"), blank=True)
    target_groups = vocabulary_terms("target_groups", _("målgrupper"))
    target_groups_note = models.CharField(_("om målgruppen"), max_length=300, blank=True)
    applicant_types = vocabulary_terms("applicant_types", _("hvem kan søke"))
    requirements = vocabulary_terms("grant_requirements", _("krav"))
    requirements_text = models.TextField(_("krav, forklart"), blank=True)
    grant_type = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "grant_types"},
        verbose_name=_("type tilskudd"),
    )
    amount_min = models.PositiveBigIntegerField(_("minste beløp (kr)"), null=True, blank=True)
    amount_max = models.PositiveBigIntegerField(_("største beløp (kr)"), null=True, blank=True)
    amount_total = models.PositiveBigIntegerField(_("samlet ramme (kr)"), null=True, blank=True)
    amount_year = models.PositiveSmallIntegerField(_("beløpene gjelder år"), null=True, blank=True)
    amount_note = models.CharField(_("om beløpene"), max_length=300, blank=True)
    max_duration_years = models.PositiveSmallIntegerField(
        _("lengste varighet (år)"), null=True, blank=True
    )
    budget_chapter = models.CharField(
        _("budsjettkapittel og post"),
        max_length=100,
        blank=True,
        help_text=_("«kap. 621, post 70»"),
    )
    lifecycle = models.CharField(
        _("status for ordningen"),
        max_length=20,
        choices=Lifecycle.choices,
        default=Lifecycle.ACTIVE,
    )
    status_note = models.CharField(_("om statusen"), max_length=300, blank=True)
    replaced_by = models.ForeignKey(
        "directory.GrantSchemePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("erstattet av"),
    )
    application_url = models.URLField(_("lenke til søknad"), blank=True)
    source_url = models.URLField(_("kilde"), blank=True)
    regulation = models.CharField(_("regelverk"), max_length=300, blank=True)
    last_verified_on = models.DateField(_("sist kontrollert mot kilden"), null=True, blank=True)
    verified_by_role = models.CharField(_("kontrollert av (rolle)"), max_length=120, blank=True)
    is_example = models.BooleanField(
        _("eksempel som må verifiseres"),
        default=False,
        help_text=_("Vises med en merknad om at opplysningene ikke er kontrollert."),
    )
    source_id = models.CharField(max_length=100, unique=True, null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("administrator"),
                FieldPanel("ministry"),
                FieldPanel("scheme_code"),
                FieldPanel("budget_chapter"),
                FieldPanel("grant_type"),
            ],
            heading=_("Ordningen"),
        ),
        FieldPanel("purpose"),
        FieldPanel("funded_text"),
        FieldPanel("target_groups"),
        FieldPanel("target_groups_note"),
        FieldPanel("applicant_types"),
        FieldPanel("requirements"),
        FieldPanel("requirements_text"),
        MultiFieldPanel(
            [
                FieldPanel("amount_min"),
                FieldPanel("amount_max"),
                FieldPanel("amount_total"),
                FieldPanel("amount_year"),
                FieldPanel("amount_note"),
                FieldPanel("max_duration_years"),
            ],
            heading=_("Beløp"),
        ),
        InlinePanel("rounds", label=_("Søknadsrunder")),
        MultiFieldPanel(
            [FieldPanel("lifecycle"), FieldPanel("status_note"), FieldPanel("replaced_by")],
            heading=_("Status"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("application_url"),
                FieldPanel("source_url"),
                FieldPanel("regulation"),
                FieldPanel("last_verified_on"),
                FieldPanel("verified_by_role"),
                FieldPanel("is_example"),
            ],
            heading=_("Kilde og kontroll"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("purpose"),
        index.SearchField("administrator"),
        index.SearchField("requirements_text"),
    ]
    parent_page_types = ["directory.GrantSchemeIndexPage"]
    subpage_types: list[str] = []
    template = "pages/grant_scheme.html"

    class Meta:
        verbose_name = _("tilskuddsordning")
        verbose_name_plural = _("tilskuddsordninger")

    def clean(self):
        super().clean()
        if self.amount_min and self.amount_max and self.amount_min > self.amount_max:
            raise ValidationError(
                {"amount_max": _("Største beløp kan ikke være mindre enn minste.")}
            )
        if self.lifecycle == self.Lifecycle.REPLACED and not self.replaced_by_id:
            raise ValidationError(
                {"replaced_by": _("Velg ordningen som erstatter denne, eller endre statusen.")}
            )
        if self.replaced_by_id and self.replaced_by_id == self.pk:
            raise ValidationError({"replaced_by": _("En ordning kan ikke erstatte seg selv.")})

    def next_deadline_from(self, today: date) -> date | None:
        deadlines = [
            r.application_deadline
            for r in self.rounds.all()
            if r.application_deadline and r.application_deadline >= today
        ]
        return min(deadlines, default=None)

    def get_context(self, request, *args, **kwargs):
        from directory.views.grants import grant_scheme_context

        return {**super().get_context(request), **grant_scheme_context(request, self)}


class GrantRound(Orderable):
    class Status(models.TextChoices):
        # Slugs of `grant_round_statuses`.
        UPCOMING = "kommende", _("Kommende")
        OPEN = "apen", _("Åpen")
        CLOSED = "stengt", _("Stengt")

    scheme = ParentalKey(GrantSchemePage, on_delete=models.CASCADE, related_name="rounds")
    grant_year = models.PositiveSmallIntegerField(_("tilskuddsår"))
    announced_on = models.DateField(_("utlyst"), null=True, blank=True)
    application_deadline = models.DateField(_("søknadsfrist"), null=True, blank=True)
    reporting_deadline = models.DateField(_("rapporteringsfrist"), null=True, blank=True)
    extension_deadline = models.DateField(_("utsatt frist"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPCOMING
    )
    application_url = models.URLField(_("lenke til søknad"), blank=True)

    panels = [
        FieldPanel("grant_year"),
        FieldPanel("announced_on"),
        FieldPanel("application_deadline"),
        FieldPanel("reporting_deadline"),
        FieldPanel("extension_deadline"),
        FieldPanel("status"),
        FieldPanel("application_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("søknadsrunde")
        verbose_name_plural = _("søknadsrunder")

    def __str__(self) -> str:
        return f"{self.scheme.title} {self.grant_year}"


class GrantFollow(models.Model):
    """A signed-in user follows a scheme and is reminded before each deadline."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grant_follows"
    )
    scheme = models.ForeignKey(GrantSchemePage, on_delete=models.CASCADE, related_name="follows")
    days_before = models.JSONField(
        _("påminnelse dager før fristen"), default=list, help_text=_("For eksempel [21, 7].")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminders = GenericRelation("directory.Reminder")

    class Meta:
        verbose_name = _("følger tilskuddsordning")
        verbose_name_plural = _("følger tilskuddsordninger")
        constraints = [
            models.UniqueConstraint(fields=["user", "scheme"], name="grant_follow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.scheme}"
