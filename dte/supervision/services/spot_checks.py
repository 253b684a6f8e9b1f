"""抽查: drawing a sample of classes or institutions for inspection.

云人社通〔2023〕39号 五 (对培训机构、培训活动进行抽查检查); 广西人社厅通知 二(二) (日常检查);
津人社办发〔2022〕94号 四(三) (调阅资料、现场检查). Three methods: simple random, stratified
by prefecture (proportional allocation, largest remainder) and weighted by risk signals
(weighted sampling without replacement, Efraimidis–Spirakis keys u^(1/w)). The population,
the weights and the seed are recorded, so anyone can re-run the draw and get the same sample."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.registry.models import TrainingClass

from ..models import SampleDraw
from .errors import SupervisionError

DRAWER_ROLES = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}
# Classes worth inspecting: running or finished, not drafts.
CLASS_STATUSES = ("approved", "in_training", "completed", "closed")


def _population(user, target: str) -> list[tuple[int, str]]:
    """(id, prefecture code) of every candidate in the user's jurisdiction, in id order."""
    if target == SampleDraw.Target.CLASSES:
        rows = scoped(user, TrainingClass.objects.filter(status__in=CLASS_STATUSES)).values_list("pk", "division_id")
    else:
        rows = scoped(user, Organisation.objects.filter(kind=Organisation.Kind.TRAINING_INSTITUTION, is_active=True)
                      ).values_list("pk", "division_id")
    return sorted((pk, code[:4] + "00") for pk, code in rows)


def _allocate(strata: dict[str, list[int]], size: int) -> dict[str, int]:
    """Proportional allocation with the largest remainder; ties broken by stratum code."""
    total = sum(len(ids) for ids in strata.values())
    quotas = {code: size * len(ids) / total for code, ids in strata.items()}
    allocation = {code: int(q) for code, q in quotas.items()}
    remaining = size - sum(allocation.values())
    for code in sorted(strata, key=lambda c: (-(quotas[c] - allocation[c]), c))[:remaining]:
        allocation[code] += 1
    return allocation


def draw_sample(population: list[tuple[int, str]], method: str, size: int, seed: str,
                weights: dict[str, float] | None = None) -> list[int]:
    """The pure draw: same inputs, same sample, on any machine."""
    rng = random.Random(seed)
    ids = [pk for pk, _prefecture in population]
    size = min(size, len(ids))
    if method == SampleDraw.Method.SIMPLE:
        return rng.sample(ids, size)
    if method == SampleDraw.Method.STRATIFIED:
        strata: dict[str, list[int]] = defaultdict(list)
        for pk, prefecture in population:
            strata[prefecture].append(pk)
        drawn: list[int] = []
        for code, k in sorted(_allocate(strata, size).items()):
            drawn.extend(rng.sample(strata[code], k))
        return drawn
    if method == SampleDraw.Method.RISK_WEIGHTED:
        weights = weights or {}
        keyed = [(rng.random() ** (1.0 / float(weights.get(str(pk), 1.0))), pk) for pk in ids]
        return [pk for _key, pk in sorted(keyed, reverse=True)[:size]]
    raise SupervisionError(_("Unknown sampling method."))


def sample_draw_create(user, *, target: str, method: str, size: int, seed: str = "", note: str = "") -> SampleDraw:
    if user.role not in DRAWER_ROLES or user.organisation is None:
        raise SupervisionError(_("Only bureau officers draw spot-check samples."))
    if target not in SampleDraw.Target.values:
        raise SupervisionError(_("Choose what to draw: classes or institutions."))
    if size < 1:
        raise SupervisionError(_("The sample size must be at least 1."))
    population = _population(user, target)
    if not population:
        raise SupervisionError(_("There is nothing in your jurisdiction to draw from."))
    weights: dict[str, float] = {}
    if method == SampleDraw.Method.RISK_WEIGHTED:
        from .risk import risk_weights  # risk signals read the whole jurisdiction; only this method needs them

        weights = risk_weights(user, target)
    seed = (seed or "").strip() or secrets.token_hex(8)
    drawn = draw_sample(population, method, size, seed, weights)
    with transaction.atomic():
        draw = SampleDraw.objects.create(
            division=user.organisation.division, target=target, method=method, size=size, seed=seed,
            population=[list(p) for p in population], weights=weights, drawn=drawn, drawn_by=user, note=note[:255],
        )
        audit_record("supervision.sample.draw", obj=draw, after={"method": method, "size": size, "seed": seed,
                     "population": len(population), "drawn": drawn}, division_code=draw.division_id)
    return draw


def sample_draw_reproduce(draw: SampleDraw) -> list[int]:
    """Re-run a recorded draw from its population, weights and seed."""
    return draw_sample([tuple(p) for p in draw.population], draw.method, draw.size, draw.seed, draw.weights)
