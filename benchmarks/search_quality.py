"""Benchmark: search quality on the judged query set (tests/search/judgements.yaml).

Loads the demo content into the database named by DATABASE_URL when it is missing (creating and
migrating the database first), indexes every record (and, when ELASTICSEARCH_URL is set, loads
the same documents into fresh Elasticsearch indices), runs every judged query through the unified
search of the backend the site uses (anonymous, no filters, relevance order) and reports
recall@10 and nDCG@10 per query, their means overall and per record type, and the worst queries
with what came back. Markdown on stdout, progress on stderr.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_q \\
        .venv/bin/python -m benchmarks.search_quality
    # the Elasticsearch backend: add ELASTICSEARCH_URL=http://127.0.0.1:9200

Metrics: recall@10 = judged records in the first 10 hits / judged records. nDCG@10 uses the
grade as the gain (2 = exactly what was asked, 1 = relevant) with a log2 discount; the ideal DCG
is that of the judged list in grade order. The offers-only numbers cut each query's judged list
to offers.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import django_for  # noqa: E402

JUDGEMENTS = ROOT / "tests" / "search" / "judgements.yaml"
K = 10
# The search page shows this many hits per page; the first K of its first page are scored.
PAGE_SIZE = 20
TYPES = ("offer", "organisation", "grant_scheme", "prevention_model", "page")
TYPE_LABELS = {
    "offer": "Offers",
    "organisation": "Organisations",
    "grant_scheme": "Grant schemes",
    "prevention_model": "Prevention models",
    "page": "Content pages",
}


@dataclass
class Judged:
    id: str
    query: str
    relevant: dict[tuple[str, str], int]  # (type, key) -> grade
    note: str = ""

    @property
    def intents(self) -> set[str]:
        """The types of the records that are exactly what was asked (or of all, if none is)."""
        top = max(self.relevant.values())
        return {kind for (kind, _key), grade in self.relevant.items() if grade == top}


@dataclass
class Outcome:
    judged: Judged
    returned: list[tuple[str, str, str]] = field(default_factory=list)  # (type, key, title)
    total: int = 0
    seconds: float = 0.0


def judgements_load(path: Path = JUDGEMENTS) -> list[Judged]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Judged(
            id=q["id"],
            query=q["query"],
            note=q.get("note", ""),
            relevant={(r["type"], str(r["id"])): int(r.get("grade", 1)) for r in q["relevant"]},
        )
        for q in data["queries"]
    ]


def demo_content_ensure() -> dict[str, int]:
    """Load whatever demo content is missing (every loader skips what exists) and index offers."""
    from directory.models import Offer
    from directory.services.demo_content import demo_directory_load, demo_offers_load
    from directory.services.demo_grants import demo_grants_load
    from directory.services.demo_prevention import demo_prevention_models_load
    from directory.services.reference_data import reference_data_load
    from portal.services import site_shell_ensure
    from search.indexing import offers_reindex_all, site_reindex_all
    from search.synonyms import synonyms_ensure_defaults

    others = Offer.objects.filter(is_demo=False).count()
    if others:
        # The judgements describe the demo catalogue alone; other offers change every ranking.
        sys.exit(f"This database holds {others} offers that are not demo data: use a fresh one.")
    site_shell_ensure()
    reference_data_load()
    demo_directory_load()
    created = {
        "offers": demo_offers_load(),
        "grant schemes": demo_grants_load(),
        "prevention models": demo_prevention_models_load(),
        # The site's starting synonym list, as setup_portal gives every new site.
        "synonym groups": synonyms_ensure_defaults(),
    }
    created["offers indexed"] = offers_reindex_all()
    created["documents indexed"] = sum(site_reindex_all().values())
    from django.conf import settings

    if settings.ELASTICSEARCH_URL:
        # Measuring the Elasticsearch backend: load the same documents into fresh indices.
        from search.es_indexing import es_reindex

        created["elasticsearch documents"] = sum(r.count for r in es_reindex())
    return created


def searchable_types(backend) -> set[str]:
    """The record types this backend can search: all of them through the unified search."""
    return set(TYPES) if hasattr(backend, "search_site") else {"offer"}


def _keys(hits) -> dict[tuple[str, int], str]:
    """(kind, object id) -> the key the judgements use: source_id for offers, grant schemes and
    prevention models, the slug for organisations and content pages."""
    from directory.models import GrantSchemePage, Offer, Organisation, PreventionModelPage
    from portal.models import ContentPage

    by_kind: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        by_kind[hit.kind].append(hit.object_id)
    sources = {
        "offer": (Offer, "source_id"),
        "grant_scheme": (GrantSchemePage, "source_id"),
        "prevention_model": (PreventionModelPage, "source_id"),
        "organisation": (Organisation, "slug"),
        "page": (ContentPage, "slug"),
    }
    keys = {}
    for kind, ids in by_kind.items():
        if kind in sources:
            model, field_name = sources[kind]
            for pk, key in model.objects.filter(pk__in=ids).values_list("pk", field_name):
                keys[(kind, pk)] = key or f"pk:{pk}"
    return keys


def run_query(backend, text: str) -> tuple[list[tuple[str, str, str]], int]:
    """The first K hits for the text as (type, key, title), and the total, as the search page
    asks for them: anonymous, no filters, relevance order."""
    from search.backends.base import SiteQuery

    results = backend.search_site(SiteQuery(text=text, page=1, per_page=PAGE_SIZE))
    hits = results.hits[:K]
    keys = _keys(hits)
    return [
        (h.kind, keys.get((h.kind, h.object_id), f"pk:{h.object_id}"), h.title) for h in hits
    ], results.total


def recall(relevant: dict, returned: list) -> float | None:
    if not relevant:
        return None
    found = {(kind, key) for kind, key, _title in returned[:K]}
    return len(found & set(relevant)) / len(relevant)


def ndcg(relevant: dict, returned: list) -> float | None:
    if not relevant:
        return None
    dcg = sum(
        relevant.get((kind, key), 0) / math.log2(rank + 2)
        for rank, (kind, key, _title) in enumerate(returned[:K])
    )
    ideal = sorted(relevant.values(), reverse=True)[:K]
    return dcg / sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def report(outcomes: list[Outcome], searchable: set[str], backend_name: str, show: int) -> str:
    lines: list[str] = []
    out = lines.append

    def scores(o: Outcome, types=None) -> tuple[float | None, float | None]:
        rel = {k: g for k, g in o.judged.relevant.items() if types is None or k[0] in types}
        return recall(rel, o.returned), ndcg(rel, o.returned)

    n = len(outcomes)
    overall = [scores(o) for o in outcomes]
    offers_only = [scores(o, {"offer"}) for o in outcomes]
    in_reach = [o for o in outcomes if any(k[0] in searchable for k in o.judged.relevant)]
    out_of_reach = [o for o in outcomes if o not in in_reach]
    searchable_only = [scores(o, searchable) for o in in_reach]
    out(f"Backend `{backend_name}`; searchable today: {', '.join(sorted(searchable)) or 'none'}.")
    out("")
    out("| Measure | Queries | recall@10 | nDCG@10 |")
    out("| --- | --- | --- | --- |")
    out(
        f"| All judged queries, every type (unsearchable types count as misses) | {n} "
        f"| {_fmt(_mean(r for r, _ in overall))} | {_fmt(_mean(d for _, d in overall))} |"
    )
    out(
        f"| Offers only (each query's judged offers; queries without offers left out) "
        f"| {sum(1 for r, _ in offers_only if r is not None)} "
        f"| {_fmt(_mean(r for r, _ in offers_only))} | {_fmt(_mean(d for _, d in offers_only))} |"
    )
    if searchable != {"offer"}:
        out(
            f"| Searchable types only | {len(in_reach)} "
            f"| {_fmt(_mean(r for r, _ in searchable_only))} "
            f"| {_fmt(_mean(d for _, d in searchable_only))} |"
        )
    out(
        f"| Not searchable yet (no judged record of a searchable type) | {len(out_of_reach)} "
        f"| 0 by construction | 0 by construction |"
    )
    out("")
    out("Per record type: each query's judged list cut to that type, over the queries that judge")
    out("at least one record of it («intent»: how many of those ask for that type first).")
    out("")
    out(
        "| Type | Searchable now | Queries (intent) | recall@10 | nDCG@10 | Records found in top 10 |"
    )
    out("| --- | --- | --- | --- | --- | --- |")
    for kind in TYPES:
        group = [o for o in outcomes if any(k[0] == kind for k in o.judged.relevant)]
        pairs = [scores(o, {kind}) for o in group]
        judged = found = 0
        for o in group:
            top = {(t, key) for t, key, _title in o.returned[:K]}
            for key in o.judged.relevant:
                if key[0] == kind:
                    judged += 1
                    found += key in top
        intent = sum(1 for o in group if kind in o.judged.intents)
        out(
            f"| {TYPE_LABELS[kind]} | {'yes' if kind in searchable else 'not searchable yet'} "
            f"| {len(group)} ({intent}) | {_fmt(_mean(r for r, _ in pairs))} "
            f"| {_fmt(_mean(d for _, d in pairs))} | {found} of {judged} |"
        )
    out("")
    ranked = sorted(
        in_reach, key=lambda o: (scores(o, searchable)[1], scores(o, searchable)[0], o.judged.id)
    )
    out(f"Worst {min(show, len(ranked))} queries among those with searchable judged records")
    out("(scored on the searchable types only, so a missing grant or model does not count here):")
    out("")
    out("| Query | recall@10 | nDCG@10 | Hits | Wanted (grade) | Returned, top 5 |")
    out("| --- | --- | --- | --- | --- | --- |")
    for o in ranked[:show]:
        r, d = scores(o, searchable)
        wanted = ", ".join(
            f"{key} ({grade})"
            for (kind, key), grade in o.judged.relevant.items()
            if kind in searchable
        )
        returned = "; ".join(
            f"{'**' if (kind, key) in o.judged.relevant else ''}{key} {title}"
            f"{'**' if (kind, key) in o.judged.relevant else ''}"
            for kind, key, title in o.returned[:5]
        )
        out(
            f"| «{o.judged.query}» | {_fmt(r)} | {_fmt(d)} | {o.total} | {wanted} "
            f"| {returned or 'nothing'} |"
        )
    out("")
    out("Every query (full judged list; ✗ = judged record not in the top 10):")
    out("")
    out("| Id | Query | recall@10 | nDCG@10 | Missed |")
    out("| --- | --- | --- | --- | --- |")
    for o, (r, d) in zip(outcomes, overall, strict=True):
        top = {(kind, key) for kind, key, _title in o.returned[:K]}
        missed = ", ".join(
            f"✗ {key}" + ("" if kind in searchable else " (n/s)")
            for (kind, key) in o.judged.relevant
            if (kind, key) not in top
        )
        out(f"| {o.judged.id} | «{o.judged.query}» | {_fmt(r)} | {_fmt(d)} | {missed or '–'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--worst", type=int, default=10, help="how many worst queries to show")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is not set: name the database to measure in.")
    database = django_for()
    judged = judgements_load(args.judgements)

    t0 = time.perf_counter()
    created = demo_content_ensure()
    print(
        f"# {database}: demo content {created} in {time.perf_counter() - t0:.1f} s", file=sys.stderr
    )

    from search.backends import get_backend

    backend = get_backend()
    searchable = searchable_types(backend)
    outcomes = []
    for item in judged:
        t0 = time.perf_counter()
        returned, total = run_query(backend, item.query)
        outcomes.append(
            Outcome(judged=item, returned=returned, total=total, seconds=time.perf_counter() - t0)
        )
    intents: dict[str, int] = defaultdict(int)
    for item in judged:
        for kind in item.intents:
            intents[kind] += 1
    print(
        f"# {len(judged)} queries; by intended type {dict(intents)}; median query "
        f"{statistics.median(o.seconds for o in outcomes) * 1000:.1f} ms; machine "
        f"{platform.node()}, {os.cpu_count()} cores",
        file=sys.stderr,
    )
    print(report(outcomes, searchable, backend.name, args.worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
