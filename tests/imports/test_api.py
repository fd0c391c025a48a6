"""/api/v1/imports/: start, follow, download; the pages' permissions and messages."""

import io
import zipfile

import pytest

from portal.imports.models import ImportJob
from tests.factories import ImportJobFactory
from tests.imports.conftest import state_with, upload

URL = "/api/v1/imports/"


def test_start_a_state_import_with_a_multipart_upload(api_client, people, project, state_text):
    api_client.force_authenticate(people["developer"])
    response = api_client.post(
        URL,
        {"importer": "tfstate", "project": project.pk, "state_file": upload(state_text)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    job = ImportJob.objects.get(pk=body["id"])
    assert (body["status"], body["importer"], body["project"]) == ("queued", "tfstate", project.pk)
    assert body["state_filename"] == "terraform.tfstate"
    assert "state_upload" not in body and state_text[:40] not in response.content.decode()
    assert job.state_upload == state_text


def test_follow_and_download_a_finished_import(api_client, people, finished_job):
    api_client.force_authenticate(people["viewer"])
    body = api_client.get(f"{URL}{finished_job.pk}/").json()
    assert body["status"] == "succeeded"
    assert body["counts"]["aws_subnet"] == 2
    assert body["progress"]["found"]["aws_vpc"] == 1
    assert "imports.tf" in body["files"]
    assert float(body["estimate"]["totalMonthlyCost"]) > 0
    assert body["created_by"] == "developer-payments"
    listed = api_client.get(URL).json()
    assert [job["id"] for job in listed["results"]] == [finished_job.pk]

    archive = api_client.get(f"{URL}{finished_job.pk}/archive/")
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    assert "terraform/network.tf" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()

    default = api_client.get(f"{URL}{finished_job.pk}/map/")
    assert default["Content-Type"].startswith("image/svg+xml")
    assert default.content.startswith(b"<svg")
    expected = {"svg": b"<svg", "dot": b"digraph infrastructure {", "mermaid": b"flowchart LR"}
    for fmt, start in expected.items():
        response = api_client.get(f"{URL}{finished_job.pk}/map/?format={fmt}")
        assert response.status_code == 200, fmt
        assert response.content.startswith(start), fmt
    assert api_client.get(f"{URL}{finished_job.pk}/map/?format=png").status_code == 404


def test_no_download_before_the_result(api_client, people, project):
    api_client.force_authenticate(people["viewer"])
    job = ImportJobFactory(project=project, status="running")
    response = api_client.get(f"{URL}{job.pk}/archive/")
    assert response.status_code == 404
    assert b"has no result: it is running" in response.content


@pytest.mark.parametrize("suffix", ["", "archive/", "map/?format=dot"])
def test_another_teams_import_is_not_found(api_client, people, finished_job, suffix):
    api_client.force_authenticate(people["outsider"])
    assert api_client.get(f"{URL}{finished_job.pk}/{suffix}").status_code == 404
    assert api_client.get(URL).json()["results"] == []


def test_a_viewer_cannot_start_an_import(api_client, people, project, environment, state_text):
    api_client.force_authenticate(people["viewer"])
    response = api_client.post(
        URL,
        {"importer": "tfstate", "project": project.pk, "state_file": upload(state_text)},
        format="multipart",
    )
    assert response.status_code == 403
    assert "developer role" in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_an_admin_elsewhere_cannot_start_an_import_here(api_client, people, project, state_text):
    api_client.force_authenticate(people["outsider"])
    response = api_client.post(
        URL,
        {"importer": "tfstate", "project": project.pk, "state_file": upload(state_text)},
        format="multipart",
    )
    assert response.status_code == 400  # the project is not one they can see
    assert "project" in response.json()
    assert not ImportJob.objects.exists()


BAD_BODIES = [
    ({"importer": "gcp"}, "importer", "Choose one of: aws, tfstate."),
    (
        {"importer": "aws", "include_types": ["aws_vpc", "aws_lambda_function"]},
        "include_types",
        "unknown resource type(s) aws_lambda_function; known types: aws_vpc, aws_subnet,",
    ),
    ({"importer": "aws", "tags": ["team"]}, "tags", "tag filter 'team' must look like key=value"),
    ({"importer": "aws", "regions": "Mars"}, "regions", "'Mars': Use the provider's region code"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_BODIES)
def test_bad_json_bodies_name_the_field(api_client, people, environment, body, field, message):
    api_client.force_authenticate(people["developer"])
    response = api_client.post(URL, {"environment": environment.pk, **body}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not ImportJob.objects.exists()


def test_a_state_of_format_3_is_refused(api_client, people, project):
    api_client.force_authenticate(people["developer"])
    response = api_client.post(
        URL,
        {"importer": "tfstate", "project": project.pk, "state_file": upload(state_with(version=3))},
        format="multipart",
    )
    assert response.status_code == 400
    assert "state format version 3 is not supported (need 4)" in response.json()["state_file"][0]
    assert not ImportJob.objects.exists()
