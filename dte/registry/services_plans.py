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


def annual_plan_create(*, province_id: str, year: int, title: str, document: str = "", quotas=()) -> AnnualPlan:
    """quotas: iterable of (institution, occupation, places)."""
    with transaction.atomic():
        plan = AnnualPlan.objects.create(province_id=province_id, year=year, title=title, document=document)
        for institution, occupation, places in quotas:
            if institution.division_id[:2] != province_id[:2]:
                raise RegistryError(f"{institution} 不在本省，不能分配本省年度计划名额。", code="QUOTA_OTHER_PROVINCE")
            PlanQuota.objects.create(plan=plan, institution=institution, occupation=occupation, places=places)
        audit_record("registry.plan.create", obj=plan, division_code=province_id,
                     after={"year": year, "title": title, "document": document,
                            "quotas": [[i.name, o.code, n] for i, o, n in quotas]})
    return plan


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
    if end_date < start_date:
        raise RegistryError("结束日期早于开班日期。", code="BAD_DATES")
    if division_id[:2] != institution.division_id[:2]:
        raise RegistryError("培训机构不得跨省开班。", code="CROSS_PROVINCE",
                            citation=rules.cross_province_citation(institution.division_id, start_date))
    if quota is not None and (quota.institution_id != institution.pk or quota.occupation_id != occupation.pk):
        raise RegistryError("所选年度计划名额不属于本机构的该职业。", code="QUOTA_MISMATCH")
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
    """Only a listed institution, covering this occupation and level, in its own province."""
    institution = filing.institution
    if institution.division_id[:2] != filing.province_id[:2]:
        raise RegistryError(
            f"{institution} 位于外省，不得向本省备案培训计划（不得以“合作”“联合”“联盟”等名义跨省开展培训）。",
            code="CROSS_PROVINCE", citation=rules.cross_province_citation(filing.province_id, on),
        )
    listing = InstitutionListing.objects.filter(
        organisation=institution, kind=InstitutionListing.Kind.TRAINING, province_id=filing.province_id,
        status=InstitutionListing.Status.LISTED,
    ).first()
    if listing is None:
        raise RegistryError(f"{institution} 未列入本省培训机构目录（或已暂停/移出），不能备案。", code="NOT_LISTED")
    covered = ListingCoverage.objects.filter(listing=listing, occupation=filing.occupation, level=filing.level)
    if filing.direction:
        covered = covered.filter(direction__in=[filing.direction, ""])
    if not covered.exists():
        raise RegistryError(
            f"{institution} 的目录范围不含 {filing.occupation.name}·{filing.get_level_display()}"
            f"{'·' + filing.direction if filing.direction else ''}。", code="NOT_COVERED")
    if filing.evaluation_institution.kind != "evaluation":
        raise RegistryError("考核计划须与评价机构商定。", code="NOT_EVALUATION_INSTITUTION")
    if filing.hours_total <= 0:
        raise RegistryError("培训学时不能为零。", code="NO_HOURS")
    cap, citation = rules.online_cap(filing.province_id, on)
    if cap is not None and filing.hours_online * 10000 > cap * filing.hours_total:
        raise RegistryError(f"线上学时 {filing.hours_online}/{filing.hours_total} 超过 {cap / 100:g}% 上限。",
                            code="ONLINE_OVER_CAP", citation=citation)
    if not filing.teachers or not filing.exam_dates:
        raise RegistryError("请填写师资和考核日期。", code="INCOMPLETE")


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
