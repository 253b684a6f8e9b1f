from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dte.organisations.roles import Role

from .workbench import tiles_for


@login_required
def workbench(request):
    user = request.user
    return render(request, "web/workbench.html", {
        "tiles": tiles_for(user),
        "organisation": user.organisation,
        "is_admin": user.is_platform_admin,
        "role": Role(user.role).label if user.role else "",
    })
