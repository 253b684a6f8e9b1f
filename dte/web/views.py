from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dte.organisations.roles import Role

from .workbench import count_together, tiles_for


@login_required
def workbench(request):
    user = request.user
    tiles = tiles_for(user)
    count_together(tiles)
    return render(request, "web/workbench.html", {
        "tiles": tiles,
        "organisation": user.organisation,
        "is_admin": user.is_platform_admin,
        "role": Role(user.role).label if user.role else "",
    })
