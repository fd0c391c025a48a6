"""Status transitions shared by the portal (requests) and the worker (execution).

Mutating runs of one deployment never overlap: a run takes the deployment with
``locked_by_run`` (under ``select_for_update`` on the deployment row) before it plans, keeps
it while it waits for approval, and gives it back when it ends; then the oldest queued run
of that deployment is dispatched. Each transition is one conditional UPDATE, so a task
delivered twice, or a cancel racing the worker, changes a run at most once.
"""

import logging
import os
import socket
import uuid

from django.db import transaction
from django.utils import timezone

from portal.deployments.models import Deployment, Run, StateLock
from portal.plugins import hook

logger = logging.getLogger(__name__)

Status = Run.Status


def dispatch(run: Run) -> None:
    """Queue the run's task once the current transaction commits."""
    from portal.deployments.tasks import execute_run

    task_id = uuid.uuid4().hex
    Run.objects.filter(pk=run.pk).update(celery_task_id=task_id)
    transaction.on_commit(lambda: execute_run.apply_async(args=[run.pk], task_id=task_id))


def take_for_planning(run: Run) -> bool:
    """Lock the deployment for this queued run (oldest queued run first) and mark it
    planning on this worker. False when it must wait or was cancelled meanwhile."""
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=run.deployment_id)
        if deployment.locked_by_run_id not in (None, run.pk):
            return False
        older = Run.objects.filter(
            deployment_id=deployment.pk, status=Status.QUEUED, pk__lt=run.pk
        ).exists()
        if older:
            return False
        claimed = Run.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.PLANNING, started=timezone.now(), **_worker_fields()
        )
        if claimed:
            deployment.locked_by_run_id = run.pk
            deployment.save(update_fields=["locked_by_run"])
        return bool(claimed)


def take_for_applying(run: Run) -> bool:
    """Claim an approved run (status applying, no worker yet) for this worker."""
    return bool(
        Run.objects.filter(pk=run.pk, status=Status.APPLYING, worker_pid__isnull=True).update(
            **_worker_fields()
        )
    )


def _worker_fields() -> dict:
    return {
        "worker_host": socket.gethostname(),
        "worker_pid": os.getpid(),
        "heartbeat": timezone.now(),
    }


def finish(run: Run, status: str, error: str = "", *, expected: tuple[str, ...] = ()) -> bool:
    """End the run (once): store the final status, release the deployment and the state
    locks it held, tell the plugins, and start the next queued run of the deployment."""
    with transaction.atomic():
        runs = Run.objects.filter(pk=run.pk).exclude(status__in=Run.FINAL)
        if expected:
            runs = runs.filter(status__in=expected)
        ended = runs.update(
            status=status,
            error=error,
            finished=timezone.now(),
            worker_pid=None,
            cancel_requested=status == Status.CANCELLED,
        )
        if not ended:
            return False
        Deployment.objects.filter(pk=run.deployment_id, locked_by_run_id=run.pk).update(
            locked_by_run=None
        )
        if status != Status.LOST:
            # A lost run's Terraform locks stay: its state may be half-written, and a
            # person decides (docs/reliability.md) before anything runs on it again.
            StateLock.objects.filter(run_id=run.pk).delete()
        following = (
            Run.objects.filter(deployment_id=run.deployment_id, status=Status.QUEUED)
            .order_by("pk")
            .first()
        )
        if following is not None:
            dispatch(following)
    run.refresh_from_db()
    _notify(run)
    return True


def _notify(run: Run) -> None:
    try:
        hook().plateau_run_finished(run=run)
    except Exception:
        logger.exception("a plateau_run_finished hook failed for run %s", run.pk)
