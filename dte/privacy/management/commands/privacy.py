from django.core.management.base import BaseCommand

from dte.privacy import crypto
from dte.privacy.services import files_seal, personal_data_rotate


class Command(BaseCommand):
    help = ("Personal-data keys: `newkey KID` prints a fresh key; `rotate` re-encrypts with the first key of DTE_DATA_KEY; "
            "`encrypt-files` seals stored files written before encryption at rest.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["newkey", "rotate", "encrypt-files"])
        parser.add_argument("kid", nargs="?", default="k1")

    def handle(self, *args, action, kid, **options):
        if action == "newkey":
            self.stdout.write(f"DTE_DATA_KEY={crypto.new_key_spec(kid)}")
            self.stdout.write(f"DTE_INDEX_KEY={crypto.new_key_spec('x').split(':', 1)[1]}")
            return
        if action == "encrypt-files":
            sealed, total = files_seal()
            self.stdout.write(self.style.SUCCESS(f"sealed {sealed} of {total} stored file(s) written before encryption"))
            return
        count = personal_data_rotate()
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {count} value(s) with key {crypto.active_kid()}"))
