import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from portal.accounts.permissions import TeamOwned
from portal.projects.models import Environment

currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code.")


class StorageMedia(models.TextChoices):
    SSD = "ssd", "SSD"
    HDD = "hdd", "HDD"


def _price_field(label: str, **extra):
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(0)],
        **extra,
    )


def _check_country(value: str) -> None:
    if value and pycountry.countries.get(alpha_3=value) is None:
        raise ValidationError(
            {"country": f"{value!r} is not an ISO 3166 alpha-3 country code (e.g. FRA)."}
        )


class PriceBook(models.Model):
    """What owned capacity costs: the on-premises price book used for Helm workloads,
    Ansible hosts and anything a cloud catalog does not price. There is one, seeded from
    plugins/pricing/onprem.json; environments override parts of it."""

    currency = models.CharField(max_length=3, default="EUR", validators=[currency_validator])
    vcpu_hour = _price_field("per vCPU-hour")
    memory_gb_hour = _price_field("per GB of memory per hour")
    storage_gb_month = _price_field("per GB-month of storage")
    country = models.CharField(
        max_length=3,
        help_text="Where the hosts run, as an ISO 3166 alpha-3 code (e.g. FRA): it gives "
        "the grid's carbon intensity.",
    )
    storage_media = models.CharField(
        max_length=3, choices=StorageMedia.choices, default=StorageMedia.SSD
    )
    note = models.TextField(
        blank=True, help_text="Where the figures come from (amortisation, power, staff...)."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "price book"

    def __str__(self):
        return "On-premises price book"

    def get_absolute_url(self):
        return reverse("finops:price_book")

    def clean(self):
        _check_country(self.country)


class PriceBookOverride(TeamOwned, models.Model):
    """One environment's differences from the price book; empty fields inherit it."""

    environment = models.OneToOneField(
        Environment, on_delete=models.CASCADE, related_name="price_book_override"
    )
    currency = models.CharField(max_length=3, blank=True, validators=[currency_validator])
    vcpu_hour = _price_field("per vCPU-hour", null=True, blank=True)
    memory_gb_hour = _price_field("per GB of memory per hour", null=True, blank=True)
    storage_gb_month = _price_field("per GB-month of storage", null=True, blank=True)
    country = models.CharField(
        max_length=3, blank=True, help_text="ISO 3166 alpha-3 code; empty keeps the book's."
    )
    storage_media = models.CharField(max_length=3, blank=True, choices=StorageMedia.choices)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "environment__project__team_id"
    OVERRIDABLE = (
        "currency",
        "vcpu_hour",
        "memory_gb_hour",
        "storage_gb_month",
        "country",
        "storage_media",
    )

    class Meta:
        ordering = ["environment__project__name", "environment__name"]
        verbose_name = "price book override"

    def __str__(self):
        return f"Prices for {self.environment}"

    def get_absolute_url(self):
        return reverse("finops:price_book")

    def overrides(self) -> dict:
        return {
            name: getattr(self, name)
            for name in self.OVERRIDABLE
            if getattr(self, name) not in (None, "")
        }

    def clean(self):
        _check_country(self.country)
        if not self.overrides():
            raise ValidationError("Set at least one price or property to override.")


class PriceList(models.Model):
    """An official price list an operator downloaded and loaded with `prices load`,
    kept as a catalog (``iac.estimate.catalog_to_dict``) that wins over the shipped one."""

    provider = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    file_name = models.CharField(max_length=255, help_text="The file it was loaded from.")
    source = models.URLField(max_length=500)
    date = models.CharField(max_length=10, blank=True, help_text="Publication date.")
    price_count = models.PositiveIntegerField()
    catalog = models.JSONField()
    loaded = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-loaded", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "file_name"], name="price_list_unique_per_file"
            )
        ]

    def __str__(self):
        return f"{self.provider} price list {self.file_name} ({self.date})"


class RunEstimate(TeamOwned, models.Model):
    """What a plan run's changes will cost and emit, against what the deployment had."""

    run = models.OneToOneField("deployments.Run", on_delete=models.CASCADE, related_name="estimate")
    estimate = models.JSONField(help_text="Estimate.to_dict(): Infracost-shaped, plus carbon.")
    currency = models.CharField(max_length=3)
    monthly_cost = models.DecimalField(max_digits=16, decimal_places=4)
    monthly_kgco2e = models.FloatField()
    created = models.DateTimeField(auto_now_add=True)

    permission_team_path = "run__deployment__environment__project__team_id"

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Estimate of {self.run}"


class RunEmission(TeamOwned, models.Model):
    """A run's own energy and emissions, measured by codecarbon in the worker (every task
    of the run adds to it: the plan, then the apply after an approval)."""

    run = models.OneToOneField("deployments.Run", on_delete=models.CASCADE, related_name="emission")
    energy_kwh = models.FloatField(default=0)
    emissions_kg = models.FloatField(default=0)
    duration_s = models.FloatField(default=0)
    country = models.CharField(max_length=3)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "run__deployment__environment__project__team_id"

    def __str__(self):
        return f"Measured emissions of {self.run}"


class EnvironmentSpend(TeamOwned, models.Model):
    """One day of an environment's figures (its deployments as last applied), kept for
    the report's trends. The day's row is rewritten each hour until the day ends."""

    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="spend_history"
    )
    day = models.DateField()
    monthly_cost = models.DecimalField(max_digits=16, decimal_places=4)
    currency = models.CharField(max_length=3)
    monthly_kgco2e = models.FloatField()
    deployments = models.PositiveIntegerField()

    permission_team_path = "environment__project__team_id"

    class Meta:
        ordering = ["environment", "day"]
        constraints = [
            models.UniqueConstraint(fields=["environment", "day"], name="one_spend_a_day")
        ]

    def __str__(self):
        return f"{self.environment} on {self.day}: {self.monthly_cost} {self.currency}"
