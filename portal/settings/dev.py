"""Local development: `make run`. Starts the embedded PostgreSQL when DATABASE_URL is unset."""

import os

if not os.environ.get("DATABASE_URL"):
    # Only the launcher normally reaches this; it exports the URL for its child processes.
    from portal import embedded_postgres

    os.environ["DATABASE_URL"] = embedded_postgres.start()

from portal.settings.base import *  # noqa: E402, F403
from portal.settings.base import env  # noqa: E402

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-" + "x" * 40  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Static files come from the finders; only production collects them into STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
