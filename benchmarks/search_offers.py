"""Benchmark: faceted offer search on PostgreSQL at national scale.

Generates (deterministically, seed 2026) N organisations and M published offers spread over all
357 municipalities in a separate database, then times a fixed query mix through the same
search backend the site uses: text + filters + all facet counts (+ distance sort for some).
Reports p50/p95/p99 and throughput as Markdown on stdout (and into docs/benchmarks.md with
--write).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/search_offers.py --offers 100000 --organisations 20000

The database named by --database (default samarbeidsportalen_bench) is created if missing and
reused on later runs when it already holds the requested data.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import django_for  # noqa: E402

QUERY_MIX = [
    # (text, filters, age, near office slug, sort)
    (
        "leksehjelp",
        {"municipalities": ("3301",), "target_groups": ("barn-og-unge",)},
        None,
        None,
        "relevance",
    ),
    ("lekshjelp", {"counties": ("33",), "cost_levels": ("gratis",)}, 10, None, "relevance"),
    ("språkkafé", {"counties": ("46",), "weekdays": ("1",)}, None, "bergen", "distance"),
    (
        "gjeldsrådgivning",
        {"categories": ("okonomisk-radgivning",), "languages": ("nb",)},
        None,
        "oslo",
        "distance",
    ),
    (
        "",
        {"municipalities": ("0301",), "participation_modes": ("drop-in",)},
        None,
        None,
        "verified",
    ),
    ("mat", {"counties": ("03", "32"), "target_groups": ("lavinntekt",)}, None, "oslo", "distance"),
    ("trening", {"life_areas": ("helse",), "ages": ("18-25",)}, 20, None, "relevance"),
    (
        "møteplass eldre",
        {"counties": ("50",), "categories": ("moteplass",)},
        None,
        None,
        "relevance",
    ),
]
POINTS = {"oslo": (59.9127, 10.7600), "bergen": (60.3913, 5.3221)}
WORDS = (
    "leksehjelp språkkafé middag matutdeling klær turgruppe trening datakafé besøksvenn mentor "
    "gjeldsrådgivning budsjettkurs arbeidstrening møteplass ungdom eldre familie barn foreldre "
    "fritid aktivitet frivillig sentral kafé bibliotek skole lunsj norsk samtale hjelp veiledning"
).split()


def generate(organisations: int, offers: int) -> None:
    """Bulk-generate organisations, offers and their search documents."""
    from django.db import connection, transaction

    from directory.models import Municipality, Offer, Organisation, Term
    from directory.services.demo_content import fictitious_organisation_number
    from directory.services.reference_data import reference_data_load
    from search.indexing import words_collect
    from search.models import OfferDocument

    # Generated organisation numbers can collide (ignored), so only the offer count decides.
    if Offer.objects.filter(source_id__startswith="bench-").count() >= offers:
        print(f"# reusing {Offer.objects.count()} offers", file=sys.stderr)
        return
    reference_data_load()
    rng = random.Random(2026)
    terms = {
        v: list(Term.objects.filter(vocabulary__slug=v))
        for v in (
            "offer_categories",
            "target_groups",
            "life_areas",
            "languages",
            "cost_levels",
            "offer_kinds",
            "participation_modes",
            "organisation_types",
        )
    }
    municipalities = list(Municipality.objects.select_related("county"))
    # Bigger towns get more offers, roughly as in life.
    weights = [
        20 if m.code in ("0301", "4601", "5001", "1103", "3301") else 1 for m in municipalities
    ]
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Frivillig organisasjon {i}",
                    slug=f"bench-org-{i}",
                    organisation_number=fictitious_organisation_number(f"bench-{i}"),
                    status="approved",
                    organisation_type=rng.choice(terms["organisation_types"]),
                )
                for i in range(organisations)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        org_ids = list(Organisation.objects.values_list("pk", flat=True))
        now = datetime.now(UTC)
        batch_offers, batch_docs = [], []
        for i in range(offers):
            title = " ".join(rng.sample(WORDS, 3)).capitalize()
            batch_offers.append(
                Offer(
                    organisation_id=rng.choice(org_ids),
                    title=title,
                    summary=" ".join(rng.sample(WORDS, 12)),
                    cost_level=rng.choice(terms["cost_levels"]),
                    kind=rng.choice(terms["offer_kinds"]),
                    participation_mode=rng.choice(terms["participation_modes"]),
                    contact_role="Koordinator",
                    live=True,
                    moderation_status="approved",
                    source_id=f"bench-{i}",
                )
            )
        Offer.objects.bulk_create(batch_offers, batch_size=5000)
        for offer in Offer.objects.filter(source_id__startswith="bench-").only(
            "pk", "title", "summary"
        ):
            place = rng.choices(municipalities, weights)[0]
            low = rng.choice([None, 0, 6, 13, 18, 26, 67])
            batch_docs.append(
                OfferDocument(
                    offer_id=offer.pk,
                    is_public=rng.random() > 0.05,
                    title=offer.title,
                    summary=offer.summary,
                    organisation_name="Frivillig organisasjon",
                    search_text=f"{offer.title} {offer.summary} {place.name}".lower(),
                    counties=[place.county.code],
                    municipalities=[place.code],
                    categories=sorted({t.slug for t in rng.sample(terms["offer_categories"], 2)}),
                    target_groups=sorted({t.slug for t in rng.sample(terms["target_groups"], 2)}),
                    life_areas=[rng.choice(terms["life_areas"]).slug],
                    languages=["nb"]
                    + ([rng.choice(terms["languages"]).slug] if rng.random() < 0.4 else []),
                    participation_modes=[rng.choice(terms["participation_modes"]).slug],
                    cost_levels=[rng.choice(terms["cost_levels"]).slug],
                    weekdays=sorted(set(rng.sample(range(7), rng.randint(1, 3)))),
                    min_age=low,
                    max_age=None if low is None else low + rng.choice([5, 10, 40]),
                    latitude=(lat := 59 + rng.random() * 10),
                    longitude=(lon := 5 + rng.random() * 20),
                    latitudes=[lat],
                    longitudes=[lon],
                    last_verified_at=now,
                )
            )
        OfferDocument.objects.bulk_create(batch_docs, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_offerdocument SET search_vector ="
                " setweight(to_tsvector('norwegian_unaccent', title), 'A')"
                " || setweight(to_tsvector('norwegian_unaccent', summary), 'C'),"
                " search_text = unaccent(search_text)"
            )
            cursor.execute("ANALYZE")
        words_collect(list(OfferDocument.objects.values_list("pk", flat=True)))


def measure(repeat: int) -> dict:
    from search.backends import get_backend
    from search.backends.base import OfferQuery

    backend = get_backend()
    queries = [
        OfferQuery(text=t, filters=f, age=a, near=POINTS.get(n), sort=s)
        for t, f, a, n, s in QUERY_MIX
    ]
    for q in queries:  # warm caches
        backend.search_offers(q)
    timings = []
    started = time.perf_counter()
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            result = backend.search_offers(q)
            timings.append((time.perf_counter() - t0) * 1000)
            assert result.facets  # every query computes all facet counts
    elapsed = time.perf_counter() - started
    timings.sort()

    def pct(p):
        return timings[min(len(timings) - 1, int(len(timings) * p))]

    return {
        "queries": len(timings),
        "p50": statistics.median(timings),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "throughput": len(timings) / elapsed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--database", default="samarbeidsportalen_bench")
    args = parser.parse_args()
    django_for(args.database)
    t0 = time.perf_counter()
    generate(args.organisations, args.offers)
    generated = time.perf_counter() - t0
    result = measure(args.repeat)
    print(
        f"| Faceted offer search (text + 2 filters + 10 facet counts, distance sort in 3 of 8) "
        f"| {args.offers:,} offers / {args.organisations:,} organisations | {result['queries']} "
        f"| {result['p50']:.1f} ms | {result['p95']:.1f} ms | {result['p99']:.1f} ms "
        f"| {result['throughput']:.1f} q/s |"
    )
    print(
        f"# machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; data generated in {generated:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
