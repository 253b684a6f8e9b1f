"""Issue 13's done-when, in a real browser: each demo user walks the pages reachable from the navigation
and the workbench (GET only) with the Chinese UI, and no page shows an English source string of the
message catalogue or a raw internal code (reason codes, field names, `app.action`, `app.Model N`, Python
reprs). The checker is `ui_text.findings`; what it reads is the browser's own `document.body.innerText`,
i.e. exactly what a person sees.

Playwright drives Debian's chromium (/usr/bin/chromium, never a downloaded browser; CI installs it and the
module is skipped only where it is missing). To stay fast enough for CI (≈ 60 s), a page of one shape
(/training/class/<n>/) is read once, by the first demo user who reaches it (each user's own workbench is
always read); the crawl goes two links deep from the workbench."""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from dte.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from dte.organisations.models import User
from dte.web.tests.browser import require_chromium
from dte.web.tests.ui_text import findings

require_chromium()

from playwright.sync_api import Error as PlaywrightError  # noqa: E402  (after the skip: a test extra)

MAX_DEPTH = 2
# The Django admin is left out here: test_admin_chinese.py reads its index and every changelist with the same
# checker through the test client (about a hundred admin pages would not fit this test's time budget).
SKIP = re.compile(r"logout|export|xlsx|format=|download|\.xlsx|\.pdf|\.json|\.png|/api/|/i18n/|/static/|/media/|delete"
                  r"|/history/|/admin/|/qr/|/file/|/bytes/", re.I)
LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"""
# data that is English on purpose carries lang="en" (an occupation's official English name): not UI text
TEXT_JS = """() => { document.querySelectorAll('[lang]:not([lang^="zh"]):not(html)').forEach(e => e.remove());
                     return document.body.innerText; }"""

pytestmark = pytest.mark.django_db(transaction=True)


def _pattern(url: str) -> str:
    path, _, query = url.partition("?")
    path = re.sub(r"/\d+(?=/|$)", "/<n>", path)
    path = re.sub(r"/\d-\d\d-\d\d-\d\d(?=/|$)", "/<code>", path)
    path = re.sub(r"/[A-Z0-9]{8,}(?=/|$)", "/<token>", path)
    keys = ",".join(sorted(part.split("=")[0] for part in query.split("&") if part)) if query else ""
    return f"{path}?{keys}"


def _same_origin(base: str, href: str, origin: str) -> str | None:
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    url = urljoin(base, href).split("#")[0]
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path) or SKIP.search(parts.query):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(page, origin: str, seen_shapes: set[str]) -> list[tuple[str, str]]:
    """[(url, visible text)] of the pages reached from the workbench, each shape once."""
    queue = deque([("/", 0)])
    seen: set[str] = set()
    out = []
    while queue:
        url, depth = queue.popleft()
        shape = _pattern(url)
        if url in seen or (url != "/" and shape in seen_shapes):
            continue
        seen.add(url)
        seen_shapes.add(shape)
        try:
            response = page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError:  # a link that starts a download is not a page
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        here = page.url
        if urlsplit(here).path.startswith("/login"):
            continue
        hrefs = page.evaluate(LINKS_JS)
        text = page.evaluate(TEXT_JS)
        if response.status >= 500:
            text += f"\nSERVER_ERROR_{response.status}"  # a server error is a finding too (raw code on purpose)
        out.append((urlsplit(here).path + (f"?{urlsplit(here).query}" if urlsplit(here).query else ""), text))
        if depth < MAX_DEPTH and response.status == 200:
            for href in hrefs:
                link = _same_origin(here, href, origin)
                if link and link not in seen:
                    queue.append((link, depth + 1))
    return out


@pytest.fixture
def demo_world():
    call_command("setup", demo_scale=0, verbosity=0, stdout=open("/dev/null", "w"))
    call_command("demo", scale=1, stdout=open("/dev/null", "w"))


def test_every_demo_user_sees_only_chinese_and_no_raw_codes(browser, demo_world, live_server):
    usernames = frozenset(User.objects.values_list("username", flat=True))
    accounts = [a for a in DEMO_ACCOUNTS if User.objects.filter(username=a.username, is_active=True).exists()]
    assert len(accounts) >= 10
    problems: dict[str, list[str]] = {}
    visited = 0
    started = time.monotonic()
    seen_shapes: set[str] = set()  # a page shape read for one user is not read again for the next
    for account in accounts:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/login/")
        page.locator("input[name=username]").fill(account.username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/$"))
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        pages = crawl(page, live_server.url, seen_shapes)
        visited += len(pages)
        for url, text in pages:
            found = findings(text, usernames=usernames)
            if found:
                problems[f"{account.username} {url}"] = sorted(set(found))
        context.close()
    elapsed = time.monotonic() - started
    print(f"\n{visited} pages read by {len(accounts)} demo users in {elapsed:.1f} s")
    assert visited >= 3 * len(accounts), visited
    report = "\n".join(f"{where}: {'; '.join(items[:8])}" for where, items in sorted(problems.items()))
    assert not problems, f"{len(problems)} pages show English source strings or raw codes:\n{report}"


@pytest.mark.parametrize("text, expected", [
    ("已退休 GRADUATE_WINDOW_PASSED", "code"),
    ("操作 training.certificate.issue", "dotted name"),
    ("对象 registry.Enrolment 8", "object label"),
    ("变更 people_created 3", "field name"),
    ("启用 True", "Python repr"),
    ("参数 {'order': 1}", "Python repr"),
    ("名额 []", "Python repr"),
    ("Change quota: 30", "English"),
    ("签到 4 listings were checked late today", "English"),
    ("名单 zorbly quuxed the frobnicator", "English text"),
])
def test_checker_flags_what_a_person_must_not_see(text, expected):
    assert any(f.startswith(expected) for f in findings(text)), findings(text)


@pytest.mark.parametrize("text", [
    "山西大学 2-02-10-11 初级 ¥1,500.00 85% 2026-03-01 09:00",
    "导出 Excel · 下载 PDF · 扫描 QR 码",
    "登录名 sx_province · 查验网址 https://example.org/credentials/v/abc_def/ · roster_2026.xlsx",
    "证书编号 20261400019000001X · 身份证 1401**********123X",
])
def test_checker_leaves_what_a_person_reads_as_is(text):
    assert findings(text, usernames=frozenset({"sx_province"})) == []
