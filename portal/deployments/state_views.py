"""Pages for a deployment's Terraform state: history, download, compare, rollback,
force-unlock; and what a lost run's page offers (see recovery.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from portal.accounts import permissions as perms
from portal.deployments import drift, recovery, state_history
from portal.deployments.models import Deployment, Run, StateVersion
from portal.deployments.panels import Panel
from portal.deployments.services import InvalidRequest

DEPLOYMENTS = Deployment.objects.select_related("environment__project__team")
VERSIONS = StateVersion.objects.select_related("deployment__environment__project__team")


@login_required
@require_GET
def state_history_page(request, pk: int):
    deployment = perms.get_for(request.user, DEPLOYMENTS, perms.VIEW, pk=pk)
    context = {
        "object": deployment,
        "versions": state_history.versions(deployment),
        "locks": state_history.locks(deployment),
        "can_download": perms.can(
            request.user, "download", StateVersion, deployment.owning_team_id
        ),
        "can_rollback": perms.can(
            request.user, "rollback", StateVersion, deployment.owning_team_id
        ),
        "can_unlock": perms.can(request.user, "unlock", StateVersion, deployment.owning_team_id),
    }
    return render(request, "deployments/state_history.html", context)


@login_required
@require_GET
def state_download(request, pk: int, version_id: int):
    version = perms.get_for(
        request.user, VERSIONS.filter(deployment_id=pk), "download", pk=version_id
    )
    body = state_history.download(version, user=request.user)
    response = HttpResponse(body, content_type="application/json")
    name = f"{version.deployment.name}-{version.step}-serial-{version.serial}.tfstate"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def state_compare(request, pk: int):
    deployment = perms.get_for(request.user, DEPLOYMENTS, perms.VIEW, pk=pk)
    versions = perms.scope(request.user, VERSIONS.filter(deployment=deployment))
    picked = [versions.filter(pk=_id(request.GET.get(key))).first() for key in ("a", "b")]
    errors = [
        f"{key}: pick a state version of this deployment"
        for key, v in zip("ab", picked, strict=True)
        if v is None
    ]
    older, newer = picked
    if not errors and older.step != newer.step:
        errors.append("b: compare two versions of the same step")
    if errors:
        messages.error(request, "; ".join(errors))
        return redirect("deployments:state_history", pk=deployment.pk)
    if older.pk > newer.pk:
        older, newer = newer, older
    context = {
        "object": deployment,
        "older": older,
        "newer": newer,
        "diff": state_history.compare(older, newer),
    }
    return render(request, "deployments/state_compare.html", context)


@login_required
@require_POST
def state_rollback(request, pk: int, version_id: int):
    version = perms.get_for(
        request.user, VERSIONS.filter(deployment_id=pk), perms.VIEW, pk=version_id
    )
    try:
        created = state_history.rollback(version, user=request.user)
    except state_history.StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(
            request,
            f"Step {created.step}: serial {created.serial} now holds the content of serial "
            f"{version.serial}. Plan to see what Terraform would change.",
        )
    return redirect("deployments:state_history", pk=pk)


@login_required
@require_POST
def state_unlock(request, pk: int):
    deployment = perms.get_for(request.user, DEPLOYMENTS, perms.VIEW, pk=pk)
    step = request.POST.get("step", "")
    try:
        state_history.force_unlock(
            deployment, step, user=request.user, reason=request.POST.get("reason", "")
        )
    except InvalidRequest as invalid:
        messages.error(request, str(invalid))
    except state_history.StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, f"The state lock of step {step} was removed.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = deployment.get_absolute_url()
    return redirect(target)


def lost_run_context(user, run: Run) -> dict:
    """What a lost run's page shows: the locks it left, and who may act on them."""
    team_id = run.owning_team_id
    return {
        "held_locks": list(recovery.held_locks(run)),
        "can_unlock": perms.can(user, "unlock", StateVersion, team_id),
        "can_replan": perms.can(user, perms.CHANGE, run.deployment),
    }


def panels(deployment: Deployment, user) -> list[Panel]:
    """The state and drift panels of a deployment's page."""
    found = []
    latest = {}
    for version in state_history.versions(deployment):
        latest.setdefault(version.step, version)
    locks = list(state_history.locks(deployment))
    if latest or locks:
        html = render_to_string(
            "deployments/_state_panel.html",
            {"object": deployment, "latest": list(latest.values()), "locks": locks},
        )
        found.append(Panel("Terraform state", html))
    check = drift.latest_check(deployment)
    if check is not None:
        html = render_to_string(
            "deployments/_drift_panel.html",
            {"object": deployment, "check": check, "steps": drift.drifted_steps(check)},
        )
        found.append(Panel("Drift", html))
    return found


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
