"""Progress against each province's training targets (培育目标), from its policy pack.

Targets are pack data (`training_targets`): 晋人社厅发〔2024〕27号 二 (每年500名左右),
广西人社厅通知（2023-09-19） 一 (到2030年末1万人以上), 津人社办发〔2022〕94号 一 (1万/5千/1千),
云人社通〔2023〕39号 一 (到2030年末1万人以上); Tibet states none. A measure counts people, not
certificates: `training_certificates` — people holding a valid training certificate from a class
in the province; `level_certificates` — people holding a valid level certificate issued by an
evaluation institution of the province (at `min_level` or above).

Published statistics suppress small cells (`suppress`) so that no one can be identified."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Value
from django.db.models.functions import Concat, ExtractYear, Substr

from dte.catalogue.models import LEVEL_RANK
from dte.credentials.models import LevelCertificate
from dte.organisations.scoping import scoped
from dte.policy.packs import UnknownPack, get_pack
from dte.training.models import TrainingCertificate

BREAKDOWNS = ("year", "occupation", "level", "prefecture", "institution")


@dataclass
class TargetProgress:
    key: str
    label: str
    measure: str
    target: int
    achieved: int
    period: str  # "2024" (annual target) or "至2030年末" (cumulative)
    citation: str
    breakdown: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return min(self.achieved / self.target, 1.0) if self.target else 0.0


def _scope(user, qs):
    """user=None: the published (public) figures of the whole province."""
    return qs if user is None else scoped(user, qs)


def _certificates(user, measure: str, prefix: str, min_level: str | None):
    """(queryset, paths) of valid certificates of the measure, inside the user's scope and the province."""
    if measure == "training_certificates":
        qs = _scope(user, TrainingCertificate.objects.filter(
            status=TrainingCertificate.Status.VALID, enrolment__training_class__division__code__startswith=prefix))
        return qs, {"person": "enrolment__person_id", "year": "issued_on", "occupation": "enrolment__training_class__occupation__name",
                    "level": "enrolment__training_class__level", "division": "enrolment__training_class__division_id",
                    "institution": "enrolment__training_class__institution__name"}
    qs = _scope(user, LevelCertificate.objects.filter(status=LevelCertificate.Status.VALID,
                                                      issuer__division__code__startswith=prefix))
    if min_level:
        qs = qs.filter(level__in=[lv for lv, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[min_level]])
    return qs, {"person": "person_id", "year": "issued_on", "occupation": "occupation__name", "level": "level",
                "division": "issuer__division_id", "institution": "issuer_name"}


def _group(qs, paths: dict, by: str) -> list[tuple[str, int]]:
    qs = qs.order_by()
    if by == "year":
        qs = qs.annotate(k=ExtractYear(paths["year"]))
    elif by == "prefecture":
        qs = qs.annotate(k=Concat(Substr(paths["division"], 1, 4), Value("00")))
    else:
        qs = qs.annotate(k=Concat(paths[by], Value("")))
    rows = qs.values("k").annotate(n=Count(paths["person"], distinct=True)).values_list("k", "n")
    return sorted(((str(k), n) for k, n in rows), key=lambda kv: kv[0])


def targets_progress(user, province_code: str, *, year: int | None = None, breakdowns=BREAKDOWNS) -> list[TargetProgress]:
    """Each target of the province's pack with what has been achieved in the user's scope
    (user=None: the whole province, for the published statistics)."""
    try:
        pack = get_pack(province_code)
    except UnknownPack:
        return []
    today = date.today()
    p = pack._bound(today)
    targets = p.get("training_targets")
    if not targets:
        return []
    prefix = pack.division_code[:2]
    year = year or today.year
    out = []
    for item in targets["items"]:
        qs, paths = _certificates(user, item["measure"], prefix, item.get("min_level"))
        if targets.get("per_year"):
            qs, period = qs.filter(**{f"{paths['year']}__year": year}), str(year)
        else:
            qs, period = qs.filter(**{f"{paths['year']}__year__lte": targets["by_year"]}), f"{targets['by_year']}"
        achieved = qs.aggregate(n=Count(paths["person"], distinct=True))["n"]
        out.append(TargetProgress(
            key=item["key"], label=item["label"], measure=item["measure"], target=item["count"], achieved=achieved,
            period=period, citation=p.citation("training_targets"),
            breakdown={by: _group(qs, paths, by) for by in breakdowns},
        ))
    return out


TARGETS_CACHE_SECONDS = 300  # progress against multi-year targets need not be fresher than five minutes


def targets_progress_cached(user, province_code: str, *, year: int | None = None) -> list[TargetProgress]:
    """`targets_progress` kept for five minutes per scope (role and organisation; public = None), so that
    a warm dashboard is one cache read at millions of certificates (issue 11: ≤ 200 ms warm)."""
    from django.core.cache import cache

    scope = "public" if user is None else f"{'admin' if user.is_platform_admin else user.role}:{user.organisation_id}"
    key = f"reporting:targets:{scope}:{province_code}:{year or date.today().year}"
    return cache.get_or_set(key, lambda: targets_progress(user, province_code, year=year), TARGETS_CACHE_SECONDS)


def suppress(count: int, threshold: int | None = None) -> str:
    """A published cell: counts below the threshold (default 5) show as "<5"."""
    threshold = settings.DTE_STATS_SUPPRESS_BELOW if threshold is None else threshold
    return f"<{threshold}" if 0 < count < threshold else str(count)


def subsidy_spend(province_code: str, year: int) -> dict:
    """Subsidy money against the year's budget (dte.subsidy owns the figures): budget, committed
    (approved and beyond), paid, remaining — integer fen; rate = committed / budget."""
    from django.db.models import Sum

    from dte.subsidy.models import ClaimLine
    from dte.subsidy.services.review import budget_status

    status = budget_status(province_code, year)
    status["paid_fen"] = ClaimLine.objects.filter(claim__province_id=province_code, claim__budget_year=year,
                                                  status=ClaimLine.Status.PAID).aggregate(s=Sum("amount_fen"))["s"] or 0
    budget = status["budget_fen"]
    status["rate"] = min(status["committed_fen"] / budget, 1.0) if budget else 0.0
    return status
