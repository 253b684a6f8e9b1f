"""Forms of level exams (labels are English source strings, translated in locale_zh.txt)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level


class SessionForm(forms.Form):
    centre = forms.ModelChoiceField(queryset=None, label=_("Exam centre"))
    occupation = forms.ModelChoiceField(queryset=None, label=_("Occupation"))
    level = forms.ChoiceField(choices=Level.choices, label=_("Level"))
    direction = forms.CharField(required=False, max_length=64, label=_("Direction"))
    date = forms.DateField(label=_("Exam date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(min_value=1, label=_("Capacity"))
    declarations_close_on = forms.DateField(required=False, label=_("Declarations close on"),
                                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, centres, occupations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        self.fields["occupation"].queryset = occupations


class ScoreForm(forms.Form):
    theory = forms.DecimalField(min_value=0, max_value=100, decimal_places=1, label=_("Theory knowledge"))
    practical = forms.DecimalField(min_value=0, max_value=100, decimal_places=1, label=_("Professional ability"))
    reason = forms.CharField(required=False, max_length=255, label=_("Reason for the change"))


class CheckInForm(forms.Form):
    identity_checked = forms.BooleanField(required=False, label=_("Identity checked"))
    absent = forms.BooleanField(required=False, label=_("Absent"))
    incident = forms.CharField(required=False, label=_("Incident"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Score sheet (.xlsx)"))


class ProvinceDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirmed", _("Confirm and send to national review")),
                                          ("returned", _("Return with comments"))], label=_("Decision"))
    comment = forms.CharField(required=False, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class NationalForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", _("Approved")), ("national_returned", _("Returned"))],
                                 label=_("National review"))
    decided_on = forms.DateField(label=_("Decision date"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=64, label=_("Reference number"))
    comment = forms.CharField(required=False, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=255, label=_("Reason"))


class StandardForm(forms.Form):
    conditions = forms.CharField(required=False, label=_("Declaration conditions"), widget=forms.Textarea(attrs={"rows": 4}))
    theory_pass_mark = forms.DecimalField(min_value=0, max_value=100, decimal_places=1, initial=60, label=_("Theory pass mark"))
    practical_pass_mark = forms.DecimalField(min_value=0, max_value=100, decimal_places=1, initial=60,
                                             label=_("Professional ability pass mark"))
    citation = forms.CharField(max_length=255, label=_("Source"))
