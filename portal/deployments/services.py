"""What people do with deployments and runs, for the pages, the API and other apps
(the catalog's deploy form calls ``create_deployment``). Every function checks the
user's permission, validates before changing anything, and writes an audit event."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from iac.stacks import resolve_values, validate_values
from portal.accounts import permissions as perms
from portal.audit import recorder
from portal.catalog.models import StackVersion
from portal.deployments import lifecycle, sealed
from portal.deployments.credentials import credential_errors
from portal.deployments.models import Deployment, Run, deployment_name_validator
from portal.projects.models import Environment

Status = Run.Status


class InvalidRequest(Exception):
    """Bad input: ``errors`` maps each field to its messages; nothing was changed."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


class RunConflict(Exception):
    """The request does not fit the run's or the deployment's current state."""


def create_deployment(
    *, user, environment: Environment, stack_version: StackVersion, name: str, values: dict
) -> tuple[Deployment, Run]:
    """A new deployment of ``stack_version`` in ``environment`` and its first run (plan,
    then apply once approved where the environment asks for it)."""
    if not perms.can(user, perms.ADD, Deployment, team_id=environment.owning_team_id):
        raise PermissionDenied(perms.describe_requirement(Deployment, perms.ADD))
    errors: dict[str, list[str]] = {}
    if stack_version.status != StackVersion.Status.VALID or stack_version.gone:
        errors["stack_version"] = [f"{stack_version} is not offered by the catalog"]
    try:
        deployment_name_validator(name)
    except ValidationError as error:
        errors["name"] = list(error.messages)
    else:
        if Deployment.objects.filter(environment=environment, name=name).exists():
            errors["name"] = [f"{environment} already has a deployment named {name!r}"]
    stack = stack_version.load() if "stack_version" not in errors else None
    if stack is not None:
        errors.update(_value_errors(stack, values, environment, previous=None))
    if errors:
        raise InvalidRequest(errors)
    resolved = resolve_values(stack, values, environment.name)
    plain, secret = split_values(stack, resolved)
    with transaction.atomic():
        deployment = Deployment.objects.create(
            environment=environment,
            stack_version=stack_version,
            name=name,
            values=plain,
            values_sealed=sealed.seal(secret) if secret else b"",
            created_by=user,
        )
        run = _queue(deployment, Run.Kind.APPLY, user, plain, secret)
    return deployment, run


def free_name(environment: Environment, base: str) -> str:
    """``base`` (a stack slug), or ``base-2``, ``base-3``...: the first name not yet used
    in ``environment``, for forms that do not ask for one."""
    base = base[:50]
    taken = set(
        Deployment.objects.filter(environment=environment, name__startswith=base).values_list(
            "name", flat=True
        )
    )
    number = 1
    name = base
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def update_deployment(deployment: Deployment, *, user, values: dict, kind=Run.Kind.APPLY) -> Run:
    """New values: a new plan (kind ``plan`` stops there), then apply."""
    _check(user, perms.CHANGE, deployment)
    stack = deployment.stack_version.load()
    previous = {**deployment.values, **deployment.secret_values()}
    errors = _value_errors(stack, values, deployment.environment, previous=previous)
    if errors:
        raise InvalidRequest(errors)
    resolved = resolve_values(stack, values, deployment.environment.name, previous)
    plain, secret = split_values(stack, resolved)
    with transaction.atomic():
        return _queue(deployment, kind, user, plain, secret)


def start_run(deployment: Deployment, *, user, kind: str) -> Run:
    """Plan, apply or destroy with the deployment's current values."""
    _check(user, perms.CHANGE, deployment)
    if kind not in (Run.Kind.PLAN, Run.Kind.APPLY, Run.Kind.DESTROY):
        raise InvalidRequest({"kind": ["must be plan, apply or destroy"]})
    if kind != Run.Kind.DESTROY and deployment.status == Deployment.Status.DESTROYED:
        raise RunConflict("this deployment is destroyed; deploy the stack again instead")
    with transaction.atomic():
        return _queue(deployment, kind, user, deployment.values, deployment.secret_values())


def check_drift(deployment: Deployment, *, user=None) -> Run:
    """A plan-only run that compares the infrastructure with what was applied, asked by
    ``user`` or, with no user, by beat's schedule."""
    if user is not None:
        _check(user, perms.CHANGE, deployment)
    if deployment.status not in Deployment.DRIFT_CHECKED:
        raise RunConflict(
            f"{deployment} is {deployment.get_status_display().lower()}: only an active or "
            "drifted deployment has infrastructure to compare"
        )
    with transaction.atomic():
        return _queue(
            deployment, Run.Kind.DRIFT, user, deployment.values, deployment.secret_values()
        )


def approve(run: Run, *, user, comment: str = "") -> Run:
    _check_approver(run, user)
    changed = Run.objects.filter(pk=run.pk, status=Status.AWAITING_APPROVAL).update(
        status=Status.APPLYING, approved_by=user, review_comment=comment
    )
    if not changed:
        raise RunConflict(f"run #{run.pk} is not waiting for approval")
    with transaction.atomic():
        recorder.record("approve", run, {"comment": comment})
        lifecycle.dispatch(run)
    run.refresh_from_db()
    return run


def reject(run: Run, *, user, comment: str = "") -> Run:
    _check_approver(run, user)
    if not comment.strip():
        raise InvalidRequest({"comment": ["say why the run is rejected"]})
    Run.objects.filter(pk=run.pk, status=Status.AWAITING_APPROVAL).update(
        rejected_by=user, review_comment=comment
    )
    if not lifecycle.finish(run, Status.REJECTED, expected=(Status.AWAITING_APPROVAL,)):
        raise RunConflict(f"run #{run.pk} is not waiting for approval")
    recorder.record("reject", run, {"comment": comment})
    run.refresh_from_db()
    return run


def cancel(run: Run, *, user) -> Run:
    """A queued or waiting run ends at once; a running one is interrupted by its worker."""
    _check(user, perms.CHANGE, run)
    if run.is_final:
        raise RunConflict(f"run #{run.pk} has already ended ({run.get_status_display()})")
    ended = lifecycle.finish(
        run, Status.CANCELLED, expected=(Status.QUEUED, Status.AWAITING_APPROVAL)
    )
    if not ended:
        Run.objects.filter(pk=run.pk).exclude(status__in=Run.FINAL).update(cancel_requested=True)
    recorder.record("cancel", run)
    run.refresh_from_db()
    return run


def reveal_outputs(deployment: Deployment, *, user) -> dict:
    """Every output, sensitive ones included; the reveal is audited."""
    _check(user, "reveal", deployment)
    sensitive = deployment.sensitive_outputs()
    recorder.record("reveal", deployment, {"outputs": sorted(sensitive)})
    return {**deployment.outputs, **sensitive}


def masked_outputs(deployment: Deployment) -> dict:
    return {**deployment.outputs, **dict.fromkeys(deployment.sensitive_outputs(), None)}


def split_values(stack, values: dict) -> tuple[dict, dict]:
    """(plain values, secret values): secrets are only ever stored sealed."""
    secret_names = {p.name for p in stack.parameters if p.type == "secret"}
    plain = {k: v for k, v in values.items() if k not in secret_names}
    secret = {k: v for k, v in values.items() if k in secret_names}
    return plain, secret


def _value_errors(stack, values, environment, previous) -> dict[str, list[str]]:
    if not isinstance(values, dict):
        return {"values": ["must be an object of parameter names to values"]}
    errors = validate_values(stack, values, environment.name, previous)
    resolved = resolve_values(stack, values, environment.name, previous)
    for field, messages in credential_errors(stack, resolved, environment).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def _queue(deployment: Deployment, kind: str, user, plain: dict, secret: dict) -> Run:
    # Two requests at the same moment: the row lock makes the second see the first's run.
    Deployment.objects.select_for_update().filter(pk=deployment.pk).first()
    busy = deployment.runs.exclude(status__in=Run.FINAL).exists()
    if busy and not settings.PLATEAU_RUNS_QUEUE_WHEN_BUSY:
        raise RunConflict(f"{deployment} already has a run going; try again when it ends")
    run = Run.objects.create(
        deployment=deployment,
        kind=kind,
        requested_by=user,
        values=plain,
        values_sealed=sealed.seal(secret) if secret else b"",
    )
    recorder.record(kind, run, {"values": plain, "secret_values": sorted(secret)})
    lifecycle.dispatch(run)
    return run


def _check(user, action: str, obj) -> None:
    if not perms.can(user, action, obj):
        raise PermissionDenied(perms.describe_requirement(obj, action))


def _check_approver(run: Run, user) -> None:
    _check(user, "approve", run)
    if run.requested_by_id == user.pk and not settings.PLATEAU_APPROVER_MAY_BE_REQUESTER:
        raise PermissionDenied("The person who requested a run may not approve or reject it.")
