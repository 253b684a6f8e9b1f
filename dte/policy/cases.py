"""The facts a rule is evaluated on: parsing and validating case JSON (pure Python).

Every problem raises CaseError naming the field path and how to fix it; the CLI turns
it into exit code 2, the API into HTTP 422.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .occupations import LEVELS, find_occupation

STATUSES = ("graduate", "employee", "unemployed", "freelancer", "student", "retired")
# 高等院校/普通高校 (university), 职业院校 (vocational), 技工院校 (technical) — the school kinds
# the documents name (云人社通〔2023〕39号 二; 津人社办发〔2022〕94号 二; 藏人社发〔2025〕13号 二).
SCHOOL_TYPES = ("university", "vocational", "technical")
# What a legacy one-word status says about the separate facts (issue 13 item 3): employed
# now, in school now, retired. "graduate" and "unemployed" mean not employed.
STATUS_FACTS = {
    "graduate": (False, False, False),
    "employee": (True, False, False),
    "unemployed": (False, False, False),
    "freelancer": (True, False, False),
    "student": (False, True, False),
    "retired": (False, False, True),
}
# subsidised = government-subsidised training; order = 订单式; project = 项目制 / 项目+人才培养;
# market = 市场收费培训 (no public subsidy); paired_aid = 对口援藏培训 (Tibet only).
MODES = ("subsidised", "order", "project", "market", "paired_aid")
HISTORY_KINDS = ("training_subsidy", "living_allowance")


class CaseError(ValueError):
    """What is wrong with which field of a case. Its text (path and the Chinese message) is what pages, claim
    reasons and the API show; `fix`, a developer's hint in English, stays on the exception for tests and logs."""

    def __init__(self, path: str, message: str, fix: str = ""):
        self.path, self.message, self.fix = path, message, fix
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True, slots=True)
class Trainee:
    """Facts about the person, each on its own (a fresh graduate may also be employed).

    `status` is the legacy one-word summary; explicit facts (employed, in_school, retired)
    win over what the status implies. `None` means not known."""

    status: str | None = None
    birth_date: date | None = None
    graduation_date: date | None = None
    employed_after_training: bool | None = None
    employed: bool | None = None
    in_school: bool | None = None
    retired: bool | None = None
    school_type: str | None = None
    full_time: bool | None = None

    # Each fact: the explicit one, else what the status implies (read a million times in a
    # simulation, so written out rather than through a shared helper).
    @property
    def is_employed(self) -> bool | None:
        if self.employed is not None:
            return self.employed
        return STATUS_FACTS[self.status][0] if self.status else None

    @property
    def is_in_school(self) -> bool | None:
        if self.in_school is not None:
            return self.in_school
        return STATUS_FACTS[self.status][1] if self.status else None

    @property
    def is_retired(self) -> bool | None:
        if self.retired is not None:
            return self.retired
        return STATUS_FACTS[self.status][2] if self.status else None

    # One status word for the packs' target lists, from the facts (None: nothing known). Every
    # pack reads it up to three times a case, so it is worked out once, when the facts are made
    # (the facts are frozen); it is no field of equality, hashing or repr.
    group: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "group", self._group())

    def _group(self) -> str | None:
        if self.is_retired:
            return "retired"
        if self.is_in_school:
            return "student"
        employed = self.is_employed
        if employed:
            return "freelancer" if self.status == "freelancer" else "employee"
        if employed is False:
            return "graduate" if self.graduation_date or self.status == "graduate" else "unemployed"
        return None


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
    # Credited hours, exact to the tenth the attendance credits (dte.training.selectors.credited_hours):
    # an int when whole, else a Decimal with one place (see _hours; never a float).
    hours_total: int | Decimal | None = None
    hours_online: int | Decimal | None = None
    training_certificate: bool = False
    level_certificate: LevelCertificate | None = None
    enrolment_date: date | None = None
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
    claim_date: date | None = None

    def eligibility_date(self) -> date | None:
        """Who is covered is judged on the training's dates — its start, else the enrolment —
        not on the day a quote or claim is made (issue 13 item 2)."""
        return self.course.start_date or self.course.enrolment_date

    def reference_date(self) -> date:
        """The date whose parameters apply when none is given: the training start."""
        return self.eligibility_date() or self.claim_date or date.today()

    def reference_dates(self) -> dict[str, date | None]:
        return {
            "training_start": self.course.start_date,
            "training_end": self.course.end_date,
            "enrolment": self.course.enrolment_date,
            "claim": self.claim_date,
        }


# --- field readers ---------------------------------------------------------------


def _mapping(data: Any, path: str, required: bool = True) -> dict:
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise CaseError(path, "应为 JSON 对象", f"provide {path} as {{...}}")
    return data


def _date(data: dict, key: str, path: str, required: bool = False) -> date | None:
    raw = data.get(key)
    if raw is None or raw == "":
        if required:
            raise CaseError(f"{path}.{key}", "缺少日期", "use ISO format YYYY-MM-DD")
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


TENTH = Decimal("0.1")
MAX_HOURS = 10**6  # far above any training's hours; keeps a typo (or 1e999) from becoming a figure


def _hours(data: dict, key: str, path: str) -> int | Decimal | None:
    """Hours as the attendance credits them, in tenths (issue 10): a whole number stays an int
    (64, "64", Decimal("64.0") → 64); a fraction with one decimal place is an exact Decimal
    ("64.5", Decimal("64.50") → Decimal("64.5")). More places, negatives and floats (a binary
    approximation, 63.9 is not 63.9) are refused. JSON numbers such as 64.5 arrive here as Decimal:
    the CLI and the API read a case's JSON numbers as decimals (services.quote_from_text, api.QuoteIn)."""
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    where, fix = f"{path}.{key}", 'give a whole number or one with one decimal place, e.g. 64 or "64.5"'
    if isinstance(raw, bool) or not isinstance(raw, (int, str, Decimal)):
        raise CaseError(where, f"应为整数或一位小数的学时: {raw!r}", fix)
    if isinstance(raw, int):
        value: int | Decimal = raw
    else:
        try:
            value = Decimal(raw.strip()) if isinstance(raw, str) else raw
        except InvalidOperation:
            raise CaseError(where, f"应为整数或一位小数的学时: {raw!r}", fix) from None
        if not value.is_finite() or abs(value) > MAX_HOURS:
            raise CaseError(where, f"学时数值无效: {raw!r}", fix)
        if value != value.quantize(TENTH):
            raise CaseError(where, f"学时至多一位小数（按0.1学时计）: {raw!r}", fix)
        value = int(value) if value == value.to_integral_value() else value.quantize(TENTH)
    if value < 0:
        raise CaseError(where, f"不能小于 0: {value}", "give a number >= 0")
    return value


def hours_json(hours: int | Decimal | None) -> int | str | None:
    """Credited hours as a case's JSON carries them: an int when whole (as before), else the exact
    decimal text ("64.5"), which _hours reads back exactly. Plain JSON data, so a claim line stores it
    and the claim path's decision cache keys on it (dte.subsidy.facts; a Decimal is neither)."""
    if hours is None or isinstance(hours, int):
        return hours
    whole = int(hours)
    return whole if whole == hours else f"{hours.normalize():f}"


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
        raise CaseError(f"{path}.{key}", shown, f"one of: {', '.join(choices)}")
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
        raise CaseError(path, f"未知职业代码 {raw!r}", "see dte/policy/data/occupations.yaml")
    return occupation.code


# --- the case ----------------------------------------------------------------------


def parse_case(data: Any) -> Case:
    data = _mapping(data, "case")
    t = _mapping(data.get("trainee"), "trainee")
    trainee = Trainee(
        status=_choice(t, "status", "trainee", STATUSES) if t.get("status") not in (None, "") else None,
        birth_date=_date(t, "birth_date", "trainee"),
        graduation_date=_date(t, "graduation_date", "trainee"),
        employed_after_training=_bool(t, "employed_after_training", "trainee"),
        employed=_bool(t, "employed", "trainee"),
        in_school=_bool(t, "in_school", "trainee"),
        retired=_bool(t, "retired", "trainee"),
        school_type=_choice(t, "school_type", "trainee", SCHOOL_TYPES) if t.get("school_type") not in (None, "") else None,
        full_time=_bool(t, "full_time", "trainee"),
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
        hours_total=_hours(c, "hours_total", "course"),
        hours_online=_hours(c, "hours_online", "course"),
        training_certificate=bool(_bool(c, "training_certificate", "course")),
        level_certificate=certificate,
        enrolment_date=_date(c, "enrolment_date", "course"),
        theory_passed=_bool(exam, "theory_passed", "course.exam"),
        ability_passed=_bool(exam, "ability_passed", "course.exam"),
    )
    check_course(course)

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
        raise CaseError("history", "应为数组", "provide history as [...]")
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
    return Case(trainee, course, class_info, tuple(history), _date(data, "claim_date", "case"))


def check_course(course: Course) -> None:
    """Inputs that contradict each other are refused, naming both fields (issue 13 item 8)."""
    start, end = course.start_date, course.end_date
    if start and end and end < start:
        raise CaseError("course.end_date", f"结束日期 {end} 早于开始日期 {start}", "end_date must be on or after start_date")
    if start and end and course.training_days is not None:
        span = (end - start).days + 1
        if course.training_days > span:
            raise CaseError(
                "course.training_days",
                f"培训天数 {course.training_days} 超过 course.start_date {start} 至 course.end_date {end} 的 {span} 天",
                f"training_days must be <= {span}",
            )
    if course.hours_online is not None and course.hours_total is not None and course.hours_online > course.hours_total:
        raise CaseError(
            "course.hours_online",
            f"线上学时 course.hours_online={course.hours_online} 超过总学时 course.hours_total={course.hours_total}",
            "hours_online must be <= hours_total",
        )
