"""Paging through a backend's results with Django's Paginator, shared by the offer search and
the unified search pages."""

from __future__ import annotations

from dataclasses import replace


class BackendPages:
    """The backend's results as a sequence Django's Paginator can page through: the count and
    each page come from one backend query, so the shared `paginate` helper validates ?side=.
    `search` is the backend method (search_offers or search_site); `query` has page/per_page."""

    def __init__(self, search, query):
        self._search = search
        self._query = query
        self.results = search(query)

    def count(self) -> int:
        return self.results.total

    def __getitem__(self, items: slice):
        page = items.start // self._query.per_page + 1
        if page != self.results.query.page:
            self.results = self._search(replace(self._query, page=page))
        return self.results.hits


# Far past any last page, and small enough that the backend's OFFSET fits in a bigint: the
# first query runs before paginate clamps the number to the last page.
MAX_PAGE = 100_000


def requested_page(request) -> int:
    """?side= as a page number; anything else is the first page (paginate clamps the rest)."""
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get("side", 1))))
    except (TypeError, ValueError):
        return 1
