from django.core.management.base import BaseCommand, CommandError

from dte.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    requires_system_checks = []  # an operator's safety tool: it must run even when a check fails
    help = ("Write every table's rows and every uploaded file (still encrypted) to one tar archive: "
            "`dte backup PATH`. Restore with `dte restore PATH` (see dte/ops/backup.py).")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, database, **options):
        progress = self.stdout.write if options["verbosity"] > 1 else None
        try:
            report = backup_write(path, alias=database, progress=progress)
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        self.stdout.write(self.style.SUCCESS(
            f"backup written to {path}: {report.tables} tables, {report.rows:,} rows, "
            f"{report.files:,} files ({report.file_bytes:,} bytes) in {report.seconds:.1f} s"))
