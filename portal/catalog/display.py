"""How catalog content reads on pages: READMEs as safe HTML, parameters as table rows,
step input previews, icons."""

import json
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.templatetags.static import static
from django.urls import reverse

from iac.stacks import Parameter, icon_content_type, render_step_inputs
from iac.stacks import Stack as StackDefinition

# Icon names stack authors use, drawn in static/icons/ (shipped: no icon font, no CDN);
# anything else shows the stack's initial.
ICONS = (
    "database",
    "queue",
    "server",
    "web",
    "layers",
    "network",
    "storage",
    "cluster",
    "lock",
)
SECRET_MASK = "(secret)"  # the placeholder iac.stacks' previews use too


def render_readme(text: str) -> str:
    """A README comes from a catalog repository, untrusted: Markdown, then nh3 keeps only
    harmless tags and attributes (no script, no event handlers, no javascript: links)."""
    html = markdown.markdown(text, extensions=["fenced_code", "tables"])
    return nh3.clean(html)


def icon_url(stack) -> str | None:
    """The stack's icon image: a file of its served version (the version is in the URL,
    so browsers may cache it for good), or a shipped icon for a known name. None means
    the stack shows its initial instead."""
    if icon_content_type(stack.icon):
        if not stack.latest_version_id:
            return None
        return reverse("catalog:stack_icon", args=[stack.slug, stack.latest_version_id])
    if stack.icon in ICONS:
        return static(f"icons/{stack.icon}.svg")
    return None


def initial(name: str) -> str:
    return name[:1].upper() or "?"


def shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class ParameterRow:
    name: str
    title: str
    type: str
    rules: list[str]
    default: str
    environment_defaults: list[tuple[str, str]]
    help: str


def type_label(parameter: Parameter) -> str:
    if parameter.type == "list" and parameter.item_type:
        return f"list of {parameter.item_type}"
    if parameter.type == "credential":
        return f"credential ({parameter.credential_kind})"
    return parameter.type


def rules_of(parameter: Parameter) -> list[str]:
    rules = []
    if parameter.required:
        rules.append("required")
    if parameter.immutable:
        rules.append("immutable after the first deploy")
    if parameter.generate_length:
        rules.append(f"generated ({parameter.generate_length} characters) when left empty")
    rules += [f"{rule}: {limit}" for rule, limit in parameter.rules.items()]
    if parameter.choices:
        rules.append("one of: " + ", ".join(shown(choice.value) for choice in parameter.choices))
    for name, accepted in parameter.visible_when.items():
        rules.append(f"shown when {name} is " + " or ".join(shown(value) for value in accepted))
    return rules


def _default_text(parameter: Parameter, value: Any) -> str:
    return SECRET_MASK if parameter.type == "secret" else shown(value)


def parameter_rows(stack: StackDefinition) -> list[ParameterRow]:
    return [
        ParameterRow(
            name=parameter.name,
            title=parameter.title,
            type=type_label(parameter),
            rules=rules_of(parameter),
            default=_default_text(parameter, parameter.default) if parameter.has_default else "",
            environment_defaults=[
                (environment, _default_text(parameter, value))
                for environment, value in parameter.defaults_by_environment.items()
            ],
            help=parameter.help,
        )
        for parameter in stack.parameters
    ]


def masked(stack: StackDefinition, values: dict) -> dict:
    """Values safe to show or return: secrets replaced by a placeholder."""
    return {
        name: SECRET_MASK
        if (parameter := stack.parameter(name)) and parameter.type == "secret"
        else value
        for name, value in values.items()
    }


def step_previews(stack: StackDefinition, resolved: dict, environment=None) -> dict[str, Any]:
    """What each step would receive with these resolved values: outputs of earlier steps
    and secrets show as placeholders."""
    context = {}
    if environment is not None:
        context["environment"] = {
            "name": environment.name,
            "provider": environment.provider,
            "region": environment.region,
        }
    return {
        step.name: render_step_inputs(stack, step, resolved, {}, context=context, preview=True)
        for step in stack.steps
    }
