"""Helm charts through the `helm` binary: `helm template` plus a diff against the last
release's manifest is the plan; `helm upgrade --install` (rolled back on failure) the apply.

Only `template` and `lint` work without a cluster, so every command that needs one first
checks that the environment has a kubeconfig and that its API server answers: without a
cluster, apply fails at once with a message saying so instead of waiting on timeouts.
After an apply, the caller keeps `plan.manifests` as the next plan's `previous_manifest`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from iac.engines.manifests import diff_manifests
from iac.problems import Problem

NO_CLUSTER = "no Kubernetes cluster configured for this environment"
_CONNECT_TIMEOUT = 5.0
_DEFAULT_WAIT = 300
_LINT_LINE = re.compile(r"^\[(ERROR|WARNING)\]\s*(.*)")
# "parse error at (web/templates/x.yaml:9): unclosed action started at web/templates/x.yaml:4":
# where the construct starts says more than where the parser gave up.
_TEMPLATE_LOCATIONS = (
    re.compile(r"started at ([^():\s]+):(\d+)"),
    re.compile(r"\(([^():\s]+):(\d+)(?::\d+)?\)"),
)


class HelmEngine(Engine):
    name = "helm"

    def validate(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> list[Problem]:
        chart = self._chart(ctx)
        lint = self._helm(ctx, ["lint", str(chart)], on_event)
        problems = [
            _lint_problem(ctx, match.group(1), match.group(2))
            for line in lint.stdout
            if (match := _LINT_LINE.match(line))
        ]
        if lint.returncode == 0:
            rendered = self._helm(ctx, ["template", "validate", str(chart)], on_event, quiet=True)
            if rendered.returncode != 0:
                problems += [_lint_problem(ctx, "ERROR", line) for line in rendered.errors]
        elif not problems:
            problems.append(Problem("; ".join(lint.errors or lint.stdout[-3:])))
        return problems

    def plan(
        self, ctx: StepContext, on_event: EventCallback = ignore_event, *, destroy: bool = False
    ) -> PlanResult:
        release = _release(ctx)
        manifests = ""
        if not destroy:
            rendered = self._helm(
                ctx,
                [
                    "template",
                    release,
                    str(self._chart(ctx)),
                    "--skip-tests",  # test hooks are not part of a release's manifest
                    "--namespace",
                    ctx.namespace,
                    "--values",
                    str(self._write_values(ctx)),
                ],
                on_event,
                quiet=True,
            )
            _raise_for(rendered, "template")
            manifests = "\n".join(rendered.stdout) + "\n"
        diff = diff_manifests(ctx.previous_manifest, manifests)
        for change in diff.changes:
            label = f"{change['kind']}/{change['name']}"
            on_event(EngineEvent(f"{label}: plan to {change['action']}", "info", change))
        summary = diff.summary
        on_event(
            EngineEvent(
                f"Plan: {summary['add']} to add, {summary['change']} to change, "
                f"{summary['destroy']} to destroy.",
                "info",
                {"type": "change_summary", "changes": summary},
            )
        )
        return PlanResult(
            engine=self.name,
            summary=summary,
            has_changes=bool(diff.changes),
            fingerprint=self._fingerprint(ctx),
            changes=diff.changes,
            destroy=destroy,
            manifests=manifests,
            diff=diff.text,
        )

    def apply(
        self, ctx: StepContext, plan: PlanResult, on_event: EventCallback = ignore_event
    ) -> ApplyResult:
        self.check_fingerprint(ctx, plan, *self._fingerprint_extra(ctx))
        cluster = self._cluster_flags(ctx)
        release = _release(ctx)
        wait = f"{int(ctx.timeout or _DEFAULT_WAIT)}s"
        if plan.destroy:
            args = ["uninstall", release, "--namespace", ctx.namespace, "--timeout", wait]
            _raise_for(self._helm(ctx, [*args, "--wait", *cluster], on_event), "uninstall")
            return ApplyResult(summary=plan.summary)
        args = [
            "upgrade",
            "--install",
            release,
            str(self._chart(ctx)),
            "--namespace",
            ctx.namespace,
            "--create-namespace",
            "--values",
            str(ctx.private_dir / "values.json"),
            "--timeout",
            wait,
            "--output",
            "json",
            *_rollback_flags(self._binary()),
            *cluster,
        ]
        upgraded = self._helm(ctx, args, on_event, quiet=True)
        _raise_for(upgraded, "upgrade")
        outputs = self._release_outputs(ctx, json.loads("\n".join(upgraded.stdout)))
        return ApplyResult(outputs=outputs.outputs, summary=plan.summary)

    def outputs(self, ctx: StepContext, on_event: EventCallback = ignore_event) -> Outputs:
        args = ["status", _release(ctx), "--namespace", ctx.namespace, "--output", "json"]
        status = self._helm(ctx, [*args, *self._cluster_flags(ctx)], on_event, quiet=True)
        _raise_for(status, "status")
        return self._release_outputs(ctx, json.loads("\n".join(status.stdout)))

    # -- helpers ------------------------------------------------------------------------

    def _helm(
        self, ctx: StepContext, args: list[str], on_event: EventCallback, *, quiet: bool = False
    ) -> _HelmRun:
        """Run helm; with `quiet`, stdout (manifests, release JSON) is kept, not logged."""
        run = _HelmRun()

        def on_line(stream: str, line: str) -> None:
            if stream == "stdout":
                run.stdout.append(line)
                if not quiet:
                    on_event(EngineEvent(line, _lint_level(line), {"stream": stream}))
            elif line.strip():
                if line.startswith("Error:"):
                    run.errors.append(line.removeprefix("Error:").strip())
                level = "error" if line.startswith("Error:") else "warning"
                on_event(EngineEvent(line, level, {"stream": stream}))

        run.returncode = self.run_command(
            ctx, [self._binary(), *args], on_line, env={"HELM_NO_PLUGINS": "1"}
        )
        return run

    @staticmethod
    def _binary() -> str:
        found = shutil.which("helm") or shutil.which("helm", path=str(Path(sys.executable).parent))
        if found is None:
            raise EngineError("helm not found (looked on PATH and next to Python)")
        return found

    @staticmethod
    def _chart(ctx: StepContext) -> Path:
        return (ctx.workdir / ctx.chart).resolve()

    def _write_values(self, ctx: StepContext) -> Path:
        # JSON is YAML; the file may hold secrets, so only its owner reads it.
        path = ctx.private_dir / "values.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(ctx.inputs, handle)
        return path

    def _fingerprint_extra(self, ctx: StepContext) -> tuple[str, ...]:
        # The previous manifest stands for the release state the plan was made against.
        return (_release(ctx), ctx.namespace, ctx.previous_manifest or "")

    def _fingerprint(self, ctx: StepContext) -> str:
        return self.fingerprint(ctx, *self._fingerprint_extra(ctx))

    @staticmethod
    def _cluster_flags(ctx: StepContext) -> list[str]:
        """Kubeconfig flags, once the cluster is known to answer."""
        if ctx.kubeconfig is None or not Path(ctx.kubeconfig).is_file():
            raise EngineError(NO_CLUSTER)
        server = _api_server(Path(ctx.kubeconfig), ctx.kube_context)
        where = urlsplit(server)
        port = where.port or (80 if where.scheme == "http" else 443)
        try:
            socket.create_connection((where.hostname, port), timeout=_CONNECT_TIMEOUT).close()
        except OSError as exc:
            raise EngineError(f"cluster at {server} unreachable: {exc}") from exc
        flags = ["--kubeconfig", str(ctx.kubeconfig)]
        return [*flags, "--kube-context", ctx.kube_context] if ctx.kube_context else flags

    def _release_outputs(self, ctx: StepContext, release: dict[str, Any]) -> Outputs:
        outputs: dict[str, Any] = {
            "release": release.get("name"),
            "namespace": release.get("namespace"),
            "revision": release.get("version"),
            "notes": (release.get("info") or {}).get("notes", ""),
        }
        values = _merged_values(self._chart(ctx), ctx.inputs)
        for output, dotted in ctx.output_values.items():
            outputs[output] = _lookup(values, dotted)
        return Outputs(outputs=outputs)


class _HelmRun:
    def __init__(self) -> None:
        self.returncode = 0
        self.stdout: list[str] = []
        self.errors: list[str] = []


def _release(ctx: StepContext) -> str:
    if not ctx.release:
        raise EngineError("a Helm step needs a release name")
    return ctx.release


@functools.cache
def _rollback_flags(binary: str) -> tuple[str, ...]:
    # Helm 4 renamed --atomic (now deprecated) and gave --wait a strategy.
    version = subprocess.run(
        [binary, "version", "--short"], capture_output=True, text=True, check=False
    ).stdout
    if version.startswith("v3."):
        return ("--atomic", "--wait")
    return ("--rollback-on-failure", "--wait=watcher")


def _api_server(kubeconfig: Path, context_name: str | None) -> str:
    try:
        config = yaml.safe_load(kubeconfig.read_text()) or {}
        context_name = context_name or config["current-context"]
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        return cluster["server"]
    except (yaml.YAMLError, KeyError, StopIteration, TypeError) as exc:
        raise EngineError(
            f"the environment's kubeconfig names no usable cluster ({exc!r})"
        ) from exc


def _merged_values(chart: Path, inputs: dict[str, Any]) -> dict[str, Any]:
    defaults_file = chart / "values.yaml"
    defaults = yaml.safe_load(defaults_file.read_text()) if defaults_file.is_file() else {}
    return _deep_merge(defaults or {}, inputs)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _lookup(values: dict[str, Any], dotted: str) -> Any:
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _lint_level(line: str) -> str:
    if line.startswith("[ERROR]"):
        return "error"
    return "warning" if line.startswith("[WARNING]") else "info"


def _lint_problem(ctx: StepContext, level: str, message: str) -> Problem:
    """Helm names template files `<chart name>/templates/x.yaml:LINE`; report them relative
    to the step, like every other Problem."""
    location = next(filter(None, (regex.search(message) for regex in _TEMPLATE_LOCATIONS)), None)
    file = line = None
    if location:
        inside_chart = Path(*Path(location.group(1)).parts[1:])
        file = os.path.normpath(Path(ctx.chart) / inside_chart)
        line = int(location.group(2))
    return Problem(
        message, file=file, line=line, severity="error" if level == "ERROR" else "warning"
    )


def _raise_for(run: _HelmRun, command: str) -> None:
    if run.returncode != 0:
        reason = "; ".join(run.errors) or f"exit {run.returncode}"
        raise EngineError(f"helm {command} failed: {reason}")
