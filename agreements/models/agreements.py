"""Cooperation agreements (samarbeidsavtaler), their parties, documents and change history.

Agreements are internal: only the parties (and municipality staff of the municipality they
concern) see them; `agreements.permissions` holds the rule and `Agreement.objects.visible_to`
applies it inside queries.

The stored status is the lifecycle people decide (draft, active, ended, expired). Whether an
evaluation is due or the agreement is about to end follows from dates and is computed when read
(`health`), so it can never be stale.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def private_storage():
    """Signed documents never get a public URL: they are streamed by a view that checks access."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        from agreements.permissions import agreements_visible_filter

        return self.filter(agreements_visible_filter(user))

    def active(self):
        return self.filter(status=Agreement.Status.ACTIVE)


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        ACTIVE = "active", _("Aktiv")
        ENDED = "ended", _("Avsluttet")
        EXPIRED = "expired", _("Utløpt")

    class Renewal(models.TextChoices):
        TACIT = "tacit", _("Fornyes stilltiende")
        EXPLICIT = "explicit", _("Fornyes uttrykkelig")

    title = models.CharField(_("tittel"), max_length=200)
    purpose = models.TextField(
        _("formål"),
        help_text=_("Ett avsnitt. Ikke skriv opplysninger om enkeltbrukere."),
    )
    agreement_type = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "agreement_types"},
        verbose_name=_("avtaletype"),
    )
    cooperation_forms = models.ManyToManyField(
        "directory.Term",
        related_name="+",
        blank=True,
        limit_choices_to={"vocabulary__slug": "cooperation_forms"},
        verbose_name=_("samarbeidsformer"),
    )
    target_groups = models.ManyToManyField(
        "directory.Term",
        related_name="+",
        blank=True,
        limit_choices_to={"vocabulary__slug": "target_groups"},
        verbose_name=_("målgrupper"),
    )
    legal_basis = models.CharField(
        _("hjemmel"), max_length=200, blank=True, help_text=_("For eksempel «sotjl. § 14».")
    )
    meetings = models.CharField(
        _("møtepunkter"),
        max_length=300,
        blank=True,
        help_text=_("Hvor ofte dere møtes, og hvor. For eksempel «Kvartalsvis kontaktmøte»."),
    )
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(
        _("sluttdato"),
        null=True,
        blank=True,
        help_text=_("Tom for avtaler som løper til de sies opp."),
    )
    renewal = models.CharField(
        _("fornyelse"), max_length=20, choices=Renewal.choices, default=Renewal.TACIT
    )
    notice_months = models.PositiveSmallIntegerField(
        _("oppsigelsestid (måneder)"), null=True, blank=True
    )
    evaluation_interval_months = models.PositiveSmallIntegerField(
        _("evaluering hver (måneder)"), default=12
    )
    next_evaluation_due = models.DateField(_("neste evaluering"), null=True, blank=True)
    last_evaluated_on = models.DateField(_("sist evaluert"), null=True, blank=True)
    last_decision = models.CharField(_("siste beslutning"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    dormant = models.BooleanField(
        _("ikke i bruk"),
        default=False,
        help_text=_("Avtalen er signert, men samarbeidet er i praksis ikke i gang."),
    )
    offers = models.ManyToManyField(
        "directory.Offer",
        related_name="agreements",
        blank=True,
        verbose_name=_("tilbud avtalen omfatter"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("eksempeldata"), default=False)
    source_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # So that reminders go with the agreement if it is ever deleted.
    reminders = GenericRelation("directory.Reminder")

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("samarbeidsavtale")
        verbose_name_plural = _("samarbeidsavtaler")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "next_evaluation_due"], name="agreement_due_idx"),
            models.Index(fields=["status", "end_date"], name="agreement_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="agreement_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def health(self, today: date, *, ending_days: int = 60) -> str:
        """What the dashboard shows: a status that follows from today's date."""
        if self.status != self.Status.ACTIVE:
            return self.status
        if self.next_evaluation_due and self.next_evaluation_due <= today:
            return "evaluation_due"
        if self.end_date and self.end_date <= today + timedelta(days=ending_days):
            return "expiring"
        return "ok"


HEALTH_LABELS = {
    "draft": _("Utkast"),
    "active": _("Aktiv"),
    "ok": _("Aktiv"),
    "evaluation_due": _("Evaluering forfalt"),
    "expiring": _("Utløper snart"),
    "ended": _("Avsluttet"),
    "expired": _("Utløpt"),
}


class AgreementParty(models.Model):
    """One party to an agreement: a Nav office, a municipality, an organisation or another public
    service. Exactly one of the four references is set, matching `kind`."""

    class Kind(models.TextChoices):
        NAV_OFFICE = "nav_office", _("Nav-kontor")
        MUNICIPALITY = "municipality", _("Kommune")
        ORGANISATION = "organisation", _("Organisasjon")
        PUBLIC_SERVICE = "public_service", _("Offentlig tjeneste")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("type part"), max_length=20, choices=Kind.choices)
    nav_office = models.ForeignKey(
        "directory.NavOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_parties",
        verbose_name=_("Nav-kontor"),
    )
    municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_parties",
        verbose_name=_("kommune"),
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_parties",
        verbose_name=_("organisasjon"),
    )
    public_service = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "public_services"},
        verbose_name=_("offentlig tjeneste"),
    )
    public_service_municipality = models.ForeignKey(
        "directory.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tjenestens kommune"),
    )
    responsibilities = models.TextField(_("ansvar"), blank=True)
    contact_role = models.CharField(
        _("kontaktperson (rolle)"),
        max_length=120,
        help_text=_("Rolle eller funksjon, for eksempel «Veileder sosiale tjenester»."),
    )
    contact_email = models.EmailField(
        _("kontakt-e-post"), blank=True, help_text=_("Helst en funksjonsadresse.")
    )
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_contacts",
        verbose_name=_("kontaktperson i portalen"),
    )
    signatory_role = models.CharField(_("signert av (rolle)"), max_length=120, blank=True)
    signed_on = models.DateField(_("signert dato"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="nav_office",
                        nav_office__isnull=False,
                        municipality__isnull=True,
                        organisation__isnull=True,
                        public_service__isnull=True,
                    )
                    | models.Q(
                        kind="municipality",
                        nav_office__isnull=True,
                        municipality__isnull=False,
                        organisation__isnull=True,
                        public_service__isnull=True,
                    )
                    | models.Q(
                        kind="organisation",
                        nav_office__isnull=True,
                        municipality__isnull=True,
                        organisation__isnull=False,
                        public_service__isnull=True,
                    )
                    | models.Q(
                        kind="public_service",
                        nav_office__isnull=True,
                        municipality__isnull=True,
                        organisation__isnull=True,
                        public_service__isnull=False,
                    )
                ),
                name="agreement_party_one_reference",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def name(self) -> str:
        if self.kind == self.Kind.NAV_OFFICE:
            return self.nav_office.name
        if self.kind == self.Kind.MUNICIPALITY:
            return f"{self.municipality.name} kommune"
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation.name
        place = self.public_service_municipality
        return (
            f"{self.public_service.label_nb} ({place.name})" if place else str(self.public_service)
        )

    @property
    def answers_for_nav(self) -> bool:
        """Nav offices answer the Nav half of an evaluation and record the decision."""
        return self.kind == self.Kind.NAV_OFFICE


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("tittel"), max_length=200)
    file = models.FileField(_("fil"), storage=private_storage, upload_to="agreements/%Y/")
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokumenter")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class AgreementVersion(models.Model):
    """One change to an agreement: who, when, and each field's old and new value as shown."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(_("hendelse"), max_length=200)
    # [{"field": "end_date", "label": "sluttdato", "old": "…", "new": "…"}, …]
    changes = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("versjon")
        verbose_name_plural = _("versjoner")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.summary}"
