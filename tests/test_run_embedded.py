"""`make run`'s launcher, for real: migrate, demo data, gunicorn + worker + beat, a task
executed by the worker, Ctrl-C stopping every process, and a second start."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def ready(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.load(response)["status"] == "ok"
    except OSError:
        return False


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(PLATEAU_DATA_DIR=str(tmp_path / "data"), PLATEAU_BIND=f"127.0.0.1:{free_port()}")
    return env


def start(env, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed when the process is reaped
    process = subprocess.Popen(
        [sys.executable, "scripts/run.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return process, log


def stop(process, log):
    descendants = psutil.Process(process.pid).children(recursive=True)
    assert len(descendants) >= 3  # gunicorn, worker, beat (and their children)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    log.close()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert not alive, f"left running: {[p.cmdline() for p in alive]}"


def test_run_starts_everything_and_stops_cleanly_twice(embedded_env, tmp_path):
    url = f"http://{embedded_env['PLATEAU_BIND']}/healthz/ready"
    log_path = tmp_path / "run.log"

    process, log = start(embedded_env, log_path)
    try:
        wait_until(lambda: ready(url))
        wait_until(lambda: b"ready." in log_path.read_bytes())  # the worker
        subprocess.run(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "portal",
                "call",
                "portal.core.tasks.heartbeat",
            ],
            cwd=ROOT,
            env=embedded_env,
            check=True,
            capture_output=True,
        )
        wait_until(lambda: b"heartbeat at" in log_path.read_bytes())
        output = log_path.read_bytes().decode()
        assert "Sign in as admin / plateau" in output
        assert "beat: Starting" in output
    finally:
        if process.poll() is None:
            stop(process, log)

    process, log = start(embedded_env, log_path)
    try:
        wait_until(lambda: ready(url))
    finally:
        stop(process, log)
    assert (Path(embedded_env["PLATEAU_DATA_DIR"]) / "plateau.sqlite3").exists()
