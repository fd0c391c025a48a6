"""Form values: JSON Schema, defaults per environment, visibility, rules, immutability."""

import textwrap

import jsonschema
import pytest

from iac.stacks import (
    load_stack,
    parameters_json_schema,
    resolve_values,
    validate_values,
    visible_parameters,
)

FORM = """\
stack_format: 1
name: Form
slug: demo
description: Every parameter type.
parameters:
  - name: name
    type: string
    required: true
    pattern: "^[a-z]+$"
    min_length: 3
    max_length: 10
    error_message: {pattern: Lowercase letters only.}
    immutable: true
  - name: replicas
    type: integer
    default: 1
    defaults_by_environment: {prod: 3}
    min: 1
    max: 5
  - name: ratio
    type: number
    default: 0.5
    min: 0
    max: 1
    error_message: Between 0 and 1.
  - name: public
    type: boolean
    default: false
  - name: hostname
    type: string
    required: true
    visible_when: {public: true}
  - name: tls
    type: choice
    choices: [none, letsencrypt]
    default: letsencrypt
    visible_when: {public: true}
  - name: email
    type: string
    required: true
    visible_when: {tls: letsencrypt}
  - name: tags
    type: list
    items: string
    default: []
    max_items: 2
    pattern: "^[a-z]+$"
  - name: labels
    type: map
    default: {}
    max_items: 1
  - name: password
    type: secret
    required: true
    generate: {length: 24}
  - name: api_key
    type: secret
  - name: database
    type: credential
    credential: {kind: postgresql}
    required: true
steps:
  - name: main
    engine: terraform
    path: tf
"""


@pytest.fixture
def stack(make_stack):
    stack, problems = load_stack(make_stack(FORM))
    assert [p for p in problems if p.severity == "error"] == []
    return stack


VALID = {"name": "shop", "database": "pg-main"}


def test_json_schema_is_draft_2020_12_and_describes_each_type(stack):
    schema = parameters_json_schema(stack)
    jsonschema.Draft202012Validator.check_schema(schema)
    properties = schema["properties"]
    assert properties["name"] == {
        "type": "string",
        "pattern": "^[a-z]+$",
        "minLength": 3,
        "maxLength": 10,
        "title": "Name",
        "x-plateau-immutable": True,
    }
    assert properties["replicas"]["default"] == 1
    assert properties["tls"]["enum"] == ["none", "letsencrypt"]
    assert properties["tags"]["items"] == {"type": "string", "pattern": "^[a-z]+$"}
    assert properties["labels"]["maxProperties"] == 1
    assert properties["password"]["writeOnly"] is True
    assert properties["database"]["x-plateau-credential"] == "postgresql"
    # Conditionally visible parameters are required only through if/then.
    assert schema["required"] == ["name", "database"]
    assert {
        "if": {"properties": {"public": {"enum": [True]}}, "required": ["public"]},
        "then": {"required": ["hostname"]},
    } in schema["allOf"]


def test_environment_default_in_schema_and_resolution(stack):
    assert parameters_json_schema(stack, "prod")["properties"]["replicas"]["default"] == 3
    assert resolve_values(stack, VALID, "prod")["replicas"] == 3
    assert resolve_values(stack, VALID, "dev")["replicas"] == 1
    assert resolve_values(stack, VALID | {"replicas": 2}, "prod")["replicas"] == 2


def test_valid_values(stack):
    assert validate_values(stack, VALID) == {}
    public = VALID | {"public": True, "hostname": "shop.example.com", "email": "a@b.c"}
    assert validate_values(stack, public) == {}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "Shop"}, "name", "Lowercase letters only."),
        ({"name": "ab"}, "name", "must be at least 3 characters long [min_length]"),
        ({"name": "abcdefghijk"}, "name", "must be at most 10 characters long [max_length]"),
        ({"name": 3}, "name", "must be of type string [type]"),
        ({"replicas": 0}, "replicas", "must be at least 1 [min]"),
        ({"replicas": 6}, "replicas", "must be at most 5 [max]"),
        ({"replicas": 1.5}, "replicas", "must be of type integer [type]"),
        ({"ratio": 2}, "ratio", "Between 0 and 1."),
        ({"public": "yes"}, "public", "must be of type boolean [type]"),
        ({"tags": ["a", "b", "c"]}, "tags", "must have at most 2 items [max_items]"),
        ({"tags": ["a", "B"]}, "tags", "item 1: must match ^[a-z]+$ [pattern]"),
        ({"labels": {"a": "1", "b": "2"}}, "labels", "must have at most 1 items [max_items]"),
        ({"database": ""}, "database", "a value is required [required]"),
        ({"colour": "red"}, "colour", "unknown parameter"),
    ],
)
def test_each_rule_is_named(stack, values, field, message):
    assert validate_values(stack, VALID | values) == {field: [message]}


def test_missing_required_and_choice(stack):
    errors = validate_values(stack, {"database": "pg", "public": True, "tls": "maybe"})
    assert errors == {
        "name": ["a value is required [required]"],
        "hostname": ["a value is required [required]"],
        "tls": ["must be one of 'none', 'letsencrypt' [choices]"],
    }


def test_conditional_visibility_is_transitive(stack):
    # email shows when tls is letsencrypt, and tls only when public: hidden with it.
    assert "email" not in visible_parameters(stack, {"public": False, "tls": "letsencrypt"})
    assert "email" in visible_parameters(stack, {"public": True, "tls": "letsencrypt"})
    errors = validate_values(stack, VALID | {"public": True, "hostname": "h.example.com"})
    assert errors == {"email": ["a value is required [required]"]}


def test_hidden_values_are_dropped_not_checked(stack):
    values = VALID | {"public": False, "hostname": 42}
    assert validate_values(stack, values) == {}
    assert "hostname" not in resolve_values(stack, values)


def test_visibility_does_not_confuse_true_and_one(make_stack):
    stack, _ = load_stack(
        make_stack(
            textwrap.dedent("""\
        stack_format: 1
        name: X
        slug: demo
        description: X
        parameters:
          - {name: level, type: integer, default: 1}
          - {name: extra, type: string, visible_when: {level: true}}
        steps: [{name: main, engine: terraform, path: tf}]
    """)
        )
    )
    assert "extra" not in visible_parameters(stack, {"level": 1})


def test_secrets_generated_then_kept(stack):
    first = resolve_values(stack, VALID)
    assert len(first["password"]) == 24 and first["password"].isalnum()
    assert "api_key" not in first
    again = resolve_values(stack, VALID | {"password": ""}, previous_values=first)
    assert again["password"] == first["password"]
    assert validate_values(stack, VALID) == {}  # a generated secret is never "missing"


def test_immutable_parameters(stack):
    previous = resolve_values(stack, VALID)
    assert validate_values(stack, VALID, previous_values=previous) == {}
    errors = validate_values(stack, VALID | {"name": "other"}, previous_values=previous)
    assert errors == {"name": ["cannot change after the first deploy (was 'shop') [immutable]"]}
    # Before the first deploy there is nothing to compare with.
    assert validate_values(stack, VALID | {"name": "other"}) == {}
