"""Deployments (a stack version + values in an environment), their runs, the runs' steps
and log lines, and the Terraform state Plateau stores for them.

Secret material (secret parameter values, sensitive outputs, saved plans, Terraform
state) is kept in ``*_sealed`` binary fields, encrypted with ``portal.deployments.sealed``;
those fields never reach templates, API responses or audit events.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from portal.accounts.permissions import TeamOwned
from portal.deployments import sealed

deployment_name_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{0,52}$",
    "Use 1 to 53 lowercase letters, digits and dashes, starting with a letter "
    "(it names Helm releases and cloud resources).",
)


class Deployment(TeamOwned, models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"
        DESTROYED = "destroyed", "Destroyed"
        DRIFTED = "drifted", "Drifted"

    # What a drift check compares with: something was applied and is still there.
    DRIFT_CHECKED = (Status.ACTIVE, Status.DRIFTED)

    environment = models.ForeignKey(
        "projects.Environment", on_delete=models.PROTECT, related_name="deployments"
    )
    stack_version = models.ForeignKey(
        "catalog.StackVersion", on_delete=models.PROTECT, related_name="deployments"
    )
    name = models.CharField(max_length=53, validators=[deployment_name_validator])
    # The values of the last applied run (of the first request before any apply);
    # secret parameters are only in values_sealed.
    values = models.JSONField(default=dict, blank=True)
    values_sealed = models.BinaryField(default=b"")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    outputs = models.JSONField(default=dict, blank=True)  # stack outputs, not sensitive
    outputs_sealed = models.BinaryField(default=b"")  # sensitive stack outputs
    step_outputs_sealed = models.BinaryField(default=b"")  # every step's outputs, fed forward
    # The run holding the deployment: mutating runs of one deployment never overlap.
    locked_by_run = models.ForeignKey(
        "Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "environment__project__team_id"

    class Meta:
        ordering = ["environment__project__name", "environment__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "name"], name="deployment_name_unique_in_environment"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("deployments:deployment_detail", args=[self.pk])

    @property
    def stack(self):
        return self.stack_version.load()

    def secret_values(self) -> dict:
        return sealed.unseal(self.values_sealed) or {}

    def sensitive_outputs(self) -> dict:
        return sealed.unseal(self.outputs_sealed) or {}

    def step_outputs(self) -> dict[str, dict]:
        return sealed.unseal(self.step_outputs_sealed) or {}


class Run(TeamOwned, models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        APPLY = "apply", "Apply"
        DESTROY = "destroy", "Destroy"
        DRIFT = "drift", "Drift check"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PLANNING = "planning", "Planning"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPLYING = "applying", "Applying"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"
        LOST = "lost", "Lost"

    FINAL = frozenset({"succeeded", "failed", "cancelled", "rejected", "lost"})

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The values this run deploys (secret ones sealed); the deployment takes them on success.
    values = models.JSONField(default=dict, blank=True)
    values_sealed = models.BinaryField(default=b"")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)  # step name -> change summary
    error = models.TextField(blank=True)  # masked like every log line
    cancel_requested = models.BooleanField(default=False)
    celery_task_id = models.CharField(max_length=64, blank=True)
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    permission_team_path = "deployment__environment__project__team_id"

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["deployment", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} of {self.deployment}"

    def get_absolute_url(self):
        return reverse("deployments:run_detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def duration(self):
        if self.started and self.finished:
            return self.finished - self.started
        return None

    def secret_values(self) -> dict:
        return sealed.unseal(self.values_sealed) or {}

    def all_values(self) -> dict:
        return {**self.values, **self.secret_values()}


class RunStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PLANNED = "planned", "Planned"
        PLAN_ONLY = "plan_only", "Plan only (the environment lacks what it needs)"
        DEFERRED = "deferred", "Planned once earlier steps have applied"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    index = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=200, blank=True)
    engine = models.CharField(max_length=30)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    summary = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    has_changes = models.BooleanField(default=False)
    # What the saved plan needs to be applied on any worker: the engine's plan mode,
    # its fingerprint, the digest of the inputs it was made with and the plan file.
    engine_destroy = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    plan_file_name = models.CharField(max_length=100, blank=True)
    plan_artifact_sealed = models.BinaryField(null=True)
    plan_json = models.JSONField(null=True, blank=True)
    manifests = models.TextField(blank=True)
    diff = models.TextField(blank=True)
    outputs_sealed = models.BinaryField(default=b"")

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="run_step_unique")]

    def __str__(self):
        return f"{self.name} ({self.engine})"

    def outputs(self) -> dict:
        return sealed.unseal(self.outputs_sealed) or {}


class LogLine(models.Model):
    class Level(models.TextChoices):
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log_lines")
    seq = models.PositiveIntegerField()
    step_index = models.PositiveIntegerField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    text = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="log_line_seq_unique")]

    def __str__(self):
        return f"{self.seq}: {self.text[:80]}"


class StateVersion(TeamOwned, models.Model):
    """One write of a step's Terraform state through Plateau's HTTP backend."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="state_versions"
    )
    step = models.CharField(max_length=100)
    serial = models.PositiveIntegerField()
    lineage = models.CharField(max_length=100)
    md5 = models.CharField(max_length=32)
    state_sealed = models.BinaryField()
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    permission_team_path = "deployment__environment__project__team_id"

    class Meta:
        ordering = ["deployment", "step", "-id"]
        indexes = [models.Index(fields=["deployment", "step", "-id"])]

    def __str__(self):
        return f"{self.deployment} / {self.step} serial {self.serial}"


class StateLock(models.Model):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=100)
    lock_id = models.CharField(max_length=100)
    info = models.JSONField(default=dict)
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "step"], name="state_lock_unique")
        ]

    def __str__(self):
        return f"lock {self.lock_id} on {self.deployment} / {self.step}"
