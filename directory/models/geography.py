from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.validators import validate_municipality_code


class County(models.Model):
    """A fylke in the 2024 structure (15 counties)."""

    code = models.CharField(_("fylkesnummer"), max_length=2, unique=True)
    name = models.CharField(_("navn"), max_length=100)

    class Meta:
        verbose_name = _("fylke")
        verbose_name_plural = _("fylker")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A kommune. The code is a 4-character string: leading zeros matter (0301 Oslo)."""

    code = models.CharField(
        _("kommunenummer"), max_length=4, unique=True, validators=[validate_municipality_code]
    )
    name = models.CharField(_("navn"), max_length=100)
    alternative_names = models.CharField(
        _("alternative navn"),
        max_length=200,
        blank=True,
        help_text=_("Samiske og kvenske navn, skilt med skråstrek."),
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("fylke")
    )

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NavOffice(models.Model):
    """A Nav office; it serves one or more municipalities."""

    name = models.CharField(_("navn"), max_length=150)
    slug = models.SlugField(_("kortnavn"), max_length=150, unique=True)
    unit_number = models.CharField(
        _("enhetsnummer"), max_length=4, blank=True, help_text=_("Navs firesifrede enhetsnummer.")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="nav_offices", verbose_name=_("kommuner som betjenes")
    )
    management_form = models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__slug": "nav_office_management_forms"},
        verbose_name=_("ledelsesform"),
    )
    email = models.EmailField(
        _("kontaktadresse for samarbeidspartnere"),
        blank=True,
        help_text=_("En funksjonsadresse, ikke en personlig e-postadresse."),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    visiting_address = models.CharField(_("besøksadresse"), max_length=200, blank=True)
    # Where the office is, for «sorter etter avstand fra Nav-kontoret».
    latitude = models.FloatField(_("breddegrad"), null=True, blank=True)
    longitude = models.FloatField(_("lengdegrad"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demokontor"), default=False, help_text=_("Opprettet som eksempeldata.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Nav-kontor")
        verbose_name_plural = _("Nav-kontorer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
