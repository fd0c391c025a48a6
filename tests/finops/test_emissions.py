"""Runs' own energy and emissions, measured by a real codecarbon tracker (offline) around
real CPU work, as the worker does it: one tracker, each run task measured as a task."""

import pytest

from portal.deployments.models import Deployment, Run
from portal.deployments.tasks import execute_run
from portal.finops import emissions, signals
from portal.finops.models import RunEmission
from tests.factories import EnvironmentFactory


def busy_work() -> int:
    return sum(index * index for index in range(2_000_000))


@pytest.fixture
def run(curated_version):
    deployment = Deployment.objects.create(
        environment=EnvironmentFactory(),
        stack_version=curated_version("aws-web-server"),
        name="web",
    )
    return Run.objects.create(deployment=deployment, kind=Run.Kind.PLAN)


@pytest.fixture
def tracker(settings, monkeypatch):
    settings.PLATEAU_CARBON_COUNTRY = "DEU"
    monkeypatch.setattr(emissions, "_tracker", None)  # this process's, forgotten after
    signals._start_tracker()
    return emissions._tracker


def test_run_tasks_are_measured_and_added_up(run, tracker):
    assert tracker is not None

    signals._before_task(task_id="task-1", task=execute_run)
    busy_work()
    signals._after_task(task_id="task-1", task=execute_run, args=(run.pk,), kwargs={})

    first = RunEmission.objects.get(run=run)
    assert first.energy_kwh > 0
    assert first.emissions_kg > 0
    assert first.duration_s > 0
    assert first.country == "DEU"

    # The apply after an approval is a second task of the same run: it adds up.
    signals._before_task(task_id="task-2", task=execute_run)
    busy_work()
    signals._after_task(task_id="task-2", task=execute_run, args=(), kwargs={"run_id": run.pk})

    both = RunEmission.objects.get(run=run)
    assert both.energy_kwh > first.energy_kwh
    assert both.emissions_kg > first.emissions_kg


def test_other_tasks_and_processes_without_a_tracker_are_not_measured(run, settings):
    class OtherTask:
        name = "portal.core.tasks.heartbeat"

    signals._before_task(task_id="x", task=OtherTask())
    signals._after_task(task_id="x", task=OtherTask(), args=(run.pk,), kwargs={})
    assert emissions._tracker is None
    assert emissions.begin("y") is False
    assert emissions.end("y", run.pk) is None

    settings.PLATEAU_MEASURE_RUNS = False
    signals._start_tracker()
    assert emissions._tracker is None
    assert not RunEmission.objects.exists()
