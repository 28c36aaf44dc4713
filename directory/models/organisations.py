from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.validators import validate_organisation_number


class Organisation(models.Model):
    """A voluntary organisation, social entrepreneur or user-run organisation."""

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
    is_demo = models.BooleanField(
        _("eksempeldata"), default=False, help_text=_("Vises med merket «Eksempel» på nettstedet.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
