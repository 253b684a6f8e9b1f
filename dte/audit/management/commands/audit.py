from django.core.management.base import BaseCommand, CommandError

from dte.audit.checkpoints import CheckpointRefused, checkpoint_create, checkpoints_load
from dte.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `dte audit verify` recomputes the keyed hash chain and compares it with every signed "
        "checkpoint; `dte audit checkpoint` exports a signed checkpoint of the chain head outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            try:
                checkpoint = checkpoint_create()
            except CheckpointRefused as error:
                raise CommandError(str(error), returncode=1) from None
            self.stdout.write(self.style.SUCCESS(f"checkpoint seq={checkpoint.seq} written to {checkpoint.path}"))
            return
        problems = audit_verify()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"audit chain broken: {len(problems)} problem(s)", returncode=1)
        checkpoints = checkpoints_load()
        if checkpoints:
            latest = checkpoints[-1]
            self.stdout.write(self.style.SUCCESS(
                f"audit chain intact; {len(checkpoints)} checkpoint(s) match, latest seq={latest.seq} ({latest.created_at})"
            ))
        else:
            self.stdout.write(self.style.WARNING(
                "audit chain intact, but no checkpoint exists: a cut-off tail cannot be detected (run `dte audit checkpoint`)"
            ))
