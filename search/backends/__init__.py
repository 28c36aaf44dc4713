"""The search backend in use: PostgreSQL by default, Elasticsearch when ELASTICSEARCH_URL is set."""

from functools import cache

from django.conf import settings

from search.backends.base import SearchBackend


@cache
def get_backend() -> SearchBackend:
    if settings.ELASTICSEARCH_URL:
        from search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(url=settings.ELASTICSEARCH_URL)
    from search.backends.postgresql import PostgresBackend

    return PostgresBackend()


__all__ = ["SearchBackend", "get_backend"]
