import json

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.geography.forms import DivisionField
from dte.organisations.roles import Role

from .models import AttendanceStatus, CertificateSettings, Session, Venue


class VenueForm(forms.ModelForm):
    polygon_text = forms.CharField(label=_("Geofence polygon [[lat, lon], …] (optional)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Venue
        fields = ["name", "address", "division", "lat", "lon", "radius_m", "max_accuracy_m", "uses_rotating_qr"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # picked province → prefecture → county, not a 6-digit code (issue 13 item 13)
        self.fields["division"] = DivisionField(label=self.fields["division"].label, as_object=True)
        if self.instance.pk and self.instance.polygon:
            self.fields["polygon_text"].initial = json.dumps(self.instance.polygon)

    def clean_polygon_text(self):
        raw = (self.cleaned_data.get("polygon_text") or "").strip()
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("Not valid JSON: write [[39.08, 117.20], [39.09, 117.20], [39.09, 117.21]]")) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Give a list of [lat, lon] points."))
        return value


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "hours", "delivery", "kind", "teacher", "venue", "platform", "makeup_for",
                  "early_open_minutes", "late_after_minutes"]
        labels = {"teacher": _("Teacher"), "venue": _("Venue")}  # the model's plain names would show in English
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    # issue 13 item 10: shortening a session that has attendance needs a reason (audited)
    change_reason = forms.CharField(label=_("reason for the change"), required=False, max_length=200)

    def __init__(self, *args, training_class, **kwargs):
        super().__init__(*args, **kwargs)
        institution = training_class.institution
        self.fields["venue"].queryset = Venue.objects.filter(institution=institution)
        self.fields["teacher"].queryset = institution.users.filter(role=Role.TRAINING_STAFF)
        self.fields["makeup_for"].queryset = training_class.sessions.filter(makeup_for__isnull=True)


class CorrectionForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ExcuseForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for leave"), max_length=255)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo (jpg/png) or recording (mp4)"))


class AssessmentForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=100, decimal_places=1)


class CertificateSettingsForm(forms.ModelForm):
    class Meta:
        model = CertificateSettings
        fields = ["number_pattern", "check_scheme", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def clean_number_pattern(self):
        from .services import TrainingError
        from .services.certificates import number_base

        pattern = self.cleaned_data["number_pattern"]
        try:
            number_base(pattern, year=2026, inst=1, seq=1)
        except TrainingError as error:
            raise forms.ValidationError(str(error)) from None
        return pattern


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=255)
