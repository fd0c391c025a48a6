"""Deployment and run pages, log polling and download, approval rules (no worker)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from portal.audit.models import AuditEvent
from portal.deployments import services
from portal.deployments.models import LogLine, Run
from tests.deployments.factories import DeploymentFactory, RunFactory
from tests.factories import EnvironmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def environment(team):
    return EnvironmentFactory(project=ProjectFactory(team=team), approval_required=True)


def add_lines(run, count, start=1):
    LogLine.objects.bulk_create(
        LogLine(run=run, seq=seq, text=f"line {seq}") for seq in range(start, start + count)
    )


def test_deployment_list_queries_do_not_grow(client, member, environment):
    client.force_login(member(Role.VIEWER))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/deployments/").status_code == 200
        return len(queries)

    DeploymentFactory(environment=environment)
    few = count()
    for _ in range(5):
        DeploymentFactory(environment=environment)
    assert count() == few


def test_outsiders_get_404_and_viewers_cannot_start_runs(client, member, environment, db):
    deployment = DeploymentFactory(environment=environment)
    client.force_login(member(Role.VIEWER))
    assert client.post(f"/deployments/{deployment.pk}/apply/").status_code == 403
    assert not Run.objects.exists()
    other = DeploymentFactory()
    assert client.get(f"/deployments/{other.pk}/").status_code == 404


def test_log_polling_answers_204_then_new_lines_then_stops(client, member, environment):
    run = RunFactory(deployment__environment=environment, status=Run.Status.PLANNING)
    client.force_login(member(Role.VIEWER))
    add_lines(run, 3)
    url = f"/runs/{run.pk}/log/?status=planning&after="
    assert client.get(url + "3").status_code == 204
    response = client.get(url + "1")
    assert response.status_code == 200
    text = response.content.decode()
    assert "line 2" in text and "line 3" in text and "line 1\n" not in text
    assert "after=3" in text and 'hx-trigger="every 1s"' in text
    Run.objects.filter(pk=run.pk).update(status=Run.Status.SUCCEEDED)
    final = client.get(url + "3")
    assert final.status_code == 200
    assert "hx-trigger" not in final.content.decode().split('id="run-summary"')[0]


def test_a_long_log_shows_its_tail_pages_back_and_downloads(client, member, environment):
    run = RunFactory(deployment__environment=environment, status=Run.Status.SUCCEEDED)
    add_lines(run, 1200)
    client.force_login(member(Role.VIEWER))
    page = client.get(f"/runs/{run.pk}/").content.decode()
    assert "line 1200" in page and "line 700\n" not in page and "before=701" in page
    earlier = client.get(f"/runs/{run.pk}/log/earlier/?before=701").content.decode()
    assert "line 201\n" in earlier and "line 700" in earlier and "before=201" in earlier
    download = client.get(f"/runs/{run.pk}/log.txt")
    assert download.streaming
    body = b"".join(download.streaming_content).decode()
    assert body.count("\n") == 1200 and body.endswith("line 1200\n")


def test_the_requester_may_not_approve_and_reject_needs_a_comment(member, environment):
    developer, engineer = member(Role.DEVELOPER), member(Role.PLATFORM_ENGINEER)
    run = RunFactory(
        deployment__environment=environment,
        requested_by=engineer,
        status=Run.Status.AWAITING_APPROVAL,
    )
    with pytest.raises(services.PermissionDenied):
        services.approve(run, user=developer)  # role too low
    with pytest.raises(services.PermissionDenied):
        services.approve(run, user=engineer)  # requested it
    other_engineer = member(Role.ADMIN, username="boss")
    with pytest.raises(services.InvalidRequest):
        services.reject(run, user=other_engineer, comment=" ")
    services.reject(run, user=other_engineer, comment="not this week")
    run.refresh_from_db()
    assert run.status == Run.Status.REJECTED and run.rejected_by == other_engineer
    assert AuditEvent.objects.filter(action="reject", object_id=str(run.pk)).exists()


def test_a_queued_run_cancels_at_once_and_frees_the_next(member, environment):
    developer = member(Role.DEVELOPER)
    first = RunFactory(deployment__environment=environment, requested_by=developer)
    services.cancel(first, user=developer)
    first.refresh_from_db()
    assert first.status == Run.Status.CANCELLED and first.finished is not None
    with pytest.raises(services.RunConflict):
        services.cancel(first, user=developer)


def test_environment_hosts_are_validated(client, member, environment):
    client.force_login(member(Role.PLATFORM_ENGINEER))
    response = client.patch(
        f"/api/v1/environments/{environment.pk}/",
        {"hosts": [{"name": "db1", "connection": "telnet"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "connection must be local or ssh" in str(response.json()["hosts"])


def test_the_catalog_deploy_form_creates_the_deployment_and_opens_its_run(
    client, member, team, stack_version
):
    version = stack_version("tf-state")
    environment = EnvironmentFactory(project=ProjectFactory(team=team), name="dev")
    client.force_login(member(Role.DEVELOPER))
    url = f"/catalog/tf-state/versions/{version.pk}/deploy/"
    data = {"_environment": environment.pk, "_defaults_of": "dev", "label": "a"}
    first = client.post(url, data)
    second = client.post(url, data)
    runs = list(Run.objects.order_by("pk").select_related("deployment"))
    assert [first.url, second.url] == [run.get_absolute_url() for run in runs]
    # The form asks for no name: the stack's slug, numbered when taken.
    assert [run.deployment.name for run in runs] == ["tf-state", "tf-state-2"]
    assert runs[0].deployment.values == {"label": "a"} and runs[0].status == "queued"
    assert client.post(url, data | {"label": ""}).status_code == 400
    assert Run.objects.count() == 2
