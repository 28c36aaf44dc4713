"""What every benchmark does first: pick its database, create it if missing, set up Django with
the benchmark settings and migrate. Benchmarks run against their own database, never the site's."""

from __future__ import annotations

import os


def django_for(database: str | None = None) -> str:
    """Use `database` on the server in DATABASE_URL (or DATABASE_URL's own database when None);
    returns the database's name."""
    from portal.embedded_postgres import database_ensure

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    base, current = url.rsplit("/", 1)
    name = database or current.split("?", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    database_ensure(os.environ["DATABASE_URL"])
    # The test settings, plus the stock-Wagtail baseline's proxy models (benchmarks.baseline).
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return name
