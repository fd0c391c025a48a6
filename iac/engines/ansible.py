"""Ansible playbooks through ansible-runner: `--check --diff` is the plan, a real run the apply.

Outputs: a playbook publishes them with `set_stats: {data: {...}, per_host: false}`; they
arrive in the playbook_on_stats event and are kept in the private dir for `outputs()`.
Destroy runs the step's destroy playbook when it has one; without one there is nothing
to undo (a configured host is not torn down by Plateau). The curated stacks follow the
other convention of docs/stacks.md (one playbook, `plateau_action=destroy`): the run layer
(portal.deployments.steps) picks between the two.

Inputs are user values: they reach the playbook as a YAML extra-vars file where every
string carries Ansible's `!unsafe` tag, so Jinja in a value is data, never executed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ansible_runner
import yaml

from iac.engines.base import (
    ApplyResult,
    Engine,
    EngineEvent,
    EventCallback,
    Outputs,
    PlanResult,
    StepContext,
    ignore_event,
)
from iac.engines.errors import EngineError
from iac.engines.process import RUN_TOKEN_ENV
from iac.problems import Problem

DESTROY_PLAYBOOK = "destroy.yml"
_VENV_BIN = str(Path(sys.executable).parent)
_POLL_SECONDS = 0.2
# Runner checks its cancel callback once per pexpect timeout (5 s by default).
_PEXPECT_TIMEOUT = 0.5
_KEPT_ARTIFACT_DIRS = 3
_OUTPUTS_FILE = "ansible-outputs.json"
_EXTRAVARS_FILE = "extravars.yml"

_SYNTAX_ERROR = re.compile(r"^(?:\[ERROR\]:|ERROR!)\s*(.*)")
_SYNTAX_ORIGIN = re.compile(r"^Origin:\s*(.+?):(\d+)(?::\d+)?\s*$")
_FAILED_EVENTS = {"runner_on_failed", "runner_on_unreachable"}


@dataclass
class _Run:
    changes: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    returncode: int | None = None
    status: str = ""

    @property
    def summary(self) -> dict[str, int]:
        def total(key: str) -> int:
            return sum(self.stats.get(key, {}).values())

        return {
            "changed": len(self.changes),
            "ok": total("ok"),
            "failed": total("failures"),
            "unreachable": total("dark"),
            "skipped": total("skipped"),
        }


class AnsibleEngine(Engine):
    name = "ansible"

    def validate(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> list[Problem]:
        if not (ctx.workdir / ctx.playbook).is_file():
            return [Problem(f"playbook {ctx.playbook} not found", file=ctx.playbook)]
        output: list[str] = []

        def on_line(stream: str, line: str) -> None:
            output.append(line)
            on_event(EngineEvent(line, "error" if _SYNTAX_ERROR.match(line) else "info"))

        argv = [
            str(Path(_VENV_BIN) / "ansible-playbook"),
            "--syntax-check",
            "-i",
            str(self._write_inventory(ctx)),
            ctx.playbook,
        ]
        returncode = self.run_command(ctx, argv, on_line, env=self._env(ctx))
        problems = _syntax_problems(output, ctx.workdir)
        if returncode != 0 and not problems:
            problems.append(Problem("; ".join(output[-5:]) or f"exit {returncode}"))
        return problems

    def plan(
        self, ctx: StepContext, on_event: EventCallback = ignore_event, *, destroy: bool = False
    ) -> PlanResult:
        playbook = DESTROY_PLAYBOOK if destroy else ctx.playbook
        fingerprint = self.fingerprint(ctx, self._inventory_text(ctx))
        if destroy and not (ctx.workdir / playbook).is_file():
            on_event(EngineEvent(f"no {playbook} in this step: nothing to undo"))
            return PlanResult(self.name, _Run().summary, False, fingerprint, destroy=True)
        run = self._run(ctx, playbook, on_event, check=True)
        return PlanResult(
            engine=self.name,
            summary=run.summary,
            has_changes=bool(run.changes),
            fingerprint=fingerprint,
            changes=run.changes,
            destroy=destroy,
            diff="\n".join(run.diff) or None,
        )

    def apply(
        self, ctx: StepContext, plan: PlanResult, on_event: EventCallback = ignore_event
    ) -> ApplyResult:
        self.check_fingerprint(ctx, plan, self._inventory_text(ctx))
        playbook = DESTROY_PLAYBOOK if plan.destroy else ctx.playbook
        if plan.destroy and not (ctx.workdir / playbook).is_file():
            return ApplyResult(summary=plan.summary)
        run = self._run(ctx, playbook, on_event, check=False)
        outputs = run.stats.get("artifact_data") or {}
        (ctx.private_dir / _OUTPUTS_FILE).write_text(json.dumps(outputs))
        return ApplyResult(outputs=outputs, summary=run.summary)

    def outputs(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> Outputs:
        """What the last apply in this workspace published with set_stats."""
        path = ctx.private_dir / _OUTPUTS_FILE
        return Outputs(outputs=json.loads(path.read_text()) if path.is_file() else {})

    # -- running ----------------------------------------------------------------------

    def _run(
        self, ctx: StepContext, playbook: str, on_event: EventCallback, *, check: bool
    ) -> _Run:
        self.supervisor.raise_if_cancelled()
        self.supervisor.grace = ctx.cancel_grace
        run = _Run()
        # Runner calls the handler in its own thread; callers get events in theirs.
        pending: queue.Queue[dict[str, Any]] = queue.Queue()

        def handle(event: dict[str, Any]) -> bool:
            pending.put(event)
            return True  # keep runner's own job_events record

        mode = "--check --diff" if check else "--diff"
        private_data_dir = ctx.private_dir / "ansible-runner"
        private_data_dir.mkdir(mode=0o700, exist_ok=True)
        thread, runner = ansible_runner.run_async(
            private_data_dir=str(private_data_dir),
            project_dir=str(ctx.workdir),
            playbook=playbook,
            inventory=str(self._write_inventory(ctx)),
            envvars=self._env(ctx),
            cmdline=f"{mode} -e {shlex.quote(f'@{_write_extravars(ctx)}')}",
            event_handler=handle,
            cancel_callback=lambda: self.supervisor.cancelled,
            settings={"pexpect_timeout": _PEXPECT_TIMEOUT},
            rotate_artifacts=_KEPT_ARTIFACT_DIRS,
            # Otherwise runner writes envvars (credentials) to env/ and later calls in
            # this workspace read that first file back instead of their own arguments.
            suppress_env_files=True,
            quiet=True,
        )
        deadline = None if ctx.timeout is None else time.monotonic() + ctx.timeout
        while thread.is_alive() or not pending.empty():
            try:
                _collect(pending.get(timeout=_POLL_SECONDS), run, on_event)
                continue
            except queue.Empty:
                pass
            # ansible-core 2.19 workers leave the runner's session: note them while alive.
            self.supervisor.record()
            self.supervisor.tick(deadline)
        thread.join()
        # Runner writes the full environment (credentials included) next to its artifacts.
        Path(runner.config.artifact_dir, "command").unlink(missing_ok=True)
        self.supervisor.raise_if_cancelled()
        run.returncode, run.status = runner.rc, runner.status
        if run.returncode == 127:
            raise EngineError("ansible-playbook could not be started (not found on PATH)")
        if run.failures or run.returncode != 0:
            reasons = run.failures or [f"ansible-playbook ended {run.status} (exit {runner.rc})"]
            raise EngineError("; ".join(reasons))
        return run

    def _env(self, ctx: StepContext) -> dict[str, str]:
        return {
            **ctx.env,
            "PATH": _VENV_BIN + os.pathsep + os.environ.get("PATH", os.defpath),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            RUN_TOKEN_ENV: self.run_token,
        }

    @staticmethod
    def _inventory(ctx: StepContext) -> dict[str, Any]:
        if ctx.inventory is not None:
            return ctx.inventory
        if ctx.hosts:
            host_vars: dict[str, Any] = {"ansible_connection": "ssh"}
            if ctx.ssh_user:
                host_vars["ansible_user"] = ctx.ssh_user
            if ctx.ssh_private_key_file:
                host_vars["ansible_ssh_private_key_file"] = str(ctx.ssh_private_key_file)
            return {"all": {"hosts": dict.fromkeys(ctx.hosts), "vars": host_vars}}
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        return {"all": {"hosts": {"localhost": local}}}

    def _inventory_text(self, ctx: StepContext) -> str:
        return json.dumps(self._inventory(ctx), sort_keys=True)

    def _write_inventory(self, ctx: StepContext) -> Path:
        # JSON is YAML: the yaml inventory plugin reads it (.json is one of its extensions).
        path = ctx.private_dir / "inventory.json"
        path.write_text(self._inventory_text(ctx))
        return path


class _Unsafe(str):
    """A string Ansible must never template."""


class _UnsafeDumper(yaml.SafeDumper):
    pass


_UnsafeDumper.add_representer(
    _Unsafe, lambda dumper, text: dumper.represent_scalar("!unsafe", str(text))
)


def _unsafe(value: Any) -> Any:
    # Keys stay plain: they are variable names, and Ansible never templates them.
    if isinstance(value, str):
        return _Unsafe(value)
    if isinstance(value, dict):
        return {key: _unsafe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_unsafe(item) for item in value]
    return value


def _write_extravars(ctx: StepContext) -> Path:
    path = ctx.private_dir / _EXTRAVARS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # inputs hold secrets
    with os.fdopen(fd, "w") as handle:
        yaml.dump(_unsafe(ctx.inputs), handle, Dumper=_UnsafeDumper)
    return path


def _collect(event: dict[str, Any], run: _Run, on_event: EventCallback) -> None:
    kind = event.get("event", "")
    data = event.get("event_data") or {}
    result = data.get("res") or {}
    if kind == "playbook_on_stats":
        run.stats = data
    failed = kind in _FAILED_EVENTS and not data.get("ignore_errors")
    changed = kind == "runner_on_ok" and bool(result.get("changed"))
    if changed:
        run.changes.append({"task": data.get("task"), "host": data.get("host")})
    if failed:
        reason = result.get("msg") or result.get("stderr") or kind
        run.failures.append(f"task {data.get('task')!r} failed on {data.get('host')}: {reason}")
    text = (event.get("stdout") or "").replace("\r\n", "\n").strip()
    if kind == "runner_on_file_diff" and text:
        run.diff.append(text)
    if not text:
        return
    payload = {
        "event": kind,
        "task": data.get("task"),
        "host": data.get("host"),
        "changed": changed,
        "failed": failed,
    }
    if failed:
        level = "error"
    elif "[WARNING]" in text or kind == "warning":
        level = "warning"
    elif kind in ("runner_on_skipped", "verbose"):
        level = "debug"
    else:
        level = "info"
    on_event(EngineEvent(text, level, {key: value for key, value in payload.items() if value}))


def _syntax_problems(output: list[str], root: Path) -> list[Problem]:
    """`[ERROR]: message` followed by `Origin: path:line:col` (ansible-core 2.19)."""
    problems: list[Problem] = []
    for line in output:
        if error := _SYNTAX_ERROR.match(line):
            problems.append(Problem(error.group(1)))
        elif (origin := _SYNTAX_ORIGIN.match(line)) and problems and problems[-1].file is None:
            path = Path(origin.group(1))
            last = problems.pop()
            problems.append(
                Problem(
                    last.message,
                    file=str(path.relative_to(root)) if path.is_relative_to(root) else str(path),
                    line=int(origin.group(2)),
                )
            )
    return problems
