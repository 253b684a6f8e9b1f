from django.core.management.base import BaseCommand, CommandError

from dte.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    requires_system_checks = []  # an operator's safety tool: it must run even when a check fails
    help = ("Replace the content of every table with the rows of a `dte backup` archive and write its files back: "
            "`dte restore PATH`. The database must be migrated exactly as when the backup was written "
            "(`dte migrate` first). All rows are restored in one transaction, or none.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, path, database, interactive, **options):
        if interactive:
            answer = input(f"This replaces ALL data in database '{database}' with the backup {path}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled", returncode=1)
        progress = self.stdout.write if options["verbosity"] > 1 else None
        try:
            report = backup_restore(path, alias=database, progress=progress)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(str(error), returncode=1) from None
        self.stdout.write(self.style.SUCCESS(
            f"restored {report.tables} tables, {report.rows:,} rows, {report.files:,} files "
            f"({report.file_bytes:,} bytes) in {report.seconds:.1f} s"))
        if report.extra_files:
            self.stdout.write(self.style.WARNING(
                f"{report.extra_files} stored file(s) not in the backup were left in place"))
        self.stdout.write("next: `dte audit verify` (needs the same DTE_AUDIT_KEY as the backed-up site)")
