"""Brings a source's stacks into the catalog: every new version is snapshotted into the
data folder, validated, and stored with its report; versions the source no longer
offers are marked gone (deployments that use them keep working from the snapshot).

A stack keeps serving its last valid version while its source only offers invalid ones,
so a broken commit never empties the catalog."""

import hashlib
import logging
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iac.stacks import (
    GitStackSource,
    LocalStackSource,
    SourceError,
    SourceVersion,
    load_stack,
    validate_stack,
)
from portal.accounts.models import Team
from portal.catalog.models import Stack, StackSource, StackVersion, snapshot_path
from portal.credentials.crypto import UndecryptableError
from portal.credentials.masking import Masker
from portal.credentials.runtime import materialize
from portal.credentials.types import UnknownKindError
from portal.plugins import hook

logger = logging.getLogger(__name__)

BUILTIN_SOURCE_NAME = "plateau-curated"
# A refresh claimed longer ago than this died with its worker; another may take over.
REFRESH_TIMEOUT = timedelta(minutes=15)


@dataclass
class SyncResult:
    source: str
    added: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # versions that could not be exported


def builtin_source() -> StackSource:
    source, _ = StackSource.objects.get_or_create(
        name=BUILTIN_SOURCE_NAME,
        defaults={
            "kind": StackSource.Kind.FOLDER,
            "location": str(Path(settings.BASE_DIR) / "stacks"),
            "refresh_minutes": 0,
        },
    )
    return source


def git_cache_root() -> Path:
    return Path(settings.DATA_DIR) / "git-cache"


def backend_for(source: StackSource, environment: dict[str, str] | None = None):
    """The source's backend; ``environment`` holds the credential's variables for git."""
    if source.kind == StackSource.Kind.FOLDER:
        return LocalStackSource(source.location)
    # The cache is per URL too: pointing a source elsewhere starts from a clean mirror.
    url_key = hashlib.sha256(source.location.encode()).hexdigest()[:12]
    return GitStackSource(
        source.location,
        git_cache_root() / f"{source.pk}-{url_key}",
        branch=source.branch or "main",
        subdir=source.subdir,
        environment=environment,
        allowed_schemes=tuple(settings.PLATEAU_STACK_GIT_SCHEMES),
        max_bytes=settings.PLATEAU_STACK_REPO_MAX_BYTES,
    )


@contextmanager
def opened(source: StackSource):
    """The source's backend and a masker for its credential's secrets. The credential is
    decrypted and written out (key files 0600 in a private folder) for this refresh only,
    the same way a run gets it."""
    if source.credential is None or source.kind == StackSource.Kind.FOLDER:
        yield backend_for(source), Masker([])
        return
    caches = git_cache_root()
    caches.mkdir(parents=True, exist_ok=True)
    # In the data folder, private to Plateau, rather than a /tmp shared by every user.
    with tempfile.TemporaryDirectory(prefix=".credentials-", dir=caches) as workspace:
        try:
            secrets = materialize([source.credential], Path(workspace))
        except (UndecryptableError, UnknownKindError) as error:
            raise SourceError(f"credential {source.credential}: {error}") from None
        try:
            yield backend_for(source, secrets.env), Masker(secrets.secrets)
        finally:
            secrets.cleanup()


def offered_versions(source: StackSource, backend) -> tuple[list[SourceVersion], list[str]]:
    if source.kind == StackSource.Kind.FOLDER:
        return backend.versions(), []
    refreshed = backend.refresh()
    return refreshed.versions, [str(moved) for moved in refreshed.moved]


def refresh(source_id: int) -> SyncResult | None:
    """Sync one source unless another worker is already at it (None then). A source that
    cannot be used (bad URL scheme, too big, unreachable...) keeps its versions and gets
    the reason in ``last_error``."""
    now = timezone.now()
    claimed = (
        StackSource.objects.filter(pk=source_id)
        .filter(Q(refresh_started__isnull=True) | Q(refresh_started__lt=now - REFRESH_TIMEOUT))
        .update(refresh_started=now)
    )
    if not claimed:
        return None
    source = StackSource.objects.select_related("credential").get(pk=source_id)
    try:
        return sync_source(source)
    except SourceError as error:
        logger.warning("catalog: refresh of %s failed: %s", source, error)
        source.last_error = str(error)
        source.last_refreshed = timezone.now()
        source.save(update_fields=["last_error", "last_refreshed"])
        return SyncResult(source=source.name, errors=[str(error)])
    finally:
        StackSource.objects.filter(pk=source_id).update(refresh_started=None)


def sync_source(source: StackSource) -> SyncResult:
    """Raises SourceError, its message masked, when the source cannot be read at all."""
    result = SyncResult(source=source.name)
    with opened(source) as (backend, masker):
        try:
            _sync_versions(source, backend, result)
        except SourceError as error:
            raise SourceError(masker.mask(str(error))) from None
        result.errors = [masker.mask(error) for error in result.errors]
    source.last_refreshed = timezone.now()
    source.last_error = "\n".join(result.errors)
    source.save(update_fields=["last_refreshed", "last_error"])
    return result


def _sync_versions(source: StackSource, backend, result: SyncResult) -> None:
    versions, result.notes = offered_versions(source, backend)
    offered = {(version.slug, version.version) for version in versions}
    slugs = {slug for slug, _ in offered}
    owners = dict(Stack.objects.filter(slug__in=slugs).values_list("slug", "source__name"))
    # One query for what is already stored: a refresh that finds nothing new stays cheap.
    stored = set(
        StackVersion.objects.filter(stack__slug__in=slugs).values_list("stack__slug", "name")
    )
    for version in versions:
        owner = owners.get(version.slug, source.name)
        if owner != source.name:
            message = f"{version.slug}: this slug belongs to the stack of source {owner}"
            if message not in result.errors:
                result.errors.append(message)
            continue
        if (version.slug, version.version) in stored:
            continue
        try:
            added = _add_version(source, backend, version)
        except SourceError as error:  # one unsafe stack must not block the others
            result.errors.append(str(error))
            continue
        (result.added if added.status == StackVersion.Status.VALID else result.invalid).append(
            str(added)
        )
    _mark_gone(source, offered, result)


def _mark_gone(source: StackSource, offered: set[tuple[str, str]], result: SyncResult) -> None:
    offered_slugs = {slug for slug, _ in offered}
    touched = set()
    for stored in StackVersion.objects.filter(stack__source=source, gone=False).select_related(
        "stack"
    ):
        if (stored.stack.slug, stored.name) in offered:
            continue
        # A folder or branch version replaced only by invalid content stays served; a
        # deleted tag is gone whatever replaces it.
        if (
            stored.kind != "tag"
            and stored.stack.latest_version_id == stored.pk
            and stored.stack.slug in offered_slugs
        ):
            result.notes.append(f"{stored} still served: the newer content is invalid")
            continue
        stored.gone = True
        stored.save(update_fields=["gone"])
        result.gone.append(str(stored))
        touched.add(stored.stack_id)
    for stack in Stack.objects.filter(pk__in=touched, latest_version__gone=True):
        stack.latest_version = (
            stack.versions.filter(status=StackVersion.Status.VALID, gone=False)
            .order_by("-first_seen", "-id")
            .first()
        )
        stack.save(update_fields=["latest_version", "updated"])


def _add_version(source: StackSource, backend, version: SourceVersion) -> StackVersion:
    target = snapshot_path(version.slug, version.version)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Exported beside the target, then renamed: a crash never leaves half a snapshot.
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
        try:
            backend.export(version, staging / "stack")
            (staging / "stack").rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    report = validate_stack(target, version=version.version)
    stack_definition, _ = load_stack(target)
    if stack_definition is not None:
        for extra in hook().plateau_validate_stack(stack=stack_definition, path=target):
            report.problems.extend(extra or [])
    valid = report.ok
    with transaction.atomic():
        stack = _stack_for(source, version.slug, stack_definition if valid else None)
        stored = StackVersion.objects.create(
            stack=stack,
            name=version.version,
            kind=version.kind,
            commit=version.commit or "",
            status=StackVersion.Status.VALID if valid else StackVersion.Status.INVALID,
            report=report.as_dict(),
            definition=_raw_definition(target),
            readme=_readme(target),
        )
        if valid:
            stack.latest_version = stored
            stack.save(update_fields=["latest_version", "updated"])
    logger.info("catalog: %s %s (%s)", "added" if valid else "rejected", stored, source)
    return stored


def _stack_for(source, slug, definition) -> Stack:
    stack, _ = Stack.objects.get_or_create(
        slug=slug, defaults={"source": source, "name": definition.name if definition else slug}
    )
    if definition is not None:
        stack.name = definition.name
        stack.description = definition.description
        stack.keywords = list(definition.keywords)
        stack.technologies = list(definition.technologies)
        stack.providers = list(definition.constraints.providers)
        stack.icon = definition.icon or ""
        stack.team = Team.objects.filter(slug=definition.team).first() if definition.team else None
        stack.save()
    return stack


def _raw_definition(folder: Path) -> dict:
    import yaml

    try:
        return yaml.safe_load((folder / "stack.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}


def _readme(folder: Path) -> str:
    readme = folder / "README.md"
    return readme.read_text(errors="replace") if readme.is_file() else ""
