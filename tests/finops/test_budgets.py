"""Budgets and the cost report: what each environment's deployments cost as last applied,
converted into its budget currency, against its budget, on the report page, in its CSV
and API, on the run page and in the deploy form's estimate."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugins.pricing import default_fx_rates
from portal.accounts.roles import Role
from portal.deployments.models import Deployment, Run
from portal.finops import budgets, emissions
from portal.finops.models import RunEstimate
from portal.hookspecs import hookimpl
from tests.factories import EnvironmentFactory, ProjectFactory, TeamFactory
from tests.finops.test_preview import PREVIEW, form
from tests.test_query_counts import query_count

REPORT = "/finops/report/"
USD_50_IN_EUR = default_fx_rates().convert(Decimal(50), "USD", "EUR")


def applied(deployment, cost, currency="EUR", kg=1.0, *, kind=Run.Kind.APPLY, status="succeeded"):
    run = Run.objects.create(deployment=deployment, kind=kind, status=status)
    RunEstimate.objects.create(
        run=run,
        estimate={
            "currency": currency,
            "totalMonthlyCost": str(cost),
            "projects": [],
            "summary": {"totalFreeResources": 0},
            "carbon": {"totalMonthlyKgCO2e": kg},
        },
        currency=currency,
        monthly_cost=Decimal(cost),
        monthly_kgco2e=kg,
    )
    return run


def deployment_in(environment, name, status="active", stack_version=None):
    return Deployment.objects.create(
        environment=environment, stack_version=stack_version, name=name, status=status
    )


@pytest.fixture
def estate(team, curated_version):
    """prod (budget 100 EUR): web costs 60 EUR (its newer apply), api 50 USD; a destroyed
    and a never-applied deployment, and one whose estimate has no exchange rate. dev has
    no budget. Another team's environment costs 999."""
    version = curated_version("aws-web-server")
    project = ProjectFactory(team=team, name="Shop", slug="shop")
    prod = EnvironmentFactory(project=project, name="prod", monthly_budget=100)
    dev = EnvironmentFactory(project=project, name="dev", monthly_budget=None)
    web = deployment_in(prod, "web", stack_version=version)
    applied(web, 30)
    applied(web, 60, kg=2.5)
    applied(web, 500, kind=Run.Kind.PLAN)  # planned, not applied: not counted
    applied(deployment_in(prod, "api", stack_version=version), 50, "USD", kg=0.5)
    applied(deployment_in(prod, "gone", "destroyed", version), 1000)
    deployment_in(prod, "new", "new", version)
    applied(deployment_in(prod, "yen", stack_version=version), 9000, "JPY")
    applied(deployment_in(dev, "web", stack_version=version), 10)
    elsewhere = EnvironmentFactory(project=ProjectFactory(team=TeamFactory()), monthly_budget=1)
    applied(deployment_in(elsewhere, "other", stack_version=version), 999)
    emissions.add_measure(web.runs.first().pk, 0.01, 0.004, 3.0)
    return {"prod": prod, "dev": dev, "web": web, "version": version}


def test_the_report_sums_what_is_deployed_in_each_budget_currency(member, estate):
    rows = {row.environment.name: row for row in budgets.cost_report(member(Role.VIEWER))}
    assert set(rows) == {"prod", "dev"}  # not the other team's
    prod = rows["prod"]
    assert prod.spend.cost == Decimal(60) + USD_50_IN_EUR
    assert prod.spend.deployments == 3 and prod.spend.missing_rates == {"JPY"}
    assert prod.spend.kg == pytest.approx(2.5 + 0.5 + 1.0)
    assert prod.measured_kg == pytest.approx(0.004)
    assert prod.outlook.over and prod.outlook.used_percent == round(prod.spend.cost)
    assert rows["dev"].outlook is None and rows["dev"].spend.cost == 10
    [total] = budgets.totals(list(rows.values()))
    assert (total.currency, total.cost) == ("EUR", Decimal(70) + USD_50_IN_EUR)


def test_the_report_page_csv_and_api(client, api_client, member, team, estate):
    viewer = member(Role.VIEWER)
    client.force_login(viewer)
    html = client.get(REPORT).content.decode()
    prod = estate["prod"]
    row = html.split(f'data-environment="{prod.pk}"')[1].split("</tr>")[0]
    assert 'class="budget-over"' in row and "<strong>over</strong>" in row
    assert f"{Decimal(60) + USD_50_IN_EUR:.2f} EUR" in row and "(without JPY)" in row
    assert 'href="/finops/report/"' in html  # in the Reports menu

    download = client.get(REPORT, {"team": team.pk, "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [line["environment"] for line in lines] == ["dev", "prod"]
    assert lines[1]["over_budget"] == "True" and lines[1]["currencies_without_rate"] == "JPY"
    assert list(lines[0]) == budgets.REPORT_COLUMNS

    assert api_client.get("/api/v1/cost-report/").status_code in (401, 403)  # anonymous
    api_client.force_authenticate(viewer)
    body = api_client.get("/api/v1/cost-report/", {"team": team.pk}).json()
    assert [row["environment"] for row in body] == ["dev", "prod"]
    assert body[1]["monthly_cost"] == f"{Decimal(60) + USD_50_IN_EUR:.2f}"
    assert body[1]["budget_used_percent"] == round(Decimal(60) + USD_50_IN_EUR)
    assert api_client.get("/api/v1/cost-report/", {"team": "x"}).status_code == 400
    other_team = TeamFactory()
    assert api_client.get("/api/v1/cost-report/", {"team": other_team.pk}).json() == []
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/cost-report/" in schema["paths"]


def test_the_report_runs_a_fixed_number_of_queries(client, member, team, estate):
    client.force_login(member(Role.VIEWER))
    before = query_count(client, REPORT)
    for number in range(3):
        environment = EnvironmentFactory(project=ProjectFactory(team=team), monthly_budget=5)
        applied(deployment_in(environment, f"more-{number}", stack_version=estate["version"]), 1)
    assert query_count(client, REPORT) == before


def test_an_approver_sees_the_budget_with_the_run_and_a_developer_in_the_deploy_form(
    client, member, estate
):
    web, prod = estate["web"], estate["prod"]
    waiting = applied(web, 35, status=Run.Status.AWAITING_APPROVAL)
    client.force_login(member(Role.DEVELOPER))
    html = client.get(waiting.get_absolute_url()).content.decode()
    after = Decimal(35) + USD_50_IN_EUR  # web's 60 replaced by 35
    assert f"Budget of {prod}: <strong>100.00 EUR</strong> a month" in html
    assert f"{after:.2f} EUR with this one" in html
    assert f"({round(after)}% of the budget): close to the budget" in " ".join(html.split())

    preview = client.post(
        PREVIEW, form(estate["version"], prod, region="us-east-1", instance_type="t3.micro")
    ).content.decode()
    assert f"Budget of {prod}: <strong>100.00 EUR</strong> a month" in preview
    assert "with this one" in preview and "over budget" in preview  # already over


def test_each_day_is_recorded_and_the_report_draws_the_trend(client, settings, member, estate):
    from portal.finops.models import EnvironmentSpend
    from portal.finops.tasks import record_spend

    today = timezone.localdate()
    prod = estate["prod"]
    ancient = EnvironmentSpend.objects.create(
        environment=prod,
        day=today - timedelta(days=budgets.KEEP_HISTORY_DAYS + 1),
        monthly_cost=1,
        currency="EUR",
        monthly_kgco2e=0,
        deployments=1,
    )
    budgets.record_spend(today=today - timedelta(days=20))
    applied(estate["web"], 90)  # web grows from 60 to 90 EUR
    record_spend.apply()  # the beat task, for today
    record_spend.apply()  # again the same day: rewritten, not added
    assert not EnvironmentSpend.objects.filter(pk=ancient.pk).exists()
    days = list(EnvironmentSpend.objects.filter(environment=prod).values_list("day", flat=True))
    assert days == [today - timedelta(days=20), today]
    assert "portal.finops.tasks.record_spend" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    [row] = [row for row in budgets.cost_report(member(Role.VIEWER)) if row.environment == prod]
    assert [day.monthly_cost for day in row.trend] == [
        (Decimal(60) + USD_50_IN_EUR).quantize(Decimal("0.0001")),
        (Decimal(90) + USD_50_IN_EUR).quantize(Decimal("0.0001")),
    ]
    client.force_login(member(Role.VIEWER, username="reader"))
    html = client.get(REPORT).content.decode()
    cell = html.split(f'data-environment="{prod.pk}"')[1].split("</tr>")[0]
    assert '<svg class="sparkline"' in cell
    assert f"{Decimal(60) + USD_50_IN_EUR:.2f} EUR on {today - timedelta(days=20)}" in cell
    lines = list(csv.DictReader(io.StringIO(client.get(REPORT, {"format": "csv"}).text)))
    assert lines[1]["monthly_cost_before"] == f"{Decimal(60) + USD_50_IN_EUR:.2f}"


def test_over_budget_runs_need_approval_where_the_environment_asks(member, team, curated_version):
    from portal.deployments.execution import Execution
    from portal.deployments.models import RunStep
    from portal.plugins import get_plugin_manager
    from tests.finops.test_estimate_command import plan_json

    environment = EnvironmentFactory(
        project=ProjectFactory(team=team), provider="aws", monthly_budget=10
    )
    deployment = deployment_in(environment, "web", stack_version=curated_version("aws-web-server"))
    run = Run.objects.create(deployment=deployment, kind=Run.Kind.APPLY, status="planning")
    RunStep.objects.create(
        run=run,
        index=0,
        name="server",
        engine="terraform",
        has_changes=True,
        plan_json=plan_json("m6i.large"),
    )
    assert Execution(run)._approval_reasons() == []  # the environment does not ask
    environment.approval_over_budget = True
    environment.save()
    [reason] = Execution(run)._approval_reasons()
    assert (
        reason.startswith(f"it takes {environment} to ")
        and "over its budget of 10.00 EUR" in reason
    )
    environment.monthly_budget = 100000
    environment.save()
    assert Execution(run)._approval_reasons() == []
    environment.approval_required = True
    environment.save()
    assert Execution(run)._approval_reasons() == ["the environment requires approval"]

    class BrokenCheck:
        @staticmethod
        @hookimpl
        def plateau_approval_reasons(run):
            raise RuntimeError("the check's own bug")

    get_plugin_manager().register(BrokenCheck, name="broken-check")
    try:
        reasons = Execution(run)._approval_reasons()
    finally:
        get_plugin_manager().unregister(name="broken-check")
    assert reasons[-1] == "the approval check of plugin broken-check failed"
    RunStep.objects.filter(run=run).update(has_changes=False)
    assert Execution(run)._approval_reasons() == []  # nothing changes: nothing to approve
