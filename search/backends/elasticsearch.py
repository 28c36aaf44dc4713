from elasticsearch import Elasticsearch

from search.backends.base import SearchBackend


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, timeout: float = 2.0):
        self._client = Elasticsearch(url, request_timeout=timeout, retry_on_timeout=False)

    @property
    def client(self) -> Elasticsearch:
        return self._client

    def search_offers(self, query):
        # The Elasticsearch query (issue 6) is not written yet. Until it is, answer from the
        # PostgreSQL documents, which are always kept up to date, so ELASTICSEARCH_URL never
        # breaks offer search.
        from search.backends.postgresql import PostgresBackend

        return PostgresBackend().search_offers(query)

    def health(self) -> dict:
        try:
            cluster = self._client.cluster.health()
        except Exception as exc:
            # Never echo the URL: it may carry credentials.
            return {"status": "error", "backend": self.name, "detail": exc.__class__.__name__}
        status = "ok" if cluster.get("status") in ("green", "yellow") else "error"
        return {"status": status, "backend": self.name, "cluster_status": cluster.get("status")}
