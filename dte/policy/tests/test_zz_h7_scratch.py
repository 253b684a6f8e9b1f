import re
import pytest
from dte.registry.tests.factories import officer
pytestmark = pytest.mark.django_db

def test_show(client, django_capture_on_commit_callbacks):
    client.force_login(officer("140000"))
    page = client.get("/policy/simulate/?province=shanxi")
    html = page.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    print(re.sub(r"\n\s*\n+", "\n", re.sub(r"<[^>]+>", " ", main))[:3000])
    form = page.context["form"]
    data = {n: ("" if form[n].value() is None else form[n].value()) for n in form.fields}
    data.update(population="demo", size="300", p_subsidy_cap_fen="1000", p_unemployed_graduate_window_years="3")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/policy/simulate/", data)
    html = client.get(r.url).content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    print(re.sub(r"\n\s*\n+", "\n", re.sub(r"<[^>]+>", " ", main))[:2500])
