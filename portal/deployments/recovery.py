"""Runs whose worker died: found by their stale heartbeat, marked lost, never resumed.

A worker beats each running run's heart every quarter of PLATEAU_RUN_HEARTBEAT_TIMEOUT.
The beat task ``mark_lost_runs`` ends every planning or applying run whose heart has not
beaten for longer than the timeout with the status ``lost``: the deployment is released,
its stored state versions stay, and the Terraform state locks the run held stay until a
platform engineer unlocks them (``state_history.force_unlock``). The Celery task is not
run again: a redelivered message finds a run that is no longer queued or applying, and
does nothing (``execution.execute``). Processes a lost run left on a machine where beat
does not run are reaped when a worker starts there (``reap_leftovers``).
"""

import logging
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from iac.engines import Engine
from iac.engines.process import ProcessSupervisor, run_tokens_on_this_machine
from portal.audit import recorder
from portal.deployments import lifecycle
from portal.deployments.models import Run, StateLock

logger = logging.getLogger(__name__)

Status = Run.Status
RUNNING = (Status.PLANNING, Status.APPLYING)
TOKEN_PREFIX = "plateau-run-"
LOST_MESSAGE = (
    "The worker running this run ({where}) stopped answering: no heartbeat since {since}. "
    "The run was stopped where it was and will not resume on its own. State versions "
    "written so far are kept; Terraform state locks it held stay until someone unlocks them."
)


def heartbeat_interval() -> float:
    return settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT / 4


def process_token(run: Run) -> str:
    """What marks a run's engine processes (env PLATEAU_RUN_TOKEN), so they can be found
    after the worker that started them died. The task id makes it unique across
    databases sharing a machine, and per dispatch of the run."""
    return f"{TOKEN_PREFIX}{run.pk}-{run.celery_task_id}"


def mark_processes(engine: Engine, run: Run) -> None:
    engine.run_token = process_token(run)
    engine.supervisor = ProcessSupervisor(engine.run_token, engine.supervisor.grace)


def mark_lost_runs() -> list[int]:
    """End every running run whose worker has gone quiet; the ids of those ended."""
    cutoff = timezone.now() - timedelta(seconds=settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT)
    stale = Run.objects.filter(status__in=RUNNING, worker_pid__isnull=False, heartbeat__lt=cutoff)
    lost = []
    for run in stale:
        where = f"pid {run.worker_pid} on {run.worker_host or 'an unknown host'}"
        message = LOST_MESSAGE.format(where=where, since=run.heartbeat.isoformat())
        if not lifecycle.finish(run, Status.LOST, message, expected=(run.status,)):
            continue  # it ended, or its heart beat, in the meantime
        logger.warning("run %s marked lost: %s", run.pk, message)
        recorder.record(
            "lost",
            run,
            {"worker": where, "last_heartbeat": run.heartbeat.isoformat()},
            actor_name="plateau",
        )
        if run.worker_host == socket.gethostname():
            reap(run)
        lost.append(run.pk)
    return lost


def reap(run: Run) -> None:
    """Kill engine processes a dead worker left behind on this machine."""
    ProcessSupervisor(process_token(run)).reap()


def reap_leftovers() -> list[int]:
    """Kill the engine processes on this machine of runs that have ended: what a dead
    worker left when beat, which reaps as it marks runs lost, ran on another machine.
    Workers call it as they start, usually just after the crash on the same machine.
    Only a process carrying the exact token of an ended run of this database is touched,
    so another installation sharing the machine is left alone. The ids of the runs reaped."""
    tokens = run_tokens_on_this_machine()
    run_ids = {
        int(run_id)
        for run_id, _, _ in (token.removeprefix(TOKEN_PREFIX).partition("-") for token in tokens)
        if run_id.isdigit()
    }
    reaped = []
    for run in Run.objects.filter(pk__in=run_ids, status__in=Run.FINAL):
        if process_token(run) in tokens:
            logger.warning("run %s ended (%s) but left processes here: reaping", run.pk, run.status)
            reap(run)
            reaped.append(run.pk)
    return reaped


def held_locks(run: Run):
    return StateLock.objects.filter(run=run).order_by("step")
