"""Background jobs of the policy app: the policy-change simulation started from the web page."""

from __future__ import annotations

from django.core.files import File
from django.urls import reverse

from dte.jobs.registry import BULK, job_handler

from .services import parse_date
from .services_simulation import simulation_run


# Reads only, writes its own result: running it again after a lost worker is harmless.
@job_handler("policy.simulate", retry_safe=True, queue=BULK)
def simulate(job, progress) -> dict:
    p = job.params
    result, workbook = simulation_run(province=p["province"], changes=p.get("changes") or {}, population=p["population"],
                                      size=int(p.get("size") or 0), seed=int(p.get("seed") or 1), on=parse_date(p.get("on")),
                                      user=job.created_by, progress=progress)
    job.result_file.save(f"simulation-{job.pk}.xlsx", File(workbook), save=False)
    workbook.close()
    result["link"] = reverse("policy:simulation", args=[job.pk])
    return result
