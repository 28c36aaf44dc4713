from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField


class Vocabulary(models.Model):
    """A controlled vocabulary (target groups, life areas, ...). Its slug is a stable API key."""

    slug = models.SlugField(_("nøkkel"), max_length=64, unique=True)
    name = models.CharField(_("navn"), max_length=120)
    description = models.TextField(_("beskrivelse"), blank=True)

    class Meta:
        verbose_name = _("vokabular")
        verbose_name_plural = _("vokabularer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TermQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_vocabulary(self, slug: str):
        return self.filter(vocabulary__slug=slug)

    def choosable(self, slug: str):
        """What a form offers from one vocabulary: active terms, in the editors' order."""
        return self.active().in_vocabulary(slug).order_by("sort_order", "label_nb")


class Term(models.Model):
    """One entry of a vocabulary. Slugs are never reused for another meaning, so they cannot be
    edited once created; a term that is no longer wanted is deactivated, not deleted."""

    vocabulary = models.ForeignKey(
        Vocabulary, on_delete=models.PROTECT, related_name="terms", verbose_name=_("vokabular")
    )
    slug = models.SlugField(_("nøkkel"), max_length=80)
    label_nb = models.CharField(_("navn (bokmål)"), max_length=200)
    label_en = models.CharField(_("navn (engelsk)"), max_length=200, blank=True)
    description_nb = models.TextField(_("hjelpetekst (bokmål)"), blank=True)
    sort_order = models.PositiveIntegerField(_("rekkefølge"), default=0)
    is_active = models.BooleanField(_("i bruk"), default=True)
    # Vocabulary-specific structure, e.g. an evidence registry's own rating scale.
    extra = models.JSONField(_("tilleggsdata"), default=dict, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("termer")
        ordering = ["vocabulary__slug", "sort_order", "label_nb"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "slug"], name="term_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.label_nb


def vocabulary_terms(vocabulary: str, label, *, blank: bool = True):
    """Many terms from one vocabulary, as a field that Wagtail revisions and clusters keep
    (offers, grant schemes, prevention models)."""
    return ParentalManyToManyField(
        "directory.Term",
        related_name="+",
        blank=blank,
        limit_choices_to={"vocabulary__slug": vocabulary},
        verbose_name=label,
    )


def vocabulary_term(vocabulary: str, label, **kwargs):
    """One term from one vocabulary."""
    return models.ForeignKey(
        "directory.Term",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"vocabulary__slug": vocabulary},
        verbose_name=label,
        **kwargs,
    )
