"""Tests: real PostgreSQL (DATABASE_URL or the embedded one), deterministic, fast; never SQLite."""

import os
import tempfile
from pathlib import Path

if not os.environ.get("DATABASE_URL"):
    from portal import embedded_postgres

    os.environ["DATABASE_URL"] = embedded_postgres.start()

from portal.settings.base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_URL = "http://testserver"
MESSAGE_ID_DOMAIN = "testserver"
# Rate limits are exercised by their own tests; the rest of the suite logs in many times.
ACCOUNT_RATE_LIMITS = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Static files come from the finders; only production collects them into STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded agreement documents go to a throwaway folder, not the developer's var/.
PRIVATE_MEDIA_ROOT = str(Path(tempfile.gettempdir()) / "samarbeidsportalen-test-private")
