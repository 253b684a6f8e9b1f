from celery import shared_task


@shared_task(name="dte.jobs.run_job")
def run_job(job_id: int) -> str:
    from .services import job_run

    return job_run(job_id).status
