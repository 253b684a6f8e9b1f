"""API token management for an organisation's staff (reading of "administrator": dte/organisations/tokens.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import TokenForm
from .tokens import api_groups, api_token_create_for, api_token_revoke, manageable_tokens, may_manage_tokens


def _require_manager(user) -> None:
    if not may_manage_tokens(user):
        raise PermissionDenied(_("Your role may not manage API tokens."))


@login_required
def token_list(request):
    _require_manager(request.user)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, created = api_token_create_for(request.user, form.cleaned_data["name"],
                                                  access=form.cleaned_data["access"], groups=form.cleaned_data["groups"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form = TokenForm()
    groups = api_groups()
    return render(request, "organisations/tokens.html", {
        "form": form, "created": created, "tokens": manageable_tokens(request.user), "groups": groups,
    })


@login_required
@require_POST
def token_revoke(request, pk: int):
    _require_manager(request.user)
    token = get_object_or_404(manageable_tokens(request.user), pk=pk)
    api_token_revoke(token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("organisations:tokens")
