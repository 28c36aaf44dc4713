"""Benchmark: the reminder dispatcher over a national stock of cooperation agreements.

Generates (deterministically, seed 2026) N active agreements between Nav offices and
organisations, each with its reminder rows as agreements.services.reminders plans them, in a
separate database. D of them have their evaluation due on the benchmark day; for those the
«30 days before» reminder went out a month ago. The rest are due later in the year. Then:

1. times one `reminders_dispatch(now=...)` (claims due rows with SKIP LOCKED, asks the agreement
   handler for recipients, writes notifications and queued emails);
2. runs it again and checks that nothing new was created (exactly once);
3. times `deliveries_dispatch()` sending the queued emails to Django's in-memory backend.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/reminder_sweep.py --agreements 10000 --due 2000

The database named by --database (default samarbeidsportalen_bench_reminders) is created if
missing and migrated; generated agreements are reused on later runs, and their reminders,
notifications and deliveries are reset before each run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import django_for  # noqa: E402
from benchmarks.national_data import BENCH_DAY  # noqa: E402  (the same day as make bench)

OFFICES = 250
ORGANISATIONS = 2_500


def generate(agreements: int, due: int) -> None:
    """Bulk-generate offices, organisations, their people, and the agreements with parties."""
    from django.db import transaction

    from agreements.models import Agreement
    from benchmarks.national_data import agreements_ensure
    from directory.models import (
        Municipality,
        NavOffice,
        NavOfficeMembership,
        Organisation,
        OrganisationMembership,
        Term,
        Vocabulary,
    )
    from directory.services.demo_content import fictitious_organisation_number
    from portal.models import User

    existing = Agreement.objects.filter(source_id__startswith="bench-")
    if existing.count() == agreements and (
        existing.filter(next_evaluation_due=BENCH_DAY).count() == due
    ):
        print(f"# reusing {agreements} agreements", file=sys.stderr)
        return
    rng = random.Random(2026)
    with transaction.atomic():
        existing.delete()
        vocabulary, _ = Vocabulary.objects.get_or_create(
            slug="agreement_types", defaults={"name": "Avtaletyper"}
        )
        Term.objects.get_or_create(
            vocabulary=vocabulary,
            slug="samarbeidsavtale",
            defaults={"label_nb": "Samarbeidsavtale"},
        )
        if not NavOffice.objects.filter(slug__startswith="bench-").exists():
            from directory.models import County

            county, _ = County.objects.get_or_create(code="99", defaults={"name": "Benchfylke"})
            Municipality.objects.bulk_create(
                [
                    Municipality(code=f"9{i:03d}", name=f"Benchkommune {i}", county=county)
                    for i in range(OFFICES)
                ],
                ignore_conflicts=True,
            )
            NavOffice.objects.bulk_create(
                [NavOffice(name=f"Nav Bench {i}", slug=f"bench-{i}") for i in range(OFFICES)]
            )
            Organisation.objects.bulk_create(
                [
                    Organisation(
                        name=f"Benchorganisasjon {i}",
                        slug=f"bench-{i}",
                        organisation_number=fictitious_organisation_number(f"bench-{i}"),
                        status="approved",
                    )
                    for i in range(ORGANISATIONS)
                ],
                ignore_conflicts=True,
            )
            User.objects.bulk_create(
                [
                    User(email=f"{role}{i}@bench.example")
                    for role, count in (("nav", OFFICES), ("leder", OFFICES))
                    for i in range(count)
                ]
                + [
                    User(email=f"org{i}-{n}@bench.example")
                    for i in range(ORGANISATIONS)
                    for n in range(2)
                ],
                batch_size=5000,
            )
            users = dict(
                User.objects.filter(email__endswith="@bench.example").values_list("email", "pk")
            )
            offices = list(NavOffice.objects.filter(slug__startswith="bench-").order_by("pk"))
            municipalities = list(Municipality.objects.filter(county=county).order_by("code"))
            NavOffice.municipalities.through.objects.bulk_create(
                [
                    NavOffice.municipalities.through(navoffice_id=o.pk, municipality_id=m.pk)
                    for o, m in zip(offices, municipalities, strict=False)
                ]
            )
            NavOfficeMembership.objects.bulk_create(
                [
                    NavOfficeMembership(
                        office_id=o.pk, user_id=users[f"{prefix}{i}@bench.example"], role=role
                    )
                    for i, o in enumerate(offices)
                    for prefix, role in (("nav", "staff"), ("leder", "leader"))
                ]
            )
            organisations = list(
                Organisation.objects.filter(slug__startswith="bench-").order_by("pk")
            )
            OrganisationMembership.objects.bulk_create(
                [
                    OrganisationMembership(
                        organisation_id=org.pk,
                        user_id=users[f"org{i}-{n}@bench.example"],
                        role="owner" if n == 0 else "editor",
                    )
                    for i, org in enumerate(organisations)
                    for n in range(2)
                ],
                batch_size=5000,
            )
        # The agreements and their parties, as `make bench-data` makes them.
        agreements_ensure(agreements, due, rng)


def reset_reminders() -> None:
    """Fresh reminder rows for every bench agreement, as `agreement_reminders_plan` would
    write them, with the «before» stage of those due today already sent a month ago."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from agreements.models import Agreement, AgreementSettings
    from agreements.services.reminders import BEFORE, agreement_reminder_plans
    from directory.models import Delivery, Notification, Reminder
    from directory.services.reminders import reminder_key

    settings = AgreementSettings.load()
    content_type = ContentType.objects.get_for_model(Agreement)
    with transaction.atomic():
        Reminder.objects.filter(content_type=content_type).delete()
        Notification.objects.filter(key__startswith="agreements.agreement:").delete()
        Delivery.objects.filter(key__startswith="agreements.agreement:").delete()
        rows = []
        for agreement in Agreement.objects.filter(source_id__startswith="bench-").only(
            "pk", "status", "next_evaluation_due", "end_date"
        ):
            for plan in agreement_reminder_plans(agreement, settings):
                sent = plan.topic == BEFORE and plan.event_date == BENCH_DAY
                rows.append(
                    Reminder(
                        key=reminder_key(agreement, plan),
                        topic=plan.topic,
                        content_type=content_type,
                        object_id=agreement.pk,
                        event_date=plan.event_date,
                        send_on=plan.send_on,
                        expires_on=plan.expires_on,
                        status=Reminder.Status.SENT if sent else Reminder.Status.SCHEDULED,
                    )
                )
        Reminder.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
    from directory.models import Delivery, Notification, Reminder

    return {
        "reminders_sent": Reminder.objects.filter(status="sent").count(),
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
        "deliveries_sent": Delivery.objects.filter(status="sent").count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--database", default="samarbeidsportalen_bench_reminders")
    args = parser.parse_args()
    django_for(args.database)

    from django.core import mail

    from directory.services.deliveries import deliveries_dispatch
    from directory.services.reminders import reminders_dispatch

    t0 = time.perf_counter()
    generate(args.agreements, args.due)
    reset_reminders()
    generated = time.perf_counter() - t0
    mail.outbox = []
    now = datetime(
        BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, 6, tzinfo=ZoneInfo("Europe/Oslo")
    )
    before = counts()

    t0 = time.perf_counter()
    first = reminders_dispatch(now=now)
    dispatch_seconds = time.perf_counter() - t0
    after_first = counts()

    t0 = time.perf_counter()
    second = reminders_dispatch(now=now)
    rerun_seconds = time.perf_counter() - t0
    after_second = counts()

    t0 = time.perf_counter()
    emails = deliveries_dispatch()
    send_seconds = time.perf_counter() - t0

    created = {k: after_first[k] - before[k] for k in ("notifications", "deliveries")}
    exactly_once = (
        first["sendt"] == args.due
        and second["sendt"] == 0
        and after_second == after_first
        and emails == created["deliveries"] == len(mail.outbox)
    )
    print(f"# first run: {first} in {dispatch_seconds:.2f} s", file=sys.stderr)
    print(f"# second run: {second} in {rerun_seconds:.2f} s", file=sys.stderr)
    print(f"# created: {created}; emails sent {emails} in {send_seconds:.2f} s", file=sys.stderr)
    print(f"# exactly once: {exactly_once}", file=sys.stderr)
    print(
        "| Benchmark | Data | Reminders sent | Notifications / emails queued | Dispatch "
        "| Second run | Sending emails (locmem) | Exactly once |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| Reminder dispatch (`reminders_dispatch`, one run) | {args.agreements:,} active "
        f"agreements, {args.due:,} due today | {first['sendt']:,} (+{first['utgått']:,} "
        f"expired) | {created['notifications']:,} / {created['deliveries']:,} "
        f"| {dispatch_seconds:.2f} s | {rerun_seconds:.2f} s, {second['sendt']} new "
        f"| {emails:,} in {send_seconds:.2f} s | {'yes' if exactly_once else 'NO'} |"
    )
    print(
        f"# machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; data prepared in {generated:.0f} s",
        file=sys.stderr,
    )
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
