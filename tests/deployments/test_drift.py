"""Drift detection: the schedule per environment, the plan-only drift run, the flag and
its diff on the deployment's page, and a real change made outside Plateau."""

import uuid
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from portal.accounts.roles import Role
from portal.deployments import drift, services, state_views
from portal.deployments.models import Deployment, Run, RunStep
from portal.deployments.tasks import queue_drift_checks
from tests.deployments.conftest import log_text, wait_for_run
from tests.deployments.factories import DeploymentFactory, RunFactory
from tests.factories import CredentialFactory, EnvironmentFactory, ProjectFactory, UserFactory


@pytest.mark.django_db
def test_checks_are_queued_for_due_active_deployments_only():
    every_6h = EnvironmentFactory(drift_check_hours=6)
    due = DeploymentFactory(environment=every_6h, status="active")
    drifted = DeploymentFactory(environment=every_6h, status="drifted")
    checked_recently = DeploymentFactory(environment=every_6h, status="active")
    RunFactory(deployment=checked_recently, kind="drift", status="succeeded")
    checked_long_ago = DeploymentFactory(environment=every_6h, status="active")
    old = RunFactory(deployment=checked_long_ago, kind="drift", status="succeeded")
    Run.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=7))
    busy = DeploymentFactory(environment=every_6h, status="active")
    RunFactory(deployment=busy, kind="apply", status="applying")
    DeploymentFactory(environment=every_6h, status="destroyed")
    DeploymentFactory(environment=EnvironmentFactory(drift_check_hours=0), status="active")
    queue_drift_checks()  # the beat task
    checks = Run.objects.filter(kind="drift", status="queued")
    assert set(checks.values_list("deployment_id", flat=True)) == {
        due.pk,
        drifted.pk,
        checked_long_ago.pk,
    }
    assert all(check.requested_by is None for check in checks)
    assert drift.queue_due_checks() == []  # each is now busy with its check


@pytest.mark.django_db
def test_a_check_with_changes_flags_the_deployment_and_one_without_clears_it(member):
    deployment = DeploymentFactory(status="active")
    check = RunFactory(deployment=deployment, kind="drift", status="succeeded")
    changes = [{"address": "terraform_data.label", "actions": ["update"]}]
    RunStep.objects.create(
        run=check,
        index=0,
        name="data",
        engine="terraform",
        has_changes=True,
        summary={"add": 0, "change": 1, "destroy": 0},
        changes=changes,
    )
    # A step this environment can only plan always differs: it is not drift.
    RunStep.objects.create(
        run=check, index=1, name="release", engine="helm", has_changes=True, status="plan_only"
    )
    drift.record(check)
    deployment.refresh_from_db()
    assert deployment.status == "drifted"
    [panel] = state_views.panels(deployment, deployment.created_by)
    assert 'data-drift-step="data"' in panel.html and "terraform_data.label" in panel.html
    assert "1 change" in panel.html and "release" not in panel.html
    clean = RunFactory(deployment=deployment, kind="drift", status="succeeded")
    drift.record(clean)
    deployment.refresh_from_db()
    assert deployment.status == "active"
    # A failed deployment is not turned active by a check.
    Deployment.objects.filter(pk=deployment.pk).update(status="failed")
    drift.record(clean)
    deployment.refresh_from_db()
    assert deployment.status == "failed"


@pytest.mark.django_db
def test_a_user_checks_drift_now_from_the_page_or_the_api(
    client, api_client, member, team, stack_version
):
    environment = EnvironmentFactory(project=ProjectFactory(team=team))
    deployment = DeploymentFactory(
        environment=environment, stack_version=stack_version("postgres-database"), status="active"
    )
    developer, viewer = member(Role.DEVELOPER), member(Role.VIEWER)
    url = f"/deployments/{deployment.pk}/drift/"
    client.force_login(viewer)
    assert f'action="{url}"' not in client.get(deployment.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(developer)
    assert f'action="{url}"' in client.get(deployment.get_absolute_url()).content.decode()
    response = client.post(url)
    check = Run.objects.get(deployment=deployment, kind="drift")
    assert response.status_code == 302 and response.url == check.get_absolute_url()
    assert (check.status, check.requested_by) == ("queued", developer)

    # Only deployments with something applied are compared.
    api_client.force_authenticate(developer)
    Run.objects.filter(pk=check.pk).update(status="succeeded")
    created = api_client.post(f"/api/v1/deployments/{deployment.pk}/check-drift/")
    assert created.status_code == 201 and created.json()["kind"] == "drift"
    Run.objects.filter(deployment=deployment).update(status="succeeded")
    Deployment.objects.filter(pk=deployment.pk).update(status="destroyed")
    refused = api_client.post(f"/api/v1/deployments/{deployment.pk}/check-drift/")
    assert refused.status_code == 409
    assert "is destroyed: only an active or drifted deployment" in refused.json()["detail"]
    page = client.get(deployment.get_absolute_url()).content.decode()
    assert f'action="{url}"' not in page


@pytest.mark.django_db
def test_the_schedule_is_set_in_the_environment_form_and_api(client, member, team):
    environment = EnvironmentFactory(project=ProjectFactory(team=team), provider="onprem")
    engineer = member(Role.PLATFORM_ENGINEER)
    client.force_login(engineer)
    url = f"/environments/{environment.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'name="drift_check_hours"' in form
    data = {
        "project": environment.project_id,
        "name": environment.name,
        "provider": "onprem",
        "residency": "any",
        "budget_currency": "EUR",
        "terraform_binary": "",
        "hosts": "[]",
    }
    bad = client.post(url, {**data, "drift_check_hours": "-1"})
    assert bad.status_code == 400
    assert "Ensure this value is greater than or equal to 0" in bad.content.decode()
    environment.refresh_from_db()
    assert environment.drift_check_hours == 0
    assert client.post(url, {**data, "drift_check_hours": "12"}).status_code == 302
    environment.refresh_from_db()
    assert environment.drift_check_hours == 12
    client.force_login(engineer)
    response = client.patch(
        f"/api/v1/environments/{environment.pk}/",
        {"drift_check_hours": 100000},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "less than or equal to 8784" in str(response.json()["drift_check_hours"])


def postgres(sql: str, *params):
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres") as db:
        db.autocommit = True
        cursor = db.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_database_dropped_outside_plateau_is_found_as_drift(client, team, member, stack_version):
    developer = member(Role.DEVELOPER)
    version = stack_version("postgres-database")
    environment = EnvironmentFactory(
        project=ProjectFactory(team=team), provider="onprem", region="", drift_check_hours=1
    )
    # The server trusts local connections: the password is never checked.
    material = {"host": "127.0.0.1", "user": "postgres", "password": uuid.uuid4().hex}
    server = CredentialFactory(team=team, name="pg-local", material=material)
    server.environments.add(environment)
    name = f"plateau_drift_{uuid.uuid4().hex[:8]}"
    values = {"server": "pg-local", "database_name": name, "owner_name": f"{name}_owner"}
    deployment, run = services.create_deployment(
        user=developer, environment=environment, stack_version=version, name="db", values=values
    )
    try:
        assert wait_for_run(run).status == "succeeded", log_text(run)
        [first] = drift.queue_due_checks()
        assert wait_for_run(first).status == "succeeded", log_text(first)
        deployment.refresh_from_db()
        assert deployment.status == "active", [s.changes for s in first.steps.all()]

        assert postgres("SELECT 1 FROM pg_database WHERE datname = %s", name) == [(1,)]
        postgres(f'DROP DATABASE "{name}"')  # outside Plateau
        assert postgres("SELECT 1 FROM pg_database WHERE datname = %s", name) == []
        Run.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(hours=2))
        [second] = drift.queue_due_checks()
        assert wait_for_run(second).status == "succeeded", log_text(second)
        assert second.kind == "drift" and not second.steps.filter(status="applied").exists()
        deployment.refresh_from_db()
        assert deployment.status == "drifted", log_text(second)
        assert postgres("SELECT 1 FROM pg_database WHERE datname = %s", name) == []
        client.force_login(UserFactory(is_superuser=True))
        page = client.get(deployment.get_absolute_url()).content.decode()
        assert "Drifted" in page and 'data-drift-step="database"' in page
        assert "the infrastructure differs from what Plateau applied" in page
    finally:
        postgres(f'DROP DATABASE IF EXISTS "{name}"')
        postgres(f'DROP ROLE IF EXISTS "{name}_owner"')
