"""`make bench-data`: a national-scale catalogue for `make bench` (issue 8).

Deterministic (seed 2026), in its own database (default `samarbeidsportalen_bench`), and safe
to repeat: each step is skipped when its records are already there.

- the reference data and site of `setup_portal --demo`: all 357 municipalities and 15 counties,
  the vocabularies, the demo organisations, offers, agreements, schemes and models;
- 250 Nav offices that between them serve every municipality, each with a staff member and a
  leader;
- 20,000 approved organisations, each with an owner and the municipality it works in;
- 100,000 offers, registered and submitted through `offers_submit_new` (the import's own bulk
  service: rows, places, times, terms, a revision and a log entry each), then published;
- 10,000 agreements between an office and an organisation, 2,000 of them due for evaluation
  on BENCH_DAY;
- 300 grant schemes and 500 prevention models, as published Wagtail pages made from the demo
  records with the demo loaders' own page builders;
- the search documents of all of it, built by `search_reindex --postgres-only`;
- the index of the stock-Wagtail baseline (`benchmarks.baseline`): offers and organisations as
  Wagtail's database search backend would index them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.national_data [--scale 0.01]

`--scale` shrinks every count (not the municipalities) for a quick trial.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.db import transaction  # noqa: E402

from benchmarks.harness import django_for  # noqa: E402

DATABASE = "samarbeidsportalen_bench"
COUNTS = {
    "offices": 250,
    "organisations": 20_000,
    "offers": 100_000,
    "agreements": 10_000,
    "due": 2_000,
    "grants": 300,
    "models": 500,
}
# The day the reminder sweep is measured on; the due agreements fall due on it.
BENCH_DAY = date(2027, 3, 1)
SEED = 2026
BATCH = 2_000
# Bigger towns get more offers, roughly as in life.
CITIES = {"0301": 20, "4601": 10, "5001": 8, "1103": 8, "3301": 5, "5501": 4, "1508": 3}
# Text as offers are written: what an offer is about comes from its own categories and target
# groups (so a query for «leksehjelp» finds the homework-help offers, a few per cent of them, as
# in life), and the rest is everyday words that no query is about.
FILLER = (
    "vi møtes hver uke og alle er hjertelig velkommen her du kan komme alene eller sammen med "
    "noen det koster ingenting å være med ta gjerne kontakt på forhånd hvis du lurer på noe "
    "frivillige tar imot deg i døra vi har kaffe og noe å bite i lokalet er i første etasje "
    "det er plass til mange og du trenger ikke melde deg på vi holder åpent hele året unntatt "
    "i ferier tilbudet drives av erfarne frivillige med taushetsplikt og god tid til hver enkelt"
).split()
ORGANISATION_KINDS = (
    "Frivilligsentral",
    "Idrettslag",
    "Røde Kors",
    "Kirkens bymisjon",
    "Sanitetsforening",
    "Ungdomslag",
    "Pensjonistforening",
    "Mottakskafé",
)


@contextmanager
def step(name: str):
    """Print how long a step took (to stderr, so the output stays the summary)."""
    started = time.perf_counter()
    print(f"# {name} ...", file=sys.stderr, flush=True)
    yield
    print(f"#   {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def counts_for(scale: float) -> dict[str, int]:
    return {key: max(1, round(value * scale)) for key, value in COUNTS.items()}


def site_ensure() -> None:
    from django.core.management import call_command

    from directory.models import Municipality

    if Municipality.objects.count() < 357:
        call_command("setup_portal", demo=True, verbosity=0)


@transaction.atomic  # a step writes all its records or none
def offices_ensure(count: int) -> None:
    from directory.models import Municipality, NavOffice, NavOfficeMembership
    from portal.models import User

    if NavOffice.objects.filter(slug__startswith="bench-").count() >= count:
        return
    municipalities = list(Municipality.objects.order_by("code"))
    offices = NavOffice.objects.bulk_create(
        [
            NavOffice(
                name=f"Nav {municipalities[i].name} (bench)",
                slug=f"bench-{i}",
                latitude=59 + (i % 97) / 10,
                longitude=5 + (i % 53) / 3,
            )
            for i in range(count)
        ]
    )
    # Office i serves municipality i, and the rest are shared out so every one is served.
    through = NavOffice.municipalities.through
    through.objects.bulk_create(
        [
            through(navoffice_id=offices[i % count].pk, municipality_id=m.pk)
            for i, m in enumerate(municipalities)
        ],
        ignore_conflicts=True,
    )
    users = User.objects.bulk_create(
        [User(email=f"{role}{i}@bench.example") for role in ("nav", "leder") for i in range(count)]
    )
    NavOfficeMembership.objects.bulk_create(
        [
            NavOfficeMembership(office_id=offices[i % count].pk, user_id=user.pk, role=role)
            for n, user in enumerate(users)
            for i, role in [(n % count, "staff" if n < count else "leader")]
        ]
    )


def organisation_numbers():
    """Distinct MOD11-valid numbers in a range demo and test data do not use (hashed fictitious
    numbers would collide among 20,000)."""
    from directory.validators import organisation_number_check_digit

    for n in range(80_000_000, 90_000_000):
        check = organisation_number_check_digit(str(n))
        if check is not None:
            yield f"{n}{check}"


@transaction.atomic  # a step writes all its records or none
def organisations_ensure(count: int, rng: random.Random) -> None:
    from directory.models import Municipality, Organisation, OrganisationMembership, Term
    from portal.models import User

    if Organisation.objects.filter(slug__startswith="bench-").count() >= count:
        return
    types = list(Term.objects.filter(vocabulary__slug="organisation_types"))
    municipalities = list(Municipality.objects.order_by("code"))
    weights = [CITIES.get(m.code, 1) for m in municipalities]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{municipalities[i % len(municipalities)].name} "
                f"{rng.choice(ORGANISATION_KINDS).lower()} {i}",
                slug=f"bench-{i}",
                organisation_number=number,
                status=Organisation.Status.APPROVED,
                organisation_type=rng.choice(types),
                email=f"post{i}@org.bench.example",
            )
            for i, number in zip(range(count), organisation_numbers(), strict=False)
        ],
        batch_size=BATCH,
    )
    through = Organisation.municipalities.through
    through.objects.bulk_create(
        [
            through(
                organisation_id=org.pk, municipality_id=rng.choices(municipalities, weights)[0].pk
            )
            for org in organisations
        ],
        batch_size=BATCH,
    )
    owners = User.objects.bulk_create(
        [User(email=f"org{i}@bench.example") for i in range(count)], batch_size=BATCH
    )
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(organisation_id=org.pk, user_id=owner.pk, role="owner")
            for org, owner in zip(organisations, owners, strict=True)
        ],
        batch_size=BATCH,
    )


def _terms(vocabulary: str):
    from directory.models import Term

    return list(Term.objects.filter(vocabulary__slug=vocabulary).order_by("slug"))


def offers_ensure(count: int, rng: random.Random) -> None:
    """Registered and submitted as the import does it, then published as an approval leaves an
    offer (live, its revision the live one, verified now), without the approval's e-mails."""
    from django.db import connection, transaction
    from django.utils import timezone

    from directory.models import Municipality, Offer, OfferLocation, OfferSchedule, Organisation
    from directory.services.freshness import confirmation_due_after
    from directory.services.offers import offers_submit_new
    from portal.models import User
    from portal.services import user_set_portal_role

    done = Offer.objects.filter(source_id__startswith="bench-").count()
    if done >= count:
        return
    editor = User.objects.filter(email="redaktor@bench.example").first()
    if editor is None:
        editor = User.objects.create(email="redaktor@bench.example")
        user_set_portal_role(user=editor, role=User.PortalRole.EDITOR, by=None)
    vocab = {
        v: _terms(v)
        for v in (
            "offer_categories",
            "target_groups",
            "life_areas",
            "languages",
            "cost_levels",
            "offer_kinds",
            "participation_modes",
            "arenas",
        )
    }
    municipalities = list(Municipality.objects.order_by("code"))
    weights = [CITIES.get(m.code, 1) for m in municipalities]
    organisations = list(Organisation.objects.filter(slug__startswith="bench-").order_by("pk"))
    # Each batch draws from a generator seeded by its number, so a resumed run makes the
    # same offers as an uninterrupted one.
    for start in range(done - done % BATCH, count, BATCH):
        rng = random.Random(f"{SEED}-offers-{start}")
        offers = []
        for i in range(start, min(start + BATCH, count)):
            place = rng.choices(municipalities, weights)[0]
            low = rng.choice([None, 0, 6, 13, 18, 26, 67])
            categories = rng.sample(vocab["offer_categories"], 2)
            groups = rng.sample(vocab["target_groups"], 2)
            offer = Offer(
                organisation=rng.choice(organisations),
                title=f"{categories[0].label_nb} for {groups[0].label_nb.lower()}"[:150],
                summary=(
                    f"{categories[0].label_nb} og {categories[1].label_nb.lower()} i "
                    f"{place.name}. {' '.join(rng.sample(FILLER, 8)).capitalize()}."
                ),
                description=f"<p>{' '.join(rng.sample(FILLER, 25)).capitalize()}.</p>",
                cost_level=rng.choice(vocab["cost_levels"]),
                kind=rng.choice(vocab["offer_kinds"]),
                participation_mode=rng.choice(vocab["participation_modes"]),
                contact_role="Koordinator",
                min_age=low,
                max_age=None if low is None else low + rng.choice([5, 10, 40]),
                source_id=f"bench-{i}",
            )
            offer.categories = categories
            offer.target_groups = groups
            offer.life_areas = [rng.choice(vocab["life_areas"])]
            offer.languages = rng.sample(vocab["languages"], rng.choice([1, 1, 2]))
            offer.locations = [
                OfferLocation(
                    name=f"{place.name} {rng.choice(['kulturhus', 'bibliotek', 'skole'])}",
                    address=f"Eksempelgata {rng.randint(1, 99)}",
                    municipality=place,
                    latitude=58 + rng.random() * 12,
                    longitude=5 + rng.random() * 25,
                    arena=rng.choice(vocab["arenas"]),
                )
            ]
            offer.schedules = [
                OfferSchedule(weekday=day, opens=clock(17), closes=clock(19))
                for day in sorted(rng.sample(range(7), rng.randint(1, 3)))
            ]
            offers.append(offer)
        with transaction.atomic():
            offers_submit_new(offers=offers, by=editor)
        print(f"#   {start + len(offers)} offers", file=sys.stderr, flush=True)
    now = timezone.now()
    Offer.objects.filter(source_id__startswith="bench-", live=False).update(
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        moderation_status=Offer.ModerationStatus.APPROVED,
        visibility=Offer.Visibility.VISIBLE,
        last_verified_at=now,
        confirmation_due_at=confirmation_due_after(now),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_offer SET live_revision_id = latest_revision_id"
            " WHERE source_id LIKE 'bench-%%' AND live_revision_id IS NULL"
        )


@transaction.atomic  # a step writes all its records or none
def agreements_ensure(count: int, due: int, rng: random.Random) -> None:
    from agreements.models import Agreement, AgreementParty
    from directory.models import NavOffice, NavOfficeMembership, Organisation, Term

    if Agreement.objects.filter(source_id__startswith="bench-").count() >= count:
        return
    agreement_type = Term.objects.filter(vocabulary__slug="agreement_types").order_by("pk").first()
    offices = list(NavOffice.objects.filter(slug__startswith="bench-").order_by("pk"))
    contacts = dict(
        NavOfficeMembership.objects.filter(office__in=offices, role="staff").values_list(
            "office_id", "user_id"
        )
    )
    organisations = list(
        Organisation.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
    )
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                title=f"Samarbeidsavtale {i} om {rng.choice(FILLER)}",
                purpose="Generert for ytelsesmåling.",
                agreement_type=agreement_type,
                start_date=BENCH_DAY - timedelta(days=365),
                evaluation_interval_months=12,
                next_evaluation_due=(
                    BENCH_DAY if i < due else BENCH_DAY + timedelta(days=rng.randint(31, 364))
                ),
                status=Agreement.Status.ACTIVE,
                created_by_id=contacts[offices[i % len(offices)].pk],
                source_id=f"bench-{i}",
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    parties = []
    for i, agreement in enumerate(agreements):
        office = offices[i % len(offices)]
        parties += [
            AgreementParty(
                agreement_id=agreement.pk,
                kind="nav_office",
                nav_office_id=office.pk,
                contact_user_id=contacts[office.pk],
                contact_role="Veileder",
                contact_email=f"samarbeid-{office.pk}@nav.bench.example",
                sort_order=0,
            ),
            AgreementParty(
                agreement_id=agreement.pk,
                kind="organisation",
                organisation_id=rng.choice(organisations),
                contact_role="Daglig leder",
                contact_email=f"post-{i}@org.bench.example",
                sort_order=1,
            ),
        ]
    AgreementParty.objects.bulk_create(parties, batch_size=BATCH)


def grants_ensure(count: int) -> None:
    """Copies of the demo schemes under other names, built by the demo loader's page builder."""
    from django.utils.text import slugify

    from directory.models import GrantSchemePage
    from directory.services.demo_grants import (
        _nb,
        _page,
        demo_grant_index_ensure,
        demo_grant_records,
    )

    have = GrantSchemePage.objects.count()
    if have >= count:
        return
    index = demo_grant_index_ensure()
    records = [_nb(r) for r in demo_grant_records() if not r.get("replaced_by")]
    for n in range(have, count):
        record = dict(records[n % len(records)])
        record["id"] = f"bench-grant-{n}"
        record["name"] = f"{record['name']} – region {n}"
        page = _page(record, {})
        page.slug = f"{slugify(record['name'])[:60]}-{n}"  # the loader's slugs are cut short
        index.add_child(instance=page)
        page.save_revision(log_action=False).publish(log_action=False)


def models_ensure(count: int) -> None:
    """Copies of the demo prevention models under other names, built like the demo ones."""
    from django.utils.text import slugify

    from directory.models import PreventionModelPage
    from directory.services.demo_prevention import _page_for, demo_prevention_records
    from directory.services.prevention import prevention_index_ensure

    have = PreventionModelPage.objects.count()
    if have >= count:
        return
    index = prevention_index_ensure()
    records = demo_prevention_records()
    for n in range(have, count):
        record = dict(records[n % len(records)])
        record["id"] = f"bench-model-{n}"
        record["name"] = f"{record['name']} – variant {n}"
        page = _page_for(record)
        page.slug = f"{slugify(record['name'])[:60]}-{n}"
        index.add_child(instance=page)
        page.save_revision(log_action=False).publish(log_action=False)


def documents_build() -> None:
    import io

    from django.core.management import call_command

    from directory.models import Offer
    from search.models import SearchDocument

    if SearchDocument.objects.filter(kind="offer").count() >= Offer.objects.public().count():
        return
    out = io.StringIO()
    call_command("search_reindex", postgres_only=True, stdout=out)
    print("".join(f"#   {line}\n" for line in out.getvalue().splitlines()), end="", file=sys.stderr)


def baseline_index_build() -> None:
    """The stock-Wagtail baseline's own index of offers and organisations (benchmarks.baseline,
    installed by benchmarks.settings only). Wagtail pages are in it already: publishing indexes
    them."""
    from django.apps import apps

    if not apps.is_installed("benchmarks.baseline"):
        return
    from modelsearch.utils import get_content_type_pk
    from wagtail.search.backends import get_search_backend

    from benchmarks.baseline.models import BaselineOffer, BaselineOrganisation

    backend = get_search_backend()
    for model, related in ((BaselineOffer, ["organisation"]), (BaselineOrganisation, [])):
        index = backend.get_index_for_model(model)
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        indexed = index.entries.filter(content_type_id=get_content_type_pk(model)).count()
        if indexed >= len(ids):
            continue
        for start in range(0, len(ids), BATCH):
            chunk = model.objects.filter(pk__in=ids[start : start + BATCH]).select_related(*related)
            backend.add_bulk(model, list(chunk))


def summary() -> dict[str, int]:
    from agreements.models import Agreement
    from directory.models import (
        GrantSchemePage,
        Municipality,
        NavOffice,
        Offer,
        Organisation,
        PreventionModelPage,
    )
    from search.models import OfferDocument, SearchDocument

    return {
        "municipalities": Municipality.objects.count(),
        "nav_offices": NavOffice.objects.count(),
        "organisations": Organisation.objects.count(),
        "offers": Offer.objects.count(),
        "public_offers": Offer.objects.public().count(),
        "agreements": Agreement.objects.count(),
        "agreements_due_on_bench_day": Agreement.objects.filter(
            next_evaluation_due=BENCH_DAY
        ).count(),
        "grant_schemes": GrantSchemePage.objects.count(),
        "prevention_models": PreventionModelPage.objects.count(),
        "offer_documents": OfferDocument.objects.count(),
        "search_documents": SearchDocument.objects.count(),
    }


def generate(scale: float = 1.0) -> dict[str, int]:
    counts = counts_for(scale)
    rng = random.Random(SEED)
    with step("reference data, site and demo content"):
        site_ensure()
    with step(f"{counts['offices']} Nav offices"):
        offices_ensure(counts["offices"])
    with step(f"{counts['organisations']} organisations"):
        organisations_ensure(counts["organisations"], rng)
    with step(f"{counts['offers']} offers"):
        offers_ensure(counts["offers"], rng)
    with step(f"{counts['agreements']} agreements"):
        agreements_ensure(counts["agreements"], counts["due"], rng)
    with step(f"{counts['grants']} grant schemes"):
        grants_ensure(counts["grants"])
    with step(f"{counts['models']} prevention models"):
        models_ensure(counts["models"])
    with step("search documents"):
        documents_build()
    with step("stock-Wagtail baseline index"):
        baseline_index_build()
    with step("ANALYZE"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return summary()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    django_for(args.database)
    import logging

    logging.disable(logging.INFO)  # Wagtail logs every revision; not what is wanted here
    from portal.celery import app

    # Indexing is done in one pass at the end; nothing is sent to a worker.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    started = time.perf_counter()
    for key, value in generate(args.scale).items():
        print(f"{key:30} {value:>8}")
    print(f"{'seconds':30} {time.perf_counter() - started:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
