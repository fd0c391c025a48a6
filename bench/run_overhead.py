"""Benchmark: what Plateau adds around an engine run.

The same Terraform stack (one ``terraform_data``) and the same Ansible playbook run N times
through Plateau (API request -> Celery -> engine -> run succeeded, state in Plateau's
backend) and N times through the engines called directly (plan then apply, local state).
Prints both medians, their ratio (target: at most 1.2 with Redis), and the time from the
deploy request to the first stored log line, once with Redis as the broker and once with
the embedded filesystem broker.

Everything is throwaway: a data folder, a database (PostgreSQL by default, SQLite with
--sqlite), a gunicorn server and a Celery worker, all removed at the end.

Run: .venv/bin/python bench/run_overhead.py [-n 5] [--sqlite]
"""

import argparse
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "tests" / "deployments" / "stacks"
VENV_BIN = Path(sys.executable).parent
# (stack slug, values, the step's folder or playbook inside the stack)
CASES = {
    "terraform": ("tf-state", {"label": "bench"}, "terraform"),
    "ansible": ("slow-playbook", {"seconds": 0}, "playbook.yml"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5, help="runs per case and mode (default 5)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="plateau-bench-"))
    database = f"plateau_bench_{os.getpid()}"
    database_url = (
        f"sqlite:///{data_dir / 'bench.sqlite3'}"
        if args.sqlite
        else f"{args.postgres.rstrip('/')}/{database}"
    )
    if not args.sqlite:
        create_postgres_database(args.postgres, database)
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            PLATEAU_DATA_DIR=str(data_dir),
            DATABASE_URL=database_url,
        )
        token, environment_id = set_up()
        direct = {case: run_directly(case, args.n, data_dir) for case in CASES}
        for broker in (args.redis, "filesystem://"):
            with Plateau(data_dir, database_url, broker) as plateau:
                print(f"\nBroker {broker.split('://')[0]}, database {database_url.split(':')[0]}")
                for case in CASES:
                    report(case, plateau.run(case, args.n, token, environment_id), direct[case])
    finally:
        close_django_connections()
        if not args.sqlite:
            drop_postgres_database(args.postgres, database)
        shutil.rmtree(data_dir, ignore_errors=True)


def report(case: str, through_plateau: dict, direct: list[float]) -> None:
    plateau_median = statistics.median(through_plateau["total"])
    direct_median = statistics.median(direct)
    first_line = statistics.median(through_plateau["first_line"])
    print(
        f"  {case:<9} through Plateau {plateau_median:6.2f} s   engines directly "
        f"{direct_median:6.2f} s   ratio {plateau_median / direct_median:4.2f}   "
        f"request -> first log line {first_line * 1000:5.0f} ms"
    )


# -- the portal, set up in this process (database) and in subprocesses (web, worker) ----


def set_up() -> tuple[str, int]:
    """Migrate, then a developer with an API token, an environment and the two stacks."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.disable(logging.INFO)  # the audit trail of the set-up is not the bench's output
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from portal.accounts.models import Membership, Team
    from portal.accounts.roles import Role
    from portal.catalog.models import StackSource, StackVersion
    from portal.catalog.sync import sync_source
    from portal.projects.models import Environment, Project

    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(team=team, user=user, role=Role.DEVELOPER)
    project = Project.objects.create(team=team, name="Bench", slug="bench")
    environment = Environment.objects.create(project=project, name="dev", provider="onprem")
    source = StackSource.objects.create(
        name="bench", kind=StackSource.Kind.FOLDER, location=str(STACKS)
    )
    sync_source(source)
    for slug, _, _ in CASES.values():
        version = StackVersion.objects.get(stack__slug=slug)
        assert version.status == StackVersion.Status.VALID, version.report
    return Token.objects.create(user=user).key, environment.pk


def close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


class Plateau:
    """gunicorn and a Celery worker on the bench's database, data folder and ``broker``."""

    def __init__(self, data_dir: Path, database_url: str, broker: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"services-{uuid.uuid4().hex[:6]}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "PLATEAU_DATA_DIR": str(data_dir),
            "PLATEAU_SITE_URL": self.url,
            "PLATEAU_STATE_URL": self.url,
        }
        self.processes: list[subprocess.Popen] = []

    def __enter__(self):
        gunicorn = [str(VENV_BIN / "gunicorn"), "portal.wsgi:application"]
        gunicorn += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4"]
        celery = [str(VENV_BIN / "celery"), "-A", "portal", "worker", "--pool", "threads"]
        celery += ["--concurrency", "2", "--purge", "--loglevel", "INFO"]
        celery += ["--hostname", f"bench-{os.getpid()}@%h"]
        try:
            with open(self.log, "ab") as log:
                for argv in (gunicorn, celery):
                    self.processes.append(
                        subprocess.Popen(
                            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                        )
                    )
            self._wait_until_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _wait_until_ready(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                break
            worker_ready = b" ready." in self.log.read_bytes()
            try:
                web_ready = requests.get(f"{self.url}/api/v1/", timeout=1).status_code < 500
            except requests.RequestException:
                web_ready = False
            if worker_ready and web_ready:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the services did not start:\n{self.log.read_text()[-3000:]}")

    def run(self, case: str, count: int, token: str, environment_id: int) -> dict[str, list]:
        """``count`` deployments of ``case`` (after one unmeasured warm-up), each timed
        from the API request to the run's end as the database records it."""
        import requests
        from django.utils import timezone

        from portal.deployments.models import LogLine, Run

        slug, values, _ = CASES[case]
        measured: dict[str, list] = {"total": [], "first_line": []}
        with requests.Session() as client:
            client.headers["Authorization"] = f"Token {token}"
            for number in range(count + 1):
                requested = timezone.now()
                response = client.post(
                    f"{self.url}/api/v1/deployments/",
                    timeout=30,
                    json={
                        "environment": environment_id,
                        "stack": slug,
                        "name": f"{slug}-{uuid.uuid4().hex[:8]}",
                        "values": values,
                    },
                )
                if response.status_code != 201:
                    raise RuntimeError(f"deploy refused: {response.status_code} {response.text}")
                run = wait_for_run(response.json()["id"])
                if run.status != Run.Status.SUCCEEDED:
                    lines = LogLine.objects.filter(run=run).order_by("seq")
                    log = "\n".join(line.text for line in lines)
                    raise RuntimeError(f"{case} run ended {run.status}:\n{log}")
                if number == 0:
                    continue  # warm-up: imports, caches, first connections
                first = LogLine.objects.filter(run=run).order_by("seq").first()
                measured["total"].append((run.finished - requested).total_seconds())
                measured["first_line"].append((first.created - requested).total_seconds())
        return measured


def wait_for_run(run_id: int, timeout: float = 300):
    from portal.deployments.models import Run

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.status in Run.FINAL:
            return run
        time.sleep(0.02)
    raise RuntimeError(f"run {run_id} did not end within {timeout} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the engines called directly -------------------------------------------------------


def run_directly(case: str, count: int, data_dir: Path) -> list[float]:
    """Plan then apply in a fresh copy of the step, as a run does (minus Plateau)."""
    from iac.engines import StepContext, get_engine

    slug, values, step_path = CASES[case]
    engine_name = "terraform" if case == "terraform" else "ansible"
    timings = []
    for number in range(count + 1):
        folder = Path(tempfile.mkdtemp(dir=data_dir))
        shutil.copytree(STACKS / slug, folder / slug)
        path = folder / slug / step_path
        if engine_name == "ansible":
            inputs = {**values, "plateau_action": "apply"}
            ctx = StepContext(workdir=path.parent, inputs=inputs, playbook=path.name)
        else:
            ctx = StepContext(workdir=path, inputs=dict(values))
        started = time.monotonic()
        engine = get_engine(engine_name)
        engine.apply(ctx, engine.plan(ctx))
        if number:  # the first one warms up, as through Plateau
            timings.append(time.monotonic() - started)
        shutil.rmtree(folder, ignore_errors=True)
    return timings


# -- the throwaway PostgreSQL database --------------------------------------------------


def create_postgres_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
