from celery import shared_task

from portal.deployments import execution


@shared_task(name="portal.deployments.tasks.execute_run", acks_late=True, ignore_result=True)
def execute_run(run_id: int) -> None:
    """Plan a queued run, or apply an approved one. Delivered twice, it acts once."""
    execution.execute(run_id)
