from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from portal.accounts import permissions as perms
from portal.core import generic
from portal.deployments import logs, services, state_views
from portal.deployments.forms import DeploymentForm
from portal.deployments.models import Deployment, Run
from portal.deployments.panels import panels_for, run_panels_for

DEPLOYMENTS = Deployment.objects.select_related(
    "environment__project__team", "stack_version__stack"
)
RUNS = Run.objects.select_related(
    "deployment__environment__project__team",
    "deployment__stack_version__stack",
    "requested_by",
    "approved_by",
    "rejected_by",
)


class DeploymentListView(generic.ObjectListView):
    model = Deployment
    queryset = DEPLOYMENTS
    columns = [
        ("name", "Name"),
        ("stack_version", "Stack"),
        ("environment", "Environment"),
        ("environment.project.team", "Team"),
        ("get_status_display", "Status"),
        ("updated", "Updated"),
    ]
    search_fields = ["name", "stack_version__stack__slug", "environment__project__name"]
    add_url_name = "deployments:deployment_add"


class DeploymentDetailView(generic.ObjectDetailView):
    model = Deployment
    queryset = DEPLOYMENTS
    template_name = "deployments/deployment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deployment, user = self.object, self.request.user
        stack = deployment.stack_version.load()
        secret_names = {p.name for p in stack.parameters if p.type == "secret"}
        shown_values = {**deployment.values, **dict.fromkeys(secret_names, "••••••")}
        context.update(
            values=sorted(shown_values.items()),
            outputs=_output_rows(stack, services.masked_outputs(deployment)),
            runs=deployment.runs.select_related("requested_by")[:50],
            can_reveal=perms.can(user, "reveal", deployment),
            has_sensitive=bool(deployment.outputs_sealed),
            panels=panels_for(deployment, user),
            drift_checked=Deployment.DRIFT_CHECKED,
        )
        return context


def _output_rows(stack, outputs: dict) -> list[tuple[str, str, object, bool]]:
    titles = {
        output.name: (output.title or output.name, output.sensitive) for output in stack.outputs
    }
    return [
        (name, titles.get(name, (name, False))[0], value, titles.get(name, (name, False))[1])
        for name, value in outputs.items()
    ]


class DeploymentAddView(LoginRequiredMixin, View):
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not perms.can(request.user, perms.ADD, Deployment):
            raise PermissionDenied(perms.describe_requirement(Deployment, perms.ADD))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {
            key: request.GET[key] for key in ("environment", "stack_version") if key in request.GET
        }
        return self.render(DeploymentForm(user=request.user, initial=initial))

    def post(self, request):
        form = DeploymentForm(request.POST, user=request.user)
        created = form.save() if form.is_valid() else None
        if created is None:
            return self.render(form, status=400)
        deployment, run = created
        messages.success(request, f"Deployment {deployment} created: run #{run.pk} is queued.")
        return redirect(run.get_absolute_url())

    def render(self, form, status=200):
        context = {"form": form, "title": "New deployment", "object": None}
        return render(self.request, self.template_name, context, status=status)


@login_required
@require_POST
def deployment_action(request, pk: int, kind: str):
    deployment = perms.get_for(request.user, DEPLOYMENTS, perms.VIEW, pk=pk)
    try:
        if kind == Run.Kind.DRIFT:
            run = services.check_drift(deployment, user=request.user)
        else:
            run = services.start_run(deployment, user=request.user, kind=kind)
    except services.RunConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(deployment.get_absolute_url())
    messages.success(request, f"{run.get_kind_display()} run #{run.pk} is queued.")
    return redirect(run.get_absolute_url())


@login_required
@require_POST
def reveal_outputs(request, pk: int):
    deployment = perms.get_for(request.user, DEPLOYMENTS, perms.VIEW, pk=pk)
    outputs = services.reveal_outputs(deployment, user=request.user)
    stack = deployment.stack_version.load()
    return render(
        request,
        "deployments/_outputs.html",
        {"outputs": _output_rows(stack, outputs), "revealed": True, "object": deployment},
    )


class RunDetailView(generic.ObjectDetailView):
    model = Run
    queryset = RUNS
    template_name = "deployments/run_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = logs.tail(self.object)
        context.update(_summary_context(self.request.user, self.object), lines=lines)
        context["last_seq"] = lines[-1].seq if lines else 0
        context["first_seq"] = lines[0].seq if lines else 0
        return context


def _summary_context(user, run: Run) -> dict:
    requester_ok = run.requested_by_id != user.pk or settings.PLATEAU_APPROVER_MAY_BE_REQUESTER
    lost = state_views.lost_run_context(user, run) if run.status == Run.Status.LOST else {}
    return {
        **lost,
        "run": run,
        "steps": run.steps.all(),
        "can_cancel": not run.is_final and perms.can(user, perms.CHANGE, run),
        "can_approve": run.status == Run.Status.AWAITING_APPROVAL
        and perms.can(user, "approve", run)
        and requester_ok,
        "panels": run_panels_for(run, user),
    }


@login_required
@require_GET
def run_log(request, pk: int):
    """New lines after the ``after`` cursor for the page's poller: 204 when nothing
    changed, and a poller without a trigger once the run has ended."""
    run = perms.get_for(request.user, RUNS, perms.VIEW, pk=pk)
    after = _cursor(request.GET.get("after"))
    lines = logs.lines_after(run, after)
    changed = request.GET.get("status") != run.status
    if not lines and not changed and not run.is_final:
        return HttpResponse(status=204)
    context = _summary_context(request.user, run)
    context.update(lines=lines, last_seq=lines[-1].seq if lines else after, oob=True)
    return render(request, "deployments/_log_update.html", context)


@login_required
@require_GET
def run_log_earlier(request, pk: int):
    run = perms.get_for(request.user, RUNS, perms.VIEW, pk=pk)
    lines = logs.lines_before(run, _cursor(request.GET.get("before")))
    context = {"run": run, "lines": lines, "first_seq": lines[0].seq if lines else 0}
    return render(request, "deployments/_log_earlier.html", context)


@login_required
@require_GET
def run_log_download(request, pk: int):
    run = perms.get_for(request.user, RUNS, perms.VIEW, pk=pk)
    response = StreamingHttpResponse(logs.as_text(run), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}.log"'
    return response


@login_required
@require_POST
def run_action(request, pk: int, action: str):
    run = perms.get_for(request.user, RUNS, perms.VIEW, pk=pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "approve":
            services.approve(run, user=request.user, comment=comment)
        elif action == "reject":
            services.reject(run, user=request.user, comment=comment)
        else:
            services.cancel(run, user=request.user)
    except services.InvalidRequest as invalid:
        messages.error(request, str(invalid))
    except services.RunConflict as conflict:
        messages.error(request, str(conflict))
    return redirect(run.get_absolute_url())


def _cursor(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
