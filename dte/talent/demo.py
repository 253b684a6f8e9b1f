"""Demo data for the talent app: continuing-education hours for every completed enrolment, the
title recognition of every level certificate the credentials demo issued, and officials' entries
(competition results, awards; a Tianjin 高级工程师 review → 数字经济卓越工程师; a Tibet holder in an
exam-based series → not recognised). Idempotent; does only what the earlier demos make possible."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dte.catalogue.models import InstitutionListing, Occupation
from dte.credentials.models import LevelCertificate
from dte.credentials.services import CredentialError, LevelCertificateRequest, level_certificates_issue
from dte.organisations.models import Organisation, User
from dte.organisations.roles import Role
from dte.registry.models import Person

from .jobs import backfill_continuing_education, backfill_title_recognition
from .models import TalentEntry, TitleSeries
from .services import talent_entry_add, talent_profile_set_series

COMPETITIONS = {
    "14": ("山西省数字技术技能大赛", "山西省人力资源和社会保障厅"),
    "12": ("天津市数字经济技术技能竞赛", "天津市人力资源和社会保障局"),
    "45": ("广西数字技术职业技能竞赛", "广西壮族自治区人力资源和社会保障厅"),
    "53": ("云南省数字技术技能大赛", "云南省人力资源和社会保障厅"),
    "54": ("西藏自治区数字技术技能竞赛", "西藏自治区人力资源和社会保障厅"),
}


# Where the assessment demo issues no certificates, a listed evaluation institution of our own issues a
# few through dte.credentials' service, so that Tianjin's 卓越工程师 and Tibet's exclusion can be shown.
DEMO_ISSUERS = {
    "12": ("天津市数字技术人才评价中心（演示）", "120100", ["senior", "intermediate"]),
    "54": ("西藏自治区数字技术人才评价中心（演示）", "540100", ["junior", "intermediate"]),
}


def _issue_where_missing(context, today) -> None:
    occupation = Occupation.objects.filter(code="2-02-10-09").first() or Occupation.objects.order_by("code").first()
    for province, (name, prefecture, levels) in DEMO_ISSUERS.items():
        if occupation is None or LevelCertificate.objects.filter(person__division__code__startswith=province).exists():
            continue
        people = list(Person.objects.filter(division__code__startswith=province).order_by("pk")[:len(levels)])
        if len(people) < len(levels):
            continue
        issuer, _ = Organisation.objects.get_or_create(name=name, division_id=prefecture,
                                                       defaults={"kind": Organisation.Kind.EVALUATION_INSTITUTION})
        InstitutionListing.objects.get_or_create(organisation=issuer, kind=InstitutionListing.Kind.EVALUATION,
                                                 province_id=province + "0000", defaults={"listed_on": today - timedelta(days=400),
                                                                                          "batch": "演示"})
        staff, _ = User.objects.get_or_create(username=f"demo_eval_{province}",
                                              defaults={"role": Role.EVALUATION_STAFF, "organisation": issuer, "is_active": False})
        requests = [LevelCertificateRequest(person=p, occupation=occupation, level=level, direction="", issuer=issuer,
                                            exam_date=today - timedelta(days=90), source_label="演示数据")
                    for p, level in zip(people, levels)]
        try:
            issued = level_certificates_issue(requests, by=staff, issued_on=today - timedelta(days=45))
            context.log.append(f"talent: {len(issued)} demo level certificates in {province}0000")
        except CredentialError as error:
            context.log.append(f"talent: no demo certificates in {province}0000 ({error})")


def _no_progress(*args, **kwargs) -> None:
    return None


def _officer(province: str) -> User | None:
    return (User.objects.filter(role=Role.PROVINCE_OFFICER, organisation__division__code=province + "0000")
            .order_by("pk").first())


def _holders(province: str, **filters):
    return (LevelCertificate.objects.filter(status=LevelCertificate.Status.VALID, person__division__code__startswith=province, **filters)
            .select_related("person").order_by("pk"))


@transaction.atomic
def generate(context) -> None:
    today = timezone.localdate()
    _issue_where_missing(context, today)
    ce = backfill_continuing_education(_no_progress)
    titles = backfill_title_recognition(_no_progress)
    context.log.append(f"talent: {ce['recorded']} continuing-education records, {titles['certificates']} certificates recognised")
    if TalentEntry.objects.exists():
        return
    for province, (competition, organiser) in COMPETITIONS.items():
        officer = _officer(province)
        holders = list(_holders(province)[:3])
        if officer is None or not holders:
            context.log.append(f"talent: no officer or certificate holder in {province}0000, no entries")
            continue
        talent_entry_add(holders[0].person, by=officer, kind=TalentEntry.Kind.COMPETITION, title=competition, result="一等奖",
                         awarded_by=organiser, awarded_on=today - timedelta(days=40))
        if len(holders) > 1:
            talent_entry_add(holders[1].person, by=officer, kind=TalentEntry.Kind.AWARD, title="数字技术工程师培育项目优秀学员",
                             awarded_by=organiser, awarded_on=today - timedelta(days=20))
    tianjin = _holders("12", level="senior").first()
    if tianjin and _officer("12"):
        talent_entry_add(tianjin.person, by=_officer("12"), kind=TalentEntry.Kind.TITLE_REVIEW, title="高级工程师",
                         awarded_by="天津市工程技术系列高级职称评审委员会", awarded_on=today - timedelta(days=10),
                         note="津人社办发〔2022〕94号 三(二)：经评审取得高级工程师职称证书的认定为数字经济卓越工程师")
    else:
        context.log.append("talent: no Tianjin senior certificate, no 数字经济卓越工程师 demo")
    tibet = _holders("54", level__in=["junior", "intermediate"]).first()
    if tibet and _officer("54"):
        talent_profile_set_series(tibet.person, TitleSeries.ACCOUNTING, by=_officer("54"))
    else:
        context.log.append("talent: no Tibet junior/intermediate certificate, no 以考代评 exclusion demo")
