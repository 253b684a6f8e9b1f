from django.core.management.base import BaseCommand, CommandError

from dte.organisations.models import User
from dte.organisations.tokens import ApiToken, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "API tokens: `dte token create USERNAME NAME` prints a new token once; `dte token revoke ID`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("target", help="username (create) or token id (revoke)")
        parser.add_argument("name", nargs="?", default="api")

    def handle(self, *args, action, target, name, **options):
        if action == "create":
            user = User.objects.filter(username=target).first()
            if user is None:
                raise CommandError(f"no user {target!r}", returncode=2)
            token, clear = api_token_create(user, name)
            self.stdout.write(f"token #{token.pk} for {user.username}: {clear}")
            self.stdout.write("Store it now: it is not shown again.")
            return
        token = ApiToken.objects.filter(pk=target).first() if target.isdigit() else None
        if token is None:
            raise CommandError(f"no token #{target}", returncode=2)
        api_token_revoke(token)
        self.stdout.write(self.style.SUCCESS(f"token #{token.pk} revoked"))
