"""The statistics dashboard (/reporting/) and its Excel export — for officials only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.organisations.models import Organisation, User
from dte.organisations.roles import Role

from .export import dashboard_xlsx, tables
from .selectors import DASHBOARD_CACHE_SECONDS, dashboard, dashboard_cached

OFFICIALS = frozenset({Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR,
                       Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN})
CHART_ROWS = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_view(user) -> bool:
    return user.is_authenticated and (user.is_platform_admin or user.role in OFFICIALS)


def scope_label(user) -> str:
    if user.is_platform_admin or user.organisation is None:
        return _("Whole platform")
    return user.organisation.division.name


def _year(value) -> int | None:
    return int(value) if value and value.isdigit() and 2000 <= int(value) <= 2100 else None


def _with_organisation(user):
    """The user with their organisation and its division read in one query (the scope needs both)."""
    if user.organisation_id is not None and not User.organisation.is_cached(user):
        user.organisation = Organisation.objects.select_related("division").get(pk=user.organisation_id)
    return user


@login_required
def index(request):
    if not may_view(request.user):
        raise PermissionDenied(_("Statistics are for bureau officials, finance, auditors and third-party evaluators."))
    year = _year(request.GET.get("year", ""))
    user = _with_organisation(request.user)
    if request.GET.get("export") == "xlsx":  # an export is always computed now
        response = HttpResponse(dashboard_xlsx(dashboard(user, year, timezone.localdate()), scope_label(user)),
                                content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="statistics-{year or "all"}.xlsx"'
        return response
    snapshot = dashboard_cached(user, year, timezone.localdate(), refresh=request.GET.get("refresh") == "1")
    data = snapshot.data
    return render(request, "reporting/index.html", {
        "data": data, "year": year, "years": snapshot.years, "scope": scope_label(user),
        "as_of": snapshot.as_of, "fragment": snapshot.key, "cache_seconds": DASHBOARD_CACHE_SECONDS,
        "cache_minutes": DASHBOARD_CACHE_SECONDS // 60,
        "tables": lambda: tables(data), **chart_data(data),  # tables: only when the cached fragment is not there
    })


def chart_data(data) -> dict:
    """Rows shaped for the charts (the tables keep every row; the quota chart the largest)."""
    return {
        "chart_quotas": data.quotas_by_institution[:CHART_ROWS],
        "more_quotas": CHART_ROWS if len(data.quotas_by_institution) > CHART_ROWS else 0,
        "quota_series": [_("Places"), _("Enrolled")],
        "chart_enrolments": [(f"{occupation} · {level}", n) for occupation, level, n in data.enrolments_by_occupation[:CHART_ROWS]],
    }
