from django.core.management.base import BaseCommand, CommandError

from dte.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. `dte audit verify` recomputes the hash chain and names broken rows."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"audit chain broken: {len(problems)} problem(s)", returncode=1)
        self.stdout.write(self.style.SUCCESS("audit chain intact"))
