"""Form values: their JSON Schema, defaults, visibility and validation."""

import secrets
import string
from typing import Any

import jsonschema

from .model import Parameter, Stack

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SECRET_ALPHABET = string.ascii_letters + string.digits  # safe inside URLs and DSNs
_JSON_TYPE = {"string": "string", "integer": "integer", "number": "number"}
# jsonschema keyword -> the author's rule name, which messages name.
RULE_OF_KEYWORD = {
    "type": "type",
    "enum": "choices",
    "pattern": "pattern",
    "minimum": "min",
    "maximum": "max",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "minProperties": "min_items",
    "maxProperties": "max_items",
    "required": "required",
}


def _scalar_rules(parameter: Parameter, json_type: str) -> dict:
    rules = parameter.rules
    schema: dict[str, Any] = {"type": json_type}
    if json_type == "string":
        for rule, keyword in (
            ("pattern", "pattern"),
            ("min_length", "minLength"),
            ("max_length", "maxLength"),
        ):
            if rule in rules:
                schema[keyword] = rules[rule]
    else:
        for rule, keyword in (("min", "minimum"), ("max", "maximum")):
            if rule in rules:
                schema[keyword] = rules[rule]
    return schema


def parameter_schema(parameter: Parameter, environment: str | None = None) -> dict:
    """JSON Schema of one parameter's value."""
    kind = parameter.type
    rules = parameter.rules
    if kind in ("string", "secret", "integer", "number"):
        schema = _scalar_rules(parameter, _JSON_TYPE.get(kind, "string"))
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "choice":
        schema = {"enum": [choice.value for choice in parameter.choices]}
    elif kind == "list":
        schema = {"type": "array"}
        if parameter.item_type:
            schema["items"] = _scalar_rules(parameter, _JSON_TYPE[parameter.item_type])
        if "min_items" in rules:
            schema["minItems"] = rules["min_items"]
        if "max_items" in rules:
            schema["maxItems"] = rules["max_items"]
    elif kind == "map":
        schema = {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        }
        if "min_items" in rules:
            schema["minProperties"] = rules["min_items"]
        if "max_items" in rules:
            schema["maxProperties"] = rules["max_items"]
    else:  # credential: the name of a credential of that kind, bound to the environment
        schema = {
            "type": "string",
            "minLength": 1,
            "x-plateau-credential": parameter.credential_kind,
        }
    schema["title"] = parameter.title
    if parameter.help:
        schema["description"] = parameter.help
    has_default, default = parameter.default_for(environment)
    if has_default:
        schema["default"] = default
    if kind == "secret":
        schema["writeOnly"] = True
    if parameter.immutable:
        schema["x-plateau-immutable"] = True
    return schema


def _needs_value(parameter: Parameter) -> bool:
    # A generated secret is filled by Plateau, so the form may leave it empty.
    return parameter.required and not (parameter.type == "secret" and parameter.generate_length)


def parameters_json_schema(stack: Stack, environment: str | None = None) -> dict:
    """JSON Schema (draft 2020-12) of a set of values: conditional visibility becomes
    if/then, so a hidden parameter is never required."""
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": stack.name,
        "type": "object",
        "additionalProperties": False,
        "properties": {p.name: parameter_schema(p, environment) for p in stack.parameters},
    }
    required = [p.name for p in stack.parameters if _needs_value(p) and not p.visible_when]
    if required:
        schema["required"] = required
    conditional = [
        {
            "if": {
                "properties": {name: {"enum": list(vals)} for name, vals in p.visible_when.items()},
                "required": list(p.visible_when),
            },
            "then": {"required": [p.name]},
        }
        for p in stack.parameters
        if _needs_value(p) and p.visible_when
    ]
    if conditional:
        schema["allOf"] = conditional
    return schema


def visible_parameters(stack: Stack, values: dict) -> set[str]:
    """Names of the parameters shown for these values. A parameter whose condition names a
    hidden parameter is hidden too, whatever that parameter's value was."""
    visible = {p.name for p in stack.parameters}
    changed = True
    while changed:
        changed = False
        for parameter in stack.parameters:
            if parameter.name in visible and not all(
                name in visible and name in values and _matches(values[name], accepted)
                for name, accepted in parameter.visible_when.items()
            ):
                visible.discard(parameter.name)
                changed = True
    return visible


def _matches(value: Any, accepted: tuple) -> bool:
    # bool is an int in Python: keep true from matching 1, as JSON Schema's enum does.
    return any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in accepted)


def generate_secret(length: int) -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(length))


def _resolve(stack, values, environment, previous_values, generate: bool) -> dict:
    previous = previous_values or {}
    resolved = {}
    for parameter in stack.parameters:
        name = parameter.name
        has_default, default = parameter.default_for(environment)
        if values.get(name) not in (None, ""):  # an empty form field means "no value"
            resolved[name] = values[name]
        elif parameter.type == "secret" and previous.get(name) is not None:
            # Secrets are write-only in the form: an empty field keeps the current one.
            resolved[name] = previous[name]
        elif has_default:
            resolved[name] = default
        elif parameter.type == "secret" and parameter.generate_length and generate:
            resolved[name] = generate_secret(parameter.generate_length)
    visible = visible_parameters(stack, resolved)
    return {name: value for name, value in resolved.items() if name in visible}


def resolve_values(
    stack: Stack,
    values: dict,
    environment: str | None = None,
    previous_values: dict | None = None,
) -> dict:
    """Values with defaults filled (the environment's own default first), empty secrets
    kept from `previous_values` or generated, hidden parameters dropped, unknown keys
    dropped."""
    return _resolve(stack, values, environment, previous_values, generate=True)


def validate_values(
    stack: Stack,
    values: dict,
    environment: str | None = None,
    previous_values: dict | None = None,
) -> dict[str, list[str]]:
    """Errors per field, naming the broken rule, or the author's message where set. With
    `previous_values` (those of the last deploy), changes to immutable parameters are
    errors."""
    errors: dict[str, list[str]] = {}
    for name in values:
        if stack.parameter(name) is None:
            errors.setdefault(name, []).append("unknown parameter")
    known = {name: value for name, value in values.items() if stack.parameter(name) is not None}
    resolved = _resolve(stack, known, environment, previous_values, generate=False)
    validator = jsonschema.Draft202012Validator(parameters_json_schema(stack, environment))
    for error in validator.iter_errors(resolved):
        for field, message in _field_messages(stack, error):
            errors.setdefault(field, []).append(message)
    for parameter in stack.parameters:
        if parameter.immutable and previous_values and parameter.name in previous_values:
            was = previous_values[parameter.name]
            if parameter.name in resolved and resolved[parameter.name] != was:
                shown = "" if parameter.type == "secret" else f" (was {was!r})"
                errors.setdefault(parameter.name, []).append(
                    f"cannot change after the first deploy{shown} [immutable]"
                )
    return errors


def _field_messages(stack: Stack, error: jsonschema.ValidationError):
    if error.validator == "required":
        for name in error.validator_value:
            if name not in error.instance:
                yield name, _message(stack.parameter(name), "required", "a value is required")
        return
    if error.validator == "additionalProperties" or not error.path:
        return  # unknown keys were reported before; hidden values were dropped
    name, *rest = error.path
    parameter = stack.parameter(name)
    rule = RULE_OF_KEYWORD.get(error.validator, error.validator)
    where = "".join(f"item {part}: " if isinstance(part, int) else f"{part}: " for part in rest)
    yield name, where + _message(parameter, rule, _default_message(error, rule))


def _message(parameter: Parameter, rule: str, default: str) -> str:
    authored = parameter.error_message(rule)
    return authored if authored else f"{default} [{rule}]"


def _default_message(error: jsonschema.ValidationError, rule: str) -> str:
    limit = error.validator_value
    if rule == "choices":
        return "must be one of " + ", ".join(map(repr, limit))
    templates = {
        "type": "must be of type {}",
        "pattern": "must match {}",
        "min": "must be at least {}",
        "max": "must be at most {}",
        "min_length": "must be at least {} characters long",
        "max_length": "must be at most {} characters long",
        "min_items": "must have at least {} items",
        "max_items": "must have at most {} items",
    }
    return templates[rule].format(limit) if rule in templates else error.message
