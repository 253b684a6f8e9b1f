"""Every reason code a pack can give, with its Chinese title — so a page never shows a raw code
(issue 13 item 12). The full message of each reason is already Chinese; this is the short label."""

from __future__ import annotations

REASON_TITLES = {
    "ANNUAL_LIMIT_REACHED": "已达每年享受次数上限",
    "CAPPED": "按每人最高标准补贴",
    "CASE_INVALID": "输入信息有误",
    "CERTIFICATE_OTHER_PROVINCE": "异地取得等级证书",
    "CLASS_EMPLOYMENT_UNKNOWN": "缺少班级就业情况",
    "CROSS_PROVINCE_TRAINING": "跨省培训",
    "EMPLOYMENT_RATE_BELOW_THRESHOLD": "班级就业率未达标",
    "EMPLOYMENT_STATUS_MISSING": "缺少就业情况",
    "EXAM_NOT_PASSED": "考核未合格",
    "GRADUATE_WINDOW_PASSED": "超出毕业年限",
    "GRADUATION_DATE_MISSING": "缺少毕业日期",
    "HOURS_BELOW_REQUIREMENT": "学时不足",
    "HOURS_MISSING": "缺少培训学时",
    "LEVEL_CERTIFICATE_MISSING": "未取得专业技术等级证书",
    "LIVING_ALLOWANCE_ALREADY_GRANTED": "已享受过生活费补贴",
    "LIVING_ALLOWANCE_WINDOW_PASSED": "超过生活费补贴申请期限",
    "LOWER_LEVEL_AFTER_HIGHER": "已享受更高等级补贴",
    "MODE_NOT_SUBSIDISED": "培训方式不享受补贴",
    "NOT_GRADUATION_ACADEMIC_YEAR": "非毕业学年学生",
    "NOT_TARGET_GROUP": "不属于培育对象",
    "ONLINE_HOURS_OVER_CAP": "线上学时超过上限",
    "POLICY_NOT_IN_FORCE": "政策尚未施行",
    "REPEAT_SAME_OCCUPATION_LEVEL": "同一职业同一等级重复享受",
    "RETIREE_EXCLUDED": "已退休人员不属于培育对象",
    "STANDARD_NOT_PUBLISHED": "补贴标准尚未公布",
    "TRAINEE_FACTS_MISSING": "缺少人员类别",
    "TRAINING_CERTIFICATE_MISSING": "未取得培训合格证书",
    "TRAINING_DAYS_MISSING": "缺少培训天数",
}


def reason_title(code: str) -> str:
    """The Chinese label of a reason code; an unknown code is shown as a neutral phrase, never raw."""
    return REASON_TITLES.get(code, "其他原因")
