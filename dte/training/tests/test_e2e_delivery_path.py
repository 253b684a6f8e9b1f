"""Browser end-to-end: the delivery path (issue 5) clicked through the real pages, role by role —
venue with a geofence and rotating QR → sessions → confirmed schedule → recorded attendance and
recordings → a trainee checks in on the phone page inside the fence with the code on the screen,
another is refused outside it → assessment → completion → certificates (preview, issue, PDF) →
public verification → 30-day report and its Excel.

Same approach as dte/web/tests/test_e2e_browser.py: Debian's chromium (/usr/bin/chromium, never a
downloaded browser) through Playwright against pytest-django's live_server; skipped only where
/usr/bin/chromium is missing; a failing test leaves screenshots of every open page in var/e2e/.

The class is held in Tianjin (津人社办发〔2022〕94号): 64 hours required, full video recording and
location check-in. Two regular sessions already took place (attendance recorded by the teacher on the
session page); the trainee who missed the first attends its make-up, which is open now."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from dte.organisations.tests.factories import division  # noqa: E402
from dte.registry.models import TrainingClass  # noqa: E402
from dte.training.models import Session, TrainingCertificate, Venue  # noqa: E402
from dte.web.tests.browser import browser  # noqa: E402,F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import open_as, zh  # noqa: E402,F401  (pytest fixtures are used by name)

from .factories import VENUE_LAT, VENUE_LON, TrainingClassFactory, institution, staff, trainee  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64  # an (empty) MP4 container header


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button").last.click()


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def add_session(page, *, title, starts, ends, hours, kind, venue, makeup_for=None) -> None:
    form = page.locator("main form.card:has([name=starts_at])")
    form.locator("[name=title]").fill(title)
    form.locator("[name=starts_at]").fill(local(starts))
    form.locator("[name=ends_at]").fill(local(ends))
    form.locator("[name=hours]").fill(str(hours))
    form.locator("[name=delivery]").select_option("offline")
    form.locator("[name=kind]").select_option(kind)
    form.locator("[name=venue]").select_option(str(venue.pk))
    if makeup_for is not None:
        form.locator("[name=makeup_for]").select_option(str(makeup_for.pk))
    submit(page, form)
    expect(page.locator("main table").last).to_contain_text(title)


def record_present(page, session, name) -> None:
    page.goto(f"/training/session/{session.pk}/")
    form = page.locator("main table tr", has_text=name).locator("form:has(input[name=action][value=correct])")
    form.locator("[name=status]").select_option("present")
    form.locator("[name=reason]").fill("纸质签到表补录")
    submit(page, form)
    expect(page.locator("main table tr", has_text=name).locator(".badge").first).to_have_class(re.compile(r"\bok\b"))


def upload_recording(page, session) -> None:
    page.goto(f"/training/session/{session.pk}/")
    form = page.locator("main form:has(input[name=action][value=evidence])")
    form.locator("input[name=file]").set_input_files({"name": f"session-{session.pk}.mp4", "mimeType": "video/mp4", "buffer": MP4})
    submit(page, form)
    expect(page.locator("main")).to_contain_text(f"session-{session.pk}.mp4")


def test_delivery_path_in_the_browser(open_as):
    now = timezone.localtime()
    today = now.date()
    division("120101", "和平区")
    school = institution("120101", name="天津职业技术师范大学（E2E）")
    teacher = staff(school)
    tc = TrainingClassFactory(institution=school, title="人工智能初级班（E2E）", status=TrainingClass.Status.APPROVED,
                              start_date=today - timedelta(days=20), end_date=today)
    zhang, li, wang = (trainee(tc, name=n) for n in ("张三", "李四", "王五"))

    # 1. staff: a venue with a 100 m geofence and the rotating QR code
    desk = open_as(teacher.username)
    desk.goto("/training/venues/")
    form = desk.locator("main form.card")
    form.locator("[name=name]").fill("人工智能实训室A")
    form.locator("[name=address]").fill("天津市和平区南京路1号")
    form.locator("[name=division]").select_option("120101")
    form.locator("[name=lat]").fill(str(VENUE_LAT))
    form.locator("[name=lon]").fill(str(VENUE_LON))
    form.locator("[name=radius_m]").fill("100")
    form.locator("[name=max_accuracy_m]").fill("50")
    form.locator("[name=uses_rotating_qr]").check()
    submit(desk, form)
    expect(desk.locator("main table tr", has_text="人工智能实训室A")).to_contain_text("100 m")
    venue = Venue.objects.get(institution=school)

    # 2. staff: sessions through the form — two that took place, and the make-up of the first, open now
    desk.goto(f"/training/class/{tc.pk}/")
    past = timezone.make_aware(timezone.datetime.combine(today - timedelta(days=10), timezone.datetime.min.time()))
    add_session(desk, title="第1讲 人工智能基础", starts=past + timedelta(hours=9), ends=past + timedelta(hours=17), hours=32,
                kind="theory", venue=venue)
    add_session(desk, title="第2讲 智能应用实训", starts=past + timedelta(days=1, hours=9), ends=past + timedelta(days=1, hours=17),
                hours=32, kind="practice", venue=venue)
    first, second = Session.objects.filter(training_class=tc).order_by("starts_at")
    add_session(desk, title="补课：第1讲", starts=now - timedelta(minutes=5), ends=now + timedelta(hours=2), hours=32,
                kind="theory", venue=venue, makeup_for=first)
    makeup = Session.objects.get(training_class=tc, makeup_for=first)
    submit(desk, desk.locator("main form:has(input[name=action][value=confirm])"))
    expect(desk.locator("main .badge.ok")).to_be_visible()  # 课程表已确认

    # 3. staff: attendance of the sessions held (李四 missed the first) and their full recordings
    record_present(desk, first, "张三")
    record_present(desk, second, "张三")
    record_present(desk, second, "李四")
    for session in (first, second, makeup):
        upload_recording(desk, session)

    # 4. the teacher's screen shows the rotating code; 李四 checks in on the phone page inside the fence
    desk.goto(f"/training/session/{makeup.pk}/qr/")
    code = desk.locator("#code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    inside = {"latitude": VENUE_LAT + 0.0003, "longitude": VENUE_LON, "accuracy": 10}  # ≈ 33 m from the centre
    phone = open_as(li.person.user.username, geolocation=inside, permissions=["geolocation"])
    phone.goto("/training/my/")
    phone.locator("main tr", has_text="补课：第1讲").locator(f"a[href='/training/session/{makeup.pk}/check-in/']").click()
    phone.locator("#code").fill(code)
    phone.locator("#in").click()
    expect(phone.locator("#result")).to_have_class(re.compile(r"\bok\b"))
    expect(phone.locator("#result")).to_contain_text("✓")

    # 5. 王五, about 1.1 km away, is refused with the reason shown
    outside = {"latitude": VENUE_LAT + 0.01, "longitude": VENUE_LON, "accuracy": 10}
    far = open_as(wang.person.user.username, geolocation=outside, permissions=["geolocation"])
    far.goto(f"/training/session/{makeup.pk}/check-in/?code={code}")
    far.locator("#in").click()
    expect(far.locator("#result")).to_have_class(re.compile(r"\bbad\b"))
    expect(far.locator("#result")).to_contain_text("不在签到范围内")
    desk.goto(f"/training/session/{makeup.pk}/")
    expect(desk.locator("main table tr", has_text="李四").locator(".badge")).to_have_class(re.compile(r"\bok\b"))
    expect(desk.locator("main table").last.locator("tr", has_text="王五")).to_contain_text("不在签到范围内")

    # 6. staff: assessment scores, then the completion decision
    desk.goto(f"/training/class/{tc.pk}/completion/")
    for name, score in (("张三", "88"), ("李四", "75"), ("王五", "90")):
        form = desk.locator("main table tr", has_text=name).locator("form")
        form.locator("[name=score]").fill(score)
        submit(desk, form)
    submit(desk, desk.locator("main form:has(input[name=action][value=decide])"))
    for name in ("张三", "李四"):
        expect(desk.locator("main table tr", has_text=name).locator(".badge.ok").last).to_have_text(zh("Completed"))
    wang_row = desk.locator("main table tr", has_text="王五")
    expect(wang_row.locator(".badge.bad")).to_have_text(zh("Not completed"))
    expect(wang_row).to_contain_text("少于规定的64学时")

    # 7. staff: preview and issue the certificates, then download a PDF
    desk.locator("main .toolbar a[href$='/certificates/']").click()
    preview = desk.locator("main form:has(input[name=action][value=issue])")
    expect(preview.locator("input[name=enrolment]")).to_have_count(2)
    expect(preview).not_to_contain_text("王五")
    submit(desk, preview)
    issued = desk.locator("main > table tr:has(a[href*='/credentials/v/'])")
    expect(issued).to_have_count(2)
    pdf_href = issued.filter(has_text="张三").locator("a[href$='/pdf/']").get_attribute("href")
    pdf = desk.context.request.get(pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # 8. anonymously: the public verification page shows the certificate valid, the ID masked
    cert = TrainingCertificate.objects.get(enrolment=zhang)
    visitor = open_as(None)
    visitor.goto(f"/credentials/v/{cert.verify_token}/")
    assert "/login/" not in visitor.url
    card = visitor.locator("main .card")
    expect(card.locator(".badge.ok")).to_have_text(zh("Valid"))
    expect(card).to_contain_text("张三")
    expect(card).to_contain_text(zhang.person.masked_id_number)
    expect(card).not_to_contain_text(zhang.person.id_number)

    # 9. staff: the 30-day report page and its Excel
    desk.goto(f"/training/class/{tc.pk}/report/")
    expect(desk.locator("main table").last).to_contain_text("李四")
    with desk.expect_download() as info:
        desk.locator(f"main a[href='/training/class/{tc.pk}/report.xlsx']").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).worksheets[0]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"张三", "李四", "王五"} <= cells
    assert zhang.person.id_number not in cells
