"""The Redis cache, made optional: when Redis cannot be reached the portal carries on as if the
cache were empty, instead of answering every request with a 500.

Everything the portal keeps in the cache can be recomputed (vocabulary labels, synonyms,
geocoding, search results, the Elasticsearch breaker) or is a rate-limit counter. While Redis is
down, reads miss, writes are dropped and `add` reports success, so allauth's and
django-ratelimit's limits let requests through (they fail open: signing in keeps working, and
the limits return with Redis). Each process stops trying for BREAKER_SECONDS after a failure,
so a dead server costs one refused connection per process now and then, not one per call.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 10.0


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Fail fast: redis-py's default is three retries with backoff up to seconds, on every
        # call. One quick retry covers a connection the server closed while idle.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        options.setdefault("socket_connect_timeout", 1.0)
        options.setdefault("socket_timeout", 2.0)
        super().__init__(servers, **options)


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that degrades to "always empty"."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _unavailable(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            first = not self._unavailable()
            self._down_until = time.monotonic() + BREAKER_SECONDS
        if first:
            # The class only: a redis URL may carry a password.
            logger.warning(
                "Cache unavailable (%s on %s); going on without it for %s s",
                exc.__class__.__name__,
                operation,
                BREAKER_SECONDS,
            )

    def _guard(self, operation: str, fallback, method, *args):
        from redis.exceptions import ConnectionError, TimeoutError

        if self._unavailable():
            return fallback
        try:
            return method(*args)
        except (ConnectionError, TimeoutError, OSError) as exc:
            self._failed(operation, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True while down: limits that "add" a first hit let the request through.
        return self._guard("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._guard("incr", None, super().incr, key, delta, version)
        if value is None:
            # Django's contract for a key that is not there; django-ratelimit expects it.
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", False, super().clear)
