"""The search generation also moves when what a search page shows around its results changes:
the labels of terms, municipalities and counties, the Nav offices to measure distance from,
and the pages of the menu (search.page_cache keeps whole pages for anonymous visitors under
the generation). The site shell's own settings are portal's table; portal's migration 0005
adds the same trigger there. These tables change rarely, so their writes cost nothing that
matters."""

from django.db import migrations

TABLES = (
    "directory_term",
    "directory_vocabulary",
    "directory_municipality",
    "directory_county",
    "directory_navoffice",
    "wagtailcore_page",
    "wagtailcore_site",
    "wagtailcore_pageviewrestriction",
)

FORWARD = [
    f"CREATE TRIGGER {table}_search_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION search_generation_bump()"
    for table in TABLES
]
BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_search_generation ON {table}" for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_title_prefix_index"),
        ("directory", "0008_contact_settings"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
