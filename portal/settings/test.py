"""Tests: real PostgreSQL (DATABASE_URL or the embedded one), deterministic, fast; never SQLite."""

import base64
import hashlib
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
FORM_RATE_LIMITS = {}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Static files come from the finders; only production collects them into STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded agreement documents go to a throwaway folder, not the developer's var/.
PRIVATE_MEDIA_ROOT = str(Path(tempfile.gettempdir()) / "samarbeidsportalen-test-private")

# The accessibility tests inject axe-core as an inline script (Playwright's add_script_tag), which
# the policy rightly blocks. Allow exactly that script by its hash, in tests only; the text is
# what Playwright sends: the file, then a sourceURL comment naming its path.
AXE_JS = BASE_DIR / "var" / "test-assets" / "axe.min.js"  # noqa: F405
if AXE_JS.exists():
    _axe = AXE_JS.read_text("utf-8") + "\n//# sourceURL=" + str(AXE_JS)
    _axe_hash = base64.b64encode(hashlib.sha256(_axe.encode()).digest()).decode()
    CONTENT_SECURITY_POLICY = {  # noqa: F405
        **CONTENT_SECURITY_POLICY,  # noqa: F405
        "script-src": f"{CONTENT_SECURITY_POLICY['script-src']} 'sha256-{_axe_hash}'",  # noqa: F405
    }
