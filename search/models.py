"""Search documents: one denormalised row per offer, rebuilt whenever the offer changes.

Facets are arrays of stable slugs/codes so a filter is an array overlap (GIN-indexed) and a
count is an unnest. Only the PostgreSQL backend reads this table; the Elasticsearch backend
indexes the same document shape.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


def _codes():
    return ArrayField(models.CharField(max_length=80), default=list, blank=True)


# The facet arrays of an offer document, in this order, as "facet:value" tags in one array
# (search migration 0008 defines the function).
FACET_TAG_COLUMNS = (
    "counties",
    "municipalities",
    "categories",
    "target_groups",
    "life_areas",
    "cost_levels",
    "languages",
    "participation_modes",
    "weekdays",
)


class FacetTags(models.Func):
    function = "search_offer_facet_tags"
    output_field = ArrayField(models.CharField(max_length=120))


class OfferDocument(models.Model):
    offer = models.OneToOneField(
        "directory.Offer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    is_public = models.BooleanField(default=False)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    organisation_name = models.CharField(max_length=200)
    search_vector = SearchVectorField(null=True)
    # Unaccented, lower-cased text: the source of the word list used for typo correction.
    search_text = models.TextField(blank=True)
    counties = _codes()
    municipalities = _codes()
    categories = _codes()
    target_groups = _codes()
    life_areas = _codes()
    languages = _codes()
    participation_modes = _codes()
    cost_levels = _codes()
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True)
    max_age = models.PositiveSmallIntegerField(null=True)
    # The first place, for sorting by distance with cheap scalar maths; the distance shown is
    # computed to the nearest of all places (latitudes/longitudes).
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    latitudes = ArrayField(models.FloatField(), default=list, blank=True)
    longitudes = ArrayField(models.FloatField(), default=list, blank=True)
    is_digital = models.BooleanField(default=False)
    is_national = models.BooleanField(default=False)
    last_verified_at = models.DateTimeField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)
    # Every facet value as "facet:value", kept by PostgreSQL itself: the facet counts unnest
    # one array per match instead of nine.
    facet_tags = models.GeneratedField(
        expression=FacetTags(*(models.F(column) for column in FACET_TAG_COLUMNS)),
        output_field=ArrayField(models.CharField(max_length=120)),
        db_persist=True,
    )

    class Meta:
        indexes = [
            GinIndex(fields=["search_vector"], name="offerdoc_vector_idx"),
            GinIndex(fields=["search_text"], name="offerdoc_trgm_idx", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["categories"], name="offerdoc_categories_idx"),
            GinIndex(fields=["municipalities"], name="offerdoc_municipalities_idx"),
            GinIndex(fields=["counties"], name="offerdoc_counties_idx"),
            GinIndex(fields=["target_groups"], name="offerdoc_target_groups_idx"),
            GinIndex(fields=["life_areas"], name="offerdoc_life_areas_idx"),
            models.Index(fields=["is_public"], name="offerdoc_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SearchWord(models.Model):
    """Every word that occurs in the public documents (unaccented, lower case), with a trigram
    index: a misspelt query word is corrected to its nearest words here instead of comparing it
    with every document."""

    word = models.CharField(max_length=80, primary_key=True)
    # The word as written in a record («språkkafé» for «sprakkafe»): what "did you mean" shows.
    display = models.CharField(max_length=80, blank=True, db_default="")

    class Meta:
        indexes = [
            GinIndex(fields=["word"], name="searchword_trgm_idx", opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.word


class SynonymGroup(models.Model):
    """Words and phrases a search should treat as the same («leksehjelp, skolehjelp»). Editors
    keep the list in the admin; the query is expanded when it is run, so an edit takes effect
    at once and no document needs reindexing."""

    terms = models.TextField(
        "ord og uttrykk",
        help_text=(
            "Skriv ordene som betyr det samme, skilt med komma, for eksempel «leksehjelp, "
            "skolehjelp». Et uttrykk kan ha flere ord, som «økonomisk rådgivning»."
        ),
    )
    note = models.CharField("merknad", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "synonymer"
        verbose_name_plural = "synonymer"
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        """The group's terms, lower-cased with single spaces, in the order written."""
        seen: list[str] = []
        for part in self.terms.split(","):
            term = " ".join(part.lower().split())
            if term and term not in seen:
                seen.append(term)
        return seen

    def clean(self):
        from django.core.exceptions import ValidationError

        if len(self.term_list()) < 2:
            raise ValidationError({"terms": "Skriv minst to ord eller uttrykk, skilt med komma."})
        self.terms = ", ".join(self.term_list())


class SearchDocument(models.Model):
    """One row per record of every kind in the unified search (search.documents.Document).

    Visibility is part of the row, so the permission filter is part of every query (hits, counts
    and suggestions alike): `is_public`, or one of the searcher's scope keys in `audience`.
    """

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=400, blank=True)
    # The plain text a highlighted snippet is cut from (summary, text and body).
    content = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    audience = _codes()
    facets = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    municipalities = _codes()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    search_vector = SearchVectorField(null=True)
    # Unaccented, lower-cased title: what autocomplete matches a prefix or trigram against.
    title_key = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdoc_kind_object")
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="searchdoc_vector_idx"),
            GinIndex(fields=["facets"], name="searchdoc_facets_idx"),
            GinIndex(fields=["audience"], name="searchdoc_audience_idx"),
            GinIndex(
                fields=["title_key"], name="searchdoc_title_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
            models.Index(fields=["kind", "is_public"], name="searchdoc_kind_public_idx"),
            # Autocomplete's «title starts with»: a range scan, whatever the database collation.
            models.Index(
                fields=["title_key"],
                name="searchdoc_title_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
