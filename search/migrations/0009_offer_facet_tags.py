"""Every facet value of an offer document as one array of "facet:value" tags, a stored column
PostgreSQL computes itself from the nine facet arrays (so no writer, bulk or not, can let it
drift). Counting facets then unnests one array per matching document instead of nine.

The function is declared IMMUTABLE, as a generated column requires: it only concatenates its
arguments."""

import django.contrib.postgres.fields
from django.db import migrations, models

import search.models

COLUMNS = (
    ("counties", "varchar"),
    ("municipalities", "varchar"),
    ("categories", "varchar"),
    ("target_groups", "varchar"),
    ("life_areas", "varchar"),
    ("cost_levels", "varchar"),
    ("languages", "varchar"),
    ("participation_modes", "varchar"),
    ("weekdays", "smallint"),
)
# Built from the constant column list above; nothing here comes from outside.
FUNCTION = (
    "CREATE FUNCTION search_offer_facet_tags("  # noqa: S608
    + ", ".join(f"{name} {kind}[]" for name, kind in COLUMNS)
    + ") RETURNS varchar[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ("
    + " || ".join(
        f"ARRAY(SELECT '{name}:' || v::text FROM unnest({name}) AS v)"  # noqa: S608
        for name, _kind in COLUMNS
    )
    + ")::varchar[] $$"
)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_page_generation"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS search_offer_facet_tags"),
        migrations.AddField(
            model_name="offerdocument",
            name="facet_tags",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.models.FacetTags(
                    models.F("counties"),
                    models.F("municipalities"),
                    models.F("categories"),
                    models.F("target_groups"),
                    models.F("life_areas"),
                    models.F("cost_levels"),
                    models.F("languages"),
                    models.F("participation_modes"),
                    models.F("weekdays"),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.CharField(max_length=120), size=None
                ),
            ),
        ),
    ]
