from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.geography.models import Division
from dte.organisations.models import Organisation
from dte.organisations.scoping import scoped

from .models import InstitutionListing, Level, Occupation
from .services import LISTING_TRANSITIONS


class DateInput(forms.DateInput):
    """<input type="date"> needs YYYY-MM-DD whatever the UI language's date format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's argument name)
        super().__init__(attrs, format=format)


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


class CoverageGrid:
    """Occupations × levels as checkboxes: value "<occupation pk>:<level>"."""

    def _grid_setup(self, name: str) -> None:
        self.occupations = list(Occupation.objects.filter(is_active=True).order_by("code"))
        self.fields[name].choices = [(f"{o.pk}:{lv}", f"{o.name} {label}") for o in self.occupations for lv, label in Level.choices]

    def grid(self, name: str, covered=frozenset()) -> list[dict]:
        """Rows for the template: each occupation with one cell per level (checked as posted)."""
        selected = set(self[name].value() or [])
        return [{"occupation": o, "cells": [
            {"value": f"{o.pk}:{lv}", "label": label, "checked": f"{o.pk}:{lv}" in selected, "covered": (o.pk, lv) in covered}
            for lv, label in Level.choices]} for o in self.occupations]

    def pairs(self, values) -> list[tuple[Occupation, str]]:
        by_pk = {o.pk: o for o in self.occupations}
        result = []
        for value in values:
            pk, level = value.split(":", 1)
            result.append((by_pk[int(pk)], level))
        return result


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.division.name} · {obj.get_kind_display()}）"


class ListingCreateForm(CoverageGrid, forms.Form):
    """新增目录机构: an existing training/evaluation organisation the writer may see."""

    organisation = InstitutionChoiceField(label=_("Institution"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionListing.Kind.choices)
    batch = forms.CharField(label=_("Batch"), max_length=64, required=False)
    document = forms.CharField(label=_("Listing document"), max_length=128)
    listed_on = forms.DateField(label=_("Listed on"), widget=DateInput)
    coverage = forms.MultipleChoiceField(label=_("Coverage"), widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": _("Choose at least one occupation and level.")})
    direction = forms.CharField(label=_("Direction (optional, for every occupation chosen)"), max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [Organisation.Kind.TRAINING_INSTITUTION, Organisation.Kind.EVALUATION_INSTITUTION]
        self.fields["organisation"].queryset = (scoped(user, Organisation.objects.filter(kind__in=kinds, is_active=True))
                                                .select_related("division").order_by("division_id", "name"))
        self._grid_setup("coverage")

    def coverage_items(self) -> list[tuple[Occupation, str, str]]:
        direction = self.cleaned_data.get("direction", "")
        return [(o, level, direction) for o, level in self.pairs(self.cleaned_data["coverage"])]


class ListingCoverageForm(CoverageGrid, forms.Form):
    """调整职业/等级: pairs to add (with an optional direction) and current rows to remove."""

    add = forms.MultipleChoiceField(label=_("Add"), widget=forms.CheckboxSelectMultiple, required=False)
    direction = forms.CharField(label=_("Direction of the added occupations (optional)"), max_length=64, required=False)
    remove = forms.MultipleChoiceField(label=_("Remove"), widget=forms.CheckboxSelectMultiple, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    document = forms.CharField(label=_("Document"), max_length=128)
    effective_on = forms.DateField(label=_("Effective on"), widget=DateInput)

    def __init__(self, *args, listing: InstitutionListing, **kwargs):
        kwargs.setdefault("prefix", "coverage")
        super().__init__(*args, **kwargs)
        self.current = list(listing.coverage.select_related("occupation").order_by("occupation__code", "level", "direction"))
        self.fields["remove"].choices = [
            (str(c.pk), " ".join(filter(None, [c.occupation.name, c.get_level_display(), c.direction]))) for c in self.current]
        self._grid_setup("add")

    def add_grid(self) -> list[dict]:
        return self.grid("add", covered={(c.occupation_id, c.level) for c in self.current if not c.direction})

    def clean(self):
        data = super().clean()
        if "add" in data and "remove" in data:
            if not data["add"] and not data["remove"]:
                raise forms.ValidationError(_("Choose occupations and levels to add or remove."))
            removing = {(c.occupation_id, c.level, c.direction) for c in self.current if str(c.pk) in data["remove"]}
            direction = data.get("direction", "")
            if any((o.pk, level, direction) in removing for o, level in self.pairs(data["add"])):
                raise forms.ValidationError(_("The same occupation and level cannot be added and removed at once."))
        return data

    def changes(self) -> tuple[list, list]:
        direction = self.cleaned_data.get("direction", "")
        add = [(o, level, direction) for o, level in self.pairs(self.cleaned_data["add"])]
        remove = [(c.occupation, c.level, c.direction) for c in self.current if str(c.pk) in self.cleaned_data["remove"]]
        return add, remove
