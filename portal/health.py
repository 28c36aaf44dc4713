"""Health of the services the portal depends on, reported by /healthz without secrets."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def database_health() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" to the caller
        logger.warning("Database health check failed: %s", exc)
        return {"status": "error", "detail": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


def broker_health() -> dict:
    from portal.celery import app

    transport = "redis" if settings.REDIS_URL else "filesystem"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        logger.warning("Broker health check failed: %s", exc)
        return {"status": "error", "transport": transport, "detail": exc.__class__.__name__}
    return {"status": "ok", "transport": transport}


def cache_health() -> dict:
    """The cache answers? Redis being down is "degraded", never an outage: the portal runs
    without it (portal.resilient_cache), but an operator should know."""
    from django.core.cache import caches

    cache = caches["default"]
    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        return {"status": "ok", "backend": "local-memory"}
    try:
        cache._cache.get_client(write=True).ping()
    except Exception as exc:
        logger.warning("Cache health check failed: %s", exc.__class__.__name__)
        return {"status": "error", "backend": "redis", "detail": exc.__class__.__name__}
    return {"status": "ok", "backend": "redis"}


def search_health() -> dict:
    from search.backends import get_backend

    return get_backend().health()


def health_report() -> tuple[dict, bool]:
    """The full report, and whether the portal can serve requests (the database is up)."""
    checks = {
        "database": database_health(),
        "broker": broker_health(),
        "cache": cache_health(),
        "search": search_health(),
    }
    all_ok = all(check["status"] == "ok" for check in checks.values())
    status = "ok" if all_ok else "degraded"
    serving = checks["database"]["status"] == "ok"
    if not serving:
        status = "error"
    return {"status": status, "checks": checks}, serving


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether an error means the database could not be reached or dropped the connection
    (or cancelled the transaction): worth a 503 and a retry, not a bug report."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))
