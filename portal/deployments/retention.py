"""What the periodic cleanup (beat task ``clean_up``) removes, by setting:

- log lines of runs that ended more than PLATEAU_RETAIN_LOG_DAYS ago;
- run workspaces left on disk (a worker that died cannot remove its own) untouched for
  PLATEAU_RETAIN_WORKSPACE_HOURS, unless their run is still going;
- state versions older than PLATEAU_RETAIN_STATE_DAYS, except the latest
  PLATEAU_RETAIN_STATE_VERSIONS of each deployment step, which always stay.
"""

import logging
import re
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.deployments.models import LogLine, Run, StateVersion

logger = logging.getLogger(__name__)

_WORKSPACE_NAME = re.compile(r"^run-(\d+)-")


def clean_up() -> dict[str, int]:
    removed = {
        "log_lines": remove_old_log_lines(),
        "workspaces": remove_old_workspaces(),
        "state_versions": remove_old_state_versions(),
    }
    logger.info("retention cleanup removed %s", removed)
    return removed


def remove_old_log_lines() -> int:
    cutoff = timezone.now() - timedelta(days=settings.PLATEAU_RETAIN_LOG_DAYS)
    ended = Run.objects.filter(status__in=Run.FINAL, finished__lt=cutoff)
    deleted, _ = LogLine.objects.filter(run__in=ended).delete()
    return deleted


def remove_old_workspaces() -> int:
    parent = Path(settings.DATA_DIR) / "workspaces"
    if not parent.is_dir():
        return 0
    cutoff = time.time() - settings.PLATEAU_RETAIN_WORKSPACE_HOURS * 3600
    old = {}
    for folder in parent.iterdir():
        match = _WORKSPACE_NAME.match(folder.name)
        if match and folder.is_dir() and folder.stat().st_mtime < cutoff:
            old[folder] = int(match[1])
    going = set(
        Run.objects.filter(pk__in=set(old.values()))
        .exclude(status__in=Run.FINAL)
        .values_list("pk", flat=True)
    )
    removed = 0
    for folder, run_id in old.items():
        if run_id not in going:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def remove_old_state_versions() -> int:
    cutoff = timezone.now() - timedelta(days=settings.PLATEAU_RETAIN_STATE_DAYS)
    keep = settings.PLATEAU_RETAIN_STATE_VERSIONS
    removed = 0
    steps = (
        StateVersion.objects.filter(created__lt=cutoff)
        .values_list("deployment_id", "step")
        .distinct()
    )
    for deployment_id, step in steps:
        versions = StateVersion.objects.filter(deployment_id=deployment_id, step=step)
        kept = versions.order_by("-id").values_list("id", flat=True)[:keep]
        deleted, _ = versions.filter(created__lt=cutoff).exclude(id__in=list(kept)).delete()
        removed += deleted
    return removed
