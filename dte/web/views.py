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


def health(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
