"""Cached search results, keyed by the query and the search tables' generation.

Popular searches repeat («leksehjelp» from every office), and on PostgreSQL one search costs
tens of milliseconds of SQL. A result is a pure function of the query (which carries the
searcher's scopes) and the rows of the search tables, so it can be kept until those rows
change: PostgreSQL bumps a generation number on every write to them (search migration 0006),
and the number is part of the key. One small read per search, and no result outlives a change.

Only the PostgreSQL backend is cached: its documents are the tables the generation watches.
Elasticsearch has its own request cache, and its fallback answers carry a notice that must not
be kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def search_generation() -> str:
    """The search tables' current generation as seen by this transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT epoch, value FROM search_generation WHERE id = 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row else ""


def _plain(value):
    # Sets (the searcher's scopes) in a stable order: str hashes differ between processes.
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(type(value).__name__)


def cache_key(method: str, query, generation: str) -> str:
    described = json.dumps(
        [method, dataclasses.asdict(query)], sort_keys=True, default=_plain, ensure_ascii=False
    )
    digest = hashlib.sha256(described.encode()).hexdigest()[:40]
    return f"search:results:{generation}:{digest}"


def cached_search(backend, method: str, query):
    """backend.<method>(query), from the cache when the same query was answered since the
    search tables last changed."""
    search = getattr(backend, method)
    seconds = settings.SEARCH_RESULTS_CACHE_SECONDS
    if backend.name != "postgresql" or seconds <= 0:
        return search(query)
    generation = search_generation()
    if not generation:
        return search(query)
    key = cache_key(method, query, generation)
    try:
        results = cache.get(key)
    except Exception:  # a cache outage must not take search down with it
        logger.warning("Search result cache unavailable", exc_info=True)
        return search(query)
    if results is None:
        results = search(query)
        try:
            cache.set(key, results, seconds)
        except Exception:
            logger.warning("Search result cache unavailable", exc_info=True)
    return results


def searcher(method: str):
    """The configured backend's `method` ("search_offers" or "search_site"), cached."""
    from search.backends import get_backend

    backend = get_backend()
    return lambda query: cached_search(backend, method, query)
