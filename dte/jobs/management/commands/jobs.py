from django.core.management.base import BaseCommand

from dte.jobs.services import jobs_sweep, stale_after


class Command(BaseCommand):
    help = ("Background jobs: `sweep` fails (or, for retry-safe kinds, queues again) running jobs whose worker "
            "stopped reporting for DTE_JOB_STALE_SECONDS, and re-sends queued jobs whose message was lost.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, action, **options):
        counts = jobs_sweep()
        self.stdout.write(self.style.SUCCESS(
            f"stale after {int(stale_after().total_seconds())} s: {counts['failed']} failed, "
            f"{counts['retried']} retried, {counts['requeued']} re-sent"))
