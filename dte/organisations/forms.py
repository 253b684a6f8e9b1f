from django import forms
from django.utils.translation import gettext_lazy as _

from .tokens import ApiToken, api_groups


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=_("e.g. the learning platform that will use it"))
    access = forms.ChoiceField(label=_("Access"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ,
                               widget=forms.RadioSelect)
    groups = forms.MultipleChoiceField(label=_("Endpoint groups"), widget=forms.CheckboxSelectMultiple,
                                       help_text=_("The token can call only these parts of the API (/api/<group>/…)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(group, f"{label} (/api/{group}/)") for group, label in api_groups().items()]
