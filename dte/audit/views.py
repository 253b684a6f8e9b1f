from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from dte.organisations.scoping import scoped

from .labels import action_areas
from .models import AuditEvent


@login_required
def event_list(request):
    events = scoped(request.user, AuditEvent.objects.all()).order_by("-seq")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "action": action, "areas": action_areas()})
