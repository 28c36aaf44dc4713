"""The site shell's settings (header and footer) are on every search page that
search.page_cache keeps for anonymous visitors: a change must move the search generation, as
search migration 0008 does for the menu's pages and the reference data."""

from django.db import migrations

FORWARD = (
    "CREATE TRIGGER portal_siteshellsettings_search_generation"
    " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON portal_siteshellsettings"
    " FOR EACH STATEMENT EXECUTE FUNCTION search_generation_bump()"
)
BACKWARD = (
    "DROP TRIGGER IF EXISTS portal_siteshellsettings_search_generation ON portal_siteshellsettings"
)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_retention_schedule"),
        ("search", "0008_page_generation"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
