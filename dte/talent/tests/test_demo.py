"""The demo: every state the talent app has (recorded hours, recognised, excluded, 卓越工程师, entries)."""

from datetime import date
from types import SimpleNamespace

import pytest

from dte.talent import demo
from dte.talent.models import ContinuingEducationRecord, TalentEntry, TitleRecognition

from .factories import LevelCertificateFactory, completed_enrolment, official, person

pytestmark = pytest.mark.django_db


def context():
    return SimpleNamespace(seed=7, log=[], organisations={})


def test_demo_reaches_every_state_and_is_idempotent():
    for code in ("120000", "540000", "140000"):
        official(code)
    completed_enrolment(person("140105"), hours="72", end=date(2025, 6, 1))
    tianjin = LevelCertificateFactory(person=person("120101"), level="senior")
    tibet = LevelCertificateFactory(person=person("540102"), level="junior")
    LevelCertificateFactory(person=person("140105"), level="intermediate")
    demo.generate(context())
    assert ContinuingEducationRecord.objects.filter(status="recorded").count() == 1
    assert TitleRecognition.objects.get(certificate=tianjin, kind="after_review").title == "数字经济卓越工程师"
    assert TitleRecognition.objects.get(certificate=tibet).status == "excluded"
    assert TalentEntry.objects.filter(kind="competition").count() == 3
    entries, recognitions = TalentEntry.objects.count(), TitleRecognition.objects.count()
    ctx = context()
    demo.generate(ctx)
    assert (TalentEntry.objects.count(), TitleRecognition.objects.count()) == (entries, recognitions)
    assert ctx.log[0].startswith("talent: 1 continuing-education records, 3 certificates")


def test_demo_issues_certificates_where_the_assessment_demo_did_not():
    from dte.credentials.models import LevelCertificate

    from .factories import occupation

    occupation()
    for code in ("120000", "540000"):
        official(code)
    for county in ("120101", "120102", "540102", "540103"):
        person(county)
    demo.generate(context())
    assert LevelCertificate.objects.filter(person__division__code__startswith="12").count() == 2
    assert TitleRecognition.objects.filter(kind="after_review", title="数字经济卓越工程师", status="recognised").count() == 1
    assert TitleRecognition.objects.filter(person__division__code__startswith="54", status="excluded").count() == 1
    demo.generate(context())
    assert LevelCertificate.objects.count() == 4
