from django.core.management.base import BaseCommand

from search.indexing import offers_reindex_all


class Command(BaseCommand):
    help = "Bygger søkedokumentene for alle tilbud på nytt."

    def handle(self, *args, **options):
        count = offers_reindex_all()
        self.stdout.write(self.style.SUCCESS(f"Indekserte {count} tilbud."))
