import threading

import pytest
from django.db import connection

from dte.audit.models import AuditEvent
from dte.registry.errors import RegistryError
from dte.registry.models import Enrolment, PlanQuota
from dte.registry.services import enrolment_create, enrolment_withdraw
from dte.registry.services_plans import annual_plan_create, quota_set_places

from .factories import PersonFactory, TrainingClassFactory, listed_institution, occupation, plan_with_quota

pytestmark = pytest.mark.django_db


def test_shanxi_plan_with_per_institution_quotas():
    sxu, tyut = listed_institution(name="山西大学"), listed_institution(name="太原理工大学")
    plan = annual_plan_create(province_id="140000", year=2024, title="2024 年度山西省数字技术工程师培训计划",
                              document="晋人社厅发〔2024〕27号 附件",
                              quotas=[(sxu, occupation("2-02-10-09"), 100), (tyut, occupation("2-02-10-15"), 50)])
    assert sorted(plan.quotas.values_list("places", flat=True)) == [50, 100]
    assert AuditEvent.objects.filter(action="registry.plan.create", object_id=str(plan.pk)).exists()


def test_quota_from_another_province_is_refused():
    tianjin = listed_institution("120100")
    with pytest.raises(RegistryError):
        annual_plan_create(province_id="140000", year=2024, title="x", quotas=[(tianjin, occupation(), 10)])


def test_enrolment_never_exceeds_quota_and_withdrawal_frees_a_place():
    quota = plan_with_quota(listed_institution(), places=2)
    klass = TrainingClassFactory(institution=quota.institution, quota=quota)
    first, second = (enrolment_create(klass, PersonFactory()) for _ in range(2))
    with pytest.raises(RegistryError) as refused:
        enrolment_create(klass, PersonFactory())
    assert refused.value.code == "QUOTA_FULL"
    quota.refresh_from_db()
    assert (quota.enrolled, Enrolment.objects.filter(training_class=klass).count()) == (2, 2)
    enrolment_withdraw(first)
    quota.refresh_from_db()
    assert quota.enrolled == 1
    enrolment_create(klass, PersonFactory())


def test_quota_change_is_audited_with_before_and_after_and_not_below_enrolled():
    quota = plan_with_quota(listed_institution(), places=3)
    klass = TrainingClassFactory(institution=quota.institution, quota=quota)
    enrolment_create(klass, PersonFactory())
    enrolment_create(klass, PersonFactory())
    with pytest.raises(RegistryError):
        quota_set_places(quota, 1, reason="压缩")
    quota_set_places(quota, 120, reason="年中追加", document="晋人社厅函〔2024〕1号")
    event = AuditEvent.objects.filter(action="registry.quota.change").latest("seq")
    assert event.before == {"places": 3, "enrolled": 2}
    assert event.after["places"] == 120 and event.after["reason"] == "年中追加"
    with pytest.raises(RegistryError):
        quota_set_places(quota, 130, reason="")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_fill_exactly_the_quota():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    quota = plan_with_quota(listed_institution(), places=103)
    PlanQuota.objects.filter(pk=quota.pk).update(enrolled=100)  # the last three places
    classes = [TrainingClassFactory(institution=quota.institution, quota=quota, capacity=50) for _ in range(2)]
    people = [PersonFactory() for _ in range(20)]
    barrier, outcomes = threading.Barrier(20), []

    def enrol(i):
        try:
            barrier.wait()
            enrolment_create(classes[i % 2], people[i])
            outcomes.append("ok")
        except RegistryError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    quota.refresh_from_db()
    assert outcomes.count("ok") == 3 and outcomes.count("QUOTA_FULL") == 17
    assert quota.enrolled == quota.places == 103
    assert Enrolment.objects.filter(training_class__quota=quota).count() == 3
