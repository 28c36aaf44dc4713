from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search.backends.base import KINDS
from search.indexing import offers_reindex_all, site_reindex_all


class Command(BaseCommand):
    help = (
        "Bygger søkedokumentene på nytt: alltid i PostgreSQL, og i Elasticsearch (nye indekser "
        "bak aliasene, uten nedetid) når ELASTICSEARCH_URL er satt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            choices=KINDS,
            dest="kinds",
            help="Bare denne typen (kan gis flere ganger). Standard: alle typer.",
        )
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help=(
                "Bygg bare Elasticsearch-indekser som mangler (for oppstart: rask når alt finnes). "
                "PostgreSQL-dokumentene bygges da ikke på nytt."
            ),
        )
        parser.add_argument(
            "--postgres-only",
            action="store_true",
            help="Bygg bare PostgreSQL-dokumentene, ikke Elasticsearch-indeksene.",
        )

    def handle(self, *args, **options):
        kinds = tuple(dict.fromkeys(options["kinds"] or KINDS))
        if options["missing_only"]:
            self._missing_only(kinds)
            return
        # PostgreSQL first: it is the fallback when Elasticsearch is down, and the offer index
        # in Elasticsearch reads the offer documents built here.
        if "offer" in kinds:
            count = offers_reindex_all()
            self.stdout.write(f"Indekserte {count} tilbud for tilbudssøket i PostgreSQL.")
        for kind, count in site_reindex_all(kinds).items():
            self.stdout.write(f"PostgreSQL: {kind}: {count} dokumenter.")
        if options["postgres_only"] or not settings.ELASTICSEARCH_URL:
            self.stdout.write(
                self.style.SUCCESS("Ferdig med PostgreSQL. Elasticsearch hoppet over.")
            )
            return
        self._elasticsearch(kinds)

    def _elasticsearch(self, kinds):
        from elasticsearch import ApiError, TransportError

        from search.es_indexing import es_reindex

        try:
            results = es_reindex(kinds)
        except (TransportError, ApiError) as exc:
            # The class only: the message may hold the cluster's URL and credentials.
            raise CommandError(
                f"Elasticsearch svarte ikke ({exc.__class__.__name__}). PostgreSQL-dokumentene "
                "er bygd; aliasene peker fortsatt på de gamle indeksene."
            ) from None
        for result in results:
            moved = ", ".join(result.removed) or "ingen"
            self.stdout.write(
                f"Elasticsearch: {result.kind}: {result.count} dokumenter i {result.index}; "
                f"aliaset {result.alias} flyttet fra {moved}."
            )
            if result.caught_up:
                self.stdout.write(
                    f"  {result.caught_up} endret under byggingen og skrevet på nytt."
                )
        self.stdout.write(self.style.SUCCESS("Ferdig med PostgreSQL og Elasticsearch."))

    def _missing_only(self, kinds):
        """At start-up (docker-compose's migrate service): a new cluster gets its indices, an
        existing one is left alone, so a deploy never waits for a full reindex."""
        if not settings.ELASTICSEARCH_URL:
            self.stdout.write("Elasticsearch er ikke satt opp. Ingenting å gjøre.")
            return
        from elasticsearch import ApiError, TransportError

        from search.es_indexing import es_client
        from search.es_schema import alias_name

        try:
            client = es_client()
            missing = tuple(k for k in kinds if not client.indices.exists_alias(name=alias_name(k)))
        except (TransportError, ApiError) as exc:
            # Not an error for start-up: the site answers from PostgreSQL meanwhile, and a
            # failed migrate service would keep the whole site down.
            self.stderr.write(
                f"Elasticsearch svarte ikke ({exc.__class__.__name__}). Søket bruker PostgreSQL "
                "til indeksene er bygd; kjør search_reindex senere."
            )
            return
        if not missing:
            self.stdout.write("Alle Elasticsearch-indeksene finnes.")
            return
        self._elasticsearch(missing)
