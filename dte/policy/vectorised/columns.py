"""Columns of cases for the vectorised what-if mode: building them from parsed cases (in parallel for the
demo population) and joining chunks."""


from dataclasses import dataclass
from datetime import date
from typing import Iterable

import numpy as np

from ..cases import MODES, SCHOOL_TYPES as _SCHOOLS, STATUSES, Case
from ..occupations import LEVELS, load_occupations


SCHOOL_TYPES = (None, *_SCHOOLS)  # column value = index; 1 = university (Tianjin's students)
#: outcome of one case: refused (a refusing reason), pending (eligible, amount cannot be
#: computed yet), paid (eligible, amount computed — possibly reduced)
OUTCOMES = ("paid", "pending", "refused")


class VectorUnsupported(NotImplementedError):
    """A pack uses a rule that has no vectorised twin yet."""


# --- columns -------------------------------------------------------------------------------


def _tri(value: bool | None) -> int:
    return -1 if value is None else int(value)


def _province(code: str | None) -> int:
    return -1 if code is None else int(code)


def _day(value: date | None) -> int:
    return -(2**62) if value is None else value.toordinal()


@dataclass
class Columns:
    """A population as arrays, one entry per case (history flattened with a case index). Hours
    (hours_total, hours_online) are in tenths of an hour, as the attendance credits them (×10)."""

    ids: list
    arrays: dict[str, np.ndarray]
    occupations: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.arrays["status"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


_CASE_FIELDS = (
    "status", "employed", "in_school", "retired", "school_type", "full_time", "graduation", "employed_after",
    "occupation", "level", "mode", "institution_province", "start", "end", "enrolment", "claim",
    "training_days", "hours_total", "hours_online", "training_certificate", "has_level_certificate",
    "certificate_province", "theory_passed", "ability_passed", "class_size", "class_employed",
)
_HISTORY_FIELDS = ("h_case", "h_date", "h_kind", "h_occupation", "h_level")
_DATE_FIELDS = ("graduation", "start", "end", "enrolment", "claim", "h_date")


def columns_from_cases(pairs: Iterable[tuple[str, Case]]) -> Columns:
    """Parsed cases (with their ids) as columns. Unknown facts become -1 (NaT for dates)."""
    occupations = tuple(o.code for o in load_occupations())
    occupation_index = {code: i for i, code in enumerate(occupations)}
    level_index = {level: i for i, level in enumerate(LEVELS)}
    status_index = {s: i for i, s in enumerate(STATUSES)}
    mode_index = {m: i for i, m in enumerate(MODES)}
    school_index = {s: i for i, s in enumerate(SCHOOL_TYPES)}
    data: dict[str, list] = {name: [] for name in _CASE_FIELDS + _HISTORY_FIELDS}
    ids = []
    (status, employed, in_school, retired, school_type, full_time, graduation, employed_after, occupation, level, mode,
     institution, start, end, enrolment, claim, days, hours, online, trained, has_cert, cert_province, theory, ability,
     class_size, class_employed) = (data[name].append for name in _CASE_FIELDS)
    h_case, h_date, h_kind, h_occupation, h_level = (data[name].append for name in _HISTORY_FIELDS)
    for index, (case_id, case) in enumerate(pairs):
        ids.append(case_id)
        t, c, k = case.trainee, case.course, case.class_info
        status(status_index.get(t.status, -1))
        employed(_tri(t.employed))
        in_school(_tri(t.in_school))
        retired(_tri(t.retired))
        school_type(school_index[t.school_type])
        full_time(_tri(t.full_time))
        graduation(_day(t.graduation_date))
        employed_after(_tri(t.employed_after_training))
        occupation(occupation_index[c.occupation_code])
        level(level_index[c.level])
        mode(mode_index[c.mode])
        institution(_province(c.institution_province))
        start(_day(c.start_date))
        end(_day(c.end_date))
        enrolment(_day(c.enrolment_date))
        claim(_day(case.claim_date))
        days(-1 if c.training_days is None else c.training_days)
        hours(-1 if c.hours_total is None else int(c.hours_total * 10))  # tenths of an hour: exact (int or one-place Decimal)
        online(-1 if c.hours_online is None else int(c.hours_online * 10))
        trained(c.training_certificate)
        certificate = c.level_certificate
        has_cert(certificate is not None)
        cert_province(-1 if certificate is None else _province(certificate.province))
        theory(_tri(c.theory_passed))
        ability(_tri(c.ability_passed))
        class_size(0 if k is None else k.size)
        class_employed(0 if k is None else k.employed_after_training)
        for h in case.history:
            h_case(index)
            h_date(_day(h.date))
            h_kind(0 if h.kind == "training_subsidy" else 1)
            h_occupation(-1 if h.occupation_code is None else occupation_index[h.occupation_code])
            h_level(-1 if h.level is None else level_index[h.level])
    arrays = {}
    for name, values in data.items():
        if name in _DATE_FIELDS:
            ordinals = np.array(values, dtype=np.int64)
            days_ = np.where(ordinals < 0, np.iinfo(np.int64).min, ordinals - _EPOCH_ORDINAL)
            arrays[name] = days_.astype("datetime64[D]")  # int64 min is NaT
        elif name in ("training_certificate", "has_level_certificate"):
            arrays[name] = np.array(values, dtype=bool)
        else:
            arrays[name] = np.array(values, dtype=np.int64 if name in ("h_case", "training_days", "hours_total", "hours_online") else np.int32)
    return Columns(ids, arrays, occupations)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def concat(parts: list[Columns]) -> Columns:
    """Columns of several chunks, one after the other (history case indices shifted)."""
    if len(parts) == 1:
        return parts[0]
    arrays = {}
    offsets = np.cumsum([0] + [len(part) for part in parts[:-1]])
    for name in parts[0].arrays:
        if name == "h_case":
            arrays[name] = np.concatenate([part[name] + offset for part, offset in zip(parts, offsets)])
        else:
            arrays[name] = np.concatenate([part[name] for part in parts])
    return Columns([i for part in parts for i in part.ids], arrays, parts[0].occupations)


def _demo_chunk_columns(args: tuple) -> Columns:
    from ..population import demo_cases

    province, seed, chunk_index, size = args
    return columns_from_cases(demo_cases(province, seed, chunk_index, size))


def demo_columns(province: str, n: int, seed: int = 1, workers: int | None = None) -> Columns:
    """The demo population of `simulate.demo_tasks(n, seed)` as columns, chunks built in parallel."""
    import multiprocessing
    import os

    from ..simulate import demo_tasks

    tasks = [(province, *payload) for _, payload in demo_tasks(n, seed)]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) == 1:
        return concat([_demo_chunk_columns(task) for task in tasks])
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return concat(pool.map(_demo_chunk_columns, tasks, chunksize=4))
