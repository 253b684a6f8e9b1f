from importlib import import_module, util

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from dte.geography.services import divisions_load
from dte.workdays.services import calendar_seed_from_package


class Command(BaseCommand):
    help = "Migrate, load reference data (divisions, calendar, catalogues) and the demo data set."

    def add_arguments(self, parser):
        parser.add_argument("--demo-scale", type=int, default=1, help="0 = no demo data")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the server will listen (printed at the end)")

    def handle(self, *args, demo_scale, seed, url="http://127.0.0.1:8000/", **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"divisions: {divisions_load()}")
        years = calendar_seed_from_package()
        if years:
            self.stdout.write(f"working-day calendar: {years[0]}–{years[-1]}")
        for app in settings.DTE_APPS:  # each domain's reference data, e.g. dte/catalogue/setup.py
            if util.find_spec(f"{app}.setup"):
                message = import_module(f"{app}.setup").reference_data()
                if message:
                    self.stdout.write(str(message))
        if demo_scale > 0:
            call_command("demo", scale=demo_scale, seed=seed, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"setup complete — log in at {url} (accounts: README)"))
