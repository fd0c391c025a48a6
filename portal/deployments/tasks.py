from celery import shared_task

from portal.deployments import drift, execution, recovery, retention


@shared_task(name="portal.deployments.tasks.execute_run", acks_late=True, ignore_result=True)
def execute_run(run_id: int) -> None:
    """Plan a queued run, or apply an approved one. Delivered twice, it acts once."""
    execution.execute(run_id)


@shared_task(name="portal.deployments.tasks.mark_lost_runs", ignore_result=True)
def mark_lost_runs() -> None:
    """Beat: runs whose worker stopped beating their heart become lost."""
    recovery.mark_lost_runs()


@shared_task(name="portal.deployments.tasks.queue_drift_checks", ignore_result=True)
def queue_drift_checks() -> None:
    """Beat: a drift check for each active deployment whose environment's turn has come."""
    drift.queue_due_checks()


@shared_task(name="portal.deployments.tasks.clean_up", ignore_result=True)
def clean_up() -> None:
    """Beat: drop old log lines, workspaces and state versions (PLATEAU_RETAIN_*)."""
    retention.clean_up()
