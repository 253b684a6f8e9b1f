"""Annual plans and quotas, training-plan filing (备案), classes and announcements."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from dte.catalogue.selectors import institution_bar_reason
from dte.audit.services import audit_record
from dte.catalogue.models import InstitutionListing, ListingCoverage
from dte.organisations.permissions import require_permission
from dte.organisations.roles import Role

from . import rules
from .errors import RegistryError
from .models import AnnualPlan, Announcement, PlanQuota, TrainingClass, TrainingPlanFiling

# --- plans and quotas ------------------------------------------------------------------------


def annual_plan_create(*, province_id: str, year: int, title: str, document: str = "", quotas=(), by=None) -> AnnualPlan:
    """quotas: iterable of (institution, occupation, places). The province bureau sets the annual plan
    (晋人社厅发〔2024〕27号 四、五: 省人社厅下达年度培训计划); only inside its own province."""
    quotas = list(quotas)
    if not (title or "").strip():
        raise RegistryError("请填写计划名称。", code="TITLE_REQUIRED", detail={"field": "title"})
    if AnnualPlan.objects.filter(province_id=province_id, year=year, title=title.strip()).exists():
        raise RegistryError(f"{year} 年已有同名年度计划“{title}”。", code="PLAN_EXISTS", detail={"field": "title"})
    with transaction.atomic():
        plan = AnnualPlan.objects.create(province_id=province_id, year=year, title=title.strip(), document=document)
        require_permission(by, "registry.plan.change", plan)  # in scope: rolled back with the plan if not
        for institution, occupation, places in quotas:
            if institution.division_id[:2] != province_id[:2]:
                raise RegistryError(f"{institution} 不在本省，不能分配本省年度计划名额。", code="QUOTA_OTHER_PROVINCE")
            PlanQuota.objects.create(plan=plan, institution=institution, occupation=occupation, places=places)
        audit_record("registry.plan.create", obj=plan, division_code=province_id,
                     after={"year": year, "title": title, "document": document,
                            "quotas": [[i.name, o.code, n] for i, o, n in quotas]})
    return plan


def annual_plan_update(plan: AnnualPlan, *, title: str, document: str = "", by=None) -> AnnualPlan:
    """Rename the plan or record the document that set it; the year and province stay (quotas hang on them)."""
    require_permission(by, "registry.plan.change", plan)
    title = (title or "").strip()
    if not title:
        raise RegistryError("请填写计划名称。", code="TITLE_REQUIRED", detail={"field": "title"})
    if AnnualPlan.objects.filter(province_id=plan.province_id, year=plan.year, title=title).exclude(pk=plan.pk).exists():
        raise RegistryError(f"{plan.year} 年已有同名年度计划“{title}”。", code="PLAN_EXISTS", detail={"field": "title"})
    with transaction.atomic():
        locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        before = {"title": locked.title, "document": locked.document}
        locked.title, locked.document = title, document
        locked.save(update_fields=["title", "document"])
        audit_record("registry.plan.change", obj=locked, before=before, after={"title": title, "document": document},
                     division_code=locked.province_id)
    return locked


def quota_add(plan: AnnualPlan, *, institution, occupation, places: int, by=None) -> PlanQuota:
    """A new line of the plan: places for one training institution of the province in one occupation
    (晋人社厅发〔2024〕27号 附件 分配表; institutions train only in their own province, 二(三))."""
    require_permission(by, "registry.plan.change", plan)
    problems = {}
    if institution.kind != "training":
        problems["institution"] = "年度计划名额只分配给培训机构。"
    elif institution.division_id[:2] != plan.province_id[:2]:
        problems["institution"] = f"{institution} 不在本省，不能分配本省年度计划名额。"
    if places is None or places < 1:
        problems["places"] = "名额须为正整数。"
    if PlanQuota.objects.filter(plan=plan, institution=institution, occupation=occupation).exists():
        problems["occupation"] = "该机构在本计划中已有此职业的名额，请调整原有名额。"
    if problems:
        first = next(iter(problems.values()))
        raise RegistryError(first, code="BAD_QUOTA", detail={"fields": problems})
    with transaction.atomic():
        quota = PlanQuota.objects.create(plan=plan, institution=institution, occupation=occupation, places=places)
        audit_record("registry.quota.create", obj=quota, division_code=plan.province_id, organisation_id=institution.pk,
                     after={"plan": plan.pk, "occupation": occupation.code, "places": places})
    return quota


def may_change_plan(user) -> bool:
    """Only the province bureau (or a platform admin) changes the annual plan's quotas."""
    return user.is_platform_admin or user.role == Role.PROVINCE_OFFICER


def quota_set_places(quota: PlanQuota, places: int, *, reason: str, document: str = "", by=None) -> PlanQuota:
    """A change to the plan during the year; never below the places already taken; audited."""
    require_permission(by, "registry.quota.change", quota)
    if places < 0:
        raise RegistryError("名额不能为负数。", code="BAD_PLACES")
    if not (reason or "").strip():
        raise RegistryError("调整年度计划名额须说明理由。", code="REASON_REQUIRED")
    with transaction.atomic():
        locked = PlanQuota.objects.select_for_update().get(pk=quota.pk)
        if places < locked.enrolled:
            raise RegistryError(f"已招 {locked.enrolled} 人，名额不能调到 {places}。", code="BELOW_ENROLLED")
        before = {"places": locked.places, "enrolled": locked.enrolled}
        locked.places = places
        locked.save(update_fields=["places"])
        audit_record("registry.quota.change", obj=locked, before=before,
                     after={"places": places, "reason": reason, "document": document},
                     division_code=locked.plan.province_id, organisation_id=locked.institution_id)
    return locked


# --- classes -----------------------------------------------------------------------------------


def training_class_create(*, institution, occupation, level: str, title: str, division_id: str, start_date: date,
                          end_date: date, capacity: int = 50, mode: str = TrainingClass.Mode.SUBSIDISED,
                          direction: str = "", quota: PlanQuota | None = None, by=None) -> TrainingClass:
    require_permission(by, "registry.class.create", institution)
    if barred := institution_bar_reason(institution, "training"):
        raise RegistryError(barred, code="INSTITUTION_BARRED")
    problems = []  # every problem at once, each with its field (issue 13 item 13); code/citation of the first
    if end_date < start_date:
        problems.append(("end_date", "结束日期早于开班日期。", "BAD_DATES", ""))
    if division_id[:2] != institution.division_id[:2]:
        problems.append(("division", "培训机构不得跨省开班。", "CROSS_PROVINCE",
                         rules.cross_province_citation(institution.division_id, start_date)))
    if quota is not None and (quota.institution_id != institution.pk or quota.occupation_id != occupation.pk):
        problems.append(("quota", "所选年度计划名额不属于本机构的该职业。", "QUOTA_MISMATCH", ""))
    if problems:
        _field, message, code, citation = problems[0]
        raise RegistryError(message, code=code, citation=citation, detail={"fields": {
            field: f"{text}（{cited}）" if cited else text for field, text, _code, cited in problems}})
    with transaction.atomic():
        klass = TrainingClass.objects.create(
            institution=institution, occupation=occupation, level=level, title=title, division_id=division_id,
            start_date=start_date, end_date=end_date, capacity=capacity, mode=mode, direction=direction, quota=quota,
        )
        audit_record("registry.class.create", obj=klass, division_code=division_id, organisation_id=institution.pk,
                     after={"title": title, "start": start_date, "quota": quota.pk if quota else None})
    return klass


# --- training-plan filing (备案) ----------------------------------------------------------------

FILING_TRANSITIONS = {
    TrainingPlanFiling.Status.DRAFT: {TrainingPlanFiling.Status.SUBMITTED},
    TrainingPlanFiling.Status.SUBMITTED: {TrainingPlanFiling.Status.ACCEPTED, TrainingPlanFiling.Status.RETURNED},
    TrainingPlanFiling.Status.RETURNED: {TrainingPlanFiling.Status.SUBMITTED},
    TrainingPlanFiling.Status.ACCEPTED: set(),
}


def filing_check(filing: TrainingPlanFiling, on: date) -> None:
    """Only a listed institution, covering this occupation and level, in its own province.
    Every problem is found before refusing (issue 13 item 13: all at once, each beside its field):
    the error's code and citation are the first problem's; detail["fields"] maps each field
    (model field names; None = the filing as a whole) to its message."""
    problems: list[tuple[str | None, str, str, str]] = []  # (field, message, code, citation)
    institution = filing.institution
    if institution.division_id[:2] != filing.province_id[:2]:
        problems.append((None, f"{institution} 位于外省，不得向本省备案培训计划（不得以“合作”“联合”“联盟”等名义跨省开展培训）。",
                         "CROSS_PROVINCE", rules.cross_province_citation(filing.province_id, on)))
    listing = InstitutionListing.objects.filter(
        organisation=institution, kind=InstitutionListing.Kind.TRAINING, province_id=filing.province_id,
        status=InstitutionListing.Status.LISTED,
    ).first()
    if listing is None:
        problems.append((None, f"{institution} 未列入本省培训机构目录（或已暂停/移出），不能备案。", "NOT_LISTED", ""))
    else:
        covered = ListingCoverage.objects.filter(listing=listing, occupation=filing.occupation, level=filing.level)
        if filing.direction:
            covered = covered.filter(direction__in=[filing.direction, ""])
        if not covered.exists():
            problems.append(("occupation", f"{institution} 的目录范围不含 {filing.occupation.name}·{filing.get_level_display()}"
                             f"{'·' + filing.direction if filing.direction else ''}。", "NOT_COVERED", ""))
    if filing.evaluation_institution.kind != "evaluation":
        problems.append(("evaluation_institution", "考核计划须与评价机构商定。", "NOT_EVALUATION_INSTITUTION", ""))
    if filing.hours_total <= 0:
        problems.append(("hours_offline_theory", "培训学时不能为零。", "NO_HOURS", ""))
    else:
        cap, citation = rules.online_cap(filing.province_id, on)
        if cap is not None and filing.hours_online * 10000 > cap * filing.hours_total:
            problems.append(("hours_online_theory", f"线上学时 {filing.hours_online}/{filing.hours_total} 超过 {cap / 100:g}% 上限。",
                             "ONLINE_OVER_CAP", citation))
    if not filing.teachers:
        problems.append(("teachers", "请填写师资。", "INCOMPLETE", ""))
    if not filing.exam_dates:
        problems.append(("exam_dates", "请填写考核日期。", "INCOMPLETE", ""))
    if problems:
        _field, message, code, citation = problems[0]
        fields: dict = {}
        for field, text, _code, cited in problems:
            shown = f"{text}（{cited}）" if cited else text
            fields[field] = f"{fields[field]}；{shown}" if field in fields else shown
        if len(problems) > 1:
            message = "；".join(f"{text}（{cited}）" if cited and i else text for i, (_f, text, _c, cited) in enumerate(problems))
        raise RegistryError(message, code=code, citation=citation, detail={"fields": fields})


def filing_set_status(filing: TrainingPlanFiling, new: str, *, by=None, reason: str = "") -> TrainingPlanFiling:
    with transaction.atomic():
        locked = TrainingPlanFiling.objects.select_for_update().get(pk=filing.pk)
        if new not in FILING_TRANSITIONS[locked.status]:
            raise RegistryError(f"备案状态不能从“{locked.get_status_display()}”改为“{TrainingPlanFiling.Status(new).label}”。",
                                code="BAD_TRANSITION")
        before = locked.status
        locked.status = new
        now = timezone.now()
        if new == TrainingPlanFiling.Status.SUBMITTED:
            locked.submitted_at = now
        else:
            locked.reviewed_at, locked.reviewed_by, locked.review_comment = now, by, reason
        locked.save()
        audit_record("registry.filing.status", obj=locked, before={"status": before}, after={"status": new, "reason": reason},
                     division_code=locked.institution.division_id, organisation_id=locked.institution_id)
    return locked


def filing_submit(filing: TrainingPlanFiling, *, by=None, today: date | None = None) -> TrainingPlanFiling:
    require_permission(by, "registry.filing.submit", filing)
    filing_check(filing, today or date.today())
    return filing_set_status(filing, TrainingPlanFiling.Status.SUBMITTED, by=by)


def filing_review(filing: TrainingPlanFiling, *, accept: bool, by, comment: str = "") -> TrainingPlanFiling:
    require_permission(by, "registry.filing.review", filing)
    if not accept and not comment.strip():
        raise RegistryError("退回须填写意见。", code="COMMENT_REQUIRED")
    new = TrainingPlanFiling.Status.ACCEPTED if accept else TrainingPlanFiling.Status.RETURNED
    return filing_set_status(filing, new, by=by, reason=comment)


FILING_EDITABLE = (TrainingPlanFiling.Status.DRAFT, TrainingPlanFiling.Status.RETURNED)
FILING_FIELDS = ("occupation", "level", "direction", "hours_online_theory", "hours_online_practice",
                 "hours_offline_theory", "hours_offline_practice", "teachers", "venues", "materials",
                 "evaluation_institution", "exam_plan", "exam_dates")


def filing_update(filing: TrainingPlanFiling, *, by=None, **changes) -> TrainingPlanFiling:
    """Correct a draft, or a filing the bureau returned for changes, in place (issue 13 item 11: the
    institution no longer starts over). The status stays; submitting it again is `filing_submit`.
    A submitted or accepted filing is not edited (the bureau reviews what was filed)."""
    require_permission(by, "registry.filing.edit", filing)
    unknown = sorted(set(changes) - set(FILING_FIELDS))
    if unknown:
        raise ValueError(f"not editable: {', '.join(unknown)}")
    with transaction.atomic():
        locked = TrainingPlanFiling.objects.select_for_update().get(pk=filing.pk)
        if locked.status not in FILING_EDITABLE:
            raise RegistryError(f"“{locked.get_status_display()}”的备案不能修改。", code="NOT_EDITABLE")

        def shown(name, value):
            return getattr(value, "pk", value)

        before, after = {}, {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if shown(name, old) != shown(name, value):
                before[name], after[name] = shown(name, old), shown(name, value)
                setattr(locked, name, value)
        if after:
            locked.save()
            audit_record("registry.filing.change", obj=locked, before=before, after=after,
                         division_code=locked.institution.division_id, organisation_id=locked.institution_id)
    return locked


# --- announcements --------------------------------------------------------------------------------


def announcement_claims(announcement: Announcement, on: date | None = None) -> list[tuple[str, str]]:
    k = announcement.training_class
    return rules.forbidden_claims_in(announcement.text, k.division_id, on or date.today())


def announcement_publish(announcement: Announcement, *, on: date | None = None, by=None) -> Announcement:
    """Publish once the text is free of forbidden claims (包过, 不过退费, 包就业, …)."""
    require_permission(by, "registry.announcement.publish", announcement)
    hits = announcement_claims(announcement, on)
    if hits:
        shown = "；".join(f"“{phrase}”（{citation}）" for phrase, citation in hits)
        raise RegistryError(f"公告含有禁止的宣传用语：{shown}", code="FORBIDDEN_CLAIM", citation=hits[0][1],
                            detail={"hits": [list(h) for h in hits]})
    k = announcement.training_class
    cap, citation = rules.online_cap(k.division_id, on or date.today())
    if cap is not None and announcement.online_share_bp > cap:
        raise RegistryError(f"线上比例 {announcement.online_share_bp / 100:g}% 超过 {cap / 100:g}% 上限。",
                            code="ONLINE_OVER_CAP", citation=citation)
    with transaction.atomic():
        announcement.published, announcement.published_at = True, timezone.now()
        announcement.save(update_fields=["published", "published_at"])
        audit_record("registry.announcement.publish", obj=announcement, division_code=k.division_id,
                     organisation_id=k.institution_id, after={"class": k.pk, "fee_fen": announcement.fee_fen})
    return announcement


def announcement_withdraw(announcement: Announcement) -> Announcement:
    with transaction.atomic():
        announcement.published = False
        announcement.save(update_fields=["published"])
        k = announcement.training_class
        audit_record("registry.announcement.withdraw", obj=announcement, division_code=k.division_id,
                     organisation_id=k.institution_id, before={"published": True}, after={"published": False})
    return announcement


# --- creation, moved out of the views (issue 13, item 16): checked and audited like every other write ---------


def filing_create(*, institution, by, teachers=(), venues=(), exam_dates=(), **fields) -> TrainingPlanFiling:
    """A new draft training-plan filing of the institution (培训计划备案); `fields` are the model's own
    (occupation, level, hours …). The province and prefecture come from the institution's division."""
    filing = TrainingPlanFiling(institution=institution, **fields)
    filing.province_id = institution.division_id[:2] + "0000"
    filing.prefecture_id = institution.division_id[:4] + "00"
    filing.teachers, filing.venues, filing.exam_dates = list(teachers), list(venues), list(exam_dates)
    require_permission(by, "registry.filing.edit", institution)  # the institution's own staff only (its write scope)
    with transaction.atomic():
        filing.save()
        audit_record("registry.filing.create", obj=filing, division_code=institution.division_id,
                     organisation_id=institution.pk,
                     after={"occupation": filing.occupation_id, "level": filing.level, "status": filing.status})
    return filing


def announcement_create(training_class: TrainingClass, *, by, **fields) -> Announcement:
    """A draft enrolment announcement of the class; refused (nothing saved) when its text holds a forbidden
    claim of the province (包过, 不过退费, 包就业 …), naming the phrase and its clause."""
    announcement = Announcement(training_class=training_class, **fields)
    require_permission(by, "registry.announcement.publish", training_class)
    hits = announcement_claims(announcement)
    if hits:
        shown = "；".join(f"“{phrase}”（{citation}）" for phrase, citation in hits)
        raise RegistryError(f"公告含有禁止的宣传用语：{shown}", code="FORBIDDEN_CLAIM", citation=hits[0][1],
                            detail={"hits": [list(h) for h in hits]})
    with transaction.atomic():
        announcement.save()
        audit_record("registry.announcement.create", obj=announcement, division_code=training_class.division_id,
                     organisation_id=training_class.institution_id,
                     after={"class": training_class.pk, "fee_fen": announcement.fee_fen})
    return announcement
