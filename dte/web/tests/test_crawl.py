"""Crawl the site as each demo role with the test client: every same-origin link reachable from the
workbench (GET only, depth ≤ 2) must answer without a server error, and no page may show a demo person's
full 18-digit ID number or mobile number (full values only come from the audited "show full" POST)."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from dte.organisations.models import User
from dte.registry.models import Person

pytestmark = pytest.mark.django_db

MAX_DEPTH = 2
PER_PATTERN = 2  # pages of one shape (/registry/people/<n>/) visited per role
SKIP = re.compile(r"logout|export|download|\.xlsx|\.pdf|\.json|/api/|/i18n/|/static/|/media/|delete|/history/", re.I)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        url = urljoin(base, href).split("#")[0]
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or SKIP.search(url):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _pattern(url: str) -> str:
    path, _, query = url.partition("?")
    path = re.sub(r"/\d+(?=/)", "/<n>", path)
    path = re.sub(r"/\d-\d\d-\d\d-\d\d(?=/)", "/<code>", path)
    keys = ",".join(sorted(part.split("=")[0] for part in query.split("&"))) if query else ""
    return f"{path}?{keys}"


def _crawl(client: Client) -> list[tuple[str, int, str]]:
    """[(url, status, body)] for every page reached."""
    seen: set[str] = set()
    shapes: Counter = Counter()
    pages = []
    queue = deque([("/", 0)])
    while queue:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _pattern(url)
        if shapes[shape] >= PER_PATTERN:
            continue
        shapes[shape] += 1
        response = client.get(url)
        body = response.content.decode("utf-8", "replace") if "html" in response.get("Content-Type", "") else ""
        pages.append((url, response.status_code, body))
        location = response.get("Location", "") if response.status_code in (301, 302, 303, 307, 308) else ""
        if location and not SKIP.search(location) and urlsplit(location).netloc in ("", "testserver"):
            queue.appendleft((urlsplit(location).path, depth))  # follow a redirect at the same depth
        if depth < MAX_DEPTH and response.status_code == 200 and body:
            queue.extend((link, depth + 1) for link in _links(url, body) if link not in seen)
    return pages


@pytest.fixture
def demo_world():
    call_command("setup", demo_scale=0, verbosity=0, stdout=open("/dev/null", "w"))
    call_command("demo", scale=1, stdout=open("/dev/null", "w"))
    return {
        "ids": {p.id_number for p in Person.objects.all()},
        "phones": {p.phone for p in Person.objects.all() if p.phone},
    }


def test_every_role_can_crawl_without_errors_or_personal_data_leaks(demo_world):
    assert len(demo_world["ids"]) > 100
    users = list(User.objects.filter(is_active=True).exclude(role="").order_by("username"))
    assert len({u.role for u in users}) >= 9  # every role has a demo account
    id_pattern = re.compile(r"(?<![\dA-Za-z])\d{17}[\dX](?![\dA-Za-z])")
    phone_pattern = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    errors, leaks, visited = [], [], 0
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url, status, body in _crawl(client):
            visited += 1
            if status >= 500:
                errors.append(f"{user.username} {url} → {status}")
            full_ids = set(id_pattern.findall(body)) & demo_world["ids"]
            full_phones = set(phone_pattern.findall(body)) & demo_world["phones"]
            if full_ids or full_phones:
                leaks.append(f"{user.username} {url}: {len(full_ids)} ID number(s), {len(full_phones)} phone(s)")
    assert visited > 10 * len(users) // 2, visited  # the crawl really went somewhere
    assert not errors, errors
    assert not leaks, leaks


def test_anonymous_public_pages_render_and_mask():
    call_command("setup", demo_scale=0, verbosity=0, stdout=open("/dev/null", "w"))
    call_command("demo", scale=1, stdout=open("/dev/null", "w"))
    from dte.training.models import TrainingCertificate

    certificate = TrainingCertificate.objects.select_related("enrolment__person").first()
    assert certificate is not None
    client = Client()
    for url in ["/registry/public/announcements/", "/registry/public/register/", f"/credentials/v/{certificate.verify_token}/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        body = response.content.decode()
        assert certificate.enrolment.person.id_number not in body
        assert re.search(r"<title>[^<]+ · ", body), url  # a page title, not only the site name
