"""What environments spend against their budgets, and the cost report built on it.

A deployment costs what its last successful apply was estimated at (the same figure as
"As deployed" on its page); deployments never applied, or destroyed, cost nothing.
Amounts are converted into each environment's budget currency with the fixed exchange
rates the estimates use; an estimate in a currency without a rate is left out of the sum
and named, rather than silently counted as zero.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from iac.estimate.catalog import NoPrice
from plugins.pricing import default_fx_rates
from portal.accounts import permissions as perms
from portal.deployments.models import Deployment, Run
from portal.finops.models import EnvironmentSpend, RunEmission, RunEstimate
from portal.projects.models import Environment

# Deployments whose last successful apply is still out there (a failed run leaves what
# the previous apply made).
COUNTED = (Deployment.Status.ACTIVE, Deployment.Status.DRIFTED, Deployment.Status.FAILED)
NEAR_BUDGET = Decimal("0.8")
MEASURED_DAYS = 30
TREND_DAYS = 30
KEEP_HISTORY_DAYS = 400  # a year and a month of daily figures


def with_deployed_cost(deployments: QuerySet[Deployment]) -> QuerySet[Deployment]:
    """``deployments`` annotated with their deployed estimate (``deployed_cost``,
    ``deployed_currency``, ``deployed_kg``; None when never applied), in one query."""
    latest = RunEstimate.objects.filter(
        run__deployment=OuterRef("pk"),
        run__kind=Run.Kind.APPLY,
        run__status=Run.Status.SUCCEEDED,
    ).order_by("-run__created", "-run_id")
    return deployments.annotate(
        deployed_cost=Subquery(latest.values("monthly_cost")[:1]),
        deployed_currency=Subquery(latest.values("currency")[:1]),
        deployed_kg=Subquery(latest.values("monthly_kgco2e")[:1]),
    )


@dataclass
class Spend:
    """Monthly cost (in ``currency``) and emissions of some deployments."""

    currency: str
    cost: Decimal = Decimal(0)
    kg: float = 0.0
    deployments: int = 0
    missing_rates: set[str] = field(default_factory=set)

    def add(self, amount, amount_currency: str, kg, fx) -> None:
        self.deployments += 1
        self.kg += kg or 0.0
        try:
            self.cost += fx.convert(Decimal(amount), amount_currency, self.currency)
        except NoPrice:
            self.missing_rates.add(amount_currency)


def spends_of(environments, *, excluding: Deployment | None = None) -> dict[int, Spend]:
    """Environment id -> what its deployments cost a month, in its budget currency; one
    query for the deployments, however many."""
    environments = list(environments)
    spends = {environment.pk: Spend(environment.budget_currency) for environment in environments}
    deployments = Deployment.objects.filter(environment__in=environments, status__in=COUNTED)
    if excluding is not None:
        deployments = deployments.exclude(pk=excluding.pk)
    fx = default_fx_rates()
    for deployment in (
        with_deployed_cost(deployments)
        .filter(deployed_cost__isnull=False)
        .values("environment_id", "deployed_cost", "deployed_currency", "deployed_kg")
    ):
        spends[deployment["environment_id"]].add(
            deployment["deployed_cost"],
            deployment["deployed_currency"],
            deployment["deployed_kg"],
            fx,
        )
    return spends


@dataclass
class BudgetOutlook:
    """An environment's budget against what it spends now and would spend after a change."""

    environment: Environment
    budget: Decimal
    now: Spend
    after: Decimal | None = None  # None when the change could not be converted

    @property
    def currency(self) -> str:
        return self.now.currency

    @property
    def used(self) -> Decimal:
        """Share of the budget used after the change (or now), 1 meaning all of it."""
        amount = self.after if self.after is not None else self.now.cost
        if not self.budget:
            return Decimal("Infinity") if amount else Decimal(0)
        return amount / self.budget

    @property
    def used_percent(self) -> int | None:
        return round(self.used * 100) if self.used.is_finite() else None

    @property
    def over(self) -> bool:
        return self.used > 1

    @property
    def near(self) -> bool:
        return not self.over and self.used >= NEAR_BUDGET


def budget_outlook(
    environment: Environment,
    *,
    monthly_cost=None,
    currency: str = "",
    replacing: Deployment | None = None,
) -> BudgetOutlook | None:
    """The environment's budget now, and after a deployment costing ``monthly_cost`` (in
    ``currency``) is added or, with ``replacing``, replaces that deployment's cost.
    None when the environment has no budget."""
    if environment.monthly_budget is None:
        return None
    others = spends_of([environment], excluding=replacing)[environment.pk]
    now = spends_of([environment])[environment.pk] if replacing is not None else others
    outlook = BudgetOutlook(environment, environment.monthly_budget, now)
    if monthly_cost is not None:
        try:
            change = default_fx_rates().convert(Decimal(monthly_cost), currency, now.currency)
        except NoPrice:
            now.missing_rates.add(currency)
        else:
            outlook.after = others.cost + change
    return outlook


def record_spend(today=None) -> int:
    """Write today's figures of every environment (rewriting today's row, if any) and
    forget those older than KEEP_HISTORY_DAYS; the number of environments recorded."""
    today = today or timezone.localdate()
    environments = list(Environment.objects.all())
    spends = spends_of(environments)
    EnvironmentSpend.objects.bulk_create(
        [
            EnvironmentSpend(
                environment=environment,
                day=today,
                monthly_cost=spends[environment.pk].cost,
                currency=spends[environment.pk].currency,
                monthly_kgco2e=spends[environment.pk].kg,
                deployments=spends[environment.pk].deployments,
            )
            for environment in environments
        ],
        update_conflicts=True,
        unique_fields=["environment", "day"],
        update_fields=["monthly_cost", "currency", "monthly_kgco2e", "deployments"],
    )
    EnvironmentSpend.objects.filter(day__lt=today - timedelta(days=KEEP_HISTORY_DAYS)).delete()
    return len(environments)


@dataclass
class ReportRow:
    environment: Environment
    spend: Spend
    measured_kg: float  # what the runs themselves emitted, measured, over MEASURED_DAYS
    # Recorded daily costs over the last TREND_DAYS, oldest first (in the currency of
    # their day: a budget currency change shows as a jump).
    trend: list[EnvironmentSpend] = field(default_factory=list)

    @property
    def month_ago(self) -> EnvironmentSpend | None:
        """The oldest recorded day of the trend, to compare with now."""
        return self.trend[0] if self.trend else None

    @property
    def outlook(self) -> BudgetOutlook | None:
        if self.environment.monthly_budget is None:
            return None
        return BudgetOutlook(self.environment, self.environment.monthly_budget, self.spend)


def cost_report(user, team_id: int | None = None) -> list[ReportRow]:
    """One row per environment ``user`` may view (of one team, if given), in four
    queries whatever the number of environments, deployments and days."""
    environments = perms.scope(
        user,
        Environment.objects.select_related("project__team").order_by(
            "project__team__name", "project__name", "name"
        ),
    )
    if team_id is not None:
        environments = environments.filter(project__team_id=team_id)
    environments = list(environments)
    spends = spends_of(environments)
    since = timezone.now() - timedelta(days=MEASURED_DAYS)
    measured = dict(
        RunEmission.objects.filter(
            run__deployment__environment__in=environments, run__created__gte=since
        )
        .values_list("run__deployment__environment_id")
        .annotate(kg=Sum("emissions_kg"))
    )
    trends: dict[int, list[EnvironmentSpend]] = {}
    for day in EnvironmentSpend.objects.filter(
        environment__in=environments,
        day__gte=timezone.localdate() - timedelta(days=TREND_DAYS),
    ).order_by("day"):
        trends.setdefault(day.environment_id, []).append(day)
    return [
        ReportRow(
            environment,
            spends[environment.pk],
            measured.get(environment.pk, 0.0),
            trends.get(environment.pk, []),
        )
        for environment in environments
    ]


def totals(rows: list[ReportRow]) -> list[Spend]:
    """The rows summed per currency: budgets in different currencies are not mixed."""
    by_currency: dict[str, Spend] = {}
    for row in rows:
        total = by_currency.setdefault(row.spend.currency, Spend(row.spend.currency))
        total.cost += row.spend.cost
        total.kg += row.spend.kg
        total.deployments += row.spend.deployments
        total.missing_rates |= row.spend.missing_rates
    return [by_currency[currency] for currency in sorted(by_currency)]


MEASURED_COLUMN = f"runs_measured_kgco2e_{MEASURED_DAYS}d"
REPORT_COLUMNS = [
    "team",
    "project",
    "environment",
    "environment_id",
    "provider",
    "region",
    "deployments",
    "monthly_cost",
    "currency",
    "monthly_kgco2e",
    "monthly_cost_before",
    "before_day",
    "monthly_budget",
    "budget_used_percent",
    "over_budget",
    MEASURED_COLUMN,
    "currencies_without_rate",
]


def row_as_dict(row: ReportRow) -> dict:
    """A report row as the CSV and the API give it."""
    environment, spend, outlook, before = row.environment, row.spend, row.outlook, row.month_ago
    return {
        "team": environment.project.team.slug,
        "project": environment.project.slug,
        "environment": environment.name,
        "environment_id": environment.pk,
        "provider": environment.provider,
        "region": environment.region,
        "deployments": spend.deployments,
        "monthly_cost": str(spend.cost.quantize(Decimal("0.01"))),
        "currency": spend.currency,
        "monthly_kgco2e": round(spend.kg, 3),
        "monthly_cost_before": str(before.monthly_cost.quantize(Decimal("0.01")))
        if before
        else None,
        "before_day": before.day.isoformat() if before else None,
        "monthly_budget": str(environment.monthly_budget)
        if environment.monthly_budget is not None
        else None,
        "budget_used_percent": outlook.used_percent if outlook else None,
        "over_budget": outlook.over if outlook else False,
        MEASURED_COLUMN: round(row.measured_kg, 6),
        "currencies_without_rate": sorted(spend.missing_rates),
    }


def approval_reasons(run) -> list[str]:
    """Over budget, when the run's environment asks for approval then: the run is
    estimated from its plans now (the estimate is stored again when its task ends)."""
    from portal.finops.run_estimates import record_run_estimate

    environment = run.deployment.environment
    if not environment.approval_over_budget or environment.monthly_budget is None:
        return []
    estimate = record_run_estimate(run)
    if estimate is None:
        return ["its cost could not be estimated, and the environment has a budget to keep"]
    outlook = budget_outlook(
        environment,
        monthly_cost=estimate.monthly_cost,
        currency=estimate.currency,
        replacing=run.deployment,
    )
    if outlook.after is None:
        return [f"its estimate in {estimate.currency} cannot be compared with the budget"]
    if not outlook.over:
        return []
    return [
        f"it takes {environment} to {outlook.after:.2f} {outlook.currency} a month, over "
        f"its budget of {outlook.budget:.2f} {outlook.currency}"
    ]
