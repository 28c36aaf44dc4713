"""Voluntary offers (frivillige tilbud).

An offer is a Wagtail draft-state model: the database row is the live, public version and
revisions hold pending edits, so an edit to a published offer is reviewed before it replaces
what the public sees. Moderation and freshness state belong to the offer as a whole, not to a
revision, and survive every publish (see `with_content_json`).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin

from directory.models.taxonomy import vocabulary_term, vocabulary_terms

# Categories where Nav staff must be reminded to assess the right to økonomisk stønad first
# (DOMAIN.md 4.1). Not editable: the guardrail is a rule, not content.
SUPPLEMENT_NOTICE_CATEGORIES = frozenset(
    {"mathjelp", "julehjelp", "klesutdeling", "okonomisk-hjelp", "okonomisk-radgivning"}
)


class OfferQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: published, not hidden for staleness, not archived or paused,
        and from an organisation Nav has approved (DOMAIN.md 4.3: withdrawing the approval
        takes its offers out of the catalogue). The SQL twin of
        directory.permissions.offer_is_public."""
        from directory.models.organisations import Organisation

        return self.filter(
            live=True,
            visibility=Offer.Visibility.VISIBLE,
            organisation__status=Organisation.Status.APPROVED,
        )

    def of_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def awaiting_moderation(self):
        return self.filter(moderation_status=Offer.ModerationStatus.SUBMITTED)


class Offer(DraftStateMixin, RevisionMixin, ClusterableModel):
    class ModerationStatus(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Sendt til godkjenning")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Synlig")
        HIDDEN_STALE = "hidden_stale", _("Skjult – ikke bekreftet")
        PAUSED = "paused", _("Midlertidig stengt")
        ARCHIVED = "archived", _("Avsluttet")

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("organisasjon"),
    )
    title = models.CharField(_("tittel"), max_length=150)
    summary = models.CharField(
        _("kort beskrivelse"),
        max_length=300,
        help_text=_("Klarspråk, omtrent 300 tegn. Ikke skriv personopplysninger om brukere her."),
    )
    description = models.TextField(
        _("beskrivelse"),
        blank=True,
        help_text=_("Ikke skriv personopplysninger om brukere her."),
    )
    categories = vocabulary_terms("offer_categories", _("kategorier"), blank=False)
    target_groups = vocabulary_terms("target_groups", _("målgrupper"))
    life_areas = vocabulary_terms("life_areas", _("livsområder"))
    needs = vocabulary_terms("needs", _("behov tilbudet hjelper med"))
    languages = vocabulary_terms("languages", _("språk som brukes"))
    accessibility_features = vocabulary_terms("accessibility_features", _("tilgjengelighet"))
    not_nav_user_required = models.BooleanField(
        _("du trenger ikke være bruker av Nav"), default=True
    )
    min_age = models.PositiveSmallIntegerField(
        _("alder fra"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("alder til"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    cost_level = vocabulary_term("cost_levels", _("pris"))
    price_amount = models.DecimalField(
        _("pris i kroner"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    price_text = models.CharField(_("om prisen"), max_length=200, blank=True)
    fees_can_be_covered = models.BooleanField(_("avgiften kan dekkes"), default=False)
    kind = vocabulary_term("offer_kinds", _("type tilbud"))
    participation_mode = vocabulary_term("participation_modes", _("slik blir du med"))
    next_step = models.CharField(_("neste steg"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("antall plasser"), null=True, blank=True)
    has_waiting_list = models.BooleanField(_("venteliste"), default=False)
    accessibility_text = models.TextField(_("om tilgjengelighet"), blank=True)
    contact_role = models.CharField(
        _("kontaktperson (rolle)"),
        max_length=120,
        help_text=_("Oppgi rolle, for eksempel «Kafékoordinator». Navn bare med samtykke."),
    )
    contact_email = models.EmailField(_("kontakt-e-post"), blank=True)
    contact_phone = models.CharField(_("kontakttelefon"), max_length=30, blank=True)
    is_digital = models.BooleanField(_("digitalt tilbud"), default=False)
    is_national = models.BooleanField(_("landsdekkende"), default=False)
    season_text = models.CharField(_("sesong og unntak"), max_length=200, blank=True)
    start_date = models.DateField(_("startdato"), null=True, blank=True)
    end_date = models.DateField(_("sluttdato"), null=True, blank=True)
    prevention_models = ParentalManyToManyField(
        "directory.PreventionModelPage",
        related_name="offers",
        blank=True,
        verbose_name=_("forebyggingsmodeller tilbudet følger"),
    )
    notice = models.CharField(
        _("kortvarig melding"),
        max_length=200,
        blank=True,
        help_text=_("For eksempel «Ingen utdeling 24.–26. desember»."),
    )

    # --- State of the offer as a whole: never taken from a revision ---------------------------
    moderation_status = models.CharField(
        _("behandlingsstatus"),
        max_length=20,
        choices=ModerationStatus.choices,
        default=ModerationStatus.DRAFT,
    )
    rejection_reason = models.TextField(_("begrunnelse for avvisning"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        _("synlighet"), max_length=20, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    last_verified_at = models.DateTimeField(_("sist bekreftet"), null=True, blank=True)
    verified_by_role = models.CharField(_("bekreftet av (rolle)"), max_length=120, blank=True)
    confirmation_due_at = models.DateTimeField(_("neste bekreftelse"), null=True, blank=True)
    is_demo = models.BooleanField(_("eksempeldata"), default=False)
    source_id = models.CharField(
        _("kilde-ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stabil ID fra en import eller eksempeldata, slik at ny innlesing oppdaterer."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    # Fields of the offer as a whole (not of one revision of its content).
    STATE_FIELDS = (
        "moderation_status",
        "rejection_reason",
        "submitted_at",
        "visibility",
        "last_verified_at",
        "verified_by_role",
        "confirmation_due_at",
        "is_demo",
        "source_id",
        "created_at",
    )

    class Meta:
        verbose_name = _("frivillig tilbud")
        verbose_name_plural = _("frivillige tilbud")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["live", "visibility"], name="offer_public_idx"),
            models.Index(fields=["moderation_status", "submitted_at"], name="offer_moderation_idx"),
            models.Index(fields=["confirmation_due_at"], name="offer_confirmation_due_idx"),
            # Listings in title order (the HSDS API's pages) read the index, not a sort.
            models.Index(fields=["title", "id"], name="offer_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="offer_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.STATE_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    def clean(self):
        errors = {}
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _("Øvre aldersgrense kan ikke være lavere enn nedre.")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors["end_date"] = _("Sluttdatoen kan ikke være før startdatoen.")
        if errors:
            raise ValidationError(errors)


class OfferLocation(Orderable):
    """Where an offer takes place. A hidden address (crisis offers) shows only the kommune."""

    offer = ParentalKey(Offer, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("navn på stedet"), max_length=150, blank=True)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.PROTECT,
        related_name="offer_locations",
        verbose_name=_("kommune"),
    )
    latitude = models.FloatField(
        _("breddegrad"),
        null=True,
        blank=True,
        validators=[MinValueValidator(57.0), MaxValueValidator(81.5)],
    )
    longitude = models.FloatField(
        _("lengdegrad"),
        null=True,
        blank=True,
        validators=[MinValueValidator(4.0), MaxValueValidator(31.5)],
    )
    hidden_address = models.BooleanField(_("skjult adresse"), default=False)
    arena = vocabulary_term("arenas", _("arena"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("sted")
        verbose_name_plural = _("steder")

    def __str__(self) -> str:
        return self.name or self.address or str(self.municipality)


class OfferSchedule(Orderable):
    """A weekly opening: weekday and times (Europe/Oslo local time)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("mandag")
        TUESDAY = 1, _("tirsdag")
        WEDNESDAY = 2, _("onsdag")
        THURSDAY = 3, _("torsdag")
        FRIDAY = 4, _("fredag")
        SATURDAY = 5, _("lørdag")
        SUNDAY = 6, _("søndag")

    offer = ParentalKey(Offer, on_delete=models.CASCADE, related_name="schedules")
    weekday = models.PositiveSmallIntegerField(_("ukedag"), choices=Weekday.choices)
    opens = models.TimeField(_("fra"))
    closes = models.TimeField(_("til"))

    class Meta(Orderable.Meta):
        verbose_name = _("tidspunkt")
        verbose_name_plural = _("tidspunkter")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="offer_schedule_times_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
