"""The subsidy calculator as a form officials can use: a class (its dates, occupation, level and
mode come from the registry), and either a registered person enrolled in it (the facts are read
exactly as a claim reads them, dte.subsidy.facts) or typed facts. The result shows item names,
payees and reasons in Chinese with their clauses; the JSON stays in the API and CLI."""

from __future__ import annotations


from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import scoped
from dte.policy.cases import hours_json
from dte.registry.models import Enrolment, Person, TrainingClass
from dte.registry.services import person_find_by_id_number

from . import facts
from .services.claims import evaluate

STATUS_CHOICES = [("", "—"), *Person.Status.choices]


class CalculatorForm(forms.Form):
    training_class = forms.ModelChoiceField(label=_("Class"), queryset=TrainingClass.objects.none())
    id_number = forms.CharField(label=_("ID number of an enrolled trainee (optional)"), required=False, max_length=18)
    status = forms.ChoiceField(label=_("Employment status"), choices=STATUS_CHOICES, required=False)
    graduation_date = forms.DateField(label=_("Graduation date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    training_days = forms.IntegerField(label=_("Training days attended"), required=False, min_value=0)
    # credited hours come in tenths (dte.training.selectors.credited_hours): 64.5 is compared as 64.5
    hours_total = forms.DecimalField(label=_("Hours credited"), required=False, min_value=0, max_digits=7, decimal_places=1)
    hours_online = forms.DecimalField(label=_("Of which online"), required=False, min_value=0, max_digits=7, decimal_places=1)
    training_certificate = forms.BooleanField(label=_("Training certificate obtained"), required=False)
    level_certificate_on = forms.DateField(label=_("Level certificate issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    employed_after_training = forms.BooleanField(label=_("Employed after training"), required=False)
    claim_on = forms.DateField(label=_("Claim date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = scoped(user, TrainingClass.objects.select_related("occupation")).order_by("-start_date")


def _typed_case(k: TrainingClass, data: dict) -> facts.CaseFacts:
    certificate = data.get("level_certificate_on")
    case = {
        "trainee": {"status": data.get("status") or None,
                    "graduation_date": data["graduation_date"].isoformat() if data.get("graduation_date") else None,
                    "employed_after_training": data.get("employed_after_training")},
        "course": {"occupation_code": k.occupation.code, "level": k.level, "mode": k.mode,
                   "institution_province": str(k.institution.division_id)[:2], "start_date": k.start_date.isoformat(),
                   "end_date": k.end_date.isoformat(), "training_days": data.get("training_days"), "hours_total": hours_json(data.get("hours_total")),
                   "hours_online": hours_json(data.get("hours_online")), "training_certificate": bool(data.get("training_certificate")),
                   "level_certificate": {"issued_on": certificate.isoformat(), "province": str(k.division_id)[:2]} if certificate else None},
        "history": [],
    }
    return facts.CaseFacts(Enrolment(training_class=k), case, None)


@login_required
def calculator(request):
    form = CalculatorForm(request.user, request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data, k = form.cleaned_data, form.cleaned_data["training_class"]
        today = data.get("claim_on") or timezone.localdate()
        person = person_find_by_id_number(data["id_number"].strip().upper()) if data.get("id_number") else None
        enrolment = k.enrolments.filter(person=person).select_related("person", "training_class__occupation",
                                                                       "training_class__institution").first() if person else None
        if data.get("id_number") and enrolment is None:
            context["error"] = _("No trainee with this ID number is enrolled in the class.")
        else:
            case_facts = facts.build_cases([enrolment])[0] if enrolment else _typed_case(k, data)
            # the claim date decides the living allowance's year (津人社办发〔2022〕94号 三(四)), as claim_create does
            case_facts.case = {**case_facts.case, "claim_date": today.isoformat()}
            results = [(item, evaluate(case_facts, k, item, today)) for item in ("training_subsidy", "living_allowance")]
            context.update({"results": [(item, r) for item, r in results if r["amount"] or item == "training_subsidy"],
                            "class": k, "on": k.start_date, "from_registry": enrolment is not None, "facts": case_facts.case})
    return render(request, "subsidy/calculator.html", context)
