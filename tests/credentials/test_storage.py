"""A copy of the database (a backup, a dump handed to support) holds no secret."""

import os
import shutil
import subprocess

import pytest
from django.db import connection
from django.urls import reverse

from portal.accounts.roles import Role
from tests.credentials.conftest import MATERIAL, SECRETS
from tests.factories import MembershipFactory, TeamFactory, UserFactory


def database_dump() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    if shutil.which("pg_dump"):
        command = ["pg_dump", "--data-only", "--dbname", settings["NAME"]]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings[key]:
                command += [flag, str(settings[key])]
        env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
        return subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return every_text_and_binary_value()


def every_text_and_binary_value() -> str:
    """Without pg_dump: every text and binary column of every table, read back."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        values.append(bytes(value).decode("latin-1"))
                    elif isinstance(value, str):
                        values.append(value)
    return "\n".join(values)


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_secret(client, api_client):
    team = TeamFactory(name="Payments")
    user = UserFactory()
    MembershipFactory(team=team, user=user, role=Role.PLATFORM_ENGINEER)
    client.force_login(user)
    for kind in ("postgresql", "ssh", "kubeconfig"):
        fields = {f"material-{key}": value for key, value in MATERIAL[kind].items()}
        form = {"team": team.pk, "name": kind, "kind": kind, **fields}
        assert client.post(reverse("credentials:credential_add"), form).status_code == 302
    api_client.force_authenticate(user)
    for kind in ("aws", "env", "rabbitmq"):
        response = api_client.post(
            "/api/v1/credentials/",
            {"team": team.pk, "name": kind, "kind": kind, "material": MATERIAL[kind]},
            format="json",
        )
        assert response.status_code == 201

    dump = database_dump()
    assert "credentials_credential" in dump  # the dump did include the table
    for secret in SECRETS:
        assert secret not in dump


@pytest.mark.django_db(transaction=True)
def test_the_generic_reader_sees_stored_values(team):
    # Proves the fallback can fail: it does read the columns the secrets would be in.
    assert "Payments" in every_text_and_binary_value()
