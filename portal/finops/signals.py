"""Celery signals: a codecarbon tracker per worker process, run tasks measured, and each
run's estimate stored when its task ends (after planning, and again after applying,
since steps fed by earlier outputs are planned again then)."""

import logging

from celery import signals
from django.conf import settings

from portal.finops import emissions

logger = logging.getLogger(__name__)

RUN_TASK = "portal.deployments.tasks.execute_run"


def _start_tracker(**kwargs):
    if settings.PLATEAU_MEASURE_RUNS:
        try:
            emissions.start_tracker()
        except Exception:
            logger.exception("codecarbon could not start: runs are not measured here")


def _run_id(args, kwargs) -> int | None:
    run_id = kwargs.get("run_id") if kwargs else None
    return run_id if run_id is not None else (args[0] if args else None)


def _before_task(task_id=None, task=None, **kwargs):
    if task is not None and task.name == RUN_TASK:
        emissions.begin(task_id)


def _after_task(task_id=None, task=None, args=None, kwargs=None, **extra):
    if task is None or task.name != RUN_TASK:
        return
    run_id = _run_id(args, kwargs)
    try:
        emissions.end(task_id, run_id)
        _record_estimate(run_id)
    except Exception:
        # Measures and estimates inform; they never change how a run ended.
        logger.exception("run %s: measure or estimate failed", run_id)


def _record_estimate(run_id) -> None:
    from portal.deployments.models import Run
    from portal.finops.run_estimates import record_run_estimate

    run = (
        Run.objects.select_related("deployment__environment__project", "deployment__stack_version")
        .filter(pk=run_id, steps__isnull=False)
        .distinct()
        .first()
    )
    if run is not None:
        record_run_estimate(run)


def connect() -> None:
    signals.worker_process_init.connect(_start_tracker, dispatch_uid="finops_tracker_start")
    signals.task_prerun.connect(_before_task, dispatch_uid="finops_task_prerun")
    signals.task_postrun.connect(_after_task, dispatch_uid="finops_task_postrun")
