"""Checks stack.yaml against stack.schema.json and turns jsonschema errors into Problems
that name the key path and its line."""

import json
from functools import cache
from pathlib import Path

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from iac.problems import Problem

from .yaml_lines import LocatedYaml, format_path, join_path

SCHEMA_PATH = Path(__file__).with_name("stack.schema.json")
STACK_FILE = "stack.yaml"


@cache
def stack_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        stack_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def schema_problems(document: LocatedYaml) -> list[Problem]:
    problems = []
    for error in sorted(
        _validator().iter_errors(document.data), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        problems.extend(_to_problems(error, document))
    return problems


def _to_problems(error: ValidationError, document: LocatedYaml) -> list[Problem]:
    path = format_path(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in allowed]
        return [
            Problem(
                f"unknown key {key!r} (allowed: {', '.join(allowed)})",
                STACK_FILE,
                document.line_of(join_path(path, key)),
                join_path(path, key),
            )
            for key in unknown
        ]
    if error.validator in ("oneOf", "anyOf") and error.context:
        # The alternatives' own errors say more than "is not valid under any of the given
        # schemas": keep one of the alternative whose type fits, at its own (deeper) path.
        fitting = [e for e in error.context if e.validator != "type"] or error.context
        return _to_problems(best_match(fitting), document)
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [
            Problem(
                f"missing required key {key!r}", STACK_FILE, document.line_of(path), path or None
            )
            for key in missing
        ]
    return [Problem(_message(error), STACK_FILE, document.line_of(path), path or None)]


def _message(error: ValidationError) -> str:
    if error.validator == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(expected)
        return f"must be of type {expected}, not {_json_type(error.instance)}"
    if error.validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "const":
        return f"must be {error.validator_value!r}"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match {error.validator_value}"
    return error.message


def _json_type(value) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    names |= {dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
