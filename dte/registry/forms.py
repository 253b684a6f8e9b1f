from django import forms
from django.utils.translation import gettext_lazy as _

from dte.geography.forms import DivisionField, PercentField, YuanField
from dte.geography.models import Division
from dte.organisations.models import Organisation

from .models import Announcement, Person, PlanQuota, TrainingClass, TrainingPlanFiling

DATE = forms.DateInput(attrs={"type": "date"})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def teachers_from(text: str) -> list[dict]:
    """One teacher a line: 姓名 职称 资格 (space or comma separated)."""
    out = []
    for line in _lines(text):
        parts = [p for p in line.replace("，", " ").replace(",", " ").split() if p]
        out.append({"name": parts[0], "title": parts[1] if len(parts) > 1 else "", "qualification": " ".join(parts[2:])})
    return out


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Full name (as on the ID card)"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    division = DivisionField(label=_("place of residence"))
    employment_status = forms.ChoiceField(label=_("employment status"), choices=Person.Status.choices)
    graduation_date = forms.DateField(label=_("graduation date"), required=False, widget=DATE)
    # separate facts (issue 13 item 3): blank = not known
    employed = forms.NullBooleanField(label=_("currently employed"), required=False,
                                      widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]))
    retired = forms.NullBooleanField(label=_("retired"), required=False,
                                     widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]))
    school_type = forms.ChoiceField(label=_("school type"), required=False, choices=[("", "—"), *Person.SchoolType.choices])
    full_time = forms.NullBooleanField(label=_("full-time study"), required=False,
                                       widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]))

    def facts(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("employed", "retired", "school_type", "full_time")}


class RegisterForm(PersonForm):
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=8)


class TrainingClassForm(forms.ModelForm):
    class Meta:
        model = TrainingClass
        fields = ["title", "occupation", "level", "direction", "mode", "division", "start_date", "end_date", "capacity", "quota"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota"].queryset = PlanQuota.objects.filter(institution=institution).select_related("plan", "occupation")
        self.fields["division"] = DivisionField(label=self.fields["division"].label, prefix=institution.division_id[:2],
                                                as_object=True)
        # no date check here: training_class_create refuses an end before the start, and the view shows that
        # refusal beside end_date (one rule, in the service)


class FilingForm(forms.ModelForm):
    teachers_text = forms.CharField(label=_("teachers (one a line: name title qualification)"), widget=forms.Textarea)
    venues_text = forms.CharField(label=_("venues (one a line)"), widget=forms.Textarea)
    exam_dates_text = forms.CharField(label=_("exam dates (YYYY-MM-DD, one a line)"), widget=forms.Textarea)

    class Meta:
        model = TrainingPlanFiling
        fields = ["occupation", "level", "direction", "hours_online_theory", "hours_online_practice",
                  "hours_offline_theory", "hours_offline_practice", "materials", "evaluation_institution", "exam_plan"]
        labels = {"occupation": _("Occupation")}  # the model field has no translated name (issue 13 item 12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluation_institution"].queryset = Organisation.objects.filter(kind=Organisation.Kind.EVALUATION_INSTITUTION)
        filing = self.instance
        if filing.pk:  # editing a draft or a returned filing: the lists back as text, one a line
            self.fields["teachers_text"].initial = "\n".join(
                " ".join(p for p in (t.get("name", ""), t.get("title", ""), t.get("qualification", "")) if p)
                for t in filing.teachers or [])
            self.fields["venues_text"].initial = "\n".join(filing.venues or [])
            self.fields["exam_dates_text"].initial = "\n".join(filing.exam_dates or [])

    def changes(self) -> dict:
        """The filing's fields as the services take them (filing_update)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["teachers"] = teachers_from(self.cleaned_data["teachers_text"])
        data["venues"] = _lines(self.cleaned_data["venues_text"])
        data["exam_dates"] = self.cleaned_data["exam_dates_text"]
        return data

    def clean_exam_dates_text(self):
        dates = []
        for line in _lines(self.cleaned_data["exam_dates_text"]):
            try:
                dates.append(forms.DateField().clean(line).isoformat())
            except forms.ValidationError:
                raise forms.ValidationError(_("Bad date: %(line)s"), params={"line": line}) from None
        return dates


class AnnouncementForm(forms.ModelForm):
    # people type ¥ and %; the model keeps integer fen and basis points (issue 13 item 13)
    fee_fen = YuanField(label=_("Fee (¥)"), required=False, initial=0)
    online_share_bp = PercentField(label=_("Online share (%)"), required=False, initial=0)

    def clean_fee_fen(self):
        return self.cleaned_data.get("fee_fen") or 0

    def clean_online_share_bp(self):
        return self.cleaned_data.get("online_share_bp") or 0

    class Meta:
        model = Announcement
        fields = ["text", "fee_fen", "fee_standard", "venue", "online_share_bp"]


class ApplicationForm(forms.Form):
    schedule_summary = forms.CharField(label=_("schedule summary"), widget=forms.Textarea)
    teachers_text = forms.CharField(label=_("teachers (one a line: name title qualification)"), widget=forms.Textarea)
    exam_plan = forms.CharField(label=_("exam plan"), widget=forms.Textarea)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("approved", _("Approve")), ("returned", _("Return for changes")),
                                                               ("rejected", _("Reject"))])
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea, required=False)


class FilingReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("accept", _("Accept")), ("return", _("Return for changes"))])
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea, required=False)


class AnnualPlanForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=Division.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    title = forms.CharField(label=_("Plan title"), max_length=128)
    document = forms.CharField(label=_("Document that sets the plan (e.g. 晋人社厅发〔2024〕27号)"), max_length=128,
                               required=False)

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Division.objects.filter(level=Division.Level.PROVINCE)
        if user is not None and not user.is_platform_admin:
            home = user.organisation.division_id[:2] if user.organisation else "--"
            provinces = provinces.filter(code__startswith=home)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first().pk
        if plan is not None:  # the year and province carry the quotas: only title and document change
            del self.fields["province"], self.fields["year"]


class QuotaAddForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Training institution"), queryset=Organisation.objects.none())
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=None)
    places = forms.IntegerField(label=_("places"), min_value=1)

    def __init__(self, *args, plan, **kwargs):
        from dte.catalogue.models import Occupation

        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.TRAINING_INSTITUTION, division__code__startswith=plan.province_id[:2]).order_by("name")
        self.fields["occupation"].queryset = Occupation.objects.filter(is_active=True).order_by("code")


class QuotaForm(forms.Form):
    places = forms.IntegerField(label=_("places"), min_value=0)
    reason = forms.CharField(label=_("reason"), max_length=255)
    document = forms.CharField(label=_("document"), max_length=128, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("roster (.xlsx or .csv)"))
    training_class = forms.ModelChoiceField(label=_("enrol into class (optional)"), queryset=TrainingClass.objects.none(),
                                            required=False)

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["training_class"].queryset = classes
