from django.conf import settings
from django.db import models
from django.urls import reverse

from portal.accounts.permissions import TeamOwned
from portal.projects.models import Environment, Project


class ImportJob(TeamOwned, models.Model):
    """One import of existing infrastructure into Terraform, and what it produced.

    It belongs to a project's team; an AWS import also names the environment whose AWS
    credential it reads with (the environment belongs to the same project)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="import_jobs")
    environment = models.ForeignKey(
        Environment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    # The AWS credential (bound to the environment) the import reads with. A job only
    # records what was found, so deleting the credential later keeps the job.
    credential = models.ForeignKey(
        "credentials.Credential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    importer = models.CharField(max_length=50)
    regions = models.JSONField(default=list, blank=True)
    endpoint_url = models.CharField(max_length=500, blank=True)
    include_types = models.JSONField(default=list, blank=True)
    exclude_types = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    # The uploaded Terraform state: it may hold secrets, so it is never shown, returned
    # by the API or written to the audit trail.
    state_upload = models.TextField(blank=True)
    state_filename = models.CharField(max_length=255, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    failures = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    files = models.JSONField(default=dict, blank=True)  # file name -> text
    estimate = models.JSONField(default=dict, blank=True)
    graph = models.JSONField(default=dict, blank=True)

    draft_version = models.ForeignKey(
        "catalog.StackVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_version = models.ForeignKey(
        "catalog.StackVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    permission_team_path = "project__team_id"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "import job"

    def __str__(self):
        return f"Import #{self.pk} ({self.importer})"

    def get_absolute_url(self):
        return reverse("imports:job_detail", args=[self.pk])

    @property
    def done(self) -> bool:
        return self.status in self.FINISHED

    @property
    def resource_count(self) -> int:
        return sum(self.counts.values())

    @property
    def stack_slug(self) -> str:
        """The catalog slug its published stack gets (the draft adds ``-draft``)."""
        return f"{self.project.slug}-import-{self.pk}"
