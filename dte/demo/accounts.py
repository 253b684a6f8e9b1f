"""Demo organisations and one account per role (listed in the README)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dte.organisations.models import ExamCentre, Organisation, User
from dte.organisations.roles import Role

DEMO_PASSWORD = "Demo@2026"

# Province bureaus of the five seed provinces (GB/T 2260 codes).
PROVINCE_BUREAUS = {
    "140000": "山西省人力资源和社会保障厅",
    "120000": "天津市人力资源和社会保障局",
    "450000": "广西壮族自治区人力资源和社会保障厅",
    "530000": "云南省人力资源和社会保障厅",
    "540000": "西藏自治区人力资源和社会保障厅",
}
PREFECTURE_BUREAUS = {
    "140100": "太原市人力资源和社会保障局",
    "120100": "天津市市辖区人力资源和社会保障局",
    "450100": "南宁市人力资源和社会保障局",
    "530100": "昆明市人力资源和社会保障局",
    "540100": "拉萨市人力资源和社会保障局",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    organisation: str
    full_name: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.SYSADMIN, "数字技术工程师培育平台运维中心", "系统管理员"),
    DemoAccount("sx_province", Role.PROVINCE_OFFICER, "山西省人力资源和社会保障厅", "王处长"),
    DemoAccount("ty_officer", Role.LOCAL_OFFICER, "太原市人力资源和社会保障局", "李科长"),
    DemoAccount("sx_finance", Role.FINANCE_OFFICER, "山西省人力资源和社会保障厅", "赵会计"),
    DemoAccount("sxu_staff", Role.TRAINING_STAFF, "山西大学", "张老师"),
    DemoAccount("sx_eval", Role.EVALUATION_STAFF, "山西省数字技术人才评价中心", "刘考务"),
    DemoAccount("trainee", Role.TRAINEE, "山西大学", "陈同学"),
    DemoAccount("third_party", Role.THIRD_PARTY_EVALUATOR, "山西正信第三方评估有限公司", "周评估"),
    DemoAccount("auditor", Role.AUDITOR, "山西省人力资源和社会保障厅", "孙审计"),
    DemoAccount("tj_province", Role.PROVINCE_OFFICER, "天津市人力资源和社会保障局", "吴处长"),
    DemoAccount("gx_province", Role.PROVINCE_OFFICER, "广西壮族自治区人力资源和社会保障厅", "韦处长"),
    DemoAccount("yn_province", Role.PROVINCE_OFFICER, "云南省人力资源和社会保障厅", "杨处长"),
    DemoAccount("xz_province", Role.PROVINCE_OFFICER, "西藏自治区人力资源和社会保障厅", "扎西处长"),
]


@transaction.atomic
def demo_organisations() -> dict[str, Organisation]:
    def org(name, kind, division, parent=None):
        obj, _ = Organisation.objects.get_or_create(
            name=name, division_id=division, defaults={"kind": kind, "parent": parent}
        )
        return obj

    orgs: dict[str, Organisation] = {}
    orgs["数字技术工程师培育平台运维中心"] = org("数字技术工程师培育平台运维中心", Organisation.Kind.PLATFORM, "000000")
    for code, name in PROVINCE_BUREAUS.items():
        orgs[name] = org(name, Organisation.Kind.BUREAU, code)
    for code, name in PREFECTURE_BUREAUS.items():
        orgs[name] = org(name, Organisation.Kind.BUREAU, code, orgs[PROVINCE_BUREAUS[code[:2] + "0000"]])
    # Shanxi's 2024 plan names these three institutions (晋人社厅发〔2024〕27号 附件).
    for name in ("山西大学", "太原理工大学", "太原科技大学"):
        orgs[name] = org(name, Organisation.Kind.TRAINING_INSTITUTION, "140100")
    orgs["天津市数字技术职业培训学校"] = org("天津市数字技术职业培训学校", Organisation.Kind.TRAINING_INSTITUTION, "120100")
    orgs["广西数字技术工程师培训中心"] = org("广西数字技术工程师培训中心", Organisation.Kind.TRAINING_INSTITUTION, "450100")
    orgs["云南数字技术工程师培训学院"] = org("云南数字技术工程师培训学院", Organisation.Kind.TRAINING_INSTITUTION, "530100")
    orgs["西藏数字技术人才培训中心"] = org("西藏数字技术人才培训中心", Organisation.Kind.TRAINING_INSTITUTION, "540100")
    evaluation = org("山西省数字技术人才评价中心", Organisation.Kind.EVALUATION_INSTITUTION, "140100")
    orgs[evaluation.name] = evaluation
    ExamCentre.objects.get_or_create(
        evaluation_institution=evaluation, name="太原考核点（山西大学坞城校区）", defaults={"division_id": "140105", "address": "太原市小店区坞城路92号"}
    )
    orgs["山西正信第三方评估有限公司"] = org("山西正信第三方评估有限公司", Organisation.Kind.THIRD_PARTY, "140000")
    orgs["太原数智科技有限公司"] = org("太原数智科技有限公司", Organisation.Kind.EMPLOYER, "140100")
    return orgs


@transaction.atomic
def demo_accounts(orgs: dict[str, Organisation]) -> list[User]:
    users = []
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={"role": account.role, "organisation": orgs[account.organisation], "first_name": account.full_name},
        )
        if created:
            user.is_staff = user.is_superuser = account.role == Role.SYSADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    return users
