import time

from django.core.management.base import BaseCommand, CommandError

from dte.demo.generator import PEOPLE_PER_SCALE, demo_generate


class Command(BaseCommand):
    help = "Generate the demo data set (deterministic). --scale 1 = 1,000 people; 1000 = 1,000,000."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, scale, seed, **options):
        if scale < 0:
            raise CommandError("--scale must be 0 or more (1 = 1,000 people)", returncode=2)
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"\r  {done}/{total} people", ending="")

        context = demo_generate(scale=scale, seed=seed, progress=progress if scale >= 10 else None)
        self.stdout.write("")
        for line in context.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(
            f"demo data ready: scale {scale} (~{scale * PEOPLE_PER_SCALE} people) in {time.monotonic() - started:.1f}s"
        ))
