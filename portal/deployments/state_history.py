"""The Terraform state history of a deployment, as people use it: list the versions,
download one, compare two, roll back to one, and force a stuck lock open.

Rights (policy ``deployments.stateversion``): viewers list and compare (addresses only,
never attribute values); developers download (the state holds secrets: audited);
platform engineers roll back (the approver right) and force-unlock, with a reason.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Length

from portal.accounts import permissions as perms
from portal.audit import recorder
from portal.deployments import sealed
from portal.deployments.models import Deployment, StateLock, StateVersion
from portal.deployments.services import InvalidRequest


class StateConflict(Exception):
    """The state is not in a shape that allows the request (locked, other lineage...)."""


def register_policy() -> None:
    from portal.accounts.roles import Role

    perms.register_policy(
        "deployments.stateversion",
        {
            "view": Role.VIEWER,
            "add": None,  # written by Terraform through the state backend, or a rollback
            "change": None,  # versions are immutable
            "delete": None,  # only the retention cleanup removes old ones
            "download": Role.DEVELOPER,
            "rollback": Role.PLATFORM_ENGINEER,
            "unlock": Role.PLATFORM_ENGINEER,
        },
    )


def versions(deployment: Deployment):
    return (
        StateVersion.objects.filter(deployment=deployment)
        .select_related("run", "written_by")
        .annotate(size=Length("state_sealed"))
        .defer("state_sealed")
        .order_by("step", "-id")
    )


def locks(deployment: Deployment):
    return StateLock.objects.filter(deployment=deployment).select_related("run").order_by("step")


def content(version: StateVersion) -> dict:
    raw = sealed.unseal_bytes(version.state_sealed) if version.state_sealed else b""
    return json.loads(raw) if raw else {}


def download(version: StateVersion, *, user) -> bytes:
    _check(user, "download", version)
    recorder.record(
        "download_state", version, {"step": version.step, "serial": version.serial}, actor=user
    )
    return sealed.unseal_bytes(version.state_sealed) if version.state_sealed else b""


def resources(state: dict) -> dict[str, object]:
    """Resource address -> its instances' attributes, from a state's JSON (format 4)."""
    found = {}
    for resource in state.get("resources", []):
        if not isinstance(resource, dict):
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        data = "data." if resource.get("mode") == "data" else ""
        base = f"{prefix}{data}{resource.get('type')}.{resource.get('name')}"
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            address = base if key is None else f"{base}[{json.dumps(key)}]"
            found[address] = instance.get("attributes")
    return found


def compare(older: StateVersion, newer: StateVersion) -> dict[str, list[str]]:
    """Resource addresses added, removed and changed from ``older`` to ``newer``."""
    before, after = resources(content(older)), resources(content(newer))
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(k for k in before.keys() & after.keys() if before[k] != after[k]),
    }


def rollback(version: StateVersion, *, user) -> StateVersion:
    """A new version (serial = latest + 1) holding ``version``'s content."""
    _check(user, "rollback", version)
    if not version.state_sealed:
        raise StateConflict("this version marks the state as deleted; pick one with content")
    with transaction.atomic():
        lock = StateLock.objects.select_for_update().filter(
            deployment=version.deployment_id, step=version.step
        )
        if lock.exists():
            raise StateConflict(
                f"the state of step {version.step} is locked; unlock it before rolling back"
            )
        latest = (
            StateVersion.objects.select_for_update()
            .filter(deployment=version.deployment_id, step=version.step)
            .order_by("-id")
            .first()
        )
        if latest.state_sealed and latest.lineage != version.lineage:
            raise StateConflict(
                f"serial {version.serial} belongs to lineage {version.lineage}, the current "
                f"state to {latest.lineage}: a rollback cannot cross lineages"
            )
        state = content(version)
        state["serial"] = latest.serial + 1
        body = json.dumps(state, indent=2).encode()
        created = StateVersion.objects.create(
            deployment_id=version.deployment_id,
            step=version.step,
            serial=latest.serial + 1,
            lineage=version.lineage,
            md5=hashlib.md5(body).hexdigest(),
            state_sealed=sealed.seal_bytes(body),
            written_by=user,
        )
        recorder.record(
            "rollback_state",
            created,
            {"step": version.step, "from_serial": latest.serial, "to_content_of": version.serial},
            actor=user,
        )
    return created


def force_unlock(deployment: Deployment, step: str, *, user, reason: str) -> StateLock:
    if not perms.can(user, "unlock", StateVersion, team_id=deployment.owning_team_id):
        raise PermissionDenied(perms.describe_requirement(StateVersion, "unlock"))
    if not reason.strip():
        raise InvalidRequest({"reason": ["say why the lock is forced open"]})
    with transaction.atomic():
        lock = StateLock.objects.select_for_update().filter(deployment=deployment, step=step)
        lock = lock.first()
        if lock is None:
            raise StateConflict(f"the state of step {step} is not locked")
        lock.delete()
        recorder.record(
            "force_unlock",
            deployment,
            {"step": step, "lock": lock.info, "run": lock.run_id, "reason": reason.strip()},
            actor=user,
        )
    return lock


def _check(user, action: str, obj) -> None:
    if not perms.can(user, action, obj):
        raise PermissionDenied(perms.describe_requirement(obj, action))
