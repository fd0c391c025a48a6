"""How runs get their credentials: decrypted only in the worker, exposed as environment
variables and private files for the engine processes, and listed for masking."""

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import QuerySet

from portal.credentials.models import Credential
from portal.credentials.types import get_type

CREDENTIALS_DIR = Path(".plateau") / "credentials"


class CredentialConflictError(ValueError):
    """Two credentials of one run set the same environment variable."""


@dataclass
class RunSecrets:
    env: dict[str, str] = field(default_factory=dict)  # for the engine processes
    files: list[Path] = field(default_factory=list)  # under <workspace>/.plateau/credentials/
    secrets: list[str] = field(default_factory=list)  # every secret value, for masking
    directory: Path | None = None

    def cleanup(self) -> None:
        """Remove the files; safe to call more than once."""
        for path in self.files:
            path.unlink(missing_ok=True)
        if self.directory is not None:
            # Another materialization may share the folder: remove it only once empty.
            with contextlib.suppress(OSError):
                self.directory.rmdir()


def credentials_for(environment, kind: str | None = None) -> QuerySet[Credential]:
    """Credentials bound to ``environment`` (and of its own team), optionally of one kind."""
    found = Credential.objects.filter(
        environments=environment, team_id=environment.project.team_id
    ).order_by("name")
    return found.filter(kind=kind) if kind else found


def materialize(credentials: Iterable[Credential], workspace: Path) -> RunSecrets:
    """Decrypt ``credentials`` into what a run's engine processes read.

    Files go to ``<workspace>/.plateau/credentials/`` (folder 0700, files 0600); the
    caller calls ``cleanup()`` when the run ends. Raises UndecryptableError,
    UnknownKindError or CredentialConflictError (and writes nothing) when one cannot be used.
    """
    directory = Path(workspace) / CREDENTIALS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    result = RunSecrets(directory=directory)
    origin: dict[str, str] = {}
    try:
        # The same credential may reach a run twice (a parameter and the environment's
        # kubeconfig): once is enough.
        for credential in {credential.pk: credential for credential in credentials}.values():
            credential_type = get_type(credential.kind)
            material = credential.material()

            def write_file(name: str, content: str, credential=credential) -> Path:
                path = directory / f"{credential.pk}-{name}"
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(content)
                result.files.append(path)
                return path

            for name, value in credential_type.to_run(material, write_file).items():
                if name in origin:
                    raise CredentialConflictError(
                        f"Credentials {origin[name]} and {credential.name} both set {name}; "
                        "bind only one of them to the environment or pick one for the run."
                    )
                origin[name] = credential.name
                result.env[name] = value
            result.secrets.extend(credential_type.secret_values(material))
    except Exception:
        result.cleanup()
        raise
    return result
