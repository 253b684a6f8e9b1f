"""Rebuild the zh_Hans message catalogue.

Source strings are English; Chinese is the default UI language. Translations are kept
as reviewable `English<TAB>中文` lines in dte/locale/zh.txt and dte/<app>/locale_zh.txt.
This script extracts the strings (Django's makemessages, needs GNU gettext), fills in
the translations, reports what is still untranslated, and compiles the .mo that is
committed (so a fresh machine needs no gettext). Run: .venv/bin/python scripts/i18n.py
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "dte" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def load_translations() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in [ROOT / "dte" / "locale" / "zh.txt", *sorted((ROOT / "dte").glob("*/locale_zh.txt"))]:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("#"):
                english, chinese = line.split("\t", 1)
                table[english.strip()] = chinese.strip()
    return table


def unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dte.settings.local"}
    # Start from a fresh extraction: merging into the old catalogue would make msgmerge
    # guess "fuzzy" translations from similar strings, and a wrong guess is worse than English.
    PO.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
         "--ignore", ".venv/*", "--ignore", "bench/*", "--ignore", "scripts/*"],
        cwd=ROOT / "dte", env=env, check=True,
    )
    table = load_translations()
    text = PO.read_text(encoding="utf-8")
    text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
    text = re.sub(r'"Plural-Forms: [^"]*"', '"Plural-Forms: nplurals=1; plural=0;\\\\n"', text)
    missing: list[str] = []

    def fill(match: re.Match) -> str:
        msgid = unescape("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))))
        if not msgid:
            return match.group(0)
        chinese = table.get(msgid)
        if chinese is None:
            missing.append(msgid)
            return match.group(0)
        return f'msgid {match.group(1).strip()}\nmsgstr "{escape(chinese)}"\n'

    text = re.sub(r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ""\n', fill, text)

    def fill_plural(match: re.Match) -> str:
        """Chinese has one plural form (nplurals=1): msgstr[0] is the singular's translation."""
        msgid = unescape("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))))
        chinese = table.get(msgid)
        if chinese is None:
            missing.append(msgid)
            return match.group(0)
        return f'msgid {match.group(1).strip()}\nmsgid_plural {match.group(2).strip()}\nmsgstr[0] "{escape(chinese)}"\n'

    text = re.sub(r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgid_plural ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr\[0\] ""\n(?:msgstr\[1\] ""\n)?',
                  fill_plural, text)
    text = text.replace('#, fuzzy\nmsgid ""\nmsgstr ""\n', 'msgid ""\nmsgstr ""\n', 1)  # the header is ours, not a guess
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "--check-format", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    print(f"{len(table)} translations known; {len(missing)} strings untranslated")
    for msgid in missing:
        print(f"  untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
