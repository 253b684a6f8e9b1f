from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level, Occupation
from dte.geography.models import Division

from .models import TalentEntry, TitleSeries


class PoolFilterForm(forms.Form):
    occupation = forms.ChoiceField(label=_("Occupation"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False)
    year = forms.IntegerField(label=_("Year of issue"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("All"))]
        self.fields["occupation"].choices = everyone + [(o.code, o.name) for o in Occupation.objects.order_by("code")]
        self.fields["level"].choices = everyone + list(Level.choices)
        prefectures = Division.objects.filter(level=Division.Level.PREFECTURE)
        organisation = getattr(user, "organisation", None)
        if organisation is not None and not user.is_platform_admin:
            prefectures = prefectures.filter(code__startswith=organisation.division.scope_prefix[:4])
        self.fields["prefecture"].choices = everyone + [(d.code, d.name) for d in prefectures.order_by("code")]


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TalentEntry.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=128,
                            help_text=_("For a title obtained by review, enter the title, e.g. 高级工程师"))
    result = forms.CharField(label=_("Result or rank"), max_length=64, required=False)
    awarded_by = forms.CharField(label=_("Awarded by"), max_length=128, required=False)
    awarded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class SeriesForm(forms.Form):
    title_series = forms.ChoiceField(label=_("Title series"), choices=TitleSeries.choices)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
