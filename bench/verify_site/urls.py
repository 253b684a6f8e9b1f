"""dte.urls plus /bench/bare/<pk>/: the reference — a bare Django view, one primary-key lookup, the same
middleware stack, server and database as the platform."""

from django.http import HttpResponse
from django.urls import path

from dte.catalogue.models import Occupation
from dte.urls import urlpatterns as platform


def bare(request, pk: int):
    return HttpResponse(Occupation.objects.only("name").get(pk=pk).name, content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/bare/<int:pk>/", bare), *platform]
