"""The reference syntax of step inputs and stack outputs, and their rendering.

A string is either exactly one reference, `"{{ parameters.replicas }}"`, which keeps the
value's type (a number stays a number, a list a list), or text with references inside,
`"postgresql://{{ parameters.owner }}@db"`, which renders them as text. References:

    parameters.<name>                  a form value
    steps.<step>.outputs.<name>        an output of an earlier step
    deployment.<name|id>               the deployment being run
    environment.<name|provider|region> its environment
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import Stack, Step

CONTEXT_FIELDS = {"deployment": ("name", "id"), "environment": ("name", "provider", "region")}
REFERENCE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_-]*"
_PARAMETER = re.compile(rf"parameters\.({_IDENTIFIER})")
_STEP_OUTPUT = re.compile(rf"steps\.({_IDENTIFIER})\.outputs\.({_IDENTIFIER})")
_CONTEXT = re.compile(rf"(deployment|environment)\.({_IDENTIFIER})")


class UnresolvedReference(Exception):
    pass


@dataclass(frozen=True)
class Reference:
    kind: str  # "parameter", "step_output", "deployment" or "environment"
    name: str
    step: str | None = None

    def __str__(self) -> str:
        if self.kind == "parameter":
            return f"parameters.{self.name}"
        if self.kind == "step_output":
            return f"steps.{self.step}.outputs.{self.name}"
        return f"{self.kind}.{self.name}"


def parse_reference(expression: str) -> Reference:
    """Raises ValueError with a readable message for anything but the four forms."""
    if match := _PARAMETER.fullmatch(expression):
        return Reference("parameter", match[1])
    if match := _STEP_OUTPUT.fullmatch(expression):
        return Reference("step_output", match[2], match[1])
    if match := _CONTEXT.fullmatch(expression):
        if match[2] not in CONTEXT_FIELDS[match[1]]:
            fields = ", ".join(CONTEXT_FIELDS[match[1]])
            raise ValueError(f"unknown field {expression!r} (known: {fields})")
        return Reference(match[1], match[2])
    raise ValueError(
        f"bad reference {{{{ {expression} }}}}: use parameters.<name>, "
        "steps.<step>.outputs.<name>, deployment.<field> or environment.<field>"
    )


def iter_references(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, raw expression) for every reference inside a nested value."""
    if isinstance(value, str):
        for match in REFERENCE.finditer(value):
            yield path, match[1]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_references(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_references(item, f"{path}[{index}]")


class _Resolver:
    def __init__(self, stack, values, step_outputs, context, preview):
        self.stack = stack
        self.values = values
        self.step_outputs = step_outputs
        self.context = context or {}
        self.preview = preview

    def resolve(self, reference: Reference) -> Any:
        if reference.kind == "parameter":
            parameter = self.stack.parameter(reference.name)
            if parameter is None:
                raise UnresolvedReference(f"no parameter {reference.name!r}")
            if self.preview and parameter.type == "secret":
                return "(secret)"
            # A hidden parameter has no value: the step receives null and keeps its default.
            return self.values.get(reference.name)
        if reference.kind == "step_output":
            outputs = self.step_outputs.get(reference.step) or {}
            if reference.name in outputs:
                return outputs[reference.name]
            if self.preview:
                return f"(output of step {reference.step}: {reference.name})"
            raise UnresolvedReference(f"step {reference.step!r} gave no output {reference.name!r}")
        scope = self.context.get(reference.kind) or {}
        if reference.name in scope:
            return scope[reference.name]
        if self.preview:
            return f"({reference.kind} {reference.name})"
        raise UnresolvedReference(f"no value for {reference}")

    def render(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.render(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if not isinstance(value, str):
            return value
        whole = REFERENCE.fullmatch(value.strip())
        if whole:
            return self.resolve(parse_reference(whole[1]))
        return REFERENCE.sub(lambda m: _as_text(self.resolve(parse_reference(m[1]))), value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)  # true/false/null and lists as their JSON spelling


def render_step_inputs(
    stack: Stack,
    step: Step,
    values: dict,
    previous_outputs: dict[str, dict],
    *,
    context: dict[str, dict] | None = None,
    preview: bool = False,
) -> dict:
    """The inputs `step` receives: Terraform variables, Ansible extra vars or Helm values.

    `values` are resolved values (see values.resolve_values); `previous_outputs` maps step
    name -> that step's outputs; `context` gives {"deployment": {...}, "environment": {...}}.
    With `preview`, missing outputs and context render as placeholders such as
    "(output of step network: vpc_id)" and secrets as "(secret)"; otherwise they raise
    UnresolvedReference.
    """
    resolver = _Resolver(stack, values, previous_outputs, context, preview)
    return resolver.render(step.inputs)


def render_stack_outputs(
    stack: Stack,
    values: dict,
    step_outputs: dict[str, dict],
    *,
    context: dict[str, dict] | None = None,
) -> dict:
    """The stack's outputs once every step ran; missing step outputs render as null."""
    resolver = _Resolver(stack, values, step_outputs, context, preview=False)
    rendered = {}
    for output in stack.outputs:
        try:
            rendered[output.name] = resolver.render(output.value)
        except UnresolvedReference:
            rendered[output.name] = None
    return rendered
