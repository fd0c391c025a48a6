"""Crash recovery: a run whose worker died is marked lost, keeps its state and its
Terraform lock, is never resumed, and leaves no engine process behind.

The real test starts its own Celery worker (on a private queue as well as the default
one), SIGKILLs it in the middle of a Terraform apply, then starts another."""

import base64
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from django.utils import timezone

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.deployments import recovery, state
from portal.deployments.models import Deployment, LogLine, Run, StateLock, StateVersion
from portal.deployments.tasks import execute_run, mark_lost_runs
from tests.deployments.conftest import ROOT, _database_url, log_text, wait_for_run
from tests.deployments.factories import RunFactory
from tests.factories import EnvironmentFactory, MembershipFactory, ProjectFactory, UserFactory

QUEUE = "plateau-crash-test"


def stale_run(**fields):
    return RunFactory(
        worker_host="elsewhere",
        worker_pid=4242,
        heartbeat=timezone.now() - timedelta(seconds=120),
        **fields,
    )


@pytest.mark.django_db
def test_only_runs_with_a_stale_heartbeat_become_lost(settings):
    settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT = 60
    stale = stale_run(status="applying")
    Deployment.objects.filter(pk=stale.deployment_id).update(locked_by_run=stale)
    lock = StateLock.objects.create(
        deployment=stale.deployment, step="data", lock_id="L", run=stale, info={}
    )
    fresh = RunFactory(status="planning", worker_pid=1, heartbeat=timezone.now())
    waiting = stale_run(status="awaiting_approval")
    queued = RunFactory(status="queued")
    mark_lost_runs()  # the beat task
    stale.refresh_from_db()
    assert stale.status == "lost" and stale.finished is not None and stale.worker_pid is None
    assert "(pid 4242 on elsewhere) stopped answering" in stale.error
    assert Deployment.objects.get(pk=stale.deployment_id).locked_by_run is None
    assert StateLock.objects.filter(pk=lock.pk).exists()  # a person decides
    assert AuditEvent.objects.filter(action="lost", object_id=str(stale.pk)).exists()
    for other, status in ((fresh, "planning"), (waiting, "awaiting_approval"), (queued, "queued")):
        other.refresh_from_db()
        assert other.status == status
    assert recovery.mark_lost_runs() == []  # once


@pytest.mark.django_db
def test_a_starting_worker_reaps_what_ended_runs_left_on_its_machine():
    from portal.celery import reap_leftover_engine_processes

    lost = RunFactory(status="lost", celery_task_id=uuid.uuid4().hex)
    running = RunFactory(
        status="applying", worker_pid=1, heartbeat=timezone.now(), celery_task_id="t"
    )
    tokens = {
        "lost": recovery.process_token(lost),
        "running": recovery.process_token(running),
        # The same run id in another installation sharing the machine: not ours.
        "foreign": f"plateau-run-{lost.pk}-{uuid.uuid4().hex}",
    }
    processes = {
        name: subprocess.Popen(["sleep", "60"], env={**os.environ, "PLATEAU_RUN_TOKEN": token})
        for name, token in tokens.items()
    }
    try:
        deadline = time.monotonic() + 10
        while not all(token_processes(token) for token in tokens.values()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        reap_leftover_engine_processes(sender=None)  # connected to celery's worker_ready
        assert token_processes(tokens["lost"]) == []  # killed, and waited for
        assert processes["running"].poll() is None and processes["foreign"].poll() is None
    finally:
        for process in processes.values():
            process.kill()
            process.wait()


@pytest.mark.django_db
def test_a_redelivered_task_does_nothing_to_a_lost_run():
    run = stale_run(status="lost")
    execute_run.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == "lost" and not LogLine.objects.filter(run=run).exists()
    # Nor to an applying run another worker holds.
    held = RunFactory(status="applying", worker_pid=99, heartbeat=timezone.now())
    execute_run.apply(args=[held.pk])
    held.refresh_from_db()
    assert held.worker_pid == 99 and not held.steps.exists()


@pytest.mark.django_db
def test_the_lost_run_page_explains_and_offers_unlock_and_replan(client):
    run = stale_run(status="applying")
    StateLock.objects.create(deployment=run.deployment, step="slow", lock_id="L", run=run, info={})
    recovery.mark_lost_runs()
    team = run.deployment.environment.project.team
    engineer, reader = UserFactory(), UserFactory()
    MembershipFactory(team=team, user=engineer, role=Role.PLATFORM_ENGINEER)
    MembershipFactory(team=team, user=reader, role=Role.VIEWER)
    client.force_login(engineer)
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'data-testid="run-lost"' in html and "stopped answering" in html
    assert "Unlock state" in html and 'data-lock="slow"' in html and "Re-plan" in html
    client.force_login(reader)
    html = client.get(run.get_absolute_url()).content.decode()
    assert 'data-testid="run-lost"' in html
    assert "Unlock state" not in html and "Re-plan" not in html


def start_worker(live_server, data_dir: Path, log_path: Path) -> subprocess.Popen:
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DATABASE_URL=_database_url(connection.settings_dict),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        PLATEAU_DATA_DIR=str(data_dir),
        PLATEAU_STATE_URL=live_server.url,
        PLATEAU_RUN_HEARTBEAT_TIMEOUT="2",
        PLATEAU_MEASURE_RUNS="false",
    )
    celery = str(Path(sys.executable).parent / "celery")
    argv = [celery, "-A", "portal", "worker", "--pool", "threads", "--concurrency", "1"]
    argv += ["-Q", f"celery,{QUEUE}", "--loglevel", "INFO"]
    argv += ["--hostname", f"crash-{uuid.uuid4().hex[:6]}@%h"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    return process


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def token_processes(token: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["environ", "cmdline"]):
        if (proc.info.get("environ") or {}).get("PLATEAU_RUN_TOKEN") == token:
            found.append(proc)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_apply_leaves_a_lost_run_state_and_lock(
    client, live_server, shared_data_dir, stack_version, team, tmp_path, settings
):
    engineer = UserFactory(username="eng-crash")
    MembershipFactory(team=team, user=engineer, role=Role.PLATFORM_ENGINEER)
    version = stack_version("tf-slow")
    environment = EnvironmentFactory(project=ProjectFactory(team=team), provider="onprem")
    deployment = Deployment.objects.create(
        environment=environment, stack_version=version, name="crash", values={"seconds": 30}
    )
    run = Run.objects.create(
        deployment=deployment,
        kind="apply",
        requested_by=engineer,
        values={"seconds": 30},
        celery_task_id=uuid.uuid4().hex,
    )
    log_path = tmp_path / "worker.log"
    worker = start_worker(live_server, shared_data_dir, log_path)
    try:
        execute_run.apply_async(args=[run.pk], task_id=run.celery_task_id, queue=QUEUE)
        token = recovery.process_token(run)
        deadline = time.monotonic() + 90
        while not any(p.info["cmdline"] == ["sleep", "30"] for p in token_processes(token)):
            assert time.monotonic() < deadline, log_text(run) + log_path.read_text()[-3000:]
            time.sleep(0.2)
        run.refresh_from_db()
        assert run.status == "applying" and run.worker_pid == worker.pid
        settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT = 3
        assert recovery.mark_lost_runs() == []  # a live worker's heart beats
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        time.sleep(settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT + 0.5)
        assert token_processes(token), "Terraform outlives its worker until reaped"
        assert recovery.mark_lost_runs() == [run.pk]
    finally:
        stop_worker(worker)

    run.refresh_from_db()
    assert run.status == "lost" and "stopped answering" in run.error
    assert token_processes(token) == []  # Terraform and its sleep were reaped
    deployment.refresh_from_db()
    assert deployment.locked_by_run is None
    # The first step's state, written before the crash, is kept.
    assert StateVersion.objects.filter(deployment=deployment, step="first").exists()
    assert not StateVersion.objects.filter(deployment=deployment, step="slow").exists()
    # The lock Terraform took for the slow step stays until someone decides...
    lock = StateLock.objects.get(deployment=deployment, step="slow")
    assert lock.run == run
    # ...and the lost run's token can no longer touch the state.
    basic = base64.b64encode(f"{state.RUN_USERNAME}:{state.run_token(run)}".encode()).decode()
    auth = {"HTTP_AUTHORIZATION": f"Basic {basic}"}
    assert client.get(f"/state/{deployment.pk}/slow", **auth).status_code == 403
    # Redelivered, the task does not resume the run half-way.
    lines = LogLine.objects.filter(run=run).count()
    execute_run.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == "lost" and LogLine.objects.filter(run=run).count() == lines

    # A platform engineer unlocks from the run's page, then plans again.
    client.force_login(engineer)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Unlock state" in page and "Re-plan" in page
    unlock = client.post(
        f"/deployments/{deployment.pk}/state/unlock/",
        {
            "step": "slow",
            "reason": "worker killed by the crash test",
            "next": run.get_absolute_url(),
        },
    )
    assert unlock.status_code == 302 and unlock.url == run.get_absolute_url()
    assert not StateLock.objects.filter(deployment=deployment).exists()
    worker = start_worker(live_server, shared_data_dir, log_path)
    try:
        assert client.post(f"/deployments/{deployment.pk}/plan/").status_code == 302
        replan = wait_for_run(Run.objects.filter(deployment=deployment).latest("pk"))
    finally:
        stop_worker(worker)
    assert replan.pk != run.pk and replan.status == "succeeded", log_text(replan)
    steps = {step.name: step for step in replan.steps.all()}
    assert not steps["first"].has_changes and steps["slow"].summary["add"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_run_was_marked_lost_stops_its_engine(stack_version, settings):
    """A worker cut off longer than the timeout may still be alive: at its next heartbeat
    it finds the run lost and interrupts the engine instead of carrying on."""
    from portal.deployments.engines import engine_for
    from portal.deployments.execution import Execution

    settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT = 0.4  # a beat every 0.1 s
    version = stack_version("tf-state")
    run = RunFactory(deployment__stack_version=version, status="applying", worker_pid=1)
    execution = Execution(run)
    execution.engine = engine_for("terraform")
    execution._stop = threading.Event()
    watcher = threading.Thread(target=execution._watch)
    watcher.start()
    try:
        time.sleep(0.5)
        assert not execution.cancelled.is_set()  # its heart beats
        Run.objects.filter(pk=run.pk).update(status="lost")
        deadline = time.monotonic() + 10
        while not execution.cancelled.is_set():
            assert time.monotonic() < deadline, "the watcher did not notice"
            time.sleep(0.05)
    finally:
        execution._stop.set()
        watcher.join()
    assert execution.engine.supervisor.cancelled


def test_beat_schedules_the_safety_tasks():
    from django.conf import settings

    from portal.deployments import tasks

    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    for task in (tasks.mark_lost_runs, tasks.queue_drift_checks, tasks.clean_up):
        assert task.name in scheduled
    # A dead worker's run is lost at most a beat after its heartbeat timeout.
    assert scheduled[tasks.mark_lost_runs.name] <= settings.PLATEAU_RUN_HEARTBEAT_TIMEOUT
