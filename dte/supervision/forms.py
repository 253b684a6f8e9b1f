"""Forms of supervision pages. Labels are English sources translated to Chinese (locale_zh.txt)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.organisations.models import Organisation

from .models import Complaint, Finding, Inspection, Sanction, SampleDraw


def _institutions(province_prefix: str = ""):
    qs = Organisation.objects.filter(kind=Organisation.Kind.TRAINING_INSTITUTION, is_active=True, listings__isnull=False)
    if province_prefix:
        qs = qs.filter(division__code__startswith=province_prefix)
    return qs.distinct().order_by("division_id", "name")


class PublicComplaintForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution concerned"), queryset=_institutions())
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), min_length=10,
                              max_length=4000)
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=64)
    phone = forms.CharField(label=_("Your mobile phone (optional)"), required=False, max_length=20,
                            help_text=_("Leave both empty to stay anonymous; keep the tracking code to follow up."))


class HotlineComplaintForm(PublicComplaintForm):
    def __init__(self, *args, province_prefix: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = _institutions(province_prefix)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    visible = forms.BooleanField(label=_("Visible to the complainant"), required=False, initial=True)


class DrawForm(forms.Form):
    target = forms.ChoiceField(label=_("What is drawn"), choices=SampleDraw.Target.choices)
    method = forms.ChoiceField(label=_("Method"), choices=SampleDraw.Method.choices)
    size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=1000, initial=5)
    seed = forms.CharField(label=_("Seed (optional)"), required=False, max_length=64,
                           help_text=_("Leave empty for a random seed; it is recorded so the draw can be repeated."))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    planned_on = forms.DateField(label=_("Planned on"), widget=forms.DateInput(attrs={"type": "date"}))
    inspectors = forms.CharField(label=_("Inspectors"), required=False, max_length=255)


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    text = forms.CharField(label=_("Problem found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evidence = forms.FileField(label=_("Photo or file"), required=False)


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("Action required"), max_length=255)
    due_on = forms.DateField(label=_("Due by"), widget=forms.DateInput(attrs={"type": "date"}))


class CloseForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class SanctionForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("Problem found"), queryset=Finding.objects.none())
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    document = forms.CharField(label=_("Document"), max_length=128)
    effective_on = forms.DateField(label=_("Effective on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspection is not None:
            self.fields["finding"].queryset = inspection.findings.all()


class DismissForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label=_("Reason for dismissing"), max_length=255)


class EvaluationOpenForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2022, max_value=2100)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions


class EvaluationScoreForm(forms.Form):
    attendance = forms.DecimalField(label=_("Attendance"), min_value=0, max_value=100, decimal_places=1)
    pass_rate = forms.DecimalField(label=_("Exam pass rate"), min_value=0, max_value=100, decimal_places=1)
    teaching = forms.DecimalField(label=_("Teaching quality"), min_value=0, max_value=100, decimal_places=1)
    compliance = forms.DecimalField(label=_("Compliance (complaints, findings)"), min_value=0, max_value=100, decimal_places=1)
    comments = forms.CharField(label=_("Evaluation comments"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
