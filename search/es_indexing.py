"""Writing the unified-search documents to Elasticsearch: incremental updates of a few records
(`es_documents_index`, run by the Celery task `search.tasks.es_index_task`), the zero-downtime
full rebuild behind the aliases (`es_reindex`), and the editors' synonyms (`es_synonyms_sync`).

Documents are built by search.documents, the same builder the PostgreSQL documents come from,
so both backends see the same records, visibility and facet values. The offer index also holds
the offer-search fields (languages, weekdays, ages ...), read from the PostgreSQL
`OfferDocument` rows: the indexing task rebuilds those rows before it enqueues Elasticsearch, so
they are current, and reading them keeps both backends' offer facets identical by construction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError, helpers

from search.backends.base import KINDS
from search.es_schema import (
    alias_name,
    index_for,
    synonym_rules,
    synonyms_set_name,
    versioned_name,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Workers' clocks may differ a little from the one running the reindex: changes written this
# long before it started are indexed again after the alias moves.
CATCH_UP_MARGIN = timedelta(minutes=2)


class EsIndexingError(RuntimeError):
    """Elasticsearch refused some documents (mapping errors and the like)."""


def es_client(*, url: str | None = None, timeout: float = 30.0) -> Elasticsearch:
    """A client for indexing: longer timeout than searches, a few retries."""
    return Elasticsearch(
        url or settings.ELASTICSEARCH_URL,
        request_timeout=timeout,
        max_retries=2,
        retry_on_timeout=True,
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def document_body(doc, offer_row=None) -> dict:
    """The Elasticsearch source of one `search.documents.Document` (and, for an offer, its
    `OfferDocument` row)."""
    body = {
        "kind": doc.kind,
        "object_id": doc.object_id,
        "url": doc.url,
        "title": doc.title,
        "summary": doc.summary,
        "keywords": doc.keywords,
        "text": doc.text,
        "body": doc.body,
        "is_public": doc.is_public,
        "audience": list(doc.audience),
        "facets": doc.facet_tokens(),
        "municipalities": list(doc.municipalities),
        "location": [{"lat": lat, "lon": lon} for lat, lon in doc.points],
        "updated_at": _iso(doc.updated_at),
    }
    if offer_row is not None:
        body.update(
            {
                "counties": list(offer_row.counties),
                "municipalities": list(offer_row.municipalities),
                "categories": list(offer_row.categories),
                "target_groups": list(offer_row.target_groups),
                "life_areas": list(offer_row.life_areas),
                "cost_levels": list(offer_row.cost_levels),
                "languages": list(offer_row.languages),
                "participation_modes": list(offer_row.participation_modes),
                "weekdays": list(offer_row.weekdays),
                "min_age": offer_row.min_age,
                "max_age": offer_row.max_age,
                "last_verified_at": _iso(offer_row.last_verified_at),
                "organisation_name": offer_row.organisation_name,
            }
        )
    return body


def _bodies(kind: str, ids) -> tuple[dict[int, dict], set[int]]:
    """Sources of the records that have a document, and the ids that have none (gone)."""
    from search.documents import documents_build
    from search.models import OfferDocument

    ids = {int(i) for i in ids}
    docs = documents_build(kind, ids)
    rows = {}
    if kind == "offer":
        rows = {row.offer_id: row for row in OfferDocument.objects.filter(pk__in=ids)}
    bodies = {d.object_id: document_body(d, rows.get(d.object_id)) for d in docs}
    return bodies, ids - set(bodies)


def _bulk(client: Elasticsearch, actions: list[dict], **kwargs) -> int:
    """Send the actions; a delete of a document that is not there is fine, any other refusal
    raises (connection errors raise from the client itself)."""
    if not actions:
        return 0
    ok, errors = helpers.bulk(client, actions, raise_on_error=False, **kwargs)
    failed = []
    for error in errors:
        op, info = next(iter(error.items()))
        if op == "delete" and info.get("status") == 404:
            continue
        failed.append({"op": op, "id": info.get("_id"), "status": info.get("status")})
    if failed:
        raise EsIndexingError(f"{len(failed)} document(s) refused: {failed[:5]}")
    return ok


def es_documents_index(kind: str, ids, *, client: Elasticsearch | None = None) -> int:
    """Write the current documents of these records of one kind to its alias and delete those
    of records that are gone. Idempotent (the document id is the record id); raises when
    Elasticsearch cannot be reached so the task is retried. Returns documents written."""
    client = client or es_client()
    alias = alias_name(kind)
    # Writing to a missing alias would auto-create an index with guessed mappings under the
    # alias's name and block the first real reindex; until `search_reindex` has built the
    # indices there is nothing to keep in step.
    if not client.indices.exists_alias(name=alias):
        logger.warning("Elasticsearch alias %s is missing; run manage.py search_reindex", alias)
        return 0
    bodies, gone = _bodies(kind, ids)
    actions = [
        {"_op_type": "index", "_index": alias, "_id": str(pk), "_source": body}
        for pk, body in sorted(bodies.items())
    ]
    actions += [{"_op_type": "delete", "_index": alias, "_id": str(pk)} for pk in sorted(gone)]
    _bulk(client, actions, require_alias=True)
    return len(bodies)


@dataclass
class ReindexResult:
    kind: str
    alias: str
    index: str
    count: int
    removed: list[str] = field(default_factory=list)  # indices the alias pointed to before
    caught_up: int = 0  # records changed while the new index was loading, written again


def es_synonyms_sync(*, client: Elasticsearch | None = None) -> int:
    """Write the editors' synonym list to the Elasticsearch synonyms set; every search analyzer
    using it is reloaded by Elasticsearch, so the change applies to the next search."""
    from search.models import SynonymGroup

    client = client or es_client()
    rules = synonym_rules([group.term_list() for group in SynonymGroup.objects.all()])
    client.synonyms.put_synonym(id=synonyms_set_name(), synonyms_set=rules)
    return len(rules)


def _aliased_indices(client: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).body)
    except NotFoundError:
        return []


def es_reindex(
    kinds=None, client: Elasticsearch | None = None, *, now=None, batch_size: int = BATCH_SIZE
) -> list[ReindexResult]:
    """Rebuild each kind into a new versioned index, then move its alias there in one atomic
    `update_aliases` call and delete the indices it pointed to before. Searches keep using the
    old index until the move; records changed during the load are written again after it."""
    from search.documents import all_ids

    client = client or es_client()
    now = now or timezone.now()
    # The synonyms set must exist before an index that refers to it is created.
    es_synonyms_sync(client=client)
    results = []
    for kind in kinds or KINDS:
        alias, name = alias_name(kind), versioned_name(kind, now)
        started = timezone.now()
        ids = all_ids(kind)
        body = index_for(kind, name).to_dict()
        client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        try:
            count = 0
            for start in range(0, len(ids), batch_size):
                bodies, _gone = _bodies(kind, ids[start : start + batch_size])
                count += _bulk(
                    client,
                    [
                        {"_op_type": "index", "_index": name, "_id": str(pk), "_source": body}
                        for pk, body in sorted(bodies.items())
                    ],
                )
            client.indices.put_settings(index=name, settings={"index": {"refresh_interval": None}})
            client.indices.refresh(index=name)
            old = _aliased_indices(client, alias)
            actions = [{"remove": {"index": index, "alias": alias}} for index in old]
            actions.append({"add": {"index": name, "alias": alias}})
            client.indices.update_aliases(actions=actions)
        except Exception:
            # Leave the alias where it was and no half-built index behind.
            client.options(ignore_status=404).indices.delete(index=name)
            raise
        caught_up = _catch_up(client, kind, ids, started - CATCH_UP_MARGIN)
        for index in old:
            client.options(ignore_status=404).indices.delete(index=index)
        results.append(
            ReindexResult(
                kind=kind, alias=alias, index=name, count=count, removed=old, caught_up=caught_up
            )
        )
    return results


def _catch_up(client: Elasticsearch, kind: str, loaded_ids, since) -> int:
    """Records changed while the new index was loading: their incremental writes went to the
    old index (through the alias), and a batch built before the change may have overwritten a
    newer copy. The PostgreSQL rows of changed records carry `indexed_at`, since the indexing
    task rebuilds them before it enqueues Elasticsearch; records deleted meanwhile are those
    loaded that no longer exist. Both are written again, now into the new index."""
    from search.documents import all_ids
    from search.models import SearchDocument

    changed = set(
        SearchDocument.objects.filter(kind=kind, indexed_at__gte=since).values_list(
            "object_id", flat=True
        )
    )
    changed |= set(loaded_ids) - set(all_ids(kind))
    if not changed:
        return 0
    es_documents_index(kind, changed, client=client)
    client.indices.refresh(index=alias_name(kind))
    return len(changed)
