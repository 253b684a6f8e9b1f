"""Third-party evaluation (津人社办发〔2022〕94号 四(三)): attendance and pass rates computed, scored,
submitted, released by the province, then public as web and PDF."""

from datetime import date, timedelta

import pytest

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.registry.tests.factories import officer
from dte.supervision.services.errors import SupervisionError
from dte.supervision.services.evaluations import evaluation_open, evaluation_release, evaluation_score
from dte.training.models import Attendance
from dte.training.tests.factories import TrainingClassFactory, VenueFactory, institution, trainee

from .factories import session_on

pytestmark = pytest.mark.django_db


def evaluator(code="120000"):
    org = OrganisationFactory(kind=Organisation.Kind.THIRD_PARTY, division=division(code))
    return UserFactory(organisation=org, role=Role.THIRD_PARTY_EVALUATOR)


def test_figures_scores_release_and_publication(client):
    org = institution("120101")
    c = TrainingClassFactory(institution=org, start_date=date(2025, 3, 3))
    people = [trainee(c) for _ in range(4)]
    venue = VenueFactory(institution=org)
    for day in range(2):
        s = session_on(c, date(2025, 3, 3) + timedelta(days=day), venue=venue)
        for e in people[: 3 + day]:  # 3 of 4, then 4 of 4 → 7 of 8 attended
            Attendance.objects.create(session=s, enrolment=e, status="present", checked_in_at=s.starts_at)
    third_party = evaluator()
    evaluation = evaluation_open(third_party, org, 2025)
    assert evaluation.figures["attendance_expected"] == 8 and evaluation.figures["attendance_attended"] == 7
    assert evaluation.figures["attendance_rate_bp"] == 8750
    with pytest.raises(SupervisionError):
        evaluation_open(third_party, org, 2025)
    with pytest.raises(SupervisionError):
        evaluation_score(evaluation, third_party, scores={"attendance": 90}, comments="")
    evaluation_score(evaluation, third_party, scores={"attendance": 87.5, "pass_rate": 80, "teaching": 90, "compliance": 100},
                     comments="出勤良好，录像完整。", submit=True)
    evaluation.refresh_from_db()
    assert str(evaluation.total_score) == "89.4"  # (87.5 + 80 + 90 + 100) / 4 = 89.375
    assert client.get(f"/supervision/public/evaluations/{evaluation.pk}.pdf").status_code == 404
    with pytest.raises(SupervisionError):
        evaluation_release(evaluation, officer("140000"))
    evaluation_release(evaluation, officer("120000"))
    pdf = client.get(f"/supervision/public/evaluations/{evaluation.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert org.name in client.get("/supervision/public/evaluations/").content.decode()
    with pytest.raises(SupervisionError):
        evaluation_score(evaluation, third_party, scores={}, comments="")


def test_only_a_third_party_evaluator_in_commission_opens_an_evaluation():
    org = institution("120101")
    with pytest.raises(SupervisionError):
        evaluation_open(officer("120000"), org, 2025)
    with pytest.raises(SupervisionError):
        evaluation_open(evaluator("140000"), org, 2025)
