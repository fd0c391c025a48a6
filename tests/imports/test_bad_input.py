"""Bad input names the field and the rule, and changes nothing."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from tests.imports.conftest import state_with, upload


def post(client, importer, data):
    return client.post(reverse("imports:start_with", args=[importer]), data)


BAD_STATES = [
    (state_with(version=3), "state format version 3 is not supported (need 4)"),
    ('{"version": 4, "resources": [}', "terraform.tfstate is not JSON at line 1 column 30"),
    ("[1, 2]", "terraform.tfstate holds a JSON list, not a state object"),
    ('{"serial": 1}', "has no `version`: not a Terraform state file"),
    (b"\xff\xfe\x00", "The file is not UTF-8 text"),
]


@pytest.mark.parametrize(("text", "message"), BAD_STATES)
def test_bad_state_files_are_refused(client, people, project, text, message):
    client.force_login(people["developer"])
    audit = AuditEvent.objects.count()
    response = post(
        client, "tfstate", {"tfstate-project": project.pk, "tfstate-state_file": upload(text)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field="state_file"' in body
    assert message in body
    assert not ImportJob.objects.exists()
    assert AuditEvent.objects.count() == audit


def test_an_oversize_state_is_refused_naming_the_limit(
    client, people, project, state_text, settings
):
    settings.PLATEAU_IMPORT_STATE_MAX_BYTES = 1024
    client.force_login(people["developer"])
    response = post(
        client, "tfstate", {"tfstate-project": project.pk, "tfstate-state_file": upload(state_text)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"The file is {len(state_text.encode())} bytes; the limit is 1024 bytes" in body
    assert "PLATEAU_IMPORT_STATE_MAX_BYTES" in body
    assert not ImportJob.objects.exists()


def test_an_environment_of_another_project_is_refused(client, people, project, state_text):
    from tests.factories import EnvironmentFactory, ProjectFactory

    other = EnvironmentFactory(project=ProjectFactory(team=project.team))
    client.force_login(people["developer"])
    data = {
        "tfstate-project": project.pk,
        "tfstate-environment": other.pk,
        "tfstate-state_file": upload(state_text),
    }
    response = post(client, "tfstate", data)
    assert response.status_code == 400
    assert "Choose an environment of project Shop." in response.content.decode()
    assert not ImportJob.objects.exists()


BAD_AWS = [
    (
        {"include_types": "aws_vpc aws_lambda_function"},
        "include_types",
        "unknown resource type(s) aws_lambda_function; known types: aws_vpc, aws_subnet",
    ),
    (
        {"exclude_types": "aws_nat"},
        "exclude_types",
        "unknown resource type(s) aws_nat; known types:",
    ),
    ({"tags": "team"}, "tags", "tag filter &#x27;team&#x27; must look like key=value"),
    ({"regions": "EU West"}, "regions", "&#x27;EU&#x27;: Use the provider&#x27;s region code"),
    ({"endpoint_url": "file:///etc/passwd"}, "endpoint_url", "Enter a valid URL."),
    ({"environment": ""}, "environment", "This field is required."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_AWS)
def test_bad_aws_imports_are_refused(client, people, environment, overrides, field, message):
    client.force_login(people["developer"])
    data = {"environment": environment.pk, "regions": "us-east-1", **overrides}
    response = post(client, "aws", {f"aws-{key}": value for key, value in data.items()})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    assert message in body
    assert not ImportJob.objects.exists()
