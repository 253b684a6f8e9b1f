"""Spot-check draws: simple, stratified by prefecture, risk-weighted; reproducible from the seed."""

from datetime import date

import pytest

from dte.registry.models import TrainingClass
from dte.supervision.models import SampleDraw
from dte.supervision.services.errors import SupervisionError
from dte.supervision.services.spot_checks import _allocate, draw_sample, sample_draw_create, sample_draw_reproduce
from dte.training.tests.factories import TrainingClassFactory

from .factories import listed_institution, officer, world

pytestmark = pytest.mark.django_db

POPULATION = [(i, "140100" if i <= 6 else "140200" if i <= 9 else "140300") for i in range(1, 11)]


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    a = draw_sample(POPULATION, "simple", 4, "seed-1")
    assert a == draw_sample(POPULATION, "simple", 4, "seed-1")
    assert len(set(a)) == 4
    assert any(draw_sample(POPULATION, "simple", 4, f"seed-{n}") != a for n in range(2, 6))


def test_stratified_allocation_is_proportional_with_the_largest_remainder():
    strata = {"140100": list(range(6)), "140200": list(range(3)), "140300": [9]}
    # quotas 3.0, 1.5, 0.5: one place left, the remainders tie at 0.5, the lower code wins it
    assert _allocate(strata, 5) == {"140100": 3, "140200": 2, "140300": 0}
    # 3.6, 1.8, 0.6 → 3+1+0, two places left: remainders .8 (1402), then .6 tied between 1401 and 1403 → 1401
    assert _allocate(strata, 6) == {"140100": 4, "140200": 2, "140300": 0}
    drawn = draw_sample(POPULATION, "stratified", 5, "s")
    by_prefecture = {code: sum(1 for pk in drawn if dict(POPULATION)[pk] == code) for code in ("140100", "140200", "140300")}
    assert by_prefecture == {"140100": 3, "140200": 2, "140300": 0}


def test_risk_weighting_favours_the_flagged():
    weights = {"10": 1000.0}
    first_picks = [draw_sample(POPULATION, "risk", 1, f"r{n}", weights)[0] for n in range(20)]
    assert first_picks.count(10) >= 18
    assert sorted(draw_sample(POPULATION, "risk", 10, "x", weights)) == list(range(1, 11))


def test_a_recorded_draw_reproduces_and_only_officers_draw():
    w = world()
    for org in (w["taiyuan"], w["datong"]):
        for _ in range(3):
            TrainingClassFactory(institution=org, status=TrainingClass.Status.COMPLETED)
    draw = sample_draw_create(w["province"], target="classes", method="stratified", size=4, seed="2025-抽查-1")
    assert len(draw.drawn) == 4 and len(draw.population) == 8
    assert sample_draw_reproduce(draw) == draw.drawn
    prefectures = {dict((pk, p) for pk, p in draw.population)[pk] for pk in draw.drawn}
    assert prefectures == {"140100", "140200"}
    from dte.registry.tests.factories import staff

    with pytest.raises(SupervisionError):
        sample_draw_create(staff(w["taiyuan"]), target="classes", method="simple", size=1)


def test_a_prefecture_officer_draws_only_from_their_prefecture():
    w = world()
    local = officer("140200", role="local_officer")
    draw = sample_draw_create(local, target="institutions", method="simple", size=5, seed="s")
    assert draw.drawn == [w["datong"].pk]
    assert draw.division_id == "140200" and draw.target == SampleDraw.Target.INSTITUTIONS
