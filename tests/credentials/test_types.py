"""The built-in credential types: their checks and the write-only update rules."""

import pytest
from django.core.exceptions import ValidationError

from portal.credentials.types import credential_types, get_type, parse_variables
from tests.credentials.conftest import MATERIAL


def errors_of(kind, material, current=None):
    with pytest.raises(ValidationError) as raised:
        get_type(kind).update(current or {}, material)
    return raised.value.message_dict


def test_every_built_in_kind_is_registered_and_accepts_its_example():
    types = credential_types()
    assert set(types) >= {"aws", "env", "ssh", "kubeconfig", "postgresql", "rabbitmq", "git"}
    for kind, material in MATERIAL.items():
        assert types[kind].update({}, material)


@pytest.mark.parametrize(
    ("kind", "material", "field", "message"),
    [
        ("postgresql", {"host": "db", "user": "a"}, "password", "This field is required."),
        ("postgresql", {**MATERIAL["postgresql"], "port": "99999"}, "port", "port number"),
        ("postgresql", {**MATERIAL["postgresql"], "sslmode": "maybe"}, "sslmode", "verify-full"),
        ("postgresql", {**MATERIAL["postgresql"], "hots": "x"}, "hots", "Not a field of"),
        ("aws", {**MATERIAL["aws"], "access_key_id": "lower"}, "access_key_id", "16 to 128"),
        ("aws", {**MATERIAL["aws"], "region": "Paris"}, "region", "eu-west-3"),
        ("env", {"variables": {"lower_case": "x"}}, "variables", "^[A-Z_][A-Z0-9_]*$"),
        ("env", {"variables": {"1ST": "x"}}, "variables", "not a valid variable name"),
        ("env", {"variables": "NO_EQUALS_SIGN"}, "variables", "Line 1: write NAME=value"),
        ("ssh", {"username": "git", "private_key": "ssh-ed25519 AAAA"}, "private_key", "BEGIN"),
        ("kubeconfig", {"kubeconfig": "a: [b"}, "kubeconfig", "not valid YAML"),
        ("kubeconfig", {"kubeconfig": "kind: Config"}, "kubeconfig", "clusters"),
        ("rabbitmq", {**MATERIAL["rabbitmq"], "user": "two words"}, "user", "No spaces"),
        ("postgresql", {**MATERIAL["postgresql"], "password": 42}, "password", "text value"),
        ("git", {"username": "oauth2"}, "token", "an access token (HTTPS) or a private key"),
        ("git", {"username": "oauth2"}, "private_key", "an access token (HTTPS) or a private"),
        ("git", {"private_key": "not a key"}, "private_key", "BEGIN"),
        ("git", {"token": "t0ken", "username": "two words"}, "username", "No spaces"),
    ],
)
def test_bad_material_names_the_field_and_the_rule(kind, material, field, message):
    errors = errors_of(kind, material)
    assert message in " ".join(errors[field]), errors


def test_variables_come_as_lines_or_as_an_object():
    # Values are taken verbatim (a secret may end with a space); names are trimmed.
    assert parse_variables("A=1\n\n B =x=y \n") == {"A": "1", "B": "x=y "}
    assert parse_variables({"A": "1"}) == {"A": "1"}
    assert "given twice" in errors_of("env", {"variables": "A=1\nA=2"})["variables"][0]


def test_update_keeps_left_out_and_empty_secret_fields_and_clears_null_or_empty_others():
    postgresql = get_type("postgresql")
    current = postgresql.update({}, {**MATERIAL["postgresql"], "database": "app"})
    kept = postgresql.update(current, {"password": "", "host": "new-host"})
    assert kept["password"] == current["password"]
    assert kept["host"] == "new-host"
    assert "database" not in postgresql.update(current, {"database": ""})
    assert "port" not in postgresql.update(current, {"port": None})
    assert "password" in errors_of("postgresql", {"password": None}, current)


def test_secret_values_and_field_names():
    env = get_type("env")
    material = env.update({}, MATERIAL["env"])
    assert sorted(env.secret_values(material)) == sorted(MATERIAL["env"]["variables"].values())
    assert env.field_names(material) == ["variables.GITHUB_TOKEN", "variables.PLAIN_NAME"]
    aws = get_type("aws")
    assert aws.secret_values(aws.update({}, MATERIAL["aws"])) == [
        MATERIAL["aws"]["secret_access_key"]
    ]
