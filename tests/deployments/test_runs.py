"""Real runs: the API queues them, the Celery worker subprocess plans and applies them
with the real engines, against the local PostgreSQL and RabbitMQ servers."""

import subprocess
import time
import uuid

import psutil
import psycopg
import pytest

from portal.accounts.roles import Role
from portal.deployments.models import Deployment, LogLine, Run, StateVersion
from tests.deployments.conftest import log_text, wait_for_run
from tests.factories import (
    CredentialFactory,
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


@pytest.fixture
def people(team):
    developer = UserFactory(username="dev")
    engineer = UserFactory(username="eng")
    MembershipFactory(team=team, user=developer, role=Role.DEVELOPER)
    MembershipFactory(team=team, user=engineer, role=Role.PLATFORM_ENGINEER)
    return developer, engineer


def environment_for(team, **fields):
    project = ProjectFactory(team=team, slug="shop")
    return EnvironmentFactory(project=project, name="dev", provider="onprem", region="", **fields)


def deploy(api_client, user, environment, slug, name, values):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/deployments/",
        {"environment": environment.pk, "stack": slug, "name": name, "values": values},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return Run.objects.get(pk=response.json()["id"])


def start(api_client, user, deployment, kind):
    api_client.force_authenticate(user)
    response = api_client.post(f"/api/v1/deployments/{deployment.pk}/{kind}/")
    assert response.status_code == 201, response.json()
    return Run.objects.get(pk=response.json()["id"])


def rabbitmq_vhosts() -> list[str]:
    listed = subprocess.run(
        ["rabbitmqctl", "list_vhosts", "--quiet", "--no-table-headers"],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


def test_rabbitmq_vhost_is_created_then_destroyed(api_client, team, people, stack_version):
    developer, _ = people
    stack_version("rabbitmq-vhost")
    broker = {
        "name": "broker",
        "connection": "local",
        "vars": {"rabbitmq_node": "rabbit@localhost"},
    }
    environment = environment_for(team, hosts=[broker])
    vhost = f"plateau-test-{uuid.uuid4().hex[:8]}"
    run = deploy(
        api_client,
        developer,
        environment,
        "rabbitmq-vhost",
        "queue",
        {"vhost": vhost, "username": f"u-{vhost}"},
    )
    wait_for_run(run)
    assert run.status == "succeeded", log_text(run)
    assert vhost in rabbitmq_vhosts()
    deployment = run.deployment
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.ACTIVE
    # The generated password is in the (sensitive) output, never in the log.
    password = deployment.secret_values()["password"]
    assert password in deployment.sensitive_outputs()["amqp_url"]
    assert not LogLine.objects.filter(text__contains=password).exists()

    destroy = wait_for_run(start(api_client, developer, deployment, "destroy"))
    assert destroy.status == "succeeded", log_text(destroy)
    assert vhost not in rabbitmq_vhosts()
    deployment.refresh_from_db()
    assert deployment.status == Deployment.Status.DESTROYED


def postgres_has(database: str, role: str) -> tuple[bool, bool]:
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres") as db:
        has_database = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        has_database = has_database.fetchone() is not None
        has_role = db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return has_database, has_role.fetchone() is not None


def test_postgres_database_is_created_then_destroyed(
    api_client, client, team, people, stack_version
):
    developer, _ = people
    stack_version("postgres-database")
    environment = environment_for(team)
    # The server trusts local connections: the admin password is only there to be masked.
    admin_password = f"admin-{uuid.uuid4().hex}"
    server = CredentialFactory(
        team=team,
        name="pg-local",
        material={"host": "127.0.0.1", "user": "postgres", "password": admin_password},
    )
    server.environments.add(environment)
    name = f"plateau_test_{uuid.uuid4().hex[:8]}"
    owner_password = f"owner-{uuid.uuid4().hex}"
    values = {
        "server": "pg-local",
        "database_name": name,
        "owner_name": f"{name}_owner",
        "owner_password": owner_password,
    }
    run = wait_for_run(
        deploy(api_client, developer, environment, "postgres-database", "db", values)
    )
    assert run.status == "succeeded", log_text(run)
    assert postgres_has(name, f"{name}_owner") == (True, True)
    deployment = run.deployment
    deployment.refresh_from_db()
    assert owner_password in deployment.sensitive_outputs()["connection_url"]

    destroy = wait_for_run(start(api_client, developer, deployment, "destroy"))
    assert destroy.status == "succeeded", log_text(destroy)
    assert postgres_has(name, f"{name}_owner") == (False, False)
    for secret in (admin_password, owner_password):
        assert not LogLine.objects.filter(text__contains=secret).exists()
        client.force_login(developer)
        for page in (deployment.get_absolute_url(), run.get_absolute_url()):
            response = client.get(page)
            assert response.status_code == 200
            assert secret not in response.content.decode()


def test_multi_step_app_feeds_outputs_forward_and_plans_helm_only(
    api_client, team, people, stack_version
):
    developer, _ = people
    stack_version("multi-step-app")
    environment = environment_for(team)
    run = wait_for_run(
        deploy(api_client, developer, environment, "multi-step-app", "shop", {"app_name": "shop"})
    )
    assert run.status == "succeeded", log_text(run)
    steps = {step.name: step for step in run.steps.all()}
    assert [steps[name].status for name in ("identity", "config", "release")] == [
        "applied",
        "applied",
        "plan_only",
    ]
    identity = steps["identity"].outputs()
    config = steps["config"].outputs()
    assert identity["config_name"] == "shop-dev"
    assert config["config_path"].endswith("/shop-dev.json")
    # Helm rendered with the outputs of both earlier steps.
    assert identity["app_id"] in steps["release"].manifests
    assert config["config_checksum"] in steps["release"].manifests
    deployment = run.deployment
    deployment.refresh_from_db()
    assert deployment.outputs["app_id"] == identity["app_id"]
    assert "plan only, this environment has no kubernetes" in log_text(run)


def test_terraform_state_lands_in_plateau_and_a_second_plan_has_no_changes(
    api_client, team, people, stack_version
):
    developer, _ = people
    stack_version("tf-state")
    environment = environment_for(team)
    run = wait_for_run(deploy(api_client, developer, environment, "tf-state", "st", {"label": "a"}))
    assert run.status == "succeeded", log_text(run)
    version = StateVersion.objects.filter(deployment=run.deployment, step="data").first()
    assert version is not None and version.run == run
    plan = wait_for_run(start(api_client, developer, run.deployment, "plan"))
    assert plan.status == "succeeded", log_text(plan)
    [step] = plan.steps.all()
    assert not step.has_changes and step.summary["add"] == 0


def test_approval_is_required_and_the_requester_may_not_approve(
    api_client, team, people, stack_version
):
    developer, engineer = people
    stack_version("tf-state")
    environment = environment_for(team, approval_required=True)
    run = deploy(api_client, developer, environment, "tf-state", "gated", {"label": "b"})
    wait_for_run(run, {"awaiting_approval", *("failed", "succeeded")})
    assert run.status == "awaiting_approval", log_text(run)
    assert run.steps.get().summary["add"] == 1
    api_client.force_authenticate(developer)
    assert api_client.post(f"/api/v1/runs/{run.pk}/approve/").status_code == 403
    api_client.force_authenticate(engineer)
    response = api_client.post(f"/api/v1/runs/{run.pk}/approve/", {"comment": "ok"})
    assert response.status_code == 200, response.json()
    # Applied by a worker from the saved plan, in a workspace rendered afresh.
    wait_for_run(run)
    assert run.status == "succeeded", log_text(run)
    assert run.approved_by == engineer
    assert StateVersion.objects.filter(deployment=run.deployment).exists()


def test_a_run_over_the_budget_waits_for_approval_and_says_why(
    api_client, team, people, stack_version
):
    developer, engineer = people
    stack_version("postgres-database")
    # No approval otherwise; the one host the playbook runs on costs about 30 EUR a month.
    environment = environment_for(team, monthly_budget=10, approval_over_budget=True)
    server = CredentialFactory(
        team=team,
        name="pg-local",
        material={"host": "127.0.0.1", "user": "postgres", "password": uuid.uuid4().hex},
    )
    server.environments.add(environment)
    name = f"plateau_budget_{uuid.uuid4().hex[:8]}"
    values = {"server": "pg-local", "database_name": name, "owner_name": f"{name}_owner"}
    run = deploy(api_client, developer, environment, "postgres-database", "db", values)
    wait_for_run(run, {"awaiting_approval", "failed", "succeeded"})
    assert run.status == "awaiting_approval", log_text(run)
    assert f"Waiting for an approver: it takes {environment} to " in log_text(run)
    assert "over its budget of 10.00 EUR." in log_text(run)
    api_client.force_authenticate(engineer)
    response = api_client.post(f"/api/v1/runs/{run.pk}/reject/", {"comment": "too dear"})
    assert response.status_code == 200, response.json()
    run.refresh_from_db()
    assert run.status == "rejected"
    assert postgres_has(name, f"{name}_owner") == (False, False)  # nothing was applied


def test_cancelling_a_long_ansible_task_leaves_no_process(api_client, team, people, stack_version):
    developer, _ = people
    stack_version("slow-playbook")
    environment = environment_for(team)
    # A duration of its own: other test sessions on this machine may be sleeping too.
    seconds = 600 + uuid.uuid4().int % 1000
    run = deploy(api_client, developer, environment, "slow-playbook", "slow", {"seconds": seconds})
    deadline = time.monotonic() + 60

    def sleeping():
        command = ["sleep", str(seconds)]
        return [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == command]

    while not sleeping():
        assert time.monotonic() < deadline, log_text(run)
        time.sleep(0.2)
    api_client.force_authenticate(developer)
    assert api_client.post(f"/api/v1/runs/{run.pk}/cancel/").status_code == 200
    wait_for_run(run, timeout=30)
    assert run.status == "cancelled", log_text(run)
    assert sleeping() == [], log_text(run)
    run.deployment.refresh_from_db()
    assert run.deployment.locked_by_run is None


def test_runs_of_one_deployment_wait_for_each_other(api_client, team, people, stack_version):
    developer, _ = people
    stack_version("tf-state")
    environment = environment_for(team)
    first = deploy(api_client, developer, environment, "tf-state", "line", {"label": "c"})
    second = start(api_client, developer, first.deployment, "plan")
    wait_for_run(second)
    wait_for_run(first)
    assert first.status == second.status == "succeeded"
    # The second started only after the first had finished.
    assert second.started >= first.finished
