from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.geography.models import Division

from .models import InstitutionListing, Level, Occupation
from .services import LISTING_TRANSITIONS


class DateInput(forms.DateInput):
    input_type = "date"


class ListingStatusForm(forms.Form):
    new_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), max_length=255)
    document = forms.CharField(label=_("Document"), max_length=128)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput)

    def __init__(self, *args, listing: InstitutionListing, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = LISTING_TRANSITIONS[listing.status]
        self.fields["new_status"].choices = [(v, label) for v, label in InstitutionListing.Status.choices if v in allowed]


class SubsidyStandardForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=Division.objects.none())
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=Occupation.objects.filter(is_active=True))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    hours_required = forms.IntegerField(label=_("Required hours"), min_value=1, required=False)
    amount_yuan = forms.DecimalField(label=_("Subsidy (yuan)"), min_value=Decimal("0"), decimal_places=2, max_digits=12, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    published = forms.DateField(label=_("Published"), widget=DateInput, required=False)
    citation = forms.CharField(label=_("Citation (document and clause)"), max_length=128)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Division.objects.filter(level=Division.Level.PROVINCE)
        if not user.is_platform_admin:
            home = user.organisation.division.province_code if user.organisation else ""
            provinces = provinces.filter(code=home)
        self.fields["province"].queryset = provinces

    def clean(self):
        data = super().clean()
        if data.get("hours_required") is None and data.get("amount_yuan") is None:
            raise forms.ValidationError(_("Give the subsidy amount, the required hours, or both."))
        return data

    @property
    def amount_fen(self) -> int | None:
        amount = self.cleaned_data.get("amount_yuan")
        return None if amount is None else int(amount * 100)


class OccupationForm(forms.Form):
    classification_2022 = forms.CharField(label=_("2022 classification code"), max_length=16, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=128, required=False)
    field = forms.CharField(label=_("Field"), max_length=32, required=False)
    directions = forms.CharField(label=_("Directions (one per line)"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["directions"] = [line.strip() for line in data["directions"].splitlines() if line.strip()]
        return data


class ListingFilterForm(forms.Form):
    province = forms.ModelChoiceField(label=_("Province"), queryset=Division.objects.filter(level=Division.Level.PROVINCE), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—")] + list(InstitutionListing.Kind.choices), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—")] + list(InstitutionListing.Status.choices), required=False)
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=Occupation.objects.all(), required=False)
