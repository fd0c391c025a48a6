"""The import pages: start, follow, read the result, download."""

import io
import zipfile

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.imports.tasks import run_import_job
from tests.factories import ImportJobFactory
from tests.imports.conftest import upload


def start_tfstate(client, project, text, **extra):
    data = {"tfstate-project": project.pk, "tfstate-state_file": upload(text), **extra}
    return client.post(reverse("imports:start_with", args=["tfstate"]), data)


def test_starting_a_state_import_queues_the_task(
    client, people, project, state_text, django_capture_on_commit_callbacks
):
    client.force_login(people["developer"])
    assert client.get(reverse("imports:start")).status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        response = start_tfstate(client, project, state_text)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert (job.importer, job.status, job.project) == ("tfstate", "queued", project)
    assert job.state_upload == state_text
    assert job.created_by == people["developer"]
    queued = [c for c in callbacks if getattr(c, "func", None) == run_import_job.delay]
    assert [c.args for c in queued] == [(job.pk,)]  # queued once, after the commit
    assert AuditEvent.objects.filter(action="create", object_type="imports.importjob").exists()


def test_the_job_page_polls_while_running_and_stops_when_done(client, people, project):
    client.force_login(people["viewer"])
    job = ImportJobFactory(
        project=project,
        status="running",
        progress={"found": {"aws_vpc": 2, "aws_subnet": 5}, "current": "aws_subnet in eu-west-1"},
    )
    page = client.get(job.get_absolute_url()).content.decode()
    poll = reverse("imports:job_progress", args=[job.pk])
    assert f'hx-get="{poll}"' in page
    partial = client.get(poll, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'hx-trigger="load delay:1s"' in body
    assert "reading aws_subnet in eu-west-1" in body
    assert "<td><code>aws_subnet</code></td><td>5</td>" in body
    job.status = "succeeded"
    job.save()
    done = client.get(poll, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-get" not in done.content.decode()
    assert "hx-get" not in client.get(job.get_absolute_url()).content.decode()


def test_the_result_page_shows_counts_files_estimate_and_map(client, people, finished_job):
    client.force_login(people["viewer"])
    page = client.get(finished_job.get_absolute_url()).content.decode()
    assert "8 resources" in page
    assert "<td><code>aws_subnet</code></td><td>2</td>" in page
    assert "network.tf" in page and "imports.tf" in page
    # HCL is shown escaped: its quotes and the README's backticks are text, not markup.
    assert "&quot;" in page and 'resource "aws_vpc"' not in page
    assert "USD</strong> a month" in page and "kgCO2e</strong>" in page
    assert "<code>aws_instance.app</code>" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    for fmt in ("svg", "dot", "mermaid"):
        assert reverse("imports:download_map", args=[finished_job.pk, fmt]) in page
    # A viewer reads the result but cannot turn it into a stack.
    assert reverse("imports:make_draft", args=[finished_job.pk]) not in page


def test_a_failed_job_shows_its_error(client, people, project):
    client.force_login(people["viewer"])
    job = ImportJobFactory(project=project, status="failed", error="cannot reach http://x: boom")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "cannot reach http://x: boom" in page


def test_downloads(client, people, finished_job):
    client.force_login(people["viewer"])
    response = client.get(reverse("imports:download_zip", args=[finished_job.pk]))
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "terraform/imports.tf" in names and "terraform/README.md" in names
    expected = {"svg": "<svg", "dot": "digraph infrastructure", "mermaid": "flowchart LR"}
    for fmt, start in expected.items():
        response = client.get(reverse("imports:download_map", args=[finished_job.pk, fmt]))
        assert response.status_code == 200
        assert response.content.decode().startswith(start)
        assert "attachment" in response["Content-Disposition"]
    assert (
        client.get(reverse("imports:download_map", args=[finished_job.pk, "png"])).status_code
        == 404
    )


def test_a_job_without_result_has_nothing_to_download(client, people, project):
    client.force_login(people["viewer"])
    job = ImportJobFactory(project=project, status="running")
    assert client.get(reverse("imports:download_zip", args=[job.pk])).status_code == 404


def test_list_shows_only_the_users_teams(client, people, project, finished_job):
    ImportJobFactory()  # another team's
    client.force_login(people["viewer"])
    page = client.get(reverse("imports:job_list")).content.decode()
    assert str(finished_job) in page
    assert page.count("Import #") == 1
    assert reverse("imports:start") not in page  # viewers cannot start one


def test_menu_has_import_under_operations(client, people):
    client.force_login(people["viewer"])
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("imports:job_list")}">Import</a>' in page


@pytest.mark.parametrize(
    "name",
    ["job_detail", "job_progress", "download_zip"],
)
def test_another_teams_job_is_not_found(client, people, finished_job, name):
    client.force_login(people["outsider"])
    assert client.get(reverse(f"imports:{name}", args=[finished_job.pk])).status_code == 404


def test_viewers_cannot_start_imports(client, people, project, state_text):
    client.force_login(people["viewer"])
    assert client.get(reverse("imports:start")).status_code == 403
    assert start_tfstate(client, project, state_text).status_code == 403
    assert not ImportJob.objects.exists()


def test_another_teams_project_is_not_offered(client, people, project, state_text):
    client.force_login(people["outsider"])
    response = start_tfstate(client, project, state_text)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ImportJob.objects.exists()
