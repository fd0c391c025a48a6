"""What a stack version would cost and emit with these values in this environment,
before anything is deployed: each step is read the way its engine would see it.

- Terraform: the step's inputs rendered as a preview (outputs of earlier steps are not
  known yet and stay unresolved), then the folder's HCL with them as variables.
- Helm: ``helm template`` of the chart with the rendered values (through the Helm
  engine's own plan), then the manifests' requests x replicas.
- Ansible: the environment's hosts (their ``vars`` may size them), counted once.

Usage-based components take the stack's usage hints (each step's ``usage``).
"""

import hashlib
import json
import tempfile

from django.core.cache import cache
from django.db.models import Count, Max

from iac.engines import EngineError, HelmEngine, StepContext
from iac.estimate import InputError, read_manifests, read_terraform_dir
from iac.estimate.resources import Project, Unresolved
from iac.stacks import render_step_inputs, resolve_values, validate_values
from portal.finops.estimates import estimate_projects
from portal.finops.inputs import hosts_project, stack_usage
from portal.finops.models import PriceBook, PriceBookOverride, PriceList
from portal.finops.price_books import location_of

CACHE_SECONDS = 600
TERRAFORM_ENGINES = ("terraform", "opentofu")


class StackEstimateError(Exception):
    """Why no estimate can be made, per field (``values.<name>``, ``step <name>``)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class PendingOutput(str):
    """An earlier step's output in a preview: text where it is interpolated, unknown to
    the Terraform reader where it is the whole value."""


def estimate_stack_version(version, values: dict, environment) -> dict:
    """``Estimate.to_dict()`` for ``version`` deployed with ``values`` into ``environment``;
    cached by version, values, environment and prices, so the deploy form can ask often."""
    check_estimable(version)
    key = _cache_key(version, values, environment)
    cached = cache.get(key)
    if cached is None:
        cached = _estimate(version, values, environment)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def check_estimable(version) -> None:
    if version.status != version.Status.VALID:
        raise StackEstimateError({"version": [f"{version} failed validation: it cannot run."]})


def _estimate(version, values: dict, environment) -> dict:
    stack = version.load()
    errors = validate_values(stack, values, environment.name)
    if errors:
        raise StackEstimateError({f"values.{name}": messages for name, messages in errors.items()})
    resolved = resolve_values(stack, values, environment.name)
    context = {
        "environment": {
            "name": environment.name,
            "provider": environment.provider,
            "region": environment.region,
        }
    }
    pending = {
        step.name: {output: PendingOutput(f"(output of step {step.name}: {output})")}
        for step in stack.steps
        for output in step.outputs
    }
    projects, hosts_counted = [], False
    for step in stack.steps:
        inputs = render_step_inputs(stack, step, resolved, pending, context=context, preview=True)
        if step.engine == "ansible":
            if hosts_counted:
                continue
            hosts_counted = True
        try:
            project = _read_step(version, stack, step, inputs, environment)
        except (InputError, EngineError) as error:
            # Paths inside the stack, not where the portal keeps its snapshot.
            message = str(error).replace(f"{version.files_path}/", "")
            raise StackEstimateError({f"step {step.name}": [message]}) from None
        if project is not None:
            project.metadata["path"] = step.path
            projects.append(project)
    result = estimate_projects(projects, environment=environment, usage=stack_usage(stack))
    return result.to_dict()


def _read_step(version, stack, step, inputs: dict, environment) -> Project | None:
    folder = version.files_path / step.path
    if step.engine in TERRAFORM_ENGINES:
        return read_terraform_dir(folder, _replace_pending(inputs, _unresolved), name=step.name)
    if step.engine == "helm":
        manifests = _helm_template(folder, stack.slug, _replace_pending(inputs, _yaml_safe))
        return read_manifests(
            manifests, source=step.name, location=location_of(environment), name=step.name
        )
    if step.engine == "ansible":
        return hosts_project(environment, step.name)
    return None  # a plugin's engine: nothing here knows what it creates


def _replace_pending(value, replacement):
    """Whole-value references to outputs not known yet, replaced (recursively)."""
    if isinstance(value, PendingOutput):
        return replacement(value)
    if isinstance(value, dict):
        return {key: _replace_pending(item, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_pending(item, replacement) for item in value]
    return value


def _unresolved(value: PendingOutput) -> Unresolved:
    # The Terraform reader reports what it cannot price with this expression.
    return Unresolved(str(value))


def _yaml_safe(value: PendingOutput) -> str:
    # Charts often write values unquoted: the preview text's ": " would break the YAML.
    return "pending"


def _helm_template(chart, release: str, values: dict) -> str:
    # The engine writes its values file into the work folder, never into the snapshot.
    with tempfile.TemporaryDirectory(prefix="plateau-estimate-") as workdir:
        ctx = StepContext(
            workdir=workdir, inputs=values, chart=str(chart), release=release, timeout=60
        )
        return HelmEngine().plan(ctx).manifests


def _cache_key(version, values: dict, environment) -> str:
    prices = (
        PriceBook.objects.aggregate(at=Max("updated"))["at"],
        PriceBookOverride.objects.filter(environment=environment).aggregate(at=Max("updated"))[
            "at"
        ],
        PriceList.objects.aggregate(at=Max("loaded"), count=Count("pk")),
    )
    material = json.dumps(
        [version.pk, values, environment.pk, environment.updated, prices],
        sort_keys=True,
        default=str,
    )
    return "finops:stack-estimate:" + hashlib.sha256(material.encode()).hexdigest()
