"""A real Celery worker for the run tests, on the test database and the test broker.

The worker is a subprocess (``celery -A portal worker --pool threads``) started once per
session: it reads the same database (the SQLite test file, or the PostgreSQL test
database), the same broker (the filesystem folder, or the Redis database) and the same
data folder (stack snapshots, workspaces) as the tests, and reaches Terraform's state
endpoints on the live server.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_STACKS = Path(__file__).resolve().parent / "stacks"
FINAL = {"succeeded", "failed", "cancelled", "rejected", "lost"}


def _database_url(settings_dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def shared_data_dir():
    from django.conf import settings

    return Path(settings.DATA_DIR)


@pytest.fixture(autouse=True)
def private_data_dir(request, settings, shared_data_dir):
    """Here the tests and the worker share one data folder (snapshots, workspaces)."""
    settings.DATA_DIR = shared_data_dir


@pytest.fixture(scope="session")
def worker(django_db_setup, live_server, shared_data_dir, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DATABASE_URL=_database_url(connection.settings_dict),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        PLATEAU_DATA_DIR=str(shared_data_dir),
        PLATEAU_STATE_URL=live_server.url,
        PLATEAU_RUN_CANCEL_GRACE="2",
    )
    celery = str(Path(sys.executable).parent / "celery")
    argv = [celery, "-A", "portal", "worker", "--pool", "threads", "--concurrency", "2"]
    argv += ["--purge", "--loglevel", "INFO", "--hostname", f"tests-{os.getpid()}@%h"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    yield process
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    psutil.wait_procs(children, timeout=10)


def wait_for_run(run, statuses=FINAL, timeout=120.0):
    """Poll the database until the run reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.1)
    lines = "\n".join(run.log_lines.order_by("seq").values_list("text", flat=True))
    raise AssertionError(f"run {run.pk} still {run.status} after {timeout}s; log:\n{lines}")


def log_text(run) -> str:
    return "\n".join(run.log_lines.order_by("seq").values_list("text", flat=True))


@pytest.fixture
def stack_version(db, tmp_path):
    """``stack_version(slug)``: that stack (from stacks/ or tests/deployments/stacks/)
    synced into the catalog as a valid version."""
    from portal.catalog.models import StackSource, StackVersion
    from portal.catalog.sync import sync_source

    def make(slug: str):
        origin = TEST_STACKS / slug if (TEST_STACKS / slug).is_dir() else ROOT / "stacks" / slug
        folder = tmp_path / "source" / slug
        shutil.copytree(origin, folder)
        source = StackSource.objects.create(
            name=f"test {slug}", kind=StackSource.Kind.FOLDER, location=str(folder.parent)
        )
        sync_source(source)
        version = StackVersion.objects.get(stack__slug=slug)
        assert version.status == StackVersion.Status.VALID, version.report
        return version

    return make
