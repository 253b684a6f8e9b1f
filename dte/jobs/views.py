from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render

from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.privacy.files import protected_file_response

from .models import Job


@login_required
def job_list(request):
    jobs = scoped(request.user, Job.objects.all())[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, pk: int):
    return render(request, "jobs/detail.html", {"job": get_scoped_or_404(request.user, Job.objects.all(), pk=pk)})


@login_required
def job_status(request, pk: int):
    job = get_scoped_or_404(request.user, Job.objects.all(), pk=pk)
    return JsonResponse({
        "id": job.pk, "kind": job.kind, "status": job.status, "done": job.progress_done, "total": job.progress_total,
        "percent": job.percent, "message": job.message, "finished": job.is_finished, "result": job.result,
    })


@login_required
def job_result_file(request, pk: int):
    """A job's generated file, only through scope (never from MEDIA_URL), each download audited."""
    job = get_scoped_or_404(request.user, Job.objects.all(), pk=pk)
    if not job.result_file:
        raise Http404("no result file")
    return protected_file_response(request.user, job, job.result_file, division_code=job.division_code,
                                   organisation_id=job.organisation_id)
