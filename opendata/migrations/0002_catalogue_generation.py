"""A generation number for what the HSDS listing's total counts (public offers of approved
organisations), bumped by PostgreSQL on every write to offers or organisations, so the total
can be cached until one of them changes (opendata.selectors.public_offer_count).

As search's generation (search migration 0006): from a sequence, so a number is never handed
out twice, even after a rollback, in a transactional row, so readers see a new number exactly
when they can see the new rows; the epoch tells databases apart in a shared cache."""

from django.db import migrations

TABLES = ("directory_offer", "directory_organisation")

FORWARD = [
    "CREATE SEQUENCE opendata_catalogue_generation_seq",
    "CREATE TABLE opendata_catalogue_generation ("
    " id smallint PRIMARY KEY CHECK (id = 1),"
    " value bigint NOT NULL,"
    " epoch uuid NOT NULL DEFAULT gen_random_uuid())",
    "INSERT INTO opendata_catalogue_generation (id, value)"
    " VALUES (1, nextval('opendata_catalogue_generation_seq'))",
    "CREATE FUNCTION opendata_catalogue_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN UPDATE opendata_catalogue_generation"
    " SET value = nextval('opendata_catalogue_generation_seq') WHERE id = 1;"
    " RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_catalogue_generation"
        " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION opendata_catalogue_generation_bump()"
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_catalogue_generation ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS opendata_catalogue_generation_bump()",
    "DROP TABLE IF EXISTS opendata_catalogue_generation",
    "DROP SEQUENCE IF EXISTS opendata_catalogue_generation_seq",
]


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0001_initial"),
        ("directory", "0007_offer_title_index"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
