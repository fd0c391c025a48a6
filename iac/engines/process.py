"""Running engine commands: live line streaming, and cancellation that leaves nothing behind.

Every process an engine starts carries PLATEAU_RUN_TOKEN in its environment and starts in
its own session. Cancelling interrupts every process of the run (SIGINT: Terraform and
ansible-playbook stop gracefully on it), then kills whatever is left after a grace period.
Processes are found three ways, because each misses some: the session's descendants
recorded while the command runs, the current descendants, and a scan for the token
(ansible-core 2.19 workers call setsid() and may be re-parented to init).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import psutil

from iac.engines.errors import EngineCancelled, EngineError, EngineTimeout

RUN_TOKEN_ENV = "PLATEAU_RUN_TOKEN"

_POLL_SECONDS = 0.2
# A daemon started by the step may hold the pipes open after the command exits.
_DRAIN_AFTER_EXIT_SECONDS = 5.0

LineCallback = Callable[[str, str], None]  # (stream name "stdout" | "stderr", line)


# What a step may not inherit from the process that runs it: Plateau's own secrets and
# connection strings, and ambient cloud credentials of the worker machine (a step gets
# exactly the credentials bound to its environment, nothing else).
_WITHHELD_PREFIXES = (
    "PLATEAU_",
    "DATABASE_",
    "CELERY_",
    "DJANGO_",
    "AWS_",
    "AZURE_",
    "ARM_",
    "GOOGLE_",
    "CLOUDSDK_",
    "SCW_",
    "HCLOUD_",
    "OS_",
    "KUBECONFIG",
    "PG",
    "REDIS_",
    "TF_VAR_",
    "TF_HTTP_",
)


def inherited_environment() -> dict[str, str]:
    """The part of this process's environment that engine commands inherit."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith(_WITHHELD_PREFIXES)
    }


def run_tokens_on_this_machine() -> set[str]:
    """The run tokens carried by the processes this user can see."""
    tokens = set()
    for proc in psutil.process_iter(["environ"]):
        token = (proc.info.get("environ") or {}).get(RUN_TOKEN_ENV)
        if token:
            tokens.add(token)
    return tokens


class ProcessSupervisor:
    def __init__(self, token: str, grace: float = 10.0) -> None:
        self.token = token
        self.grace = grace
        self.timed_out = False
        self._cancelled = threading.Event()
        self._kill_at = 0.0
        self._lock = threading.Lock()
        self._known: dict[int, psutil.Process] = {}
        self._interrupted: set[tuple[int, float]] = set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def env(self, *layers: dict[str, str]) -> dict[str, str]:
        env = inherited_environment()
        for layer in layers:
            env.update(layer)
        env[RUN_TOKEN_ENV] = self.token
        return env

    def cancel(self, grace: float | None = None) -> None:
        with self._lock:
            if not self._cancelled.is_set():
                self._kill_at = time.monotonic() + (self.grace if grace is None else grace)
                self._cancelled.set()
        self._interrupt()

    def tick(self, deadline: float | None = None) -> None:
        """Called every few tenths of a second by whoever waits for the run's processes:
        an expired deadline becomes a cancellation, and a cancellation escalates."""
        if deadline is not None and time.monotonic() > deadline and not self.cancelled:
            self.timed_out = True
            self.cancel()
        if not self.cancelled:
            return
        if time.monotonic() >= self._kill_at:
            self._signal(self.processes(), signal.SIGKILL)
        else:
            # Also reaches processes started after cancel() was called.
            self._interrupt()

    def raise_if_cancelled(self) -> None:
        if not self.cancelled:
            return
        self.reap()
        if self.timed_out:
            raise EngineTimeout("the command ran past its timeout and was stopped")
        raise EngineCancelled("cancelled")

    def reap(self) -> None:
        """Kill every process of the run still alive and wait until they are gone."""
        leftovers = self.processes()
        self._signal(leftovers, signal.SIGKILL)
        psutil.wait_procs(leftovers, timeout=5)

    def record(self) -> None:
        """Remember the run's current processes, so they are still found if they later
        drop the token's trail (re-parented, or exec'd with a clean environment)."""
        self._remember(self.processes())

    def processes(self) -> list[psutil.Process]:
        with self._lock:
            found = {pid: proc for pid, proc in self._known.items() if proc.is_running()}
        for proc in list(found.values()):
            for child in _descendants(proc):
                found.setdefault(child.pid, child)
        for proc in psutil.process_iter(["environ"]):
            if (proc.info.get("environ") or {}).get(RUN_TOKEN_ENV) == self.token:
                found.setdefault(proc.pid, proc)
        found.pop(os.getpid(), None)
        return list(found.values())

    @contextmanager
    def watching(self, pid: int) -> Iterator[None]:
        """Record `pid`'s descendants while the block runs."""
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            yield
            return
        self._remember([root])
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(_POLL_SECONDS):
                self._remember(_descendants(root))

        sampler = threading.Thread(target=sample, name=f"watch-{pid}", daemon=True)
        sampler.start()
        try:
            yield
        finally:
            stop.set()
            sampler.join()

    def _remember(self, procs: list[psutil.Process]) -> None:
        with self._lock:
            for proc in procs:
                self._known.setdefault(proc.pid, proc)

    def _interrupt(self) -> None:
        # Only once per process: a second SIGINT makes Terraform exit without cleaning up.
        fresh = []
        for proc in self.processes():
            try:
                key = (proc.pid, proc.create_time())
            except psutil.Error:
                continue
            with self._lock:
                if key in self._interrupted:
                    continue
                self._interrupted.add(key)
            fresh.append(proc)
        self._signal(fresh, signal.SIGINT)

    @staticmethod
    def _signal(procs: list[psutil.Process], sig: int) -> None:
        for proc in procs:
            with suppress(psutil.Error):
                proc.send_signal(sig)


def _descendants(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.Error:
        return []


def stream_process(
    argv: list[str],
    *,
    supervisor: ProcessSupervisor,
    cwd: os.PathLike | str,
    env: dict[str, str],
    on_line: LineCallback,
    stdin: bytes | None = None,
    timeout: float | None = None,
) -> int:
    """Run `argv` in its own session, hand each output line to `on_line` as it arrives
    (in the calling thread), and return the exit code. Raises EngineCancelled or
    EngineTimeout, after making sure none of the run's processes is left."""
    supervisor.raise_if_cancelled()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise EngineError(f"{argv[0]} not found: {exc.strerror}") from exc
    with supervisor.watching(proc.pid):
        if stdin is not None:
            assert proc.stdin is not None
            with proc.stdin:
                proc.stdin.write(stdin)
        try:
            _pump(proc, on_line, supervisor, timeout)
        finally:
            proc.stdout.close()
            proc.stderr.close()
        returncode = proc.wait()
    supervisor.raise_if_cancelled()
    return returncode


def _pump(
    proc: subprocess.Popen,
    on_line: LineCallback,
    supervisor: ProcessSupervisor,
    timeout: float | None,
) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    exited_at: float | None = None
    buffers: dict[int, bytearray] = {}
    with selectors.DefaultSelector() as selector:
        for name, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            selector.register(pipe.fileno(), selectors.EVENT_READ, name)
            buffers[pipe.fileno()] = bytearray()
        while selector.get_map():
            for key, _ in selector.select(_POLL_SECONDS):
                buffer = buffers[key.fd]
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    if buffer:
                        on_line(key.data, _decode(buffer))
                    continue
                start = len(buffer)
                buffer.extend(chunk)
                while (end := buffer.find(b"\n", start)) >= 0:
                    on_line(key.data, _decode(buffer[:end]))
                    del buffer[: end + 1]
                    start = 0
            supervisor.tick(deadline)
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _DRAIN_AFTER_EXIT_SECONDS:
                break


def _decode(raw: bytes | bytearray) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")
