import os
import uuid

import pytest

# An agreement with its parties, for the document upload tests.
from tests.agreements.conftest import agreement_type, agreement_world, make_agreement  # noqa: F401


@pytest.fixture
def fresh_cache(settings):
    """The configured cache (Redis when REDIS_URL is set), under a key prefix of this test's own:
    the shared Redis keeps counters between runs, and clearing it would wipe other users' keys."""
    prefix = f"test-security-{uuid.uuid4().hex}"
    if os.environ.get("REDIS_URL"):
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    settings.CACHES = {"default": {**backend, "KEY_PREFIX": prefix, "TIMEOUT": 600}}
    return settings
