import factory

from dte.geography.models import Division
from dte.organisations.models import ExamCentre, Organisation, User
from dte.organisations.roles import Role

_LEVEL_BY_SUFFIX = {4: Division.Level.PROVINCE, 2: Division.Level.PREFECTURE}


def division(code: str, name: str | None = None) -> Division:
    """Get or create a division and its parents (tests need no reference-data load)."""
    if code == "000000":
        return Division.objects.get_or_create(code=code, defaults={"name": "中华人民共和国", "level": Division.Level.NATIONAL})[0]
    if code.endswith("0000"):
        level, parent = Division.Level.PROVINCE, division("000000")
    elif code.endswith("00"):
        level, parent = Division.Level.PREFECTURE, division(code[:2] + "0000")
    else:
        level, parent = Division.Level.COUNTY, division(code[:4] + "00")
    return Division.objects.get_or_create(code=code, defaults={"name": name or f"地区{code}", "level": level, "parent": parent})[0]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = Organisation.Kind.TRAINING_INSTITUTION
    division = factory.LazyFunction(lambda: division("140100"))


class ExamCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamCentre

    evaluation_institution = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.EVALUATION_INSTITUTION)
    name = factory.Sequence(lambda n: f"考核点{n}")
    division = factory.LazyFunction(lambda: division("140105"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.TRAINING_STAFF
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "Test@12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
