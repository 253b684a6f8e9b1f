"""dte.ops.sql.ids_in: the same rows as a plain IN on SQLite and PostgreSQL (one array parameter there), for
integer ids and for strings that the array literal must quote."""

import pytest

from dte.ops.sql import ids_in
from dte.organisations.models import Organisation
from dte.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

AWKWARD = ['say "hi"', "back\\slash", "a,b", "{braces}", "NULL", " spaced ", "中文机构"]


def test_ids_in_finds_what_in_finds():
    orgs = [OrganisationFactory(name=name) for name in AWKWARD] + [OrganisationFactory(name="not asked")]
    wanted = orgs[:-1]
    by_id = Organisation.objects.filter(**ids_in("pk", [o.pk for o in wanted]))
    assert sorted(by_id.values_list("pk", flat=True)) == sorted(o.pk for o in wanted)
    by_name = Organisation.objects.filter(**ids_in("name", AWKWARD + ["", "nobody"], of="varchar"))
    assert sorted(by_name.values_list("name", flat=True)) == sorted(AWKWARD)
    assert not Organisation.objects.filter(**ids_in("pk", [])).exists()


def test_ids_in_names_its_element_types():
    with pytest.raises(ValueError, match="bigint, varchar"):
        ids_in("pk", [1], of="text; DROP TABLE x")
