from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from portal.services import user_set_portal_role


class Command(BaseCommand):
    help = "Gir eller fjerner en rolle i hele portalen (editor, administrator eller tom). Logges."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=[r or "ingen" for r in User.PortalRole.values])

    def handle(self, *args, email, role, **options):
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as exc:
            raise CommandError(f"Fant ingen bruker med e-postadressen {email}.") from exc
        user_set_portal_role(user=user, role="" if role == "ingen" else role, by=None)
        self.stdout.write(self.style.SUCCESS(f"{user.email} har nå rollen «{role}»."))
