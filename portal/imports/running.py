"""Runs an import job: the importer from the plugins, progress saved as it goes, then the
Terraform folder, its estimate and its map stored on the job."""

import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from iac.estimate import InputError, read_terraform_dir
from iac.graph import build_graph, from_import_result
from iac.hcl import write_terraform
from iac.importers import Importer, ImporterError, ImportFilter, ImportResult, Progress, run_import
from iac.importers.tfstate import parse_state
from portal.finops.estimates import estimate_projects
from portal.imports.maps import graph_to_data
from portal.imports.models import ImportJob
from portal.imports.registry import importer_class

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress saves: the page polls about as often


class ProgressRecorder:
    """Counts what the importer reports and saves it on the job, at most every
    ``interval`` seconds (and always on ``flush``)."""

    def __init__(
        self,
        job_id: int,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.job_id = job_id
        self.interval = interval
        self.clock = clock
        self.found: dict[tuple[str, str | None], int] = {}
        self.current: str | None = None
        self.saved_at: float | None = None

    def __call__(self, progress: Progress) -> None:
        self.found[(progress.type, progress.region)] = progress.found
        where = f" in {progress.region}" if progress.region else ""
        self.current = None if progress.done else f"{progress.type}{where}"
        if self.saved_at is None or self.clock() - self.saved_at >= self.interval:
            self.flush()

    def snapshot(self) -> dict:
        per_type: dict[str, int] = {}
        for (resource_type, _), found in self.found.items():
            per_type[resource_type] = per_type.get(resource_type, 0) + found
        return {"found": per_type, "current": self.current}

    def flush(self) -> None:
        # A queryset update: progress is bookkeeping, not a change worth an audit event.
        ImportJob.objects.filter(pk=self.job_id).update(progress=self.snapshot())
        self.saved_at = self.clock()


def redact_sensitive(state: dict) -> dict:
    """The state without the attributes Terraform marked sensitive (passwords, keys), so
    that an importer guessing arguments for an unknown type never writes them into HCL."""
    for entry in state.get("resources", []):
        for instance in entry.get("instances", []):
            attributes = instance.get("attributes") or {}
            for path in instance.get("sensitive_attributes") or []:
                step = path[0] if isinstance(path, list) and path else path
                if isinstance(step, dict) and step.get("type") == "get_attr":
                    attributes.pop(step.get("value"), None)
    return state


def build_importer(job: ImportJob) -> Importer:
    cls = importer_class(job.importer)
    if job.importer == "tfstate":
        state = redact_sensitive(parse_state(job.state_upload, job.state_filename or "state"))
        return cls(text=json.dumps(state))
    if job.importer == "aws":
        return cls(job.regions, endpoint_url=job.endpoint_url or None, **aws_keys(job))
    raise ImporterError(f"the portal cannot start {job.importer!r} imports; use its own tools")


def aws_keys(job: ImportJob) -> dict:
    """The keys of the job's credential, for boto3 only: never logged or stored."""
    if job.credential is None:
        raise ImporterError("no AWS credential: the credential chosen for this import is gone")
    material = job.credential.material()
    return {
        "access_key_id": material["access_key_id"],
        "secret_access_key": material["secret_access_key"],
        "session_token": material.get("session_token") or None,
    }


def filters_of(job: ImportJob) -> ImportFilter:
    return ImportFilter(
        frozenset(job.include_types), frozenset(job.exclude_types), dict(job.tags or {})
    )


def execute(job: ImportJob, progress_interval: float = PROGRESS_INTERVAL) -> ImportJob:
    """Run ``job`` to a final status. Errors that stop an import (credentials, endpoint,
    filters, state file) become its message; the importer names which."""
    job.status, job.started, job.error = ImportJob.Status.RUNNING, timezone.now(), ""
    job.save(update_fields=["status", "started", "error", "updated"])
    recorder = ProgressRecorder(job.pk, progress_interval)
    try:
        result = run_import(build_importer(job), filters_of(job), progress=recorder)
    except ImporterError as exc:
        return _finish(job, ImportJob.Status.FAILED, error=str(exc), progress=recorder.snapshot())
    except Exception:
        logger.exception("import job %s failed", job.pk)
        return _finish(
            job,
            ImportJob.Status.FAILED,
            error="The import stopped on an unexpected error; the worker's log has the details.",
            progress=recorder.snapshot(),
        )
    return _finish(
        job, ImportJob.Status.SUCCEEDED, progress=recorder.snapshot(), **_outputs(job, result)
    )


def _outputs(job: ImportJob, result: ImportResult) -> dict:
    with tempfile.TemporaryDirectory(prefix="plateau-import-") as folder:
        files = write_terraform(result, folder)
        notes = list(result.notes)
        try:
            project = read_terraform_dir(folder, name=f"import-{job.pk}")
            estimate = estimate_projects(project, environment=job.environment).to_dict()
        except InputError as exc:
            estimate = {}
            notes.append(f"No estimate: {exc}")
    return {
        "files": files,
        "estimate": estimate,
        "graph": graph_to_data(build_graph(from_import_result(result))),
        "counts": dict(sorted(result.counts().items())),
        "skipped": [asdict(item) for item in result.skipped],
        "failures": [asdict(item) for item in result.failures],
        "notes": notes,
    }


def _finish(job: ImportJob, status: str, **fields) -> ImportJob:
    for name, value in fields.items():
        setattr(job, name, value)
    job.status, job.finished = status, timezone.now()
    with transaction.atomic():
        job.save()
    return job
