"""dte.urls plus POST /bench/insert/<session_id>/: the reference — a bare Django view inserting one row
(an attempt row for the session), behind the same middleware stack (session, CSRF, authentication …),
server, database and client as the check-in endpoint."""

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from dte.training.models import CheckInAttempt
from dte.urls import urlpatterns as platform


def bare_insert(request, session_id: int):
    CheckInAttempt.objects.create(session_id=session_id, at=timezone.now(), accepted=False, reason="bench")
    return HttpResponse('{"accepted": true}', content_type="application/json")


urlpatterns = [path("bench/insert/<int:session_id>/", bare_insert), *platform]
