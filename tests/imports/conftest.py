import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.accounts.roles import Role
from portal.imports.models import ImportJob
from portal.imports.running import execute
from tests.factories import EnvironmentFactory, MembershipFactory, ProjectFactory, UserFactory

STATE = Path(__file__).parents[1] / "iac" / "importers" / "data" / "terraform.tfstate"


@pytest.fixture
def project(team):
    return ProjectFactory(team=team, slug="shop", name="Shop")


@pytest.fixture
def environment(project):
    return EnvironmentFactory(project=project, name="dev", provider="aws", region="us-east-1")


@pytest.fixture
def people(member):
    users = {role: member(role) for role in Role}
    users["outsider"] = UserFactory(username="outsider")
    MembershipFactory(user=users["outsider"], role=Role.ADMIN)  # admin of another team
    return users


@pytest.fixture
def state_text() -> str:
    return STATE.read_text()


def upload(text: str | bytes, name: str = "terraform.tfstate") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def state_with(**changes) -> str:
    state = json.loads(STATE.read_text())
    state.update(changes)
    return json.dumps(state)


@pytest.fixture
def finished_job(project, people, state_text):
    """A tfstate import run to the end, as the worker would."""
    job = ImportJob.objects.create(
        project=project,
        importer="tfstate",
        state_upload=state_text,
        state_filename="terraform.tfstate",
        created_by=people["developer"],
    )
    return execute(job)


@pytest.fixture
def aws_credential(team, environment):
    from portal.credentials.models import Credential

    credential = Credential(team=team, name="import-keys", kind="aws")
    credential.set_material(
        {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "moto-secret-key"}
    )
    credential.save()
    credential.environments.add(environment)
    return credential


@pytest.fixture
def aws_job(moto, estate, environment, aws_credential, people):
    return ImportJob.objects.create(
        project=environment.project,
        environment=environment,
        credential=aws_credential,
        importer="aws",
        regions=["us-east-1"],
        endpoint_url=moto.url,
        created_by=people["developer"],
    )
