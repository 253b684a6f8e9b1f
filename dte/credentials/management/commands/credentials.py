import base64
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dte.credentials import signing, vc


class Command(BaseCommand):
    help = ("Certificate signing: `newkey KID` prints a fresh DTE_SIGNING_KEY entry; `keys` prints the published "
            "public keys; `verify FILE.json [--keys keys.json]` checks a downloaded Verifiable Credential offline.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["newkey", "keys", "verify"])
        parser.add_argument("arg", nargs="?", default="")
        parser.add_argument("--keys", default="", help="the published keys.json (default: the keys this platform knows)")

    def handle(self, *args, action, arg, keys, **options):
        if action == "newkey":
            self.stdout.write(f"DTE_SIGNING_KEY={signing.new_key_spec(arg or 's1')}")
            self.stdout.write("Put it FIRST in DTE_SIGNING_KEY and keep the older keys after it (they keep verifying).")
            return
        if action == "keys":
            self.stdout.write(json.dumps({"keys": signing.published_keys()}, ensure_ascii=False, indent=1))
            return
        if not arg:
            raise CommandError("verify needs a FILE.json")
        try:
            credential = json.loads(Path(arg).read_text(encoding="utf-8"))
            published = json.loads(Path(keys).read_text(encoding="utf-8"))["keys"] if keys else signing.published_keys()
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read: {error}") from None
        trusted = [base64.b64decode(k["public_key"]) for k in published]
        if not vc.verify(credential, trusted):
            raise CommandError("INVALID: the credential was altered or not signed by a published key")
        subject = credential.get("credentialSubject", {})
        self.stdout.write(self.style.SUCCESS(
            f"VALID signature: {subject.get('certificateNumber')} {subject.get('name')} "
            f"({credential.get('issuer', {}).get('name')}, {credential.get('validFrom', '')[:10]}); "
            f"current status: {credential.get('id')}"))
