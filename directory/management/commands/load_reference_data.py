from django.core.management.base import BaseCommand

from directory.services.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Laster fylker, alle kommuner og de kontrollerte vokabularene (idempotent)."

    def handle(self, *args, **options):
        report = reference_data_load()
        self.stdout.write(self.style.SUCCESS(f"Referansedata: {report.summary()}"))
