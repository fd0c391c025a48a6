"""The periodic cleanup: old log lines, forgotten workspaces and old state versions go;
the latest N state versions and the workspaces of runs still going stay."""

import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.deployments import retention
from portal.deployments.models import LogLine, StateVersion
from portal.deployments.tasks import clean_up
from tests.deployments.factories import DeploymentFactory, RunFactory

pytestmark = pytest.mark.django_db


def test_old_log_lines_go_recent_and_running_ones_stay(settings):
    settings.PLATEAU_RETAIN_LOG_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    old = RunFactory(status="succeeded", finished=long_ago)
    recent = RunFactory(status="failed", finished=timezone.now() - timedelta(days=29))
    going = RunFactory(status="applying")
    for run in (old, recent, going):
        LogLine.objects.create(run=run, seq=1, text="line")
    assert retention.remove_old_log_lines() == 1
    assert set(LogLine.objects.values_list("run_id", flat=True)) == {recent.pk, going.pk}


def test_workspaces_of_runs_still_going_are_kept(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.PLATEAU_RETAIN_WORKSPACE_HOURS = 2
    parent = settings.DATA_DIR / "workspaces"
    parent.mkdir()
    ended, going = RunFactory(status="lost"), RunFactory(status="applying")
    stale = time.time() - 3 * 3600
    folders = {}
    for name in (f"run-{ended.pk}-abc", f"run-{going.pk}-def", f"run-{ended.pk}-new", "other"):
        folder = parent / name
        folder.mkdir()
        (folder / "secret.env").write_text("x")
        if not name.endswith("new"):
            os.utime(folder, (stale, stale))
        folders[name] = folder
    assert retention.remove_old_workspaces() == 1
    assert not folders[f"run-{ended.pk}-abc"].exists()
    assert folders[f"run-{going.pk}-def"].exists()  # in use
    assert folders[f"run-{ended.pk}-new"].exists()  # recent
    assert folders["other"].exists()  # not a workspace


def test_latest_state_versions_always_stay(settings):
    settings.PLATEAU_RETAIN_STATE_VERSIONS = 2
    settings.PLATEAU_RETAIN_STATE_DAYS = 10
    deployment = DeploymentFactory()
    versions = {}
    for step in ("a", "b"):
        for serial in range(1, 5):
            versions[step, serial] = StateVersion.objects.create(
                deployment=deployment,
                step=step,
                serial=serial,
                lineage="l",
                md5="m",
                state_sealed=b"s",
            )
    old = timezone.now() - timedelta(days=11)
    # Step a: all old, only the latest two stay. Step b: serials 1-2 old, 3-4 recent.
    StateVersion.objects.filter(step="a").update(created=old)
    StateVersion.objects.filter(step="b", serial__lte=2).update(created=old)
    clean_up()
    left = set(StateVersion.objects.values_list("step", "serial"))
    assert left == {("a", 3), ("a", 4), ("b", 3), ("b", 4)}
    settings.PLATEAU_RETAIN_STATE_VERSIONS = 1
    StateVersion.objects.update(created=old)
    assert retention.remove_old_state_versions() == 2
    assert set(StateVersion.objects.values_list("step", "serial")) == {("a", 4), ("b", 4)}
