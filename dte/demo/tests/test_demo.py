import pytest
from django.core.management import call_command

from dte.geography.models import Division
from dte.organisations.models import User
from dte.privacy.idnumber import validate_id_number
from dte.registry.models import Person

pytestmark = pytest.mark.django_db


PLANTED = 60


def test_setup_loads_reference_data_accounts_and_people(settings):
    call_command("setup", demo_scale=1)
    assert Division.objects.filter(level="prefecture").count() == 49
    assert Division.objects.get(code="140100").parent_id == "140000"
    assert Division.objects.filter(level="county", code__startswith="54").exists()
    roles = set(User.objects.values_list("role", flat=True))
    assert len(roles) == 9  # every role has a demo account
    # 1,000 generated (rare random ID clashes are skipped) plus the few named people the app demos
    # plant (exam candidates, anomalies for the risk signals): fewer than PLANTED, as at scale 0
    assert 990 <= Person.objects.count() <= 1000 + PLANTED
    for person in Person.objects.all()[:50]:
        validate_id_number(person.id_number)  # every generated number is valid
        assert person.birth_date.strftime("%Y%m%d") == person.id_number[6:14]
    # subsidies: a budget per province, and a claim whose publicity has ended waits for finance
    from dte.subsidy.models import Budget, Claim
    from dte.subsidy.services.review import claim_authorise

    assert Budget.objects.count() == 5
    claim = Claim.objects.get()
    assert claim.status == "approved" and claim.lines.filter(amount_fen__gt=0).exists()
    claim_authorise(claim, by=User.objects.get(username="sx_finance"))
    count = Person.objects.count()
    call_command("demo", scale=1)  # deterministic: a re-run adds nobody
    assert Person.objects.count() == count


def test_scale_zero_builds_organisations_and_accounts_without_people():
    call_command("setup", demo_scale=0)
    call_command("demo", scale=0)
    assert Person.objects.count() < PLANTED  # the generator adds nobody at scale 0, only the app demos' few
    assert User.objects.filter(username="sx_province").exists()


def test_demo_trainee_account_has_a_record_with_a_class():
    call_command("setup", demo_scale=1)
    trainee = User.objects.get(username="trainee")
    assert trainee.person.enrolments.exists()
