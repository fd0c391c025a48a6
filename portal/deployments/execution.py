"""What a worker does with a run: plan every step, wait for approval where the
environment asks for it, apply the saved plans in order (destroy: in reverse), record
outputs, and end the run with one final status.

Steps are planned before any is applied. A step whose inputs use outputs of an earlier
step that does not exist yet is planned with placeholders, and planned again just before
its apply, once those outputs are known; every other step is applied from its saved
plan, which the engine refuses when it went stale.
"""

import hashlib
import json
import logging
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone

from iac.engines import Engine, EngineCancelled, EngineEvent, PlanResult, StepContext
from iac.engines.ansible import DESTROY_PLAYBOOK
from iac.stacks import UnresolvedReference, render_stack_outputs, render_step_inputs
from portal.credentials.masking import Masker
from portal.deployments import drift, lifecycle, recovery, sealed
from portal.deployments.engines import engine_for
from portal.deployments.logs import LogWriter
from portal.deployments.models import Deployment, Run, RunStep
from portal.deployments.workspace import Workspace
from portal.plugins import hook

logger = logging.getLogger(__name__)

Status = Run.Status
WATCH_SECONDS = 0.2
CANCEL_POLL_SECONDS = 0.5


def execute(run_id: int) -> None:
    run = (
        Run.objects.select_related(
            "deployment__environment__project", "deployment__stack_version__stack"
        )
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        return
    if run.status == Status.QUEUED and lifecycle.take_for_planning(run):
        Execution(run).go(planning=True)
    elif run.status == Status.APPLYING and lifecycle.take_for_applying(run):
        Execution(run).go(planning=False)


class Execution:
    def __init__(self, run: Run):
        self.run = run
        self.deployment: Deployment = run.deployment
        self.environment = self.deployment.environment
        self.stack = self.deployment.stack_version.load()
        self.values = run.all_values()
        self.engine: Engine | None = None
        self.cancelled = threading.Event()
        self.plans: dict[str, PlanResult] = {}
        self.summary: dict[str, dict] = dict(run.summary)
        self.secrets = [str(value) for value in run.secret_values().values() if value]
        self.log = LogWriter(run, Masker(self.secrets))

    # -- the run --------------------------------------------------------------------

    def go(self, *, planning: bool) -> None:
        watcher = threading.Thread(target=self._watch, name=f"run-{self.run.pk}", daemon=True)
        self._stop = threading.Event()
        watcher.start()
        status, error = Status.SUCCEEDED, ""
        try:
            with Workspace(self.run) as workspace:
                self._add_secrets(workspace.secret_texts)
                self.workspace = workspace
                if planning:
                    self.log.write(
                        f"{self.run.get_kind_display()} of {self.deployment} "
                        f"({self.deployment.stack_version}) in {self.environment}"
                    )
                    self._plan_all()
                    if self.run.kind in (Run.Kind.PLAN, Run.Kind.DRIFT):
                        self.log.write("Plan only: nothing applied.")
                        if self.run.kind == Run.Kind.DRIFT:
                            drift.record(self.run)
                        return
                    reasons = self._approval_reasons()
                    if reasons:
                        self._await_approval(reasons)
                        status = None
                        return
                    self._set_status(Status.APPLYING)
                else:
                    approver = self.run.approved_by
                    self.log.write(f"Approved by {approver}: applying the saved plans.")
                self._apply_all()
        except EngineCancelled:
            status, error = Status.CANCELLED, ""
            self.log.write("Run cancelled.", "warning")
        except Exception as exc:
            logger.info("run %s failed", self.run.pk, exc_info=True)
            status, error = Status.FAILED, self.log.masker.mask(str(exc) or type(exc).__name__)
            self.log.write(f"Run failed: {error}", "error")
            if self.run.kind not in (Run.Kind.PLAN, Run.Kind.DRIFT):
                Deployment.objects.filter(pk=self.deployment.pk).update(
                    status=Deployment.Status.FAILED
                )
        finally:
            self._stop.set()
            watcher.join()
            self.log.flush()
            if status is not None:
                if status == Status.SUCCEEDED:
                    self.log.write(f"Run succeeded in {self._elapsed()}.")
                    self.log.flush()
                lifecycle.finish(self.run, status, error)

    def _approval_reasons(self) -> list[str]:
        """Why the planned changes must wait for an approver; none when nothing changes."""
        if not RunStep.objects.filter(run=self.run, has_changes=True).exists():
            return []
        reasons = (
            ["the environment requires approval"] if self.environment.approval_required else []
        )
        for implementation in hook().plateau_approval_reasons.get_hookimpls():
            try:
                reasons.extend(implementation.function(run=self.run) or [])
            except Exception:
                logger.exception("approval check of plugin %s failed", implementation.plugin_name)
                reasons.append(f"the approval check of plugin {implementation.plugin_name} failed")
        return reasons

    def _await_approval(self, reasons: list[str]) -> None:
        self.log.write(f"Waiting for an approver: {'; '.join(reasons)}.")
        self.log.flush()
        Run.objects.filter(pk=self.run.pk, status=Status.PLANNING).update(
            status=Status.AWAITING_APPROVAL, worker_pid=None, worker_host=""
        )

    def _set_status(self, status: str) -> None:
        Run.objects.filter(pk=self.run.pk).exclude(status__in=Run.FINAL).update(status=status)

    def _elapsed(self) -> str:
        started = Run.objects.values_list("started", flat=True).get(pk=self.run.pk)
        seconds = (timezone.now() - started).total_seconds()
        return f"{seconds:.1f} s"

    # -- planning -------------------------------------------------------------------

    def _ordered_steps(self):
        steps = list(self.stack.steps)
        return list(reversed(steps)) if self.run.kind == Run.Kind.DESTROY else steps

    def _plan_all(self) -> None:
        outputs = self.deployment.step_outputs()
        for index, step in enumerate(self._ordered_steps()):
            self._raise_if_cancelled()
            self.log.step_index = index
            record = RunStep.objects.create(
                run=self.run, index=index, name=step.name, title=step.title, engine=step.engine
            )
            plan_only = step.plan_only_in(self.workspace.capabilities)
            if plan_only and self.run.kind == Run.Kind.DESTROY:
                needs = " and ".join(step.requires)
                self.log.write(f"Step {step.name}: never applied here (no {needs}).")
                record.status = RunStep.Status.PLAN_ONLY
                record.save(update_fields=["status"])
                continue
            try:
                inputs = self._inputs(step, outputs)
            except UnresolvedReference:
                self.log.write(
                    f"Step {step.name}: uses outputs of earlier steps that do not exist yet; "
                    "it is planned once they have applied."
                )
                record.status = RunStep.Status.DEFERRED
                record.save(update_fields=["status"])
                continue
            self.log.write(f"Step {step.name} ({step.engine}): planning")
            plan = self._plan_step(step, inputs)
            self._store_plan(record, plan, inputs)
            if plan_only:
                self._mark_plan_only(record, step)
        self.log.step_index = None

    def _mark_plan_only(self, record: RunStep, step) -> None:
        needs = " and ".join(step.requires)
        self.log.write(f"Step {step.name}: plan only, this environment has no {needs}.", "warning")
        record.status = RunStep.Status.PLAN_ONLY
        record.save(update_fields=["status"])

    def _inputs(self, step, outputs: dict) -> dict:
        context = {
            "deployment": {"name": self.deployment.name, "id": self.deployment.pk},
            "environment": {
                "name": self.environment.name,
                "provider": self.environment.provider,
                "region": self.environment.region,
            },
        }
        inputs = render_step_inputs(self.stack, step, self.values, outputs, context=context)
        if step.engine == "ansible":
            destroy = self.run.kind == Run.Kind.DESTROY
            inputs["plateau_action"] = "destroy" if destroy else "apply"
        return inputs

    def _context(self, step, inputs) -> StepContext:
        ctx = self.workspace.context(step, inputs)
        if step.engine == "helm":
            ctx.previous_manifest = self._previous_manifest(step.name)
        return ctx

    def _plan_step(self, step, inputs: dict) -> PlanResult:
        ctx = self._context(step, inputs)
        engine = self._engine(step.engine)
        destroy = self.run.kind == Run.Kind.DESTROY
        if destroy and step.engine == "ansible":
            # docs/stacks.md: destroy is the same playbook with plateau_action=destroy,
            # unless the step ships its own destroy playbook.
            destroy = (ctx.workdir / DESTROY_PLAYBOOK).is_file()
        plan = engine.plan(ctx, self._on_event, destroy=destroy)
        counts = ", ".join(f"{count} {what}" for what, count in plan.summary.items())
        self.log.write(
            f"Step {step.name}: {counts or 'no changes'}", "info", {"summary": plan.summary}
        )
        self.plans[step.name] = plan
        return plan

    def _store_plan(self, record: RunStep, plan: PlanResult, inputs: dict) -> None:
        artifact = plan.artifact.read_bytes() if plan.artifact else None
        record.status = RunStep.Status.PLANNED
        record.summary = plan.summary
        record.changes = plan.changes
        record.has_changes = plan.has_changes
        record.engine_destroy = plan.destroy
        record.fingerprint = plan.fingerprint
        record.inputs_digest = _digest(inputs)
        record.plan_file_name = plan.artifact.name if plan.artifact else ""
        record.plan_artifact_sealed = sealed.seal_bytes(artifact) if artifact else None
        record.plan_json = plan.plan_json
        record.manifests = plan.manifests or ""
        record.diff = self.log.masker.mask(plan.diff or "")
        record.save()
        self.summary[record.name] = plan.summary
        Run.objects.filter(pk=self.run.pk).update(summary=self.summary)

    def _previous_manifest(self, step_name: str) -> str | None:
        last = (
            RunStep.objects.filter(
                run__deployment=self.deployment,
                name=step_name,
                status=RunStep.Status.APPLIED,
                engine_destroy=False,
            )
            .exclude(run__kind=Run.Kind.DESTROY)
            .order_by("-run_id")
            .values_list("manifests", flat=True)
            .first()
        )
        return last or None

    # -- applying -------------------------------------------------------------------

    def _apply_all(self) -> None:
        destroy = self.run.kind == Run.Kind.DESTROY
        outputs = self.deployment.step_outputs()
        for record in RunStep.objects.filter(run=self.run).order_by("index"):
            self._raise_if_cancelled()
            if record.status == RunStep.Status.PLAN_ONLY:
                continue
            step = self.stack.step(record.name)
            self.log.step_index = record.index
            inputs = self._inputs(step, outputs)
            ctx = self._context(step, inputs)
            if record.status == RunStep.Status.DEFERRED or _digest(inputs) != record.inputs_digest:
                # Outputs of earlier steps, applied just now, are part of its inputs.
                self.log.write(f"Step {step.name} ({step.engine}): planning with earlier outputs")
                plan = self._plan_step(step, inputs)
                self._store_plan(record, plan, inputs)
                if step.plan_only_in(self.workspace.capabilities):
                    self._mark_plan_only(record, step)
                    continue
            else:
                plan = self.plans.get(step.name) or _restore_plan(record, ctx)
            self.log.write(f"Step {step.name} ({step.engine}): applying")
            try:
                result = self._engine(step.engine).apply(ctx, plan, self._on_event)
            except Exception:
                record.status = RunStep.Status.FAILED
                record.save(update_fields=["status"])
                raise
            self._add_secrets([str(result.outputs[name]) for name in result.sensitive_outputs])
            if destroy:
                outputs.pop(step.name, None)
            else:
                outputs[step.name] = result.outputs
            record.status = RunStep.Status.APPLIED
            record.outputs_sealed = sealed.seal(result.outputs)
            record.save(update_fields=["status", "outputs_sealed"])
            # Kept after every step: a later failure must not lose what exists now.
            Deployment.objects.filter(pk=self.deployment.pk).update(
                step_outputs_sealed=sealed.seal(outputs)
            )
        self.log.step_index = None
        self._record_deployment(outputs)

    def _record_deployment(self, outputs: dict) -> None:
        deployment = Deployment.objects.get(pk=self.deployment.pk)
        if self.run.kind == Run.Kind.DESTROY:
            deployment.status = Deployment.Status.DESTROYED
            deployment.outputs, deployment.outputs_sealed = {}, b""
            deployment.step_outputs_sealed = b""
        else:
            context = {
                "deployment": {"name": deployment.name, "id": deployment.pk},
                "environment": {"name": self.environment.name},
            }
            rendered = render_stack_outputs(self.stack, self.values, outputs, context=context)
            sensitive = {output.name for output in self.stack.outputs if output.sensitive}
            deployment.status = Deployment.Status.ACTIVE
            deployment.outputs = {k: v for k, v in rendered.items() if k not in sensitive}
            deployment.outputs_sealed = sealed.seal(
                {k: v for k, v in rendered.items() if k in sensitive}
            )
            deployment.values = self.run.values
            deployment.values_sealed = self.run.values_sealed
        deployment.save()

    # -- plumbing -------------------------------------------------------------------

    def _engine(self, name: str) -> Engine:
        self.engine = engine_for(name)
        recovery.mark_processes(self.engine, self.run)
        if self.cancelled.is_set():
            self.engine.cancel(0)
        return self.engine

    def _on_event(self, event: EngineEvent) -> None:
        self.log.write(event.line, event.level, event.payload)

    def _add_secrets(self, texts: list[str]) -> None:
        self.secrets += [text for text in texts if text]
        self.log.masker = Masker(self.secrets)

    def _raise_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise EngineCancelled("the run was cancelled")

    def _watch(self) -> None:
        """Flush the log, follow the cancel flag, beat the heart, until the run ends."""
        last_poll = last_beat = 0.0
        beat_every = recovery.heartbeat_interval()
        try:
            while not self._stop.wait(WATCH_SECONDS):
                self.log.flush_if_due()
                now = time.monotonic()
                if now - last_poll >= CANCEL_POLL_SECONDS and not self.cancelled.is_set():
                    last_poll = now
                    if Run.objects.filter(pk=self.run.pk, cancel_requested=True).exists():
                        self.cancelled.set()
                        self.log.write("Cancelling: interrupting the engine.", "warning")
                        if self.engine is not None:
                            self.engine.cancel()
                if now - last_beat >= beat_every:
                    last_beat = now
                    beating = Run.objects.filter(pk=self.run.pk).exclude(status__in=Run.FINAL)
                    if not beating.update(heartbeat=timezone.now()) and not self.cancelled.is_set():
                        # Marked lost (or ended) behind this worker's back: stop the engine.
                        self.cancelled.set()
                        if self.engine is not None:
                            self.engine.cancel()
        except Exception:
            logger.exception("the watcher of run %s failed", self.run.pk)
        finally:
            close_old_connections()
            connection.close()


def _restore_plan(record: RunStep, ctx: StepContext) -> PlanResult:
    """The saved plan of a step, back in a workspace rendered for the apply."""
    artifact = None
    if record.plan_artifact_sealed:
        artifact = ctx.private_dir / record.plan_file_name
        artifact.write_bytes(sealed.unseal_bytes(record.plan_artifact_sealed))
    return PlanResult(
        engine=record.engine,
        summary=record.summary,
        has_changes=record.has_changes,
        fingerprint=record.fingerprint,
        changes=record.changes,
        destroy=record.engine_destroy,
        artifact=artifact,
        plan_json=record.plan_json,
        manifests=record.manifests or None,
        diff=record.diff or None,
    )


def _digest(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
