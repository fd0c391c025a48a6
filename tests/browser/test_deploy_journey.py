"""The whole journey in a browser, with the real worker: deploy postgres-database from the
catalog, watch the log arrive, approve, see the outputs, destroy."""

import re
import uuid

import psycopg
import pytest
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.deployments.models import Deployment
from tests.deployments import conftest as run_fixtures
from tests.factories import (
    CredentialFactory,
    EnvironmentFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker"),
]

# The real worker of the run tests, on this session's database and data folder.
worker = run_fixtures.worker
stack_version = run_fixtures.stack_version
shared_data_dir = run_fixtures.shared_data_dir
private_data_dir = run_fixtures.private_data_dir

RUN_TIMEOUT = 90_000  # ms: a plan or an apply by the real worker


def database_exists(name: str) -> bool:
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres") as db:
        found = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def approve(browser, live_server, run_url: str, comment: str) -> None:
    """The approver, in a browser of their own."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "eng")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto(run_url)
    page.fill("input[name=comment]", comment)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("run-status")).not_to_have_text("Awaiting approval")
    context.close()


def test_deploy_watch_approve_reveal_destroy(page, sign_in, browser, live_server, stack_version):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, user=UserFactory(username="dev"), role=Role.DEVELOPER)
    MembershipFactory(team=team, user=UserFactory(username="eng"), role=Role.PLATFORM_ENGINEER)
    environment = EnvironmentFactory(
        project=ProjectFactory(team=team, name="Shop"), name="dev", approval_required=True
    )
    admin_password = f"admin-{uuid.uuid4().hex}"
    server = CredentialFactory(
        team=team,
        name="pg-local",
        material={"host": "127.0.0.1", "user": "postgres", "password": admin_password},
    )
    server.environments.add(environment)
    version = stack_version("postgres-database")
    database = f"plateau_journey_{uuid.uuid4().hex[:8]}"

    sign_in("dev")
    page.goto(f"/catalog/postgres-database/versions/{version.pk}/deploy/")
    page.select_option("#id_server", "pg-local")
    page.fill("#id_database_name", database)
    page.fill("#id_owner_name", f"{database}_owner")
    page.locator("form:has(#id_database_name) button[type=submit]").click()

    # The run page follows the plan as the worker writes it.
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run_url = page.url
    log = page.locator("#log-lines")
    expect(log).to_contain_text("Step database (ansible): planning", timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("run-status")).to_have_text("Awaiting approval", timeout=RUN_TIMEOUT)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # not the requester
    assert not database_exists(database)

    approve(browser, live_server, run_url, "looks right")
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded", timeout=RUN_TIMEOUT)
    expect(log).to_contain_text("Run succeeded")
    assert database_exists(database)

    # The outputs: the connection URL is hidden until revealed.
    deployment = Deployment.objects.get(environment=environment)
    page.goto(deployment.get_absolute_url())
    url_row = page.locator('tr[data-output="connection_url"]')
    expect(url_row).to_contain_text("hidden")
    page.get_by_role("button", name="Reveal sensitive outputs").click()
    expect(url_row).to_contain_text(f"/{database}")
    assert admin_password not in page.content()

    page.get_by_role("button", name="Destroy").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    destroy_url = page.url
    expect(page.get_by_test_id("run-status")).to_have_text("Awaiting approval", timeout=RUN_TIMEOUT)
    approve(browser, live_server, destroy_url, "done with it")
    expect(page.get_by_test_id("run-status")).to_have_text("Succeeded", timeout=RUN_TIMEOUT)
    assert not database_exists(database)
    page.goto(deployment.get_absolute_url())
    expect(page.get_by_test_id("deployment-status")).to_have_text("Destroyed")
    assert admin_password not in page.content()
