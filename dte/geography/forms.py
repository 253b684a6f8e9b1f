"""Form fields for people, not developers (issue 13 item 13).

- `DivisionField`: a place picked province → prefecture → county, never a typed 6-digit code.
  Without JavaScript it is one <select> grouped by prefecture (usable as it is); `site.js` turns it
  into three linked selects (progressive enhancement; no inline script, so the CSP holds).
  The submitted value stays the GB/T 2260 code, so services and the API are unchanged.
- `YuanField`: money typed in ¥ (up to two decimals), stored as integer fen.
- `PercentField`: a share typed in % (up to two decimals), stored as integer basis points (1 % = 100).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Division


def division_choices(prefix: str = "", levels: tuple[str, ...] = ("province", "prefecture", "county")) -> list:
    """Choices grouped by prefecture for a plain <select>: [(group label, [(code, name), ...]), ...]."""
    rows = list(Division.objects.filter(code__startswith=prefix).exclude(level=Division.Level.NATIONAL)
                .order_by("code").values_list("code", "name", "level"))
    names = {code: name for code, name, _level in rows}
    groups: dict[str, list] = {}
    for code, name, level in rows:
        if level not in levels:
            continue
        if level == Division.Level.PROVINCE:
            key, label = code, name
            shown = "{}（{}）".format(name, _("whole province"))  # _() outside f-strings, so makemessages extracts it
        else:
            key = code[:4] + "00"
            label = f"{names.get(code[:2] + '0000', '')} · {names.get(key, '')}"
            shown = "{}（{}）".format(name, _("whole prefecture")) if level == Division.Level.PREFECTURE else name
        groups.setdefault(key, [label, []])[1].append((code, shown))
    return [(label, options) for label, options in groups.values()]


class DivisionSelect(forms.Select):
    """The grouped <select>, marked for site.js with the province and prefecture names."""

    def __init__(self, attrs=None):
        super().__init__({"data-division-chooser": "1", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        levels = {"provinces": [], "prefectures": []}
        for group_label, options in self.choices:
            if not isinstance(options, (list, tuple)) or not options:
                continue
            for code, _label in options:
                code = str(code)
                if code.endswith("0000"):
                    levels["provinces"].append([code, group_label])
                elif code.endswith("00"):
                    levels["prefectures"].append([code, str(group_label).split(" · ")[-1]])
        context["widget"]["attrs"]["data-levels"] = json.dumps(levels, ensure_ascii=False)
        context["widget"]["attrs"]["data-label-province"] = str(_("Province"))
        context["widget"]["attrs"]["data-label-prefecture"] = str(_("Prefecture"))
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        code = str(value or "")
        if len(code) == 6:
            option["attrs"]["data-province"] = code[:2] + "0000"
            option["attrs"]["data-prefecture"] = "" if code.endswith("0000") else code[:4] + "00"
        return option


class DivisionField(forms.ChoiceField):
    """A division inside `prefix` ('' = the five provinces); cleans to the code, or to the Division
    when `as_object` (for a model form's foreign key)."""

    widget = DivisionSelect

    def __init__(self, *, prefix: str = "", as_object: bool = False, levels=("province", "prefecture", "county"), **kwargs):
        self.prefix, self.as_object, self.levels = prefix, as_object, tuple(levels)
        kwargs.setdefault("label", _("Division"))
        super().__init__(choices=self._choices_now, **kwargs)

    def _choices_now(self):
        return [("", "—"), *division_choices(self.prefix, self.levels)]

    def set_prefix(self, prefix: str) -> None:
        self.prefix = prefix
        self.choices = self._choices_now

    def prepare_value(self, value):
        return value.code if isinstance(value, Division) else value

    def to_python(self, value):
        return value.code if isinstance(value, Division) else super().to_python(value)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        if self.as_object:
            return Division.objects.get(code=code)
        return code

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")


class _ScaledDecimalField(forms.DecimalField):
    """A Decimal typed by a person, stored as an integer `scale` times larger."""

    scale = 100
    unit = ""

    def __init__(self, *, max_value=None, min_value=0, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 14)
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)
        self.widget.attrs.setdefault("step", "0.01")
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace("%", "")
        return super().to_python(value)

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        return int((amount * self.scale).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def prepare_value(self, value):
        """Initial values are stored integers (fen / basis points); typed values are shown as typed."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.to_display(value)
        return value

    @classmethod
    def to_display(cls, stored: int) -> str:
        shown = (Decimal(stored) / cls.scale).quantize(Decimal("0.01"))
        return format(shown.normalize(), "f") if shown == shown.to_integral() else format(shown, "f")

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != initial
        except (forms.ValidationError, InvalidOperation):
            return True


class YuanField(_ScaledDecimalField):
    """Money in ¥ on the form, integer fen in cleaned_data."""

    scale = 100


class PercentField(_ScaledDecimalField):
    """A share in % on the form (0–100 unless max_value says otherwise), basis points in cleaned_data."""

    scale = 100

    def __init__(self, *, max_value=Decimal("100"), **kwargs):
        super().__init__(max_value=max_value, **kwargs)
