"""Drift detection: a plan-only run (kind ``drift``) that tells whether the real
infrastructure still matches what the deployment last applied.

Each environment sets ``drift_check_hours`` (0 = off); the beat task
``queue_drift_checks`` queues a check for every active or drifted deployment whose last
check is older than that and that is not busy. A user may also ask for one at any time
(``services.check_drift``). When the plan finds changes the deployment becomes
``drifted`` and its page shows the changes of that run's steps; a check without changes
puts a drifted deployment back to ``active``. ``plateau_run_finished`` notifies either
way (the webhook).
"""

from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from portal.deployments import services
from portal.deployments.models import Deployment, Run, RunStep

CHECKED = Deployment.DRIFT_CHECKED
BUSY = [status for status in Run.Status.values if status not in Run.FINAL]


def due_deployments(now=None):
    now = now or timezone.now()
    candidates = (
        Deployment.objects.filter(status__in=CHECKED, environment__drift_check_hours__gt=0)
        .exclude(runs__status__in=BUSY)
        .select_related("environment")
        .annotate(last_check=Max("runs__created", filter=Q(runs__kind=Run.Kind.DRIFT)))
        .distinct()
    )
    for deployment in candidates:
        every = timedelta(hours=deployment.environment.drift_check_hours)
        if deployment.last_check is None or deployment.last_check <= now - every:
            yield deployment


def queue_due_checks() -> list[Run]:
    return [services.check_drift(deployment) for deployment in due_deployments()]


def record(run: Run) -> None:
    """After a drift check's plan: flag the deployment, or clear the flag."""
    drifted = bool(drifted_steps(run))
    status = Deployment.Status.DRIFTED if drifted else Deployment.Status.ACTIVE
    Deployment.objects.filter(pk=run.deployment_id, status__in=CHECKED).update(status=status)


def latest_check(deployment: Deployment) -> Run | None:
    return (
        deployment.runs.filter(kind=Run.Kind.DRIFT, status=Run.Status.SUCCEEDED)
        .order_by("-pk")
        .first()
    )


def drifted_steps(run: Run) -> list[RunStep]:
    """Steps whose plan differs from the infrastructure; a step the environment can only
    plan (it lacks a cluster or hosts) was never applied, so it is not drift."""
    steps = run.steps.filter(has_changes=True).exclude(status=RunStep.Status.PLAN_ONLY)
    found = list(steps.order_by("index"))
    for step in found:
        step.described_changes = [describe(change) for change in step.changes]
    return found


def describe(change: dict) -> str:
    """One line per planned change, whatever the engine: Terraform names resources and
    actions, Ansible tasks and hosts, Helm objects."""
    if "address" in change:
        return f"{change['address']}: {'/'.join(change.get('actions') or [])}"
    if "task" in change:
        return f"task {change.get('task')!r} on {change.get('host')}"
    if "kind" in change:
        return f"{change.get('kind')} {change.get('name')}: {change.get('action')}"
    return str(change)
