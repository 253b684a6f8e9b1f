"""The checker behind "no English source string or raw code on a Chinese page" (issue 13, item 12).

`findings(text)` takes the text a person sees on a page rendered in Chinese (the browser's
`document.body.innerText`, or `visible_text(html)` for the test client) and names every stretch that is
either an English source string of the message catalogue (an msgid that was not translated) or a raw
internal code: UPPER_SNAKE reason codes, snake_case field names, dotted `app.action` names, `app.Model N`
object labels and Python reprs (True, None, [], {'…': …}).

What is allowed on purpose: numbers, dates, occupation codes (2-02-10-11), masked ID numbers, file names,
web addresses and e-mail addresses, tracking codes, the platform's own usernames and a short list of
technical words a person reads as they are (Excel, PDF, QR, API, ID …)."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

PO = Path(settings.PROJECT_DIR) / "dte" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# ASCII words a Chinese page may show as they are.
ALLOWED_WORDS = {
    "API", "Bearer", "CSV", "Demo", "DTE", "Ed25519", "Excel", "GB", "HTTPS", "ID", "JSON", "JSON-LD", "OK", "OpenAPI",
    "PDF", "QR", "SHA-256", "SM", "TOTP", "URL", "VC", "XLSX", "xlsx", "pdf", "csv", "json", "Python", "Django",
    "Asia/Shanghai", "RFC", "JCS", "W3C", "Verifiable", "Credential", "kid", "dte", "Token", "GB/T", "Chrome",
}

_SKIP_TAGS = {"script", "style", "template", "noscript", "head", "title", "svg"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """Text of the elements a browser would render (script/style/hidden elements left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # True for an element whose content is not shown
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            attributes = dict(attrs)
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                if not any(self.stack):
                    self.parts.append(" " + attributes["value"] + " ")
            return
        attributes = dict(attrs)
        hidden = (
            tag in _SKIP_TAGS or "hidden" in attributes
            or "display:none" in (attributes.get("style") or "").replace(" ", "")
        )
        self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack:
            self.stack.pop()


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", " ".join(parser.parts))


def _unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@lru_cache(maxsize=1)
def english_sources() -> frozenset[str]:
    """Every msgid of the catalogue that reads as English words (the strings a Chinese page must not show)."""
    text = PO.read_text(encoding="utf-8")
    out = set()
    for match in re.finditer(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)', text, re.M):
        msgid = _unescape("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))).strip()
        # placeholders split a message into literal pieces; each piece of two letters or more is checked
        for piece in re.split(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}", msgid):
            piece = piece.strip(" :：.,;()/·-—–\n")
            if re.fullmatch(r"[A-Za-z][A-Za-z' \-]*[A-Za-z]", piece) and piece not in ALLOWED_WORDS:
                out.add(piece)
    return frozenset(out)


# Raw codes.
_UPPER_SNAKE = re.compile(r"(?<![\w.@/-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w@/-])")
_SNAKE = re.compile(r"(?<![\w.@/:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
_DOTTED = re.compile(r"(?<![\w.@/:-])[a-z][a-z_]*(?:\.[a-z_][a-z0-9_]*)+(?![\w@/-])")
_MODEL_LABEL = re.compile(r"\b[a-z_]+\.[A-Z][A-Za-z]+ \d+\b")
_REPR = re.compile(r"(?<![\w'\"])(?:True|False|None)(?![\w'\"])|\[\]|\{\}|\{'[^']*':|\[['{(]|<[A-Z]\w+:? ")
_FILE = re.compile(r"\.(?:xlsx|xls|csv|pdf|json|txt|png|jpg|html|md|py|zip)$", re.I)
_ENGLISH_RUN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z' \-]*[A-Za-z](?![\w-])")


def _allowed_code(token: str, usernames: frozenset[str]) -> bool:
    return token in usernames or bool(_FILE.search(token)) or token in ALLOWED_WORDS


def findings(text: str, *, usernames: frozenset[str] = frozenset()) -> list[str]:
    """Every English source string or raw code in `text` (what a person sees on a Chinese page)."""
    found: list[str] = []
    # web and mail addresses are read as they are
    text = re.sub(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bwww\.\S+", " ", text)
    text = re.sub(r"[\w.-]+\.(?:xlsx|xls|csv|pdf|json|txt|png|jpg|zip)\b", " ", text, flags=re.I)  # file names
    for pattern, kind in ((_MODEL_LABEL, "object label"), (_UPPER_SNAKE, "code"), (_DOTTED, "dotted name"),
                          (_SNAKE, "field name"), (_REPR, "Python repr")):
        for match in pattern.finditer(text):
            token = match.group(0)
            if kind != "Python repr" and _allowed_code(token, usernames):
                continue
            found.append(f"{kind}: {token!r}")
    sources = english_sources()
    for line in text.splitlines():
        for match in _ENGLISH_RUN.finditer(line):
            run = match.group(0).strip()
            if run in ALLOWED_WORDS:
                continue
            if run in sources:
                found.append(f"English: {run!r}")
                continue
            # a run of several words may hold an English source string inside it ("Teacher: … Venue:")
            words = run.split()
            if len(words) > 1:
                for source in sources:
                    if " " in source and re.search(rf"(?<![A-Za-z]){re.escape(source)}(?![A-Za-z])", run):
                        found.append(f"English: {source!r} in {run!r}")
                        break
                else:
                    for word in words:
                        if word in sources and word not in ALLOWED_WORDS:
                            found.append(f"English: {word!r} in {run!r}")
                            break
                    else:
                        # English prose that never went through gettext (a literal in a template or a view)
                        prose = [w for w in words if len(w) > 1 and w not in ALLOWED_WORDS]
                        if len(prose) >= 3:
                            found.append(f"English text: {run!r}")
    return found
