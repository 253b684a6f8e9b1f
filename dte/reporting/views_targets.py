"""Progress against each province's targets: for officials (exact counts, charts, Excel) and
published for the public (small cells suppressed, here and in the export)."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dte.privacy.spreadsheet import safe_row

from dte.catalogue.models import Level
from dte.geography.models import Division
from dte.policy.packs import PACK_MODULES, get_pack

from .targets import subsidy_spend, suppress, targets_progress_cached
from .views import XLSX, _year, may_view

PROVINCES = {code: get_pack(code).division_code for code in PACK_MODULES}  # one per policy pack
BREAKDOWN_LABELS = {"year": "Year", "occupation": "Occupation", "level": "Level", "prefecture": "Prefecture",
                    "institution": "Institution"}


def _labelled(progress, public: bool):
    """Breakdown keys shown as names (prefecture codes → names, levels → labels), cells suppressed when public."""
    codes = {k for p in progress for k, _n in p.breakdown.get("prefecture", [])}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    levels = dict(Level.choices)
    out = []
    for p in progress:
        tables = []
        for by, rows in p.breakdown.items():
            shown = [(names.get(k, k) if by == "prefecture" else str(levels.get(k, k)) if by == "level" else k,
                      suppress(n) if public else n, n) for k, n in rows]
            tables.append((by, _(BREAKDOWN_LABELS[by]), shown))
        out.append((p, suppress(p.achieved) if public else p.achieved, tables))
    return out


def _xlsx(progress_rows, title: str) -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Targets")[:31])
    ws.append(safe_row([title]))
    ws.append([_("Target"), _("Period"), _("Target"), _("Achieved"), _("Source")])
    for p, achieved, _tables in progress_rows:
        ws.append(safe_row([p.label, p.period, p.target, str(achieved), p.citation]))
    for p, _achieved, tables in progress_rows:
        for _by, label, rows in tables:
            ws.append([])
            ws.append(safe_row([f"{p.label} · {label}"]))
            for key, shown, _n in rows:
                ws.append(safe_row([str(key), str(shown)]))
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="targets.xlsx"'
    return response


def _render(request, user, public: bool):
    default = (request.user.organisation.division_id[:2] + "0000") if (
        not public and request.user.organisation) else "140000"
    province = PROVINCES.get(request.GET.get("province", ""), default)
    year = _year(request.GET.get("year", ""))
    progress = _labelled(targets_progress_cached(user, province, year=year), public)
    title = _("Progress against the province's targets")
    names = dict(Division.objects.filter(code__in=PROVINCES.values()).values_list("code", "name"))
    if request.GET.get("export") == "xlsx":
        return _xlsx(progress, title)
    return render(request, "reporting/targets.html", {
        "progress": progress, "province": province, "public": public, "title": title, "year": year,
        "provinces": [(key, division, names.get(division, key)) for key, division in PROVINCES.items()],
        "threshold": settings.DTE_STATS_SUPPRESS_BELOW,
        "spend": None if public else subsidy_spend(province, year or date.today().year),
        "spend_year": year or date.today().year,
    })


@login_required
def targets(request):
    if not may_view(request.user):
        raise PermissionDenied(_("Statistics are for bureau officials, finance, auditors and third-party evaluators."))
    return _render(request, request.user, public=False)


def public_targets(request):
    return _render(request, None, public=True)
