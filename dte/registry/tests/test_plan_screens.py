"""Issue 13 item 11: annual plans and quotas are created and edited on screens (province bureau), and an
institution edits its draft or returned filing in place instead of starting over. Item 13: people type
¥ and %, and pick places from a province → prefecture → county chooser."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.organisations.tests.factories import division
from dte.registry.errors import RegistryError
from dte.registry.models import Announcement, AnnualPlan, PlanQuota, TrainingClass, TrainingPlanFiling
from dte.registry.services_plans import (
    annual_plan_create, annual_plan_update, filing_review, filing_submit, filing_update, quota_add,
)

from .factories import (
    TrainingClassFactory, filing, listed_institution, occupation, officer, staff,
)

pytestmark = pytest.mark.django_db


# --- services ----------------------------------------------------------------------------------------


def test_plan_create_update_and_quota_add_are_audited_and_scoped():
    province = officer("140000")
    plan = annual_plan_create(province_id="140000", year=2026, title="2026 年度计划", document="晋人社厅发〔2026〕1号", by=province)
    annual_plan_update(plan, title="2026 年度数字技术工程师培训计划", document="晋人社厅发〔2026〕2号", by=province)
    sxu = listed_institution("140100")
    quota = quota_add(plan, institution=sxu, occupation=occupation(), places=80, by=province)
    plan.refresh_from_db()
    assert (plan.title, plan.document, quota.places) == ("2026 年度数字技术工程师培训计划", "晋人社厅发〔2026〕2号", 80)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"registry.plan.create", "registry.plan.change", "registry.quota.create"} <= actions


def test_plan_refusals_name_their_fields():
    province = officer("140000")
    plan = annual_plan_create(province_id="140000", year=2026, title="计划", by=province)
    with pytest.raises(RegistryError) as same:
        annual_plan_create(province_id="140000", year=2026, title="计划", by=province)
    assert same.value.detail == {"field": "title"}
    tianjin, sxu = listed_institution("120100"), listed_institution("140100")
    quota_add(plan, institution=sxu, occupation=occupation(), places=10, by=province)
    with pytest.raises(RegistryError) as refused:
        quota_add(plan, institution=tianjin, occupation=occupation(), places=0, by=province)
    assert set(refused.value.detail["fields"]) == {"institution", "places"}  # all at once
    with pytest.raises(RegistryError) as twice:
        quota_add(plan, institution=sxu, occupation=occupation(), places=5, by=province)
    assert set(twice.value.detail["fields"]) == {"occupation"}


def test_only_the_province_bureau_of_that_province_sets_plans():
    with pytest.raises(PermissionDenied):
        annual_plan_create(province_id="140000", year=2026, title="x", by=officer("140100", role=Role.LOCAL_OFFICER))
    with pytest.raises(PermissionDenied):
        annual_plan_create(province_id="140000", year=2026, title="x", by=officer("120000"))
    assert not AnnualPlan.objects.exists()  # rolled back


def test_returned_filing_is_edited_in_place_and_submitted_again():
    school = listed_institution("140100")
    teacher, province = staff(school), officer("140000")
    f = filing(school, exam_dates=[])  # a draft without exam dates cannot be submitted
    with pytest.raises(RegistryError):
        filing_submit(f, by=teacher)
    f = filing_update(f, by=teacher, exam_dates=["2026-10-20"], teachers=[{"name": "王老师", "title": "副教授", "qualification": ""}])
    f = filing_submit(f, by=teacher)
    f = filing_review(f, accept=False, by=province, comment="请补充实训场地")
    assert f.status == TrainingPlanFiling.Status.RETURNED
    f = filing_update(f, by=teacher, venues=["太原市小店区坞城路92号", "实训楼 301"])
    assert f.status == TrainingPlanFiling.Status.RETURNED  # editing keeps the status; submitting is its own step
    f = filing_submit(f, by=teacher)
    assert f.status == TrainingPlanFiling.Status.SUBMITTED and f.venues[-1] == "实训楼 301"
    change = AuditEvent.objects.filter(action="registry.filing.change").last()
    assert change.after == {"venues": ["太原市小店区坞城路92号", "实训楼 301"]}
    with pytest.raises(RegistryError) as refused:
        filing_update(f, by=teacher, materials="x")
    assert refused.value.code == "NOT_EDITABLE"


def test_another_institution_cannot_edit_the_filing():
    f = filing(listed_institution("140100"))
    with pytest.raises(PermissionDenied):
        filing_update(f, by=staff(listed_institution("140100")), materials="x")


# --- screens --------------------------------------------------------------------------------------------


def test_province_officer_creates_a_plan_and_adds_quotas_on_screen(client):
    province = officer("140000")
    sxu = listed_institution("140100", name="山西大学")
    client.force_login(province)
    assert "新建年度计划" in client.get("/registry/quotas/").content.decode()
    response = client.post("/registry/plans/new/", {"province": "140000", "year": 2026, "title": "2026 年度计划",
                                                   "document": "晋人社厅发〔2026〕1号"})
    plan = AnnualPlan.objects.get()
    assert response.url == f"/registry/plans/{plan.pk}/"
    page = client.post(f"/registry/plans/{plan.pk}/", {"institution": sxu.pk, "occupation": occupation().pk, "places": 0})
    assert "places" in page.context["form"].errors  # beside its own field
    client.post(f"/registry/plans/{plan.pk}/", {"institution": sxu.pk, "occupation": occupation().pk, "places": 120})
    assert PlanQuota.objects.get(plan=plan).places == 120
    client.post(f"/registry/plans/{plan.pk}/edit/", {"title": "2026 年度山西省计划", "document": "晋人社厅发〔2026〕3号"})
    plan.refresh_from_db()
    assert plan.title == "2026 年度山西省计划"
    again = client.post("/registry/plans/new/", {"province": "140000", "year": 2026, "title": "2026 年度山西省计划"})
    assert again.status_code == 200 and "title" in again.context["form"].errors
    page = client.get(f"/registry/plans/{plan.pk}/").content.decode()
    assert "山西大学" in page and "120" in page


def test_institution_staff_cannot_open_plan_screens(client):
    client.force_login(staff(listed_institution("140100")))
    assert client.get("/registry/plans/new/").status_code == 403


def test_returned_filing_edit_screen_keeps_the_lists_and_resubmits(client):
    school = listed_institution("140100")
    teacher, province = staff(school), officer("140000")
    f = filing(school, exam_dates=["2026-10-20"], teachers=[{"name": "李明", "title": "教授", "qualification": "高级工程师"}])
    filing_submit(f, by=teacher)
    filing_review(f, accept=False, by=province, comment="请补充考核日期")
    client.force_login(teacher)
    page = client.get(f"/registry/filings/{f.pk}/edit/")
    form = page.context["form"]
    assert form["teachers_text"].value() == "李明 教授 高级工程师" and form["exam_dates_text"].value() == "2026-10-20"
    assert "请补充考核日期" in page.content.decode()
    data = {name: form[name].value() for name in form.fields}
    data.update({"exam_dates_text": "2026-10-20\n2026-11-05", "action": "submit"})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(f"/registry/filings/{f.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    f.refresh_from_db()
    assert (f.status, f.exam_dates) == (TrainingPlanFiling.Status.SUBMITTED, ["2026-10-20", "2026-11-05"])
    assert client.get(f"/registry/filings/{f.pk}/edit/").status_code == 302  # submitted: no longer editable


# --- people-facing fields (item 13) ---------------------------------------------------------------------


def test_announcement_form_takes_yuan_and_percent():
    from dte.registry.forms import AnnouncementForm

    form = AnnouncementForm({"text": "公开招生", "fee_fen": "1,234.5", "fee_standard": "物价核准", "venue": "实训楼",
                             "online_share_bp": "35.5"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["fee_fen"], form.cleaned_data["online_share_bp"]) == (123450, 3550)
    assert not AnnouncementForm({"text": "x", "fee_fen": "1", "venue": "v", "online_share_bp": "101"}).is_valid()
    shown = AnnouncementForm(instance=Announcement(fee_fen=150000, online_share_bp=4000))
    assert (shown["fee_fen"].value(), shown["online_share_bp"].value()) == ("1500", "40")
    assert "元" in str(shown["fee_fen"].label) and "%" in str(shown["online_share_bp"].label)  # never 分 or 万分比


def test_division_chooser_groups_places_and_cleans_to_the_code():
    from dte.registry.forms import PersonForm

    division("140105", "小店区")
    form = PersonForm()
    html = str(form["division"])
    assert "data-division-chooser" in html and 'data-prefecture="140100"' in html and "<optgroup" in html
    assert "6-digit" not in str(form["division"].label)
    bound = PersonForm({"division": "140105"})
    bound.is_valid()
    assert "division" not in bound.errors and bound.cleaned_data["division"] == "140105"
    assert "division" in PersonForm({"division": "999999"}).errors


def test_class_form_division_is_limited_to_the_province_and_is_a_division():
    from dte.registry.forms import TrainingClassForm

    school = listed_institution("140100")
    division("120101", "和平区")
    form = TrainingClassForm(institution=school)
    codes = [c for group, options in form.fields["division"].choices[1:] for c, _label in options]
    assert codes and all(c.startswith("14") for c in codes)
    k = TrainingClassFactory(institution=school)
    assert TrainingClassForm(instance=k, institution=school)["division"].value() == k.division_id



def test_filing_problems_are_reported_all_at_once_beside_their_fields(client):
    school = listed_institution("140100", levels=("junior",))
    teacher = staff(school)
    f = filing(school, level="senior", teachers=[], exam_dates=[])
    with pytest.raises(RegistryError) as refused:
        filing_submit(f, by=teacher)
    assert refused.value.code == "NOT_COVERED"  # the first problem's code, as before
    assert set(refused.value.detail["fields"]) == {"occupation", "teachers", "exam_dates"}
    client.force_login(teacher)
    form = client.get(f"/registry/filings/{f.pk}/edit/").context["form"]
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data.update({"teachers_text": "", "exam_dates_text": "", "action": "submit"})
    page = client.post(f"/registry/filings/{f.pk}/edit/", data)
    assert {"teachers_text", "exam_dates_text"} <= set(page.context["form"].errors)  # the form's own checks
    data.update({"teachers_text": "李明 教授", "exam_dates_text": "2026-10-20"})
    page = client.post(f"/registry/filings/{f.pk}/edit/", data)
    assert "occupation" in page.context["form"].errors  # the service's refusal, beside the occupation
    f.refresh_from_db()
    assert f.status == TrainingPlanFiling.Status.DRAFT and f.exam_dates == ["2026-10-20"]  # saved, not submitted


def test_class_form_shows_every_refusal_beside_its_field(client):
    from datetime import date

    school = listed_institution("140100")
    other = listed_institution("140100")
    from .factories import plan_with_quota

    quota = plan_with_quota(other, 10)
    client.force_login(staff(school))
    page = client.post("/registry/classes/new/", {
        "title": "人工智能初级班", "occupation": occupation().pk, "level": "junior", "mode": "subsidised",
        "division": school.division_id, "start_date": date(2026, 9, 1), "end_date": date(2026, 10, 1), "capacity": 30,
        "quota": quota.pk})
    assert "quota" in page.context["form"].errors  # the other institution's quota is not even offered
    own = plan_with_quota(school, 10, code="2-02-10-15")  # the school's quota, but for another occupation
    page = client.post("/registry/classes/new/", {
        "title": "人工智能初级班", "occupation": occupation().pk, "level": "junior", "mode": "subsidised",
        "division": school.division_id, "start_date": date(2026, 9, 1), "end_date": date(2026, 8, 1), "capacity": 30,
        "quota": own.pk})
    errors = page.context["form"].errors  # the service's refusals (one date rule, in the service), both at once
    assert "结束日期早于开班日期" in errors["end_date"][0] and len(errors["end_date"]) == 1
    assert "不属于本机构的该职业" in errors["quota"][0]
    assert not TrainingClass.objects.filter(title="人工智能初级班").exists()
