from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.backup import BackupError, backup_restore
from portal.backup import database_url as portal_database_url


class Command(BaseCommand):
    help = (
        "Gjenoppretter databasen og de opplastede filene fra et arkiv laget av `backup`. Det "
        "som ligger der nå, erstattes. Stopp portalen (make run) først."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Arkivet (.tar.gz) som skal tilbake.")
        parser.add_argument(
            "--database-url",
            help="En annen database enn portalens (for prøvegjenoppretting). Standard: portalens.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ikke spør før databasen og filene erstattes.",
        )

    def handle(self, *args, archive, interactive, database_url=None, **options):
        from psycopg.conninfo import conninfo_to_dict

        url = database_url or portal_database_url()
        database = conninfo_to_dict(url).get("dbname", "")
        if interactive:
            answer = input(
                f"Dette erstatter alt i databasen «{database}» og alle opplastede filer med "
                f"innholdet i {archive}. Skriv «ja» for å fortsette: "
            )
            if answer.strip().lower() != "ja":
                raise CommandError("Avbrutt. Ingenting er endret.")
        # Our own idle connection would hold nothing, but close it: the schema is replaced.
        connections.close_all()
        try:
            restored = backup_restore(archive=archive, url=url)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Gjenopprettet {database} fra {archive} (tatt {restored.created_at}), "
                f"{restored.files} filer."
            )
        )
