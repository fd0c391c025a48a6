"""Terraform resource names: from the Name tag (or whatever hint the importer gave),
normalised to lowercase identifiers and made unique per type."""

from __future__ import annotations

import re
from collections.abc import Iterable

from iac.importers.base import Resource

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(hint: str) -> str:
    name = _NOT_WORD.sub("_", hint.lower()).strip("_")
    if not name:
        return "unnamed"
    return name if not name[0].isdigit() else "r_" + name


def assign_names(resources: Iterable[Resource]) -> dict[tuple[str, str], str]:
    """(type, id) -> name. Sorted by id within a hint, so re-importing the same estate
    gives every resource the same name again."""
    names: dict[tuple[str, str], str] = {}
    taken: set[tuple[str, str]] = set()
    ordered = sorted(resources, key=lambda r: (r.type, normalise(r.name_hint), r.id))
    for resource in ordered:
        base = normalise(resource.name_hint)
        name, counter = base, 1
        while (resource.type, name) in taken:
            counter += 1
            name = f"{base}_{counter}"
        taken.add((resource.type, name))
        names[resource.key] = name
    return names
