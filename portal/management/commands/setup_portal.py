from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from agreements.services.demo_content import demo_agreements_load
from directory.services.demo_content import demo_directory_load, demo_offers_load
from directory.services.demo_grants import demo_grant_index_ensure, demo_grants_load
from directory.services.demo_prevention import demo_prevention_models_load
from directory.services.prevention import prevention_index_ensure, prevention_workflow_ensure
from directory.services.schedules import periodic_tasks_ensure
from portal.services import DEMO_PASSWORD, demo_users_ensure, site_shell_ensure
from search.indexing import offers_reindex_all, site_reindex_all
from search.models import SearchDocument
from search.synonyms import synonyms_ensure_defaults


class Command(BaseCommand):
    help = (
        "Gjør portalen klar etter migrering: referansedata, forside og faste sider, og med "
        "--demo eksempelinnhold. Kan kjøres flere ganger uten å lage duplikater."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Last eksempelinnhold.")

    def handle(self, *args, demo=False, **options):
        call_command("load_reference_data", stdout=self.stdout)
        created = site_shell_ensure()
        self.stdout.write(f"Sider: {created['sider']} nye.")
        # The two editorial catalogues exist on every site, with or without demo content, and
        # proposals from municipalities always go through the editors' workflow.
        demo_grant_index_ensure()
        prevention_index_ensure()
        prevention_workflow_ensure()
        self.stdout.write(f"Synonymer for søk: {synonyms_ensure_defaults()} nye.")
        self.stdout.write(f"Faste jobber: {periodic_tasks_ensure()} nye.")
        if not demo:
            self._index_if_empty()
            return
        created = demo_directory_load()
        created["tilbud"] = demo_offers_load()
        created["samarbeidsavtaler"] = demo_agreements_load()
        created["tilskuddsordninger"] = demo_grants_load()
        # After offers and grants: models link to the schemes that fund them and the offers
        # that follow them.
        created["forebyggingsmodeller"] = demo_prevention_models_load()
        if created["tilbud"]:
            # Index now rather than wait for the worker, so search works on first page load.
            offers_reindex_all()
        if any(created.values()):
            site_reindex_all()
        self._index_if_empty()
        self.stdout.write(
            "Eksempelinnhold: " + ", ".join(f"{k}: {v} nye" for k, v in created.items())
        )
        if settings.DEBUG:
            accounts = demo_users_ensure()
            self.stdout.write(f"Demobrukere (passord «{DEMO_PASSWORD}»):")
            for email, description in accounts:
                self.stdout.write(f"  {email:<24} {description}")

    def _index_if_empty(self):
        """A new site (or one upgraded to the unified search) gets its documents at once; after
        that the signals keep them current and a re-run costs nothing."""
        if not SearchDocument.objects.exists():
            counts = site_reindex_all()
            self.stdout.write(f"Søkedokumenter: {sum(counts.values())} bygget.")
