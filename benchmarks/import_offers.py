"""Benchmark: importing a 10,000-row offer file (issue 7; target in docs/benchmarks.md: ≤ 60 s).

Generates (deterministically) a template CSV of N offers from 500 organisations spread over the
municipalities, then, in a separate database:

1. times the dry run (`import_check`: read, validate every row, report);
2. times the apply (`import_apply`: the same check again inside one transaction, then every
   organisation and offer through the directory's services, offers submitted for moderation);
3. times a dry run of the same file again, which must report every row unchanged.

Celery runs as in production (not eagerly): search indexing of the new offers is enqueued on
commit for a worker, so it is not part of the import's time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/import_offers.py --rows 10000

The database named by --database (default samarbeidsportalen_bench_import) is created if missing
and migrated; offers and organisations of earlier runs are deleted before each run.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import django_for  # noqa: E402

ORGANISATIONS = 500
CATEGORIES = ["leksehjelp", "sprakkafe", "moteplass", "fysisk-aktivitet", "digital-hjelp"]
DAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag"]


def generate(rows: int) -> bytes:
    from directory.models import Municipality
    from directory.services.demo_content import fictitious_organisation_number
    from opendata.importing import TEMPLATE_COLUMNS

    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS))
    writer.writeheader()
    for n in range(rows):
        org = n % ORGANISATIONS
        writer.writerow(
            {
                "ekstern_id": f"bench-import-{n}",
                "organisasjonsnummer": fictitious_organisation_number(f"bench-import-org-{org}"),
                "organisasjonsnavn": f"Benchmarkforeningen {org}",
                "tittel": f"{CATEGORIES[n % 5].capitalize()} nummer {n}",
                "kort beskrivelse": "Et lavterskeltilbud med frivillige. Alle er velkomne.",
                "beskrivelse": "Ta kontakt om du lurer på noe.",
                "kommunenummer": codes[n % len(codes)],
                "adresse": f"Eksempelgata {n % 90 + 1}",
                "postnummer": "0150",
                "kategorier": CATEGORIES[n % 5],
                "målgrupper": "alle",
                "pris": "gratis",
                "tidspunkter": f"{DAYS[n % 5]} 17:00-19:00",
                "kontaktperson (rolle)": "Koordinator",
                "kontakt e-post": "post@example.org",
            }
        )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", default="samarbeidsportalen_bench_import")
    args = parser.parse_args()
    database = django_for(args.database)
    logging.disable(logging.INFO)  # Wagtail logs every revision; not what is measured
    from portal.celery import app

    # As in production, the search index follows in a worker after the commit: the import only
    # enqueues that work (test settings would run it inline and time the indexer instead).
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    from django.core.files.base import ContentFile

    from directory.models import Offer, Organisation
    from directory.services.reference_data import reference_data_load
    from opendata.importing import import_apply, import_check
    from opendata.models import DataImport
    from portal.factories import UserFactory
    from portal.models import User
    from portal.services import user_set_portal_role

    reference_data_load()
    Offer.objects.filter(source_id__startswith="bench-import-").delete()
    Organisation.objects.filter(name__startswith="Benchmarkforeningen").delete()
    editor = User.objects.filter(email="bench-import@example.org").first()
    if editor is None:
        editor = UserFactory(email="bench-import@example.org")
        user_set_portal_role(user=editor, role=User.PortalRole.EDITOR, by=None)
    data = generate(args.rows)

    def new_import() -> DataImport:
        data_import = DataImport(uploaded_by=editor, original_name="bench.csv", kind="template_csv")
        data_import.file.save("bench.csv", ContentFile(data), save=False)
        data_import.save()
        return data_import

    first = new_import()
    started = time.perf_counter()
    first = import_check(import_id=first.pk)
    dry_run = time.perf_counter() - started
    assert first.status == "checked", first.report.get("summary")

    DataImport.objects.filter(pk=first.pk).update(status="applying")
    started = time.perf_counter()
    first = import_apply(import_id=first.pk)
    applied = time.perf_counter() - started
    assert first.status == "applied", first.error
    assert Offer.objects.filter(source_id__startswith="bench-import-").count() == args.rows

    second = new_import()
    started = time.perf_counter()
    second = import_check(import_id=second.pk)
    again = time.perf_counter() - started
    assert second.report["summary"].get("unchanged") == args.rows, second.report["summary"]

    print(f"database            {database}")
    print(
        f"machine             {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"rows                {args.rows} ({len(data) / 1e6:.1f} MB CSV, {ORGANISATIONS} organisations)"
    )
    print(f"dry run             {dry_run:.1f} s")
    print(f"apply               {applied:.1f} s  (check again + write, one transaction)")
    print(f"dry run + apply     {dry_run + applied:.1f} s")
    print(f"re-import dry run   {again:.1f} s  (every row unchanged)")
    print(f"result              {first.result}")


if __name__ == "__main__":
    main()
