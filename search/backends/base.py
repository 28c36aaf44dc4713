"""The interface every search backend implements.

Callers (views, the API, health checks) only see this interface, so the PostgreSQL and
Elasticsearch implementations can be swapped by configuration and tested by one contract suite.
"""

from __future__ import annotations

import abc


class SearchBackend(abc.ABC):
    #: Short name shown in /healthz and in the admin.
    name: str

    @abc.abstractmethod
    def health(self) -> dict:
        """Whether the backend can answer queries now: {"status": "ok"|"error", "backend": ...}."""
