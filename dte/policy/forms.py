"""The policy-change simulation form: parameters in ¥, %, days, years and yes/no (issue 13 items 11, 13)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.geography.forms import PercentField, YuanField

from .packs import all_packs
from .services_simulation import MAX_DEMO_CASES, shown_value

YES_NO = [("1", _("yes")), ("0", _("no"))]


class SimulationForm(forms.Form):
    province = forms.ChoiceField(label=_("Policy pack"), widget=forms.HiddenInput)  # chosen above the form (GET)
    population = forms.ChoiceField(label=_("Population"), widget=forms.RadioSelect, initial="demo", choices=[
        ("demo", _("Synthetic population (reproducible; give its size)")),
        ("registry", _("The trainees in the registry you can see (their real facts)"))])
    size = forms.IntegerField(label=_("Size of the synthetic population"), min_value=1, max_value=MAX_DEMO_CASES,
                              initial=10000, required=False)
    seed = forms.IntegerField(label=_("Seed of the synthetic population"), min_value=1, initial=1, required=False)
    on = forms.DateField(label=_("Decide every case on (blank: each training's own dates)"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, parameters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [(p.code, p.name) for p in all_packs()]
        self.parameters = list(parameters)
        for p in self.parameters:
            help_text = _("In force: %(value)s · %(citation)s") % {"value": shown_value(p.unit, p.value), "citation": p.citation}
            if p.unit == "fen":
                field = YuanField(label=f"{p.label}（¥）", required=False, initial=p.value)
            elif p.unit == "basis_points":
                field = PercentField(label=f"{p.label}（%）", required=False, initial=p.value)
            elif p.unit == "bool":
                field = forms.TypedChoiceField(label=p.label, choices=YES_NO, coerce=lambda v: v == "1",
                                               initial="1" if p.value else "0")
            else:
                unit = _("days") if p.unit == "days" else _("years")
                field = forms.IntegerField(label=f"{p.label}（{unit}）", min_value=0, required=False, initial=p.value)
            field.help_text = help_text
            self.fields[f"p_{p.name}"] = field

    def clean(self):
        data = super().clean()
        if data.get("population") == "demo" and not data.get("size"):
            self.add_error("size", _("Give the size of the synthetic population."))
        return data

    def submitted_values(self) -> dict:
        """{parameter name: stored value}; a blank money/percent/number box keeps the value in force."""
        out = {}
        for p in self.parameters:
            value = self.cleaned_data.get(f"p_{p.name}")
            if value is not None:
                out[p.name] = value
        return out

    def parameter_fields(self):
        return [self[f"p_{p.name}"] for p in self.parameters]

    def run_fields(self):
        return [self[name] for name in ("population", "size", "seed", "on")]
