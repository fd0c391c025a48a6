"""`make run`: prepare the embedded installation and run web, worker and beat together.

Migrates the database, loads the demo data, then starts gunicorn, a Celery worker and
Celery beat as child processes, each in its own process group. Ctrl-C (or SIGTERM)
stops all of them; if one of them dies, the others are stopped too, so nothing keeps
running half-alive.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GRACE_SECONDS = 10


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def start(name: str, command: list[str]) -> subprocess.Popen:
    print(f"starting {name}: {' '.join(command)}", flush=True)
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True)


def stop_all(processes: dict[str, subprocess.Popen]) -> None:
    # SIGTERM to the leaders only: gunicorn and Celery stop their own children cleanly.
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {GRACE_SECONDS}s; killing it", flush=True)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    bind = os.environ.get("PLATEAU_BIND", "127.0.0.1:8000")
    os.environ.setdefault("PLATEAU_SITE_URL", f"http://{bind}")
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("demo")
    processes: dict[str, subprocess.Popen] = {}

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        processes["web"] = start(
            "web",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                bind,
                "--workers",
                "2",
                # Ctrl-C should not wait for idle keep-alive connections to time out.
                "--graceful-timeout",
                "3",
                "--access-logfile",
                "-",
            ],
        )
        processes["worker"] = start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                "plateau@%h",
            ],
        )
        processes["beat"] = start(
            "beat", [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel", "INFO"]
        )
        print(
            f"\nPlateau is starting at http://{bind}/\n"
            "Sign in as admin / plateau (also: platform, dev, viewer with the same password).\n"
            "Press Ctrl-C to stop the web server, the worker and beat.\n",
            flush=True,
        )
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping", flush=True)
                    return process.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
