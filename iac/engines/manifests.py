"""Object-level diff of two sets of Kubernetes manifests (a Helm plan against the last
release): which objects are added, changed or removed, and a unified diff of each."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class ManifestDiff:
    changes: list[dict[str, str]]  # kind, name, namespace, action: create | update | delete
    text: str  # unified diff, object by object

    @property
    def summary(self) -> dict[str, int]:
        counts = {"add": 0, "change": 0, "destroy": 0}
        key = {"create": "add", "update": "change", "delete": "destroy"}
        for change in self.changes:
            counts[key[change["action"]]] += 1
        return counts


def split_objects(manifests: str | None) -> dict[tuple[str, str, str], str]:
    """Objects by (kind, namespace, name), each dumped in a stable form so that key order
    and formatting do not show as changes."""
    objects = {}
    for document in yaml.safe_load_all(manifests or ""):
        if not isinstance(document, dict) or "kind" not in document:
            continue
        metadata = document.get("metadata") or {}
        key = (document["kind"], metadata.get("namespace") or "", metadata.get("name") or "")
        objects[key] = yaml.safe_dump(document, sort_keys=True, default_flow_style=False)
    return objects


def diff_manifests(previous: str | None, current: str | None) -> ManifestDiff:
    before, after = split_objects(previous), split_objects(current)
    changes, text = [], []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, ""), after.get(key, "")
        if old == new:
            continue
        kind, namespace, name = key
        action = "create" if not old else "delete" if not new else "update"
        changes.append({"kind": kind, "namespace": namespace, "name": name, "action": action})
        label = f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
        text += difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{label}" if old else "/dev/null",
            tofile=f"b/{label}" if new else "/dev/null",
        )
    return ManifestDiff(changes, "".join(text))
