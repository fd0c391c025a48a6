"""Two apply requests for one deployment at the same moment, through the API from two
threads, with the real worker: one runs, the other waits its turn, or is refused."""

import threading

import pytest
from rest_framework.test import APIClient

from portal.accounts.roles import Role
from portal.deployments.models import Deployment, Run
from tests.deployments.conftest import log_text, wait_for_run
from tests.factories import EnvironmentFactory, ProjectFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


@pytest.fixture
def deployment(team, stack_version):
    version = stack_version("tf-state")
    environment = EnvironmentFactory(project=ProjectFactory(team=team), provider="onprem")
    return Deployment.objects.create(
        environment=environment, stack_version=version, name="twice", values={"label": "t"}
    )


def apply_at_once(deployment, user, count=2) -> list:
    """``count`` API apply requests released together; their responses."""
    from django.db import connection

    barrier = threading.Barrier(count)
    responses = [None] * count

    def request(index):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=10)
            responses[index] = client.post(f"/api/v1/deployments/{deployment.pk}/apply/")
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_concurrent_applies_run_one_after_the_other(member, deployment):
    responses = apply_at_once(deployment, member(Role.DEVELOPER))
    assert [response.status_code for response in responses] == [201, 201]
    first, second = Run.objects.filter(deployment=deployment).order_by("pk")
    wait_for_run(second)
    wait_for_run(first)
    assert first.status == second.status == "succeeded", log_text(first) + log_text(second)
    # Never both at once, and in the order they were requested.
    assert first.started < first.finished <= second.started


def test_with_queueing_off_the_second_is_refused(member, deployment, settings):
    settings.PLATEAU_RUNS_QUEUE_WHEN_BUSY = False
    responses = apply_at_once(deployment, member(Role.DEVELOPER))
    codes = sorted(response.status_code for response in responses)
    assert codes == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert "already has a run going; try again when it ends" in str(refused.json())
    [run] = Run.objects.filter(deployment=deployment)
    assert wait_for_run(run).status == "succeeded", log_text(run)
