import logging

from celery import shared_task

from portal.imports.models import ImportJob
from portal.imports.running import execute

logger = logging.getLogger(__name__)


# acks_late: a worker lost mid-import leaves the message to another worker, which runs
# the job again from the start (an import only reads, so running it twice is harmless).
@shared_task(name="portal.imports.tasks.run_import_job", acks_late=True)
def run_import_job(job_id: int) -> str | None:
    job = ImportJob.objects.select_related("project", "environment").filter(pk=job_id).first()
    if job is None:
        logger.warning("import job %s no longer exists", job_id)
        return None
    if job.done:
        return job.status
    return execute(job).status
