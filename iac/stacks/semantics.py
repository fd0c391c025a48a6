"""Consistency checks of a stack.yaml that the JSON Schema cannot express: names, rules
that fit their parameter's type, defaults that satisfy their own rules, and references
between parameters, steps and outputs."""

from collections.abc import Callable

import jsonschema

from iac.problems import Problem

from .icons import icon_content_type, icon_problem
from .model import Parameter, Stack
from .paths import outside_symlinks, step_path_problem
from .references import Reference, iter_references, parse_reference
from .schema import STACK_FILE
from .values import RULE_OF_KEYWORD, parameter_schema

Locate = Callable[[str], int | None]

# Which types each optional key applies to.
_APPLIES_TO = {
    "pattern": {"string", "secret", "list"},
    "min_length": {"string", "secret", "list"},
    "max_length": {"string", "secret", "list"},
    "min": {"integer", "number", "list"},
    "max": {"integer", "number", "list"},
    "min_items": {"list", "map"},
    "max_items": {"list", "map"},
}
_RANGES = (("min", "max"), ("min_length", "max_length"), ("min_items", "max_items"))


def semantic_problems(stack: Stack, folder_name: str, locate: Locate) -> list[Problem]:
    def problem(message: str, path: str, severity: str = "error") -> Problem:
        return Problem(message, STACK_FILE, locate(path), path or None, severity)

    problems = []
    if stack.slug != folder_name:
        problems.append(problem(f"slug {stack.slug!r} must equal the folder name", "slug"))
    for label, key, names in (
        ("parameter", "parameters", [p.name for p in stack.parameters]),
        ("step", "steps", [s.name for s in stack.steps]),
        ("output", "outputs", [o.name for o in stack.outputs]),
        ("section", "sections", [s.id for s in stack.sections]),
    ):
        field = "id" if key == "sections" else "name"
        seen = set()
        for index, name in enumerate(names):
            if name in seen:
                problems.append(problem(f"duplicate {label} {name!r}", f"{key}[{index}].{field}"))
            seen.add(name)
    for index, parameter in enumerate(stack.parameters):
        problems += [
            problem(message, f"parameters[{index}]{suffix}", severity)
            for suffix, message, severity in _parameter_problems(stack, parameter)
        ]
    problems += _reference_problems(stack, problem)
    problems += _file_problems(stack, problem)
    return problems


def _file_problems(stack: Stack, problem) -> list[Problem]:
    problems = [
        Problem(f"symlink points outside the stack folder (to {target})", relative)
        for relative, target in outside_symlinks(stack.root)
    ]
    for index, step in enumerate(stack.steps):
        reason = step_path_problem(stack.root, step.engine, step.path)
        if reason:
            problems.append(problem(reason, f"steps[{index}].path"))
    if icon_content_type(stack.icon):
        reason = icon_problem(stack.root, stack.icon)
        if reason:
            problems.append(problem(reason, "icon"))
    if stack.readme is None:
        problems.append(problem("no README.md: the stack page will be empty", "", "warning"))
    return problems


def _parameter_problems(stack: Stack, parameter: Parameter):
    """(key path suffix, message, severity) for one parameter."""
    kind = parameter.type
    sections = {s.id for s in stack.sections}
    if parameter.section and parameter.section not in sections:
        yield ".section", f"unknown section {parameter.section!r}", "error"
    for rule in parameter.rules:
        if kind not in _APPLIES_TO[rule]:
            yield f".{rule}", f"{rule!r} does not apply to a parameter of type {kind}", "error"
    if kind == "list" and parameter.item_type is None:
        yield "", "a list needs 'items' (string, integer or number)", "error"
    if parameter.item_type and kind != "list":
        yield ".items", f"'items' only applies to lists, not to type {kind}", "error"
    for key, owner, present in (
        ("choices", "choice", bool(parameter.choices)),
        ("credential", "credential", parameter.credential_kind is not None),
        ("generate", "secret", parameter.generate_length is not None),
    ):
        if present and kind != owner:
            yield f".{key}", f"{key!r} only applies to type {owner}, not {kind}", "error"
    for low, high in _RANGES:
        rules = parameter.rules
        if low in rules and high in rules and rules[low] > rules[high]:
            yield f".{low}", f"{low} ({rules[low]}) is above {high}", "error"
    for rule in parameter.error_messages:
        if rule in _APPLIES_TO and rule not in parameter.rules:
            yield (
                f".error_message.{rule}",
                f"message for rule {rule!r}, which is not set",
                "warning",
            )
    if kind == "secret" and (parameter.has_default or parameter.defaults_by_environment):
        yield (
            ".default",
            "a secret's default is readable by everyone who reads the stack",
            "warning",
        )
    yield from _default_problems(parameter)
    yield from _visibility_problems(stack, parameter)


def _default_problems(parameter: Parameter):
    """Each default must satisfy the parameter's own rules."""
    schema = parameter_schema(parameter)
    schema.pop("default", None)
    validator = jsonschema.Draft202012Validator(schema)
    candidates = [(".default", parameter.default)] if parameter.has_default else []
    candidates += [
        (f".defaults_by_environment.{env}", value)
        for env, value in parameter.defaults_by_environment.items()
    ]
    for suffix, value in candidates:
        if value is None:
            continue  # null means "no value" and is caught by `required` at deploy time
        for error in validator.iter_errors(value):
            message = (
                parameter.error_message(RULE_OF_KEYWORD.get(error.validator, error.validator))
                or error.message
            )
            yield suffix, f"default {value!r} breaks its own rule: {message}", "error"


def _visibility_problems(stack: Stack, parameter: Parameter):
    for name, accepted in parameter.visible_when.items():
        suffix = f".visible_when.{name}"
        target = stack.parameter(name)
        if name == parameter.name:
            yield suffix, "a parameter cannot depend on itself", "error"
        elif target is None:
            yield suffix, f"unknown parameter {name!r}", "error"
        elif target.choices and not any(a in [c.value for c in target.choices] for a in accepted):
            yield suffix, f"{name!r} can never take these values: never shown", "error"


def _reference_problems(stack: Stack, problem) -> list[Problem]:
    problems = []
    used_parameters: set[str] = set()
    positions = {step.name: index for index, step in enumerate(stack.steps)}

    def check(reference: Reference, path: str, before: int | None) -> None:
        if reference.kind == "parameter":
            used_parameters.add(reference.name)
            if stack.parameter(reference.name) is None:
                problems.append(problem(f"unknown parameter {reference.name!r}", path))
        elif reference.kind == "step_output":
            source = stack.step(reference.step)
            if source is None:
                problems.append(problem(f"unknown step {reference.step!r}", path))
            elif before is not None and positions[reference.step] >= before:
                problems.append(
                    problem(f"step {reference.step!r} does not run before this step", path)
                )
            elif reference.name not in source.outputs:
                declared = ", ".join(source.outputs) or "none"
                problems.append(
                    problem(
                        f"step {reference.step!r} has no output {reference.name!r} "
                        f"(declared: {declared})",
                        path,
                    )
                )

    locations = [(f"steps[{i}].inputs", step.inputs, i) for i, step in enumerate(stack.steps)] + [
        (f"outputs[{i}].value", output.value, None) for i, output in enumerate(stack.outputs)
    ]
    for base, value, before in locations:
        for inner, expression in iter_references(value):
            path = f"{base}.{inner}" if inner else base
            try:
                reference = parse_reference(expression)
            except ValueError as error:
                problems.append(problem(str(error), path))
                continue
            check(reference, path, before)
    for index, parameter in enumerate(stack.parameters):
        if parameter.name not in used_parameters and parameter.type != "credential":
            problems.append(
                problem(
                    f"parameter {parameter.name!r} is used by no step input or output",
                    f"parameters[{index}].name",
                    "warning",
                )
            )
    return problems
