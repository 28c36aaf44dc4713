from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Tar sikkerhetskopi av databasen (DATABASE_URL, eller den innebygde PostgreSQL) og av "
        "opplastede filer (MEDIA_ROOT og PRIVATE_MEDIA_ROOT) i ett arkiv."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--destination",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "backups",
            help="Mappen arkivet skrives til. Standard: var/backups.",
        )

    def handle(self, *args, destination, **options):
        try:
            archive = backup_create(destination=destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Sikkerhetskopi skrevet til {archive}"))
