from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from iac.problems import Problem
from iac.stacks import Stack as StackDefinition
from iac.stacks import load_stack
from portal.accounts.permissions import TeamOwned

GIT_CREDENTIAL_KIND = "git"


class StackSource(models.Model):
    """Where stacks come from: the folder shipped with Plateau, or a catalog git repository."""

    class Kind(models.TextChoices):
        FOLDER = "folder", "Folder"
        GIT = "git", "Git repository"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GIT)
    location = models.CharField(
        "URL",
        max_length=500,
        help_text="A git URL (https:// or ssh://) or, for a folder, its path.",
    )
    branch = models.CharField(max_length=200, blank=True, default="main")
    subdir = models.CharField(
        max_length=300, blank=True, help_text="Stacks folder inside the repository."
    )
    published = models.BooleanField(
        default=True,
        help_text="Unpublished sources (e.g. drafts made by imports) are only shown to "
        "platform engineers.",
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stack_sources",
        help_text="For a private repository: a credential of type Git repository access, "
        "with a token for an HTTPS URL or an SSH key for an SSH one.",
    )
    refresh_minutes = models.PositiveIntegerField(
        default=60, help_text="How often beat refreshes it; 0 refreshes on demand only."
    )
    last_refreshed = models.DateTimeField(
        null=True, blank=True, help_text="End of the last refresh, whether it worked or not."
    )
    last_error = models.TextField(blank=True, help_text="Why the last refresh failed, if it did.")
    refresh_started = models.DateTimeField(
        null=True, blank=True, help_text="Set while a worker refreshes the source."
    )
    created = models.DateTimeField(auto_now_add=True)

    # What a credential must hold for the repository's transport.
    CREDENTIAL_FIELD_BY_SCHEME = {"ssh": "private_key", "https": "token", "http": "token"}

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:source_list") + f"#source-{self.pk}"

    def clean(self):
        if self.kind == self.Kind.FOLDER:
            return
        from iac.stacks import SourceError, url_scheme
        from portal.catalog.sync import backend_for

        try:
            backend_for(self)
        except SourceError as error:
            message = str(error)
            field = next(
                (name for name in ("subdir", "branch") if name in message.split(" ", 2)[:2]),
                "location",
            )
            raise ValidationError({field: message}) from None
        if self.credential_id is not None:
            needed = self.CREDENTIAL_FIELD_BY_SCHEME.get(url_scheme(self.location), "token")
            problem = credential_problem(self.credential, needed)
            if problem:
                raise ValidationError({"credential": problem})

    def is_due(self, now) -> bool:
        if self.refresh_minutes == 0:
            return False
        return self.last_refreshed is None or (
            now - self.last_refreshed >= timedelta(minutes=self.refresh_minutes)
        )


def credential_problem(credential, needed_field: str) -> str | None:
    """Why ``credential`` cannot open a repository whose transport needs ``needed_field``."""
    if credential.kind != GIT_CREDENTIAL_KIND:
        return (
            f"{credential} is a {credential.kind_label} credential; a source needs one of "
            "type Git repository access."
        )
    if needed_field not in credential.field_names:
        what = "SSH private key" if needed_field == "private_key" else "access token"
        return f"{credential} has no {what}, which this URL needs."
    return None


class Stack(TeamOwned, models.Model):
    """A catalog entry. Its searchable metadata mirrors its newest valid version."""

    source = models.ForeignKey(StackSource, on_delete=models.PROTECT, related_name="stacks")
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)
    technologies = models.JSONField(default=list, blank=True)
    providers = models.JSONField(default=list, blank=True)
    icon = models.CharField(max_length=50, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="stacks"
    )
    latest_version = models.ForeignKey(
        "StackVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    permission_team_path = "team_id"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:stack_detail", args=[self.slug])


class StackVersion(TeamOwned, models.Model):
    """An immutable snapshot of a stack (a git tag, or a folder's content hash) and the
    report of its validation. Its files are copied once into PLATEAU_DATA_DIR, so runs
    keep working when the source moves on or the tag disappears."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        INVALID = "invalid", "Invalid"

    stack = models.ForeignKey(Stack, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # "tag", "branch" or "folder"
    commit = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    report = models.JSONField(default=dict, blank=True)
    definition = models.JSONField(default=dict, blank=True)
    readme = models.TextField(blank=True)
    gone = models.BooleanField(default=False, help_text="No longer offered by its source.")
    first_seen = models.DateTimeField(auto_now_add=True)

    permission_team_path = "stack__team_id"

    class Meta:
        ordering = ["stack__name", "-first_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["stack", "name"], name="stack_version_unique")
        ]

    def __str__(self):
        return f"{self.stack.slug}@{self.name}"

    @property
    def problems(self) -> list[Problem]:
        return [Problem(**problem) for problem in self.report.get("problems", [])]

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity != "error"]

    @property
    def files_path(self) -> Path:
        return snapshot_path(self.stack.slug, self.name)

    def load(self) -> StackDefinition:
        """The parsed stack of this version (cached: a version never changes)."""
        return _load_snapshot(str(self.files_path))


def snapshot_root() -> Path:
    return Path(settings.DATA_DIR) / "stack-versions"


def snapshot_path(slug: str, version: str) -> Path:
    # The stack folder keeps its own name (stack.yaml's slug must match it).
    return snapshot_root() / slug / version / slug


@lru_cache(maxsize=256)
def _load_snapshot(path: str) -> StackDefinition:
    stack, problems = load_stack(path)
    if stack is None:
        raise ValueError(f"stack snapshot at {path} no longer loads: {problems}")
    return stack
