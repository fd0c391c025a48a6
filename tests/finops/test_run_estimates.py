"""A run's estimate from what its plan produced, diffed against what is deployed (the
last successful apply's estimate), stored when the run task ends, shown on the
deployment's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plugins.pricing import default_fx_rates
from portal.accounts.roles import Role
from portal.deployments.models import Deployment, Run, RunStep
from portal.deployments.tasks import execute_run
from portal.finops import emissions, signals
from portal.finops.models import RunEstimate
from portal.finops.price_books import default_book
from portal.finops.run_estimates import estimate_run, record_run_estimate
from tests.factories import EnvironmentFactory, ProjectFactory
from tests.finops.conftest import HOURS, published_price
from tests.finops.test_estimate_command import plan_json

MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          resources: {requests: {cpu: 500m, memory: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
"""


@pytest.fixture
def deployment(team, curated_version):
    environment = EnvironmentFactory(project=ProjectFactory(team=team), provider="aws")
    return Deployment.objects.create(
        environment=environment, stack_version=curated_version("aws-web-server"), name="web"
    )


def planned_run(deployment, instance_type, *, kind=Run.Kind.APPLY, status=Run.Status.SUCCEEDED):
    run = Run.objects.create(deployment=deployment, kind=kind, status=status)
    RunStep.objects.create(
        run=run, index=0, name="server", engine="terraform", plan_json=plan_json(instance_type)
    )
    RunStep.objects.create(run=run, index=1, name="release", engine="helm", manifests=MANIFEST)
    return run


def instance_cost(instance_type: str) -> Decimal:
    return published_price("aws", "ec2_instance", "eu-central-1", instance_type) * HOURS


def component_cost(estimate: dict, resource: str, prefix: str) -> Decimal:
    for project in estimate["projects"]:
        for item in project["breakdown"]["resources"]:
            for component in item["costComponents"]:
                if item["name"] == resource and component["name"].startswith(prefix):
                    return Decimal(component["monthlyCost"])
    raise AssertionError(f"no {prefix} on {resource}")


def test_the_first_run_shows_everything_as_added(deployment):
    run = planned_run(deployment, "m6i.large", kind=Run.Kind.PLAN)

    result = estimate_run(run)

    assert component_cost(result, "aws_instance.app", "Instance usage") == instance_cost(
        "m6i.large"
    )
    # 3 replicas x (0.5 vCPU, 1 GiB) at the price book's EUR prices, in the estimate's USD.
    book = default_book()
    helm = 3 * (Decimal("0.5") * HOURS * book.vcpu_hour + HOURS * book.memory_gb_hour)
    in_usd = default_fx_rates().convert(helm, book.currency, "USD")
    assert result["currency"] == "USD"
    web = [
        c
        for p in result["projects"]
        for r in p["breakdown"]["resources"]
        if r["name"] == "Deployment/shop/web"
        for c in r["costComponents"]
    ]
    assert sum(Decimal(c["monthlyCost"]) for c in web) == in_usd
    assert Decimal(result["pastTotalMonthlyCost"]) == 0
    assert result["diffTotalMonthlyCost"] == result["totalMonthlyCost"]


def test_a_later_plan_is_diffed_against_the_last_successful_apply(deployment):
    applied = planned_run(deployment, "m6i.large")
    record_run_estimate(applied)
    failed = planned_run(deployment, "t3.micro", status=Run.Status.FAILED)
    record_run_estimate(failed)  # never deployed: not what the diff compares with

    bigger = planned_run(deployment, "m6i.xlarge", kind=Run.Kind.PLAN, status=Run.Status.PLANNING)
    stored = record_run_estimate(bigger)

    change = instance_cost("m6i.xlarge") - instance_cost("m6i.large")
    assert Decimal(stored.estimate["diffTotalMonthlyCost"]) == change
    server = next(p for p in stored.estimate["projects"] if p["name"] == "server")
    (diff,) = server["diff"]["resources"]
    assert (diff["name"], diff["change"]) == ("aws_instance.app", "changed")
    assert Decimal(diff["diffMonthlyCost"]) == change
    assert stored.monthly_cost == Decimal(stored.estimate["totalMonthlyCost"])
    assert stored.monthly_kgco2e > 0


def test_the_run_task_ending_stores_the_estimate(deployment):
    run = planned_run(deployment, "m6i.large", kind=Run.Kind.PLAN)

    signals._after_task(task_id="t-1", task=execute_run, args=(run.pk,), kwargs={})

    assert RunEstimate.objects.get(run=run).monthly_cost > 0
    signals._after_task(task_id="t-2", task=execute_run, args=(), kwargs={"run_id": run.pk})
    assert RunEstimate.objects.filter(run=run).count() == 1  # updated, not duplicated


def test_a_destroy_plan_removes_every_cost(deployment):
    record_run_estimate(planned_run(deployment, "m6i.large"))
    destroy = Run.objects.create(deployment=deployment, kind=Run.Kind.DESTROY)
    gone = plan_json("m6i.large")
    gone["resource_changes"][0]["change"]["actions"] = ["delete"]
    RunStep.objects.create(run=destroy, index=0, name="server", engine="terraform", plan_json=gone)

    result = estimate_run(destroy)

    assert Decimal(result["totalMonthlyCost"]) == 0
    assert Decimal(result["diffTotalMonthlyCost"]) < 0


def test_an_unreadable_step_leaves_the_run_without_an_estimate(deployment):
    run = Run.objects.create(deployment=deployment, kind=Run.Kind.PLAN)
    RunStep.objects.create(run=run, index=0, name="release", engine="helm", manifests="a: [")

    assert record_run_estimate(run) is None
    assert not RunEstimate.objects.exists()


def test_the_deployment_page_shows_deployed_planned_and_measured(client, member, deployment):
    applied = planned_run(deployment, "m6i.large")
    record_run_estimate(applied)
    planned = planned_run(deployment, "m6i.xlarge", kind=Run.Kind.PLAN)
    record_run_estimate(planned)
    emissions.add_measure(applied.pk, 0.002, 0.0001, 12.5)
    client.force_login(member(Role.VIEWER))

    page = client.get(reverse("deployments:deployment_detail", args=[deployment.pk]))

    assert page.status_code == 200
    html = page.text
    assert "<h2>Cost and carbon</h2>" in html
    deployed = Decimal(RunEstimate.objects.get(run=applied).estimate["totalMonthlyCost"])
    assert f"As deployed: <strong>{deployed:.2f} USD</strong>" in html
    change = instance_cost("m6i.xlarge") - instance_cost("m6i.large")
    assert f"Plan #{planned.pk}" in html
    assert f"(+{change:.2f} USD against what is deployed)" in html
    assert "Measured while running (codecarbon): 0.002000 kWh" in html


def test_run_estimates_in_the_api_are_team_scoped(api_client, member, deployment):
    run = planned_run(deployment, "m6i.large", kind=Run.Kind.PLAN)
    record_run_estimate(run)
    api_client.force_authenticate(member(Role.VIEWER))

    listed = api_client.get(f"/api/v1/run-estimates/?run={run.pk}").json()["results"]
    assert [row["run"] for row in listed] == [run.pk]
    assert (
        listed[0]["estimate"]["diffTotalMonthlyCost"] == listed[0]["estimate"]["totalMonthlyCost"]
    )
    assert api_client.get("/api/v1/run-estimates/?deployment=x").status_code == 400

    outsider = member(Role.VIEWER, username="elsewhere")
    outsider.memberships.all().delete()
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/run-estimates/").json()["results"] == []


def test_the_run_page_shows_its_estimate_to_the_approver_and_polls_until_it_exists(
    client, member, deployment
):
    applied = planned_run(deployment, "m6i.large")
    record_run_estimate(applied)
    waiting = planned_run(deployment, "m6i.xlarge", status=Run.Status.PLANNING)
    client.force_login(member(Role.VIEWER))
    fragment = reverse("finops:run_estimate", args=[waiting.pk])

    # Not estimated yet: the panel asks again for itself.
    html = client.get(waiting.get_absolute_url()).text
    assert "<h2>Cost and carbon of this run</h2>" in html
    assert f'hx-get="{fragment}" hx-trigger="every 2s"' in html
    assert "Estimating" in client.get(fragment).text

    Run.objects.filter(pk=waiting.pk).update(status=Run.Status.AWAITING_APPROVAL)
    record_run_estimate(waiting)
    change = instance_cost("m6i.xlarge") - instance_cost("m6i.large")
    for html in (client.get(fragment).text, client.get(waiting.get_absolute_url()).text):
        assert f"(+{change:.2f} USD against what is deployed)" in html
        assert (
            "hx-trigger" not in html.split("Cost and carbon of this run")[-1].split("</section>")[0]
        )

    failed = planned_run(deployment, "m6i.large", status=Run.Status.FAILED)
    assert "ended before its plan could be read" in client.get(failed.get_absolute_url()).text

    outsider = member(Role.VIEWER, username="elsewhere")
    outsider.memberships.all().delete()
    client.force_login(outsider)
    assert client.get(fragment).status_code == 404
