"""The demo generator: robust without classes; fills one finished class otherwise."""

from types import SimpleNamespace

import pytest

from dte.registry.models import Enrolment
from dte.training import demo
from dte.training.models import CompletionDecision, Session, TrainingCertificate

from .factories import TrainingClassFactory, institution, staff, trainee

pytestmark = pytest.mark.django_db


def context():
    return SimpleNamespace(seed=7, log=[], organisations={})


def test_no_classes_no_demo():
    ctx = context()
    demo.generate(ctx)
    assert not Session.objects.exists() and "no finished class" in ctx.log[0]


def test_finished_class_gets_delivery_data_once():
    tc = TrainingClassFactory(institution=institution("140105"))
    staff(tc.institution)
    for _ in range(4):
        trainee(tc, with_user=False)
    ctx = context()
    demo.generate(ctx)
    assert Session.objects.filter(training_class=tc).count() == 10
    assert CompletionDecision.objects.filter(enrolment__training_class=tc).count() == 4
    completed = Enrolment.objects.filter(training_class=tc, status=Enrolment.Status.COMPLETED).count()
    assert 0 < completed < 4 and TrainingCertificate.objects.count() == completed
    demo.generate(context())
    assert Session.objects.filter(training_class=tc).count() == 10
