"""The facts a rule is evaluated on: parsing and validating case JSON (pure Python).

Every problem raises CaseError naming the field path and how to fix it; the CLI turns
it into exit code 2, the API into HTTP 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .occupations import LEVELS, find_occupation

STATUSES = ("graduate", "employee", "unemployed", "freelancer", "student", "retired")
# subsidised = government-subsidised training; order = 订单式; project = 项目制 / 项目+人才培养;
# market = 市场收费培训 (no public subsidy); paired_aid = 对口援藏培训 (Tibet only).
MODES = ("subsidised", "order", "project", "market", "paired_aid")
HISTORY_KINDS = ("training_subsidy", "living_allowance")


class CaseError(ValueError):
    def __init__(self, path: str, message: str, fix: str = ""):
        self.path, self.message, self.fix = path, message, fix
        super().__init__(f"{path}: {message}" + (f" — {fix}" if fix else ""))


@dataclass(frozen=True, slots=True)
class Trainee:
    status: str
    birth_date: date | None = None
    graduation_date: date | None = None
    employed_after_training: bool | None = None


@dataclass(frozen=True, slots=True)
class LevelCertificate:
    issued_on: date | None
    province: str | None  # two-digit GB/T 2260 prefix, e.g. "14"


@dataclass(frozen=True, slots=True)
class Course:
    occupation_code: str  # canonical code from occupations.yaml
    level: str
    mode: str = "subsidised"
    institution_province: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    training_days: int | None = None
    hours_total: int | None = None
    hours_online: int | None = None
    training_certificate: bool = False
    level_certificate: LevelCertificate | None = None
    theory_passed: bool | None = None
    ability_passed: bool | None = None


@dataclass(frozen=True, slots=True)
class ClassInfo:
    size: int
    employed_after_training: int

    @property
    def employment_rate_bp(self) -> int:
        return self.employed_after_training * 10000 // self.size


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    date: date
    kind: str
    occupation_code: str | None
    level: str | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Case:
    trainee: Trainee
    course: Course
    class_info: ClassInfo | None = None
    history: tuple[HistoryEntry, ...] = ()

    def reference_date(self) -> date:
        """The date whose parameters apply when none is given: the training start."""
        return self.course.start_date or date.today()


# --- field readers ---------------------------------------------------------------


def _mapping(data: Any, path: str, required: bool = True) -> dict:
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise CaseError(path, "应为 JSON 对象 (expected an object)", f"provide {path} as {{...}}")
    return data


def _date(data: dict, key: str, path: str, required: bool = False) -> date | None:
    raw = data.get(key)
    if raw is None or raw == "":
        if required:
            raise CaseError(f"{path}.{key}", "缺少日期 (missing date)", "use ISO format YYYY-MM-DD")
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise CaseError(f"{path}.{key}", f"日期格式错误: {raw!r}", "use ISO format YYYY-MM-DD") from None


def _int(data: dict, key: str, path: str, minimum: int = 0) -> int | None:
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise CaseError(f"{path}.{key}", f"应为整数: {raw!r}", "give a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise CaseError(f"{path}.{key}", f"应为整数: {raw!r}", "give a whole number") from None
    if value < minimum:
        raise CaseError(f"{path}.{key}", f"不能小于 {minimum}: {value}", f"give a number >= {minimum}")
    return value


_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n", ""}


def _bool(data: dict, key: str, path: str) -> bool | None:
    raw = data.get(key)
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CaseError(f"{path}.{key}", f"应为 true/false: {raw!r}", "use true or false")


def _choice(data: dict, key: str, path: str, choices: tuple, default: str | None = None) -> str:
    raw = data.get(key, default)
    if raw not in choices:
        shown = "缺少" if raw is None else f"未知取值 {raw!r}"
        raise CaseError(f"{path}.{key}", f"{shown} (unknown {key})", f"one of: {', '.join(choices)}")
    return raw


def _province(raw: Any, path: str) -> str | None:
    """Accept "14" or a six-digit division code "140000"; keep the two-digit prefix."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or len(text) not in (2, 6):
        raise CaseError(path, f"省份代码格式错误: {raw!r}", 'two-digit or six-digit GB/T 2260 code, e.g. "14"')
    return text[:2]


def _occupation(raw: Any, path: str) -> str:
    occupation = find_occupation(str(raw or ""))
    if occupation is None:
        raise CaseError(path, f"未知职业代码 {raw!r} (unknown occupation)", "see dte/policy/data/occupations.yaml")
    return occupation.code


# --- the case ----------------------------------------------------------------------


def parse_case(data: Any) -> Case:
    data = _mapping(data, "case")
    t = _mapping(data.get("trainee"), "trainee")
    trainee = Trainee(
        status=_choice(t, "status", "trainee", STATUSES),
        birth_date=_date(t, "birth_date", "trainee"),
        graduation_date=_date(t, "graduation_date", "trainee"),
        employed_after_training=_bool(t, "employed_after_training", "trainee"),
    )

    c = _mapping(data.get("course"), "course")
    certificate = None
    if c.get("level_certificate") not in (None, False):
        lc = _mapping(c["level_certificate"], "course.level_certificate")
        certificate = LevelCertificate(
            issued_on=_date(lc, "issued_on", "course.level_certificate"),
            province=_province(lc.get("province"), "course.level_certificate.province"),
        )
    exam = _mapping(c.get("exam"), "course.exam", required=False)
    course = Course(
        occupation_code=_occupation(c.get("occupation_code"), "course.occupation_code"),
        level=_choice(c, "level", "course", LEVELS),
        mode=_choice(c, "mode", "course", MODES, default="subsidised"),
        institution_province=_province(c.get("institution_province"), "course.institution_province"),
        start_date=_date(c, "start_date", "course"),
        end_date=_date(c, "end_date", "course"),
        training_days=_int(c, "training_days", "course"),
        hours_total=_int(c, "hours_total", "course"),
        hours_online=_int(c, "hours_online", "course"),
        training_certificate=bool(_bool(c, "training_certificate", "course")),
        level_certificate=certificate,
        theory_passed=_bool(exam, "theory_passed", "course.exam"),
        ability_passed=_bool(exam, "ability_passed", "course.exam"),
    )
    if course.start_date and course.end_date and course.end_date < course.start_date:
        raise CaseError("course.end_date", "结束日期早于开始日期", "end_date must be on or after start_date")
    if course.hours_online is not None and course.hours_total is not None and course.hours_online > course.hours_total:
        raise CaseError("course.hours_online", "线上学时超过总学时", "hours_online must be <= hours_total")

    class_info = None
    k = _mapping(data.get("class"), "class", required=False)
    if k:
        size = _int(k, "size", "class", minimum=1)
        employed = _int(k, "employed_after_training", "class")
        if size is None or employed is None:
            raise CaseError("class", "需要 size 和 employed_after_training", "give both numbers or omit class")
        if employed > size:
            raise CaseError("class.employed_after_training", "就业人数超过班级人数", "must be <= class.size")
        class_info = ClassInfo(size, employed)

    raw_history = data.get("history") or []
    if not isinstance(raw_history, list):
        raise CaseError("history", "应为数组 (expected a list)", "provide history as [...]")
    history = []
    for i, h in enumerate(raw_history):
        path = f"history[{i}]"
        h = _mapping(h, path)
        history.append(
            HistoryEntry(
                date=_date(h, "date", path, required=True),
                kind=_choice(h, "kind", path, HISTORY_KINDS),
                occupation_code=_occupation(h["occupation_code"], f"{path}.occupation_code")
                if h.get("occupation_code")
                else None,
                level=_choice(h, "level", path, LEVELS) if h.get("level") is not None else None,
                amount_fen=_int(h, "amount_fen", path) or 0,
            )
        )
    return Case(trainee, course, class_info, tuple(history))
