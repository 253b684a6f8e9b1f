"""A suspended or removed institution cannot create classes, enrol, submit an opening application,
issue certificates or claim (广西人社厅通知 五(三); 津人社办发〔2022〕94号 四(一)) — each refused in
its own service, with the sanction's document in the message."""

from datetime import date, timedelta

import pytest

from dte.registry.errors import RegistryError
from dte.registry.models import ClassApplication, TrainingClass
from dte.registry.services import enrolment_create
from dte.registry.services_opening import class_application_submit
from dte.registry.services_plans import training_class_create
from dte.registry.tests.factories import PersonFactory, occupation
from dte.supervision.services.inspections import finding_record, inspection_open, sanction_impose
from dte.training.services.certificates import certificates_issue
from dte.training.services.schedule import TrainingError

from .factories import world

pytestmark = pytest.mark.django_db

DOCUMENT = "晋人社函〔2025〕7号"


@pytest.fixture(params=["suspended", "removed"])
def sanctioned(request):
    w = world()
    inspection = inspection_open(w["province"], institution=w["taiyuan"], kind="on_site", planned_on=date(2025, 4, 1))
    finding = finding_record(inspection, w["province"], severity="major", text="培训走过场就发证")
    sanction_impose(finding, w["province"], kind=request.param, reason="培训走过场就发证", document=DOCUMENT,
                    effective_on=date(2025, 4, 2))
    return w


def _refused(error_type, call):
    with pytest.raises(error_type) as caught:
        call()
    assert DOCUMENT in str(caught.value)


def test_no_new_class(sanctioned):
    org = sanctioned["taiyuan"]
    _refused(RegistryError, lambda: training_class_create(
        institution=org, occupation=occupation(), level="junior", title="新班", division_id=org.division_id,
        start_date=date.today() + timedelta(days=30), end_date=date.today() + timedelta(days=60)))


def test_no_enrolment(sanctioned):
    klass = sanctioned["classes"][0]
    TrainingClass.objects.filter(pk=klass.pk).update(status=TrainingClass.Status.APPROVED)
    klass.refresh_from_db()
    _refused(RegistryError, lambda: enrolment_create(klass, PersonFactory()))


def test_no_opening_application(sanctioned):
    klass = sanctioned["classes"][0]
    application = ClassApplication.objects.create(training_class=klass, schedule_summary="每周六全天", exam_plan="统一考核")
    _refused(RegistryError, lambda: class_application_submit(application, today=klass.start_date - timedelta(days=30)))


def test_no_training_certificates(sanctioned):
    _refused(TrainingError, lambda: certificates_issue(sanctioned["classes"][0], by=None))


def test_the_other_institution_is_unaffected(sanctioned):
    org = sanctioned["datong"]
    klass = training_class_create(institution=org, occupation=occupation(), level="junior", title="新班",
                                  division_id=org.division_id, start_date=date.today() + timedelta(days=30),
                                  end_date=date.today() + timedelta(days=60))
    assert klass.pk


def test_no_subsidy_claim_and_claims_are_held(sanctioned):
    from dte.subsidy.models import InstitutionHold
    from dte.subsidy.services.claims import ClaimRefused, claim_create

    assert InstitutionHold.objects.filter(institution=sanctioned["taiyuan"], released_at__isnull=True).exists()
    _refused(ClaimRefused, lambda: claim_create(training_class=sanctioned["classes"][0], kind="class", by=None))


def test_no_level_certificates_from_a_suspended_evaluation_institution():
    from dte.catalogue.models import InstitutionListing
    from dte.credentials.services import LevelCertificateRequest, level_certificates_issue
    from dte.organisations.roles import Role
    from dte.organisations.tests.factories import UserFactory
    from dte.registry.tests.factories import evaluation_institution

    w = world()
    evaluator = evaluation_institution("140100")
    listing = InstitutionListing.objects.create(organisation=evaluator, kind="evaluation", province_id="140000",
                                                listed_on=date(2023, 1, 1))
    inspection = inspection_open(w["province"], institution=evaluator, kind="on_site", planned_on=date(2025, 4, 1))
    finding = finding_record(inspection, w["province"], severity="major", text="不评价直接发证")
    sanction_impose(finding, w["province"], kind="suspended", reason="不评价直接发证", document=DOCUMENT,
                    effective_on=date(2025, 4, 2))
    listing.refresh_from_db()
    assert listing.status == "suspended"
    staff = UserFactory(organisation=evaluator, role=Role.EVALUATION_STAFF)
    request = LevelCertificateRequest(person=PersonFactory(), occupation=occupation(), level="junior", direction="",
                                      issuer=evaluator, exam_date=date(2025, 5, 1), national_reference="N-1",
                                      source_label="test")
    with pytest.raises(Exception) as caught:
        level_certificates_issue([request], by=staff, issued_on=date(2025, 6, 1))
    assert "目录" in str(caught.value) or "listed" in str(caught.value)
