"""A catalog to test against: stacks written into a folder source in tmp_path and
synced for real (snapshot, validation, report), one user per role."""

import textwrap
from pathlib import Path

import pytest

from portal.accounts.roles import Role

# One parameter of each type, sections, a conditional field, environment defaults, an
# author's message. The Terraform step names a provider that is not installed, so
# validation takes the quick offline path.
EVERYTHING = """\
stack_format: 1
name: Everything app
slug: everything
description: One parameter of each type, for the tests.
keywords: [sample, kitchen-sink]
technologies: [terraform, postgresql]
team: payments
icon: database
sections:
  - {id: app, title: Application}
  - {id: capacity, title: Capacity}
parameters:
  - name: app_name
    type: string
    title: Application name
    help: Used in every resource name.
    section: app
    required: true
    pattern: "^[a-z]+$"
    max_length: 12
    error_message: {pattern: Lowercase letters only.}
  - name: replicas
    type: integer
    section: capacity
    default: 1
    defaults_by_environment: {prod: 3}
    min: 1
    max: 10
  - name: ratio
    type: number
    section: capacity
    default: 0.5
    min: 0
    max: 1
  - name: public
    type: boolean
    section: app
    default: false
  - name: hostname
    type: string
    section: app
    required: true
    visible_when: {public: true}
  - name: size
    type: choice
    section: capacity
    default: small
    choices: [small, {value: large, title: Large machine}]
  - name: ports
    type: list
    items: integer
    default: [80]
    max: 65535
  - name: labels
    type: map
    default: {team: web}
  - name: password
    type: secret
    required: true
    generate: {length: 20}
    min_length: 12
  - name: database
    type: credential
    credential: {kind: postgresql}
steps:
  - name: app
    engine: terraform
    path: tf
    inputs:
      app_name: "{{ parameters.app_name }}"
      replicas: "{{ parameters.replicas }}"
      ratio: "{{ parameters.ratio }}"
      public: "{{ parameters.public }}"
      hostname: "{{ parameters.hostname }}"
      size: "{{ parameters.size }}"
      ports: "{{ parameters.ports }}"
      labels: "{{ parameters.labels }}"
      password: "{{ parameters.password }}"
      region: "{{ environment.region }}"
"""

EVERYTHING_TF = """\
terraform {
  required_providers {
    random = { source = "hashicorp/random" }
  }
}
variable "app_name" { type = string }
variable "replicas" { type = number }
variable "ratio" { type = number }
variable "public" { type = bool }
variable "hostname" {
  type    = string
  default = null
}
variable "size" { type = string }
variable "ports" { type = list(number) }
variable "labels" { type = map(string) }
variable "password" {
  type      = string
  sensitive = true
}
variable "region" { type = string }
resource "random_pet" "name" {
  prefix = var.app_name
}
output "name" { value = random_pet.name.id }
"""

README = """\
# Everything app

Deploys **everything**.

<script>alert("owned")</script>
[click me](javascript:alert(1)) <img src="logo.png" onerror="alert(2)">
"""


def small_stack(slug: str, name: str, technologies=("helm",), description="A small stack."):
    """stack.yaml of a minimal valid stack named ``slug``."""
    return textwrap.dedent(
        f"""\
        stack_format: 1
        name: {name}
        slug: {slug}
        description: {description}
        technologies: [{", ".join(technologies)}]
        constraints: {{providers: [{"aws" if "aws" in technologies else "scaleway"}]}}
        steps:
          - name: main
            engine: terraform
            path: tf
        """
    )


SMALL_TF = (
    'terraform {\n  required_providers {\n    random = { source = "hashicorp/random" }\n  }\n}\n'
)


def write_stack(root: Path, slug: str, stack_yaml: str, files: dict[str, str]) -> Path:
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stack.yaml").write_text(stack_yaml)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    return folder


@pytest.fixture
def stacks_dir(tmp_path):
    root = tmp_path / "stacks"
    root.mkdir()
    return root


@pytest.fixture
def folder_source(db, stacks_dir):
    from portal.catalog.models import StackSource

    return StackSource.objects.create(
        name="local", kind=StackSource.Kind.FOLDER, location=str(stacks_dir), refresh_minutes=0
    )


@pytest.fixture
def sync(folder_source):
    from portal.catalog.sync import sync_source

    return lambda source=None: sync_source(source or folder_source)


@pytest.fixture
def everything(team, stacks_dir, sync):
    """The synced `everything` stack (owned by the team ``payments``)."""
    from portal.catalog.models import Stack

    write_stack(
        stacks_dir, "everything", EVERYTHING, {"tf/main.tf": EVERYTHING_TF, "README.md": README}
    )
    result = sync()
    assert result.added, result
    return Stack.objects.get(slug="everything")


@pytest.fixture
def users(team, member, superuser):
    """One user per way of seeing the catalog; ``outsider`` is a developer elsewhere."""
    from tests.factories import MembershipFactory, TeamFactory, UserFactory

    outsider = UserFactory(username="outsider")
    MembershipFactory(team=TeamFactory(slug="elsewhere"), user=outsider, role=Role.DEVELOPER)
    return {
        "root": superuser,
        "admin": member(Role.ADMIN),
        "platform": member(Role.PLATFORM_ENGINEER),
        "developer": member(Role.DEVELOPER),
        "viewer": member(Role.VIEWER),
        "outsider": outsider,
    }


@pytest.fixture
def environments(team):
    """``dev`` and ``prod`` in a project of the team."""
    from tests.factories import EnvironmentFactory, ProjectFactory

    project = ProjectFactory(team=team, name="Shop", slug="shop")
    return {
        name: EnvironmentFactory(project=project, name=name, region=f"{name}-region")
        for name in ("dev", "prod")
    }
