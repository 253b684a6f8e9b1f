from celery import shared_task


@shared_task(name="dte.jobs.run_job")
def run_job(job_id: int) -> str:
    from .services import job_run

    return job_run(job_id).status


@shared_task(name="dte.jobs.start_scheduled")
def start_scheduled(kind: str) -> str:
    """Celery beat entry point: run a registered job kind as the system (see CELERY_BEAT_SCHEDULE)."""
    from .models import Job
    from .services import job_run

    return job_run(Job.objects.create(kind=kind).pk).status


@shared_task(name="dte.jobs.sweep")
def sweep() -> dict:
    """Celery beat entry point: fail or retry jobs whose worker died (see services.jobs_sweep)."""
    from .services import jobs_sweep

    return jobs_sweep()
