"""The built-in credential types: AWS keys, environment variables, SSH private key,
kubeconfig, PostgreSQL and RabbitMQ connections, git repository access.

Each maps its fields onto what the tools read: the AWS SDK and provider variables,
libpq's PG* variables (the curated postgres-database stack relies on exactly these),
files for SSH and Kubernetes, git's own configuration variables for private
repositories (catalog sources, and Terraform modules fetched over git).
"""

import re
from urllib.parse import quote

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from iac.stacks import GitCredential
from portal.credentials.types import CHOICE, TEXTAREA, VARIABLES, CredentialField, CredentialType
from portal.hookspecs import hookimpl

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
HOST_KEY_TYPE = re.compile(r"^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)$")
GIT_TOKEN_USER = GitCredential.username  # the default: GitHub's and Gitea's convention

no_spaces = RegexValidator(r"^\S+$", "No spaces allowed.")
host_name = RegexValidator(
    r"^[A-Za-z0-9_.:\[\]-]+$",
    "Use a host name or an IP address (letters, digits, dots, hyphens, colons).",
)
aws_key_id = RegexValidator(
    r"^[A-Z0-9]{16,128}$", "An access key ID is 16 to 128 capital letters and digits."
)
aws_region = RegexValidator(r"^[a-z]{2}(-[a-z]+)+-\d+$", "Use a region code such as eu-west-3.")


def port_number(value: str) -> None:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValidationError("Use a port number from 1 to 65535.")


def variable_names(variables: dict) -> None:
    if not variables:
        raise ValidationError("Give at least one NAME=value line.")
    for name in variables:
        if not ENV_NAME.match(name):
            raise ValidationError(
                f"{name!r} is not a valid variable name: use capital letters, digits and "
                "underscores, not starting with a digit (^[A-Z_][A-Z0-9_]*$)."
            )


def private_key(value: str) -> None:
    text = value.strip()
    if not (
        re.match(r"^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n", text)
        and re.search(r"\n-----END [A-Z0-9 ]*PRIVATE KEY-----$", text)
    ):
        raise ValidationError(
            "Paste the whole private key, from -----BEGIN ... PRIVATE KEY----- "
            "to -----END ... PRIVATE KEY-----."
        )


def _kubeconfig(value: str) -> dict:
    try:
        document = yaml.safe_load(value)
    except yaml.YAMLError:
        raise ValidationError("This is not valid YAML.") from None
    if not isinstance(document, dict) or not document.get("clusters"):
        raise ValidationError("A kubeconfig is a YAML document with clusters, users, contexts.")
    return document


def kubeconfig(value: str) -> None:
    _kubeconfig(value)


# The parts of a kubeconfig that grant access, wherever they sit in the document.
_KUBECONFIG_SECRET_KEYS = {
    "token",
    "password",
    "client-key-data",
    "id-token",
    "refresh-token",
    "client-secret",
}


def kubeconfig_secrets(material) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _KUBECONFIG_SECRET_KEYS and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_kubeconfig(material["kubeconfig"]))
    return found


def ssh_key_secrets(material) -> list[str]:
    """The key itself, and each line of its body: tools print keys line by line."""
    key = material["private_key"]
    body = [line for line in key.strip().splitlines() if not line.startswith("-----")]
    return [key, *body]


def token_or_key(material) -> None:
    if not material.get("token") and not material.get("private_key"):
        raise ValidationError(
            {
                "token": "Give an access token (HTTPS) or a private key (SSH).",
                "private_key": "Give an access token (HTTPS) or a private key (SSH).",
            }
        )


def known_hosts(value: str) -> None:
    for number, line in enumerate(value.splitlines(), start=1):
        parts = line.split()
        if (
            parts
            and not parts[0].startswith("#")
            and not (len(parts) >= 3 and HOST_KEY_TYPE.match(parts[1]))
        ):
            raise ValidationError(
                f"Line {number}: write host, key type and key, as ssh-keyscan prints them "
                "(e.g. git.example.com ssh-ed25519 AAAA...)."
            )


def git_environment(material, write_file) -> dict[str, str]:
    key, hosts = material.get("private_key"), material.get("known_hosts")
    return GitCredential(
        token=material.get("token"),
        username=material.get("username") or GIT_TOKEN_USER,
        ssh_key_path=write_file("id_git", _document(key)) if key else None,
        known_hosts_path=write_file("known_hosts", _document(hosts)) if hosts else None,
    ).environment()


def git_secrets(material) -> list[str]:
    key = material.get("private_key")
    return [material.get("token"), *(ssh_key_secrets({"private_key": key}) if key else [])]


def _document(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"  # ssh refuses a key without one


def _present(pairs: dict) -> dict[str, str]:
    return {name: value for name, value in pairs.items() if value}


AWS = CredentialType(
    kind="aws",
    label="AWS access keys",
    description="An access key pair; Terraform's AWS provider and the AWS CLI read it.",
    fields=(
        CredentialField("access_key_id", "Access key ID", validators=(aws_key_id,)),
        CredentialField("secret_access_key", "Secret access key", secret=True),
        CredentialField(
            "session_token",
            "Session token",
            secret=True,
            required=False,
            help="Only for temporary credentials.",
        ),
        CredentialField(
            "region",
            "Default region",
            required=False,
            help="e.g. eu-west-3; the environment's region usually decides.",
            validators=(aws_region,),
        ),
    ),
    to_run=lambda material, write_file: _present(
        {
            "AWS_ACCESS_KEY_ID": material["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": material["secret_access_key"],
            "AWS_SESSION_TOKEN": material.get("session_token"),
            "AWS_DEFAULT_REGION": material.get("region"),
        }
    ),
)

ENVIRONMENT_VARIABLES = CredentialType(
    kind="env",
    label="Environment variables",
    description="Any secret the tools read from the environment (API tokens, passwords).",
    fields=(
        CredentialField(
            "variables",
            "Variables",
            secret=True,
            widget=VARIABLES,
            help="One NAME=value per line; names in capitals, digits and underscores; "
            "values are taken verbatim.",
            validators=(variable_names,),
        ),
    ),
    to_run=lambda material, write_file: dict(material["variables"]),
)

SSH_KEY = CredentialType(
    kind="ssh",
    label="SSH private key",
    description="Ansible connects to the environment's hosts with it.",
    fields=(
        CredentialField("username", "User name", validators=(no_spaces,)),
        CredentialField(
            "private_key",
            "Private key",
            secret=True,
            widget=TEXTAREA,
            help="PEM or OpenSSH format, without a passphrase.",
            validators=(private_key,),
        ),
    ),
    to_run=lambda material, write_file: {
        "PLATEAU_SSH_PRIVATE_KEY_FILE": str(
            write_file("id_ssh", _document(material["private_key"]))
        ),
        "PLATEAU_SSH_USER": material["username"],
    },
    secrets_of=ssh_key_secrets,
)

KUBECONFIG = CredentialType(
    kind="kubeconfig",
    label="Kubernetes kubeconfig",
    description="Helm and kubectl reach the environment's cluster with it.",
    fields=(
        CredentialField(
            "kubeconfig",
            "Kubeconfig",
            secret=True,
            widget=TEXTAREA,
            validators=(kubeconfig,),
        ),
    ),
    to_run=lambda material, write_file: {
        "KUBECONFIG": str(write_file("kubeconfig", _document(material["kubeconfig"])))
    },
    secrets_of=kubeconfig_secrets,
)

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")

POSTGRESQL = CredentialType(
    kind="postgresql",
    label="PostgreSQL connection",
    description="An administrator's connection to a PostgreSQL server (libpq's PG* variables).",
    fields=(
        CredentialField("host", "Host", validators=(host_name,)),
        CredentialField(
            "port", "Port", required=False, help="5432 when empty.", validators=(port_number,)
        ),
        CredentialField("user", "User", validators=(no_spaces,)),
        CredentialField("password", "Password", secret=True),
        CredentialField("sslmode", "SSL mode", required=False, widget=CHOICE, choices=SSL_MODES),
        CredentialField(
            "database",
            "Database",
            required=False,
            help="The database to connect to; libpq's default when empty.",
            validators=(no_spaces,),
        ),
    ),
    to_run=lambda material, write_file: _present(
        {
            "PGHOST": material["host"],
            "PGPORT": material.get("port") or "5432",
            "PGUSER": material["user"],
            "PGPASSWORD": material["password"],
            "PGSSLMODE": material.get("sslmode"),
            "PGDATABASE": material.get("database"),
        }
    ),
)


def _rabbitmq_environment(material, write_file) -> dict[str, str]:
    scheme = material.get("scheme") or "amqp"
    port = material.get("port") or ("5671" if scheme == "amqps" else "5672")
    vhost = material.get("vhost") or "/"
    user, password = material["user"], material["password"]
    url = (
        f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{material['host']}:"
        f"{port}/{quote(vhost, safe='')}"
    )
    return _present(
        {
            "RABBITMQ_URL": url,
            "RABBITMQ_HOST": material["host"],
            "RABBITMQ_PORT": port,
            "RABBITMQ_USER": user,
            "RABBITMQ_PASSWORD": password,
            "RABBITMQ_VHOST": vhost,
            "RABBITMQ_NODE": material.get("node"),
        }
    )


RABBITMQ = CredentialType(
    kind="rabbitmq",
    label="RabbitMQ connection",
    description="An administrator's connection to a RabbitMQ broker.",
    fields=(
        CredentialField("host", "Host", validators=(host_name,)),
        CredentialField(
            "port",
            "AMQP port",
            required=False,
            help="5672 (5671 with amqps) when empty.",
            validators=(port_number,),
        ),
        CredentialField(
            "scheme", "Scheme", required=False, widget=CHOICE, choices=("amqp", "amqps")
        ),
        CredentialField("user", "User", validators=(no_spaces,)),
        CredentialField("password", "Password", secret=True),
        CredentialField("vhost", "Virtual host", required=False, help="/ when empty."),
        CredentialField(
            "node",
            "Node name",
            required=False,
            help="The broker node rabbitmqctl talks to, e.g. rabbit@mq1.",
            validators=(no_spaces,),
        ),
    ),
    to_run=_rabbitmq_environment,
)


GIT = CredentialType(
    kind="git",
    label="Git repository access",
    description="Reads private git repositories: catalog sources, and modules or roles "
    "that the tools fetch over git during a run.",
    fields=(
        CredentialField(
            "token",
            "Access token",
            secret=True,
            required=False,
            help="For HTTPS URLs: a personal, project or deploy token with read access.",
        ),
        CredentialField(
            "username",
            "Token user name",
            required=False,
            help=f"Sent with the token; {GIT_TOKEN_USER} when empty (GitHub, Gitea); "
            "GitLab takes oauth2 or the token's name.",
            validators=(no_spaces,),
        ),
        CredentialField(
            "private_key",
            "SSH private key",
            secret=True,
            required=False,
            widget=TEXTAREA,
            help="For ssh:// and user@host:path URLs: a deploy key without a passphrase.",
            validators=(private_key,),
        ),
        CredentialField(
            "known_hosts",
            "SSH known hosts",
            required=False,
            widget=TEXTAREA,
            help="The servers' host keys, as ssh-keyscan prints them; only they are trusted. "
            "When empty, the worker's own known_hosts decides; an unknown server is refused.",
            validators=(known_hosts,),
        ),
    ),
    to_run=git_environment,
    secrets_of=git_secrets,
    check=token_or_key,
)


@hookimpl
def plateau_credential_types():
    return [AWS, ENVIRONMENT_VARIABLES, SSH_KEY, KUBECONFIG, POSTGRESQL, RABBITMQ, GIT]
