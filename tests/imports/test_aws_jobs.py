"""AWS imports through the task, against the moto server and its small estate."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.imports.running import execute
from portal.imports.tasks import run_import_job
from tests.iac.importers.moto_server import free_port


def test_an_aws_import_produces_files_estimate_and_map(aws_job, estate):
    assert run_import_job(aws_job.pk) == ImportJob.Status.SUCCEEDED
    job = ImportJob.objects.get(pk=aws_job.pk)
    assert job.counts["aws_instance"] == 2
    assert job.counts["aws_db_instance"] == 1
    assert job.counts["aws_lb"] == 1
    assert job.counts["aws_vpc"] == 1  # the default VPC is skipped...
    assert any(item["type"] == "aws_vpc" for item in job.skipped)  # ...and says why
    assert job.failures == []
    assert job.progress["found"] == job.counts
    assert f'id = "{estate["vpc"]}"' in job.files["imports.tf"]
    assert "vpc_security_group_ids = [aws_security_group.web.id]" in job.files["compute.tf"]
    assert float(job.estimate["totalMonthlyCost"]) > 0
    names = {row["name"] for p in job.estimate["projects"] for row in p["breakdown"]["resources"]}
    assert "aws_db_instance.orders" in names
    kinds = sorted(node["kind"] for node in job.graph["nodes"].values())
    assert kinds == ["database", "instance", "instance", "internet", "load balancer"]


def test_the_keys_never_leave_the_credential(aws_job, client, people):
    run_import_job(aws_job.pk)
    job = ImportJob.objects.get(pk=aws_job.pk)
    stored = json.dumps([job.files, job.estimate, job.graph, job.progress, job.notes])
    events = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    client.force_login(people["viewer"])
    page = client.get(job.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/imports/{job.pk}/").content.decode()
    for text in (stored, events, page, api):
        assert "moto-secret-key" not in text
        assert "AKIAIOSFODNN7EXAMPLE" not in text


def test_progress_is_saved_while_the_import_runs(aws_job):
    with CaptureQueriesContext(connection) as queries:
        execute(aws_job, progress_interval=0)
    saves = [q["sql"] for q in queries if "progress" in q["sql"] and q["sql"].startswith("UPDATE")]
    assert len(saves) > 10  # one per report here, instead of one at the end


def test_an_unreachable_endpoint_fails_naming_it(aws_job):
    endpoint = f"http://127.0.0.1:{free_port()}"
    aws_job.endpoint_url = endpoint
    aws_job.save()
    assert run_import_job(aws_job.pk) == ImportJob.Status.FAILED
    aws_job.refresh_from_db()
    assert aws_job.error.startswith(f"cannot reach {endpoint}")
    assert aws_job.files == {} and aws_job.counts == {}


def test_a_deleted_credential_fails_the_job_clearly(aws_job, aws_credential):
    aws_credential.delete()
    assert run_import_job(aws_job.pk) == ImportJob.Status.FAILED
    aws_job.refresh_from_db()
    assert "no AWS credential" in aws_job.error


def test_start_an_aws_import_from_the_page(client, people, environment, aws_credential, moto):
    client.force_login(people["developer"])
    page = client.get(reverse("imports:start")).content.decode()
    assert "import-keys" in page
    data = {
        "aws-environment": environment.pk,
        "aws-credential": aws_credential.pk,
        "aws-regions": "",  # the environment's region
        "aws-endpoint_url": moto.url,
        "aws-include_types": "aws_vpc, aws_instance",
        "aws-tags": "team=web",
    }
    response = client.post(reverse("imports:start_with", args=["aws"]), data)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.project, job.environment, job.credential) == (
        environment.project,
        environment,
        aws_credential,
    )
    assert job.regions == ["us-east-1"]
    assert job.include_types == ["aws_vpc", "aws_instance"]
    assert job.tags == {"team": "web"}


def test_a_credential_not_bound_to_the_environment_is_refused(
    client, people, environment, aws_credential
):
    from tests.factories import EnvironmentFactory

    other = EnvironmentFactory(project=environment.project, name="prod")
    client.force_login(people["developer"])
    data = {"aws-environment": other.pk, "aws-credential": aws_credential.pk}
    response = client.post(reverse("imports:start_with", args=["aws"]), data)
    assert response.status_code == 400
    assert f"Choose an AWS credential bound to {other}." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_start_an_aws_import_through_the_api(api_client, people, environment, aws_credential):
    api_client.force_authenticate(people["developer"])
    body = {
        "importer": "aws",
        "environment": environment.pk,
        "credential": aws_credential.pk,
        "regions": ["eu-west-1", "us-east-1"],
        "exclude_types": ["aws_iam_role"],
        "tags": {"team": "web"},
    }
    response = api_client.post("/api/v1/imports/", body, format="json")
    assert response.status_code == 201, response.json()
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.regions == ["eu-west-1", "us-east-1"]
    assert job.exclude_types == ["aws_iam_role"]
    assert job.tags == {"team": "web"}
