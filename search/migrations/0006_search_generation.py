"""A generation number for the search tables, bumped by PostgreSQL itself on every write, so
cached search results can be keyed by it (search.result_cache).

Triggers rather than calls in our indexing code: bulk rebuilds, raw SQL and Django's flush
(TRUNCATE) all change what a search returns, and every one of them passes through here. The
value comes from a sequence, which never hands out a number twice, even when the writing
transaction rolls back; the row itself is transactional, so a reader sees a new number exactly
when it can see the new rows. The epoch tells two databases (or one re-created) apart in a
shared cache."""

from django.db import migrations

TABLES = (
    "search_offerdocument",
    "search_searchdocument",
    "search_searchword",
    "search_synonymgroup",
)

FORWARD = [
    "CREATE SEQUENCE search_generation_seq",
    "CREATE TABLE search_generation ("
    " id smallint PRIMARY KEY CHECK (id = 1),"
    " value bigint NOT NULL,"
    " epoch uuid NOT NULL DEFAULT gen_random_uuid())",
    "INSERT INTO search_generation (id, value) VALUES (1, nextval('search_generation_seq'))",
    "CREATE FUNCTION search_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN UPDATE search_generation SET value = nextval('search_generation_seq') WHERE id = 1;"
    " RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION search_generation_bump()"
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_generation ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS search_generation_bump()",
    "DROP TABLE IF EXISTS search_generation",
    "DROP SEQUENCE IF EXISTS search_generation_seq",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_search_word_display"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
