"""The import task, called directly (a real worker is exercised elsewhere)."""

import json

import pytest

from iac.importers import Progress
from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.imports.running import ProgressRecorder, redact_sensitive
from portal.imports.tasks import run_import_job
from tests.imports.conftest import state_with


def test_a_state_import_stores_files_estimate_and_map(finished_job):
    job = ImportJob.objects.get(pk=finished_job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.started and job.finished and not job.error
    assert job.counts == {
        "aws_db_instance": 1,
        "aws_instance": 1,
        "aws_security_group": 2,
        "aws_sqs_queue": 1,
        "aws_subnet": 2,
        "aws_vpc": 1,
    }
    assert {"providers.tf", "network.tf", "imports.tf", "README.md"} <= set(job.files)
    assert job.files["imports.tf"].count("import {") == 8
    assert "| `aws_vpc` | 1 | network.tf |" in job.files["README.md"]
    assert float(job.estimate["totalMonthlyCost"]) > 0
    assert job.estimate["carbon"]["totalMonthlyKgCO2e"] > 0
    kinds = sorted(node["kind"] for node in job.graph["nodes"].values())
    assert kinds == ["database", "instance"]
    assert job.progress["found"]["aws_subnet"] == 2
    assert job.progress["current"] is None
    assert any("data source" in note for note in job.notes)


def test_the_task_runs_a_queued_job_once(project, developer, state_text):
    job = ImportJob.objects.create(
        project=project, importer="tfstate", state_upload=state_text, created_by=developer
    )
    assert run_import_job(job.pk) == ImportJob.Status.SUCCEEDED
    finished = ImportJob.objects.get(pk=job.pk).finished
    # A redelivered message finds the job done and leaves it alone.
    assert run_import_job(job.pk) == ImportJob.Status.SUCCEEDED
    assert ImportJob.objects.get(pk=job.pk).finished == finished
    assert run_import_job(job.pk + 1000) is None


def test_status_changes_are_audited_without_results_or_state(finished_job):
    events = AuditEvent.objects.filter(object_type="imports.importjob", object_id=finished_job.pk)
    changes = [event.changes for event in events.order_by("id")]
    statuses = [c["status"][1] for c in changes if "status" in c]
    assert statuses == ["queued", "running", "succeeded"]  # create, then two updates
    text = json.dumps(changes)
    for private in ("state_upload", "files", "estimate", "graph", "progress", "sensitive"):
        assert private not in text


def test_progress_is_saved_as_it_goes_at_most_every_interval(finished_job):
    now = [100.0]
    recorder = ProgressRecorder(finished_job.pk, interval=0.5, clock=lambda: now[0])

    def saved():
        return ImportJob.objects.get(pk=finished_job.pk).progress

    recorder(Progress("aws_vpc", "eu-west-1", 1, done=False))
    assert saved() == {"found": {"aws_vpc": 1}, "current": "aws_vpc in eu-west-1"}
    now[0] += 0.2
    recorder(Progress("aws_vpc", "eu-west-1", 2, done=False))
    assert saved()["found"] == {"aws_vpc": 1}  # too soon: not saved
    now[0] += 0.4
    recorder(Progress("aws_vpc", "eu-west-1", 2, done=True))
    recorder(Progress("aws_vpc", "us-east-1", 3, done=False))  # regions add up per type
    now[0] += 0.5
    recorder(Progress("aws_subnet", None, 1, done=False))
    assert saved() == {"found": {"aws_vpc": 5, "aws_subnet": 1}, "current": "aws_subnet"}


BAD_STATES = [
    (state_with(version=3), "state format version 3 is not supported (need 4)"),
    ("{not json", "is not JSON at line 1 column 2"),
]


@pytest.mark.parametrize(("text", "message"), BAD_STATES)
def test_an_unreadable_state_fails_the_job_with_its_reason(project, text, message):
    # The forms refuse these; a job stored some other way still fails cleanly.
    job = ImportJob.objects.create(project=project, importer="tfstate", state_upload=text)
    assert run_import_job(job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert message in job.error
    assert job.files == {}


def test_an_importer_no_plugin_provides_fails_naming_the_installed_ones(project):
    job = ImportJob.objects.create(project=project, importer="openstack")
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "no importer named 'openstack' is installed (installed: aws, tfstate)" in job.error


def test_sensitive_attributes_never_reach_the_generated_terraform(project):
    state = json.loads(state_with())
    queue = next(r for r in state["resources"] if r["type"] == "aws_sqs_queue")
    instance = queue["instances"][0]
    instance["attributes"]["kms_data_key_password"] = "hunter2-secret"
    instance["sensitive_attributes"] = [[{"type": "get_attr", "value": "kms_data_key_password"}]]
    job = ImportJob.objects.create(
        project=project, importer="tfstate", state_upload=json.dumps(state)
    )
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert "hunter2" not in json.dumps(job.files)
    assert "aws_sqs_queue" in job.files["other.tf"]


def test_redaction_accepts_both_spellings_of_sensitive_paths():
    state = {
        "resources": [
            {
                "instances": [
                    {
                        "attributes": {"a": 1, "b": 2, "c": 3},
                        "sensitive_attributes": [
                            [{"type": "get_attr", "value": "a"}],
                            {"type": "get_attr", "value": "b"},
                        ],
                    }
                ]
            }
        ]
    }
    assert redact_sensitive(state)["resources"][0]["instances"][0]["attributes"] == {"c": 3}
