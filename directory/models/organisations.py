from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.validators import validate_organisation_number


class OrganisationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Organisation.Status.APPROVED)


class Organisation(models.Model):
    """A voluntary organisation, social entrepreneur or user-run organisation.

    Registered by its representatives; Nav staff approve it before its offers can go public.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter på godkjenning")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avvist")

    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kortnavn"), max_length=200, unique=True)
    organisation_number = models.CharField(
        _("organisasjonsnummer"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_organisation_number],
        help_text=_("9 sifre. Lokallag uten eget nummer registreres under moderorganisasjonen."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("moderorganisasjon"),
    )
    organisation_type = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "organisation_types"},
        verbose_name=_("organisasjonstype"),
    )
    in_frivillighetsregisteret = models.BooleanField(
        _("registrert i Frivillighetsregisteret"), default=False
    )
    website = models.URLField(_("nettside"), blank=True)
    email = models.EmailField(_("kontakt-e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    municipalities = models.ManyToManyField(
        "directory.Municipality",
        blank=True,
        related_name="organisations",
        verbose_name=_("kommuner organisasjonen er aktiv i"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.TextField(_("begrunnelse for avvisning"), blank=True)
    prevention_models = models.ManyToManyField(
        "directory.PreventionModelPage",
        related_name="organisations",
        blank=True,
        verbose_name=_("forebyggingsmodeller organisasjonen bruker"),
    )
    is_demo = models.BooleanField(
        _("eksempeldata"), default=False, help_text=_("Vises med merket «Eksempel» på nettstedet.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The name as stored, so a save can tell whether its offers' documents (which carry
        # the name) need rebuilding; absent when the name was not loaded.
        if "name" in field_names:
            instance.saved_name = instance.name
        return instance

    @property
    def name_changed(self) -> bool:
        """Whether the name may differ from the stored one (True when it cannot be known)."""
        return getattr(self, "saved_name", None) != self.name


class OrganisationClaim(models.Model):
    """A signed-in user asks to represent an existing organisation. Nav staff or the
    organisation's owners decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Venter")
        APPROVED = "approved", _("Godkjent")
        REJECTED = "rejected", _("Avslått")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_claims"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    message = models.TextField(
        _("melding"),
        max_length=1000,
        blank=True,
        help_text=_("Fortell kort hvilken rolle du har i organisasjonen."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("begrunnelse"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forespørsel om tilgang til organisasjon")
        verbose_name_plural = _("forespørsler om tilgang til organisasjoner")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="organisation_claim_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"
