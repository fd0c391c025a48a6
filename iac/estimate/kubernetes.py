"""Read Kubernetes manifests (e.g. ``helm template`` output) into on-premises resources.

A workload costs its containers' requests (limits when no request is set, as Kubernetes
itself defaults them) times its replicas; claims cost their requested storage. Objects
that hold no capacity (Services, ConfigMaps, RBAC...) are listed as free.
"""

import re
from decimal import Decimal, InvalidOperation

import yaml

from iac.estimate.errors import InputError
from iac.estimate.resources import Project, Resource

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "CronJob", "Pod"}
SUFFIXES = {
    "": 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
}  # fmt: skip
QUANTITY = re.compile(r"^([0-9.]+(?:[eE][-+]?\d+)?)([a-zA-Z]*)$")
GIB = Decimal(2**30)


def parse_quantity(value, where: str) -> Decimal:
    """A Kubernetes resource quantity ("500m", "1.5", "512Mi", "1G") as a plain number."""
    match = QUANTITY.match(str(value).strip())
    if not match or match.group(2) not in SUFFIXES:
        raise InputError(f"not a Kubernetes quantity: {value!r}", file=where)
    try:
        return Decimal(match.group(1)) * SUFFIXES[match.group(2)]
    except InvalidOperation:
        raise InputError(f"not a Kubernetes quantity: {value!r}", file=where) from None


def read_manifests(
    text: str, *, source: str = "<manifests>", location: str = "default", name: str | None = None
) -> Project:
    """``location`` names the on-premises price book (and so the country) to use."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            str(getattr(error, "problem", None) or error),
            file=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    objects = []
    for document in documents:
        if not isinstance(document, dict):
            raise InputError("a manifest document is not a mapping", file=source)
        objects.extend(document.get("items", []) if document.get("kind") == "List" else [document])
    project = Project(name or source, [], {"source": "kubernetes", "path": source})
    for index, obj in enumerate(objects):
        project.resources.append(_resource(obj, f"{source}#{index}", location))
    return project


def _resource(obj: dict, where: str, location: str) -> Resource:
    kind = obj.get("kind") or "Unknown"
    meta = obj.get("metadata") or {}
    address = f"{kind}/{meta.get('namespace', 'default')}/{meta.get('name', '?')}"
    values: dict = {"kind": kind}
    spec = obj.get("spec") or {}
    if kind in WORKLOAD_KINDS:
        pod = _pod_spec(kind, spec)
        cpu, memory = _requests(pod, f"{where} {address}")
        values |= {"cpu": cpu, "memory_gb": memory / GIB, "replicas": _replicas(kind, spec)}
        claims = spec.get("volumeClaimTemplates") or []
        values["storage_gb"] = (
            sum((_claim_bytes(c, f"{where} {address}") for c in claims), Decimal(0)) / GIB
        )
    elif kind == "PersistentVolumeClaim":
        values["storage_gb"] = _claim_bytes(obj, f"{where} {address}") / GIB
    return Resource(address, f"k8s_{kind.lower()}", "onprem", location, values)


def _pod_spec(kind: str, spec: dict) -> dict:
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {}


def _replicas(kind: str, spec: dict) -> Decimal:
    if kind in ("Job", "CronJob"):
        job = ((spec.get("jobTemplate") or {}).get("spec") or {}) if kind == "CronJob" else spec
        return Decimal(job.get("parallelism", 1))
    if kind in ("DaemonSet", "Pod"):
        return Decimal(1)  # a DaemonSet's node count comes from usage ("nodes")
    return Decimal(spec.get("replicas", 1))


def _requests(pod: dict, where: str) -> tuple[Decimal, Decimal]:
    cpu = memory = Decimal(0)
    for container in pod.get("containers") or []:
        resources = container.get("resources") or {}
        wanted = (resources.get("limits") or {}) | (resources.get("requests") or {})
        if "cpu" in wanted:
            cpu += parse_quantity(wanted["cpu"], where)
        if "memory" in wanted:
            memory += parse_quantity(wanted["memory"], where)
    return cpu, memory


def _claim_bytes(claim: dict, where: str) -> Decimal:
    storage = (((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get(
        "storage"
    )
    return parse_quantity(storage, where) if storage is not None else Decimal(0)
