"""What a run gets: environment variables and private files per type, and cleanup."""

import base64
import stat
from urllib.parse import quote

import pytest

from portal.credentials.runtime import CredentialConflictError, credentials_for, materialize
from tests.credentials.conftest import (
    AWS_SECRET,
    ENV_TOKEN,
    GIT_SSH_KEY,
    GIT_SSH_KEY_LINE,
    GIT_TOKEN,
    KUBE_TOKEN,
    KUBECONFIG,
    MATERIAL,
    PG_HOST,
    PG_PASSWORD,
    RABBIT_PASSWORD,
    SSH_KEY,
    SSH_KEY_LINE,
)
from tests.factories import CredentialFactory, EnvironmentFactory, ProjectFactory


@pytest.fixture
def every_kind(team):
    return [
        CredentialFactory(team=team, name=kind, kind=kind, material=material)
        for kind, material in MATERIAL.items()
    ]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_materialize_exposes_each_type_and_writes_private_files(every_kind, tmp_path):
    secrets = materialize(every_kind, tmp_path)
    env = secrets.env
    assert {key: env[key] for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")} == {
        "PGHOST": PG_HOST,
        "PGPORT": "5433",
        "PGUSER": "admin",
        "PGPASSWORD": PG_PASSWORD,
    }
    assert "PGSSLMODE" not in env and "PGDATABASE" not in env  # optional and not set
    assert env["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"
    assert env["AWS_SECRET_ACCESS_KEY"] == AWS_SECRET
    assert env["AWS_DEFAULT_REGION"] == "eu-west-3"
    assert "AWS_SESSION_TOKEN" not in env
    assert env["GITHUB_TOKEN"] == ENV_TOKEN
    assert env["PLATEAU_SSH_USER"] == "deploy"
    assert env["RABBITMQ_URL"] == (
        f"amqp://admin:{quote(RABBIT_PASSWORD, safe='')}@mq.internal:5672/%2F"
    )
    assert (env["RABBITMQ_HOST"], env["RABBITMQ_PORT"], env["RABBITMQ_NODE"]) == (
        "mq.internal",
        "5672",
        "rabbit@mq1",
    )
    assert env["RABBITMQ_PASSWORD"] == RABBIT_PASSWORD

    key_file = tmp_path / ".plateau" / "credentials" / f"{every_kind[2].pk}-id_ssh"
    assert env["PLATEAU_SSH_PRIVATE_KEY_FILE"] == str(key_file)
    assert key_file.read_text() == SSH_KEY
    kubeconfig = tmp_path.joinpath(env["KUBECONFIG"])
    assert kubeconfig.read_text() == KUBECONFIG
    # git: the token as a basic-auth header in git's config variables, the key in a file.
    git_key = key_file.parent / f"{every_kind[6].pk}-id_git"
    assert git_key.read_text() == GIT_SSH_KEY
    assert env["GIT_SSH_COMMAND"].endswith(f"-o IdentitiesOnly=yes -i {git_key}")
    assert (env["GIT_CONFIG_COUNT"], env["GIT_CONFIG_KEY_0"]) == ("1", "http.extraHeader")
    basic = base64.b64encode(f"oauth2:{GIT_TOKEN}".encode()).decode()
    assert env["GIT_CONFIG_VALUE_0"] == f"Authorization: Basic {basic}"
    assert sorted(secrets.files) == sorted([key_file, kubeconfig, git_key])
    assert mode(key_file.parent) == 0o700
    assert all(mode(path) == 0o600 for path in secrets.files)

    for value in (PG_PASSWORD, AWS_SECRET, ENV_TOKEN, KUBE_TOKEN, RABBIT_PASSWORD, SSH_KEY_LINE):
        assert value in secrets.secrets
    assert GIT_TOKEN in secrets.secrets and GIT_SSH_KEY_LINE in secrets.secrets
    assert PG_HOST not in secrets.secrets  # not secret: masking it would only hurt logs

    secrets.cleanup()
    assert not key_file.exists() and not kubeconfig.exists() and not git_key.exists()
    assert not key_file.parent.exists()
    secrets.cleanup()  # idempotent


def test_two_credentials_setting_one_variable_are_refused_and_leave_no_file(team, tmp_path):
    first = CredentialFactory(team=team, kind="kubeconfig", material=MATERIAL["kubeconfig"])
    second = CredentialFactory(team=team, kind="kubeconfig", material=MATERIAL["kubeconfig"])
    with pytest.raises(CredentialConflictError, match="both set KUBECONFIG"):
        materialize([first, second], tmp_path)
    assert not (tmp_path / ".plateau" / "credentials").exists()


def test_the_same_credential_twice_is_materialized_once(credential, tmp_path):
    assert materialize([credential, credential], tmp_path).env["PGPASSWORD"] == PG_PASSWORD


def test_credentials_for_lists_bound_credentials_of_the_team_by_name(team, credential):
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    other_kind = CredentialFactory(team=team, name="aws-keys", kind="aws", material=MATERIAL["aws"])
    CredentialFactory(team=team, name="unbound")
    # Bound behind the forms' back: another team's credential never reaches the run.
    CredentialFactory(name="foreign").environments.add(environment)
    credential.environments.add(environment)
    other_kind.environments.add(environment)
    assert list(credentials_for(environment)) == [other_kind, credential]
    assert list(credentials_for(environment, "postgresql")) == [credential]
    assert list(credentials_for(EnvironmentFactory(project=environment.project))) == []
