"""`dte ledger verify`: prove the subsidy ledger (balanced, unchanged, matching the records)."""

from django.core.management.base import BaseCommand, CommandError

from dte.subsidy.services.ledger import verify


class Command(BaseCommand):
    help = "Subsidy ledger: `verify` checks every transaction balances, the hash chain is intact and balances per claim line, institution and budget year match the records."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        result = verify()
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(f"ledger verify: {len(result.problems)} problem(s) in {result.transactions} transactions")
        self.stdout.write(f"ledger verify: OK, {result.transactions} transactions balanced and unchanged")
