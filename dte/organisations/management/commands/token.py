from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dte.organisations.models import User
from dte.organisations.tokens import ALL_GROUPS, ApiToken, api_groups, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = (
        "API tokens: `dte token create USERNAME NAME [--read-only] [--groups training,registry]` prints a new token "
        "once (default: read and write, every endpoint group); `dte token revoke ID`. Staff also manage their "
        "organisation's tokens in the web UI (/organisations/tokens/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("target", help="username (create) or token id (revoke)")
        parser.add_argument("name", nargs="?", default="api")
        parser.add_argument("--read-only", action="store_true", help="the token may only read (GET)")
        parser.add_argument("--groups", default=ALL_GROUPS,
                            help=f"comma-separated endpoint groups ({', '.join(api_groups())}); default: all")

    def handle(self, *args, action, target, name, read_only, groups, **options):
        if action == "create":
            user = User.objects.filter(username=target).first()
            if user is None:
                raise CommandError(f"no user {target!r}", returncode=2)
            access = ApiToken.Access.READ if read_only else ApiToken.Access.WRITE
            try:
                token, clear = api_token_create(user, name, access=access,
                                                groups=[g.strip() for g in groups.split(",") if g.strip()])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages), returncode=2) from None
            self.stdout.write(f"token #{token.pk} for {user.username}: {clear}")
            self.stdout.write(f"access: {access}; groups: {', '.join(token.groups)}. Store it now: it is not shown again.")
            return
        token = ApiToken.objects.filter(pk=target).first() if target.isdigit() else None
        if token is None:
            raise CommandError(f"no token #{target}", returncode=2)
        api_token_revoke(token)
        self.stdout.write(self.style.SUCCESS(f"token #{token.pk} revoked"))
