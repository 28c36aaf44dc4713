"""Whole search pages for anonymous visitors, kept until anything they show changes.

Most searches come from people who are not signed in, and the same few queries make most of
the traffic. For them a search page is a pure function of its URL and of the database rows it
shows: the search tables, and the reference data, pages and settings that draw its filters,
menu and footer. PostgreSQL bumps the search generation on every write to any of those tables
(search migrations 0006 and 0008), and the generation is part of the key, so a cached page never
outlives a change, in any process, whoever made it.

Signed-in people see pages of their own (the menu, what they may search), and so does anyone
with a session or pending messages: they always get a fresh page. The result cache
(search.result_cache) still spares them the SQL.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from search.result_cache import search_generation

logger = logging.getLogger(__name__)

# Request headers that change what a search view renders (htmx asks for the results only).
VARY_ON = ("HX-Request", "HX-History-Restore-Request")
KEPT_HEADERS = ("Content-Type", "Content-Language")


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    cookies = request.COOKIES
    # A session may carry messages to show, or a half-finished login; so may the cookie store.
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request, generation: str) -> str:
    described = "\n".join(
        [
            request.path,
            "&".join(sorted(f"{k}={v}" for k in request.GET for v in request.GET.getlist(k))),
            *(request.headers.get(name, "") for name in VARY_ON),
        ]
    )
    digest = hashlib.sha256(described.encode()).hexdigest()[:40]
    return f"search:page:{generation}:{digest}"


def anonymous_page_cache(view):
    """Serve anonymous GETs of a search view from the cache until the search generation moves."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.SEARCH_RESULTS_CACHE_SECONDS
        if seconds <= 0 or not _cacheable(request):
            return view(request, *args, **kwargs)
        generation = search_generation()
        if not generation:
            return view(request, *args, **kwargs)
        key = _key(request, generation)
        try:
            stored = cache.get(key)
        except Exception:  # a cache outage must not take search down with it
            logger.warning("Search page cache unavailable", exc_info=True)
            stored = None
        if stored is not None:
            response = HttpResponse(zlib.decompress(stored["content"]))
            for name, value in stored["headers"].items():
                response[name] = value
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                headers = {n: response[n] for n in KEPT_HEADERS if response.has_header(n)}
                # Compressed: a results page of facet checkboxes is 100-200 KB of repeats
                # and shrinks tenfold at the fastest level (about a millisecond).
                content = zlib.compress(response.content, 1)
                try:
                    cache.set(key, {"content": content, "headers": headers}, seconds)
                except Exception:
                    logger.warning("Search page cache unavailable", exc_info=True)
        # The same URL answers htmx with a fragment and a browser with the page.
        patch_vary_headers(response, VARY_ON)
        return response

    return wrapped
