"""An import's result as a catalog stack: first a draft in an unpublished folder source
(platform engineers review, edit and validate it there), then, once valid, a published
copy in a second folder source. Both sources live in PLATEAU_DATA_DIR, and the catalog
validates and snapshots them like any other source."""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from iac.stacks import folder_version
from portal.audit import recorder
from portal.catalog.models import StackSource, StackVersion
from portal.catalog.sync import sync_source
from portal.imports.models import ImportJob

DRAFTS = ("imported-drafts", "stack-drafts", False)  # source name, folder, published
PUBLISHED = ("imported", "stack-imported", True)
TERRAFORM_FOLDER = "terraform"


class DraftError(Exception):
    """The action cannot be done as things stand; the message says why."""


def folder_source(name: str, folder: str, published: bool) -> StackSource:
    location = Path(settings.DATA_DIR) / folder
    location.mkdir(parents=True, exist_ok=True)
    source, _ = StackSource.objects.get_or_create(
        name=name,
        defaults={
            "kind": StackSource.Kind.FOLDER,
            "location": str(location),
            "published": published,
            "refresh_minutes": 0,
        },
    )
    return source


def draft_slug(job: ImportJob) -> str:
    return f"{job.stack_slug}-draft"


def definition(job: ImportJob, slug: str, name: str) -> dict:
    resources = job.resource_count
    return {
        "stack_format": 1,
        "name": name,
        "slug": slug,
        "description": f"{resources} existing resources imported ({job.importer}) "
        f"for project {job.project.name}, adopted with Terraform import blocks.",
        "keywords": ["imported"],
        "team": job.project.team.slug,
        "technologies": ["terraform"],
        "steps": [
            {
                "name": "infrastructure",
                "title": "Imported resources",
                "engine": "terraform",
                "path": TERRAFORM_FOLDER,
            }
        ],
    }


def _replace_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Replace ``target`` with a folder that ``fill`` writes beside it, then renamed, so
    a sync never sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".write-", dir=target.parent))
    try:
        fill(staging / "stack")
        shutil.rmtree(target, ignore_errors=True)
        (staging / "stack").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_stack_yaml(folder: Path, stack: dict) -> None:
    (folder / "stack.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))


def _synced_version(source: StackSource, folder: Path) -> StackVersion:
    sync_source(source)
    return StackVersion.objects.select_related("stack").get(
        stack__slug=folder.name, name=folder_version(folder)
    )


def make_draft(job: ImportJob) -> StackVersion:
    """Write the job's Terraform as a draft stack (again: edits to an earlier draft are
    replaced by the import's result) and let the catalog validate it."""
    if job.status != ImportJob.Status.SUCCEEDED or not job.resource_count:
        raise DraftError("Only a succeeded import that found resources can become a stack.")
    source = folder_source(*DRAFTS)
    slug = draft_slug(job)
    folder = Path(source.location) / slug
    tf_files = {name: text for name, text in job.files.items() if name.endswith(".tf")}
    stack = definition(job, slug, f"Draft: {job.project.name} import #{job.pk}")

    def fill(staging: Path) -> None:
        (staging / TERRAFORM_FOLDER).mkdir(parents=True)
        _write_stack_yaml(staging, stack)
        (staging / "README.md").write_text(job.files.get("README.md", ""))
        for name, text in tf_files.items():
            (staging / TERRAFORM_FOLDER / name).write_text(text)

    _replace_folder(folder, fill)
    with transaction.atomic():
        version = _synced_version(source, folder)
        ImportJob.objects.filter(pk=job.pk).update(draft_version=version)
        recorder.record(
            "draft_stack",
            job,
            {"draft_version": [_name(job.draft_version), str(version)], "status": version.status},
        )
    job.draft_version = version
    return version


def publish(job: ImportJob) -> StackVersion:
    """Copy the draft as it is now (with the platform team's edits) into the published
    source, under the slug without ``-draft``. Only a draft that validates is published."""
    if job.draft_version is None:
        raise DraftError("Make a draft stack first.")
    drafts = folder_source(*DRAFTS)
    draft_folder = Path(drafts.location) / draft_slug(job)
    if not (draft_folder / "stack.yaml").is_file():
        raise DraftError(f"The draft folder {draft_folder.name} is gone; make the draft again.")
    draft = _synced_version(drafts, draft_folder)
    if draft.status != StackVersion.Status.VALID:
        raise DraftError(f"The draft {draft} does not pass validation; fix it first.")
    source = folder_source(*PUBLISHED)
    stack = yaml.safe_load((draft_folder / "stack.yaml").read_text())
    stack["slug"] = job.stack_slug
    stack["name"] = stack["name"].removeprefix("Draft: ")

    def fill(staging: Path) -> None:
        shutil.copytree(draft_folder, staging, symlinks=True)
        _write_stack_yaml(staging, stack)

    _replace_folder(Path(source.location) / job.stack_slug, fill)
    with transaction.atomic():
        version = _synced_version(source, Path(source.location) / job.stack_slug)
        ImportJob.objects.filter(pk=job.pk).update(draft_version=draft, published_version=version)
        recorder.record(
            "publish_stack",
            job,
            {"published_version": [_name(job.published_version), str(version)]},
        )
    job.draft_version, job.published_version = draft, version
    return version


def _name(version: StackVersion | None) -> str | None:
    return str(version) if version is not None else None
