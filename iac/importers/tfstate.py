"""Turn a Terraform state file (format version 4) back into configuration: managed
resources only, with the arguments a person would write (`catalog.shape`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from iac.importers import catalog
from iac.importers.base import Importer, ImporterError, Resource, Skipped

SUPPORTED_VERSION = 4
_ARN_REGION = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def load_state(path: str | Path) -> dict[str, Any]:
    """Read and check a state file; every failure names what was found."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImporterError(f"cannot read state file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImporterError(f"state file {path} is not UTF-8 text: {exc.reason}") from exc
    return parse_state(text, str(path))


def parse_state(text: str, source: str = "state") -> dict[str, Any]:
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImporterError(
            f"{source} is not JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(state, dict):
        raise ImporterError(f"{source} holds a JSON {type(state).__name__}, not a state object")
    version = state.get("version")
    if version is None:
        raise ImporterError(f"{source} has no `version`: not a Terraform state file")
    if version != SUPPORTED_VERSION:
        raise ImporterError(
            f"state format version {version} is not supported (need {SUPPORTED_VERSION})"
        )
    if not isinstance(state.get("resources", []), list):
        raise ImporterError(f"{source}: `resources` must be a list")
    return state


def region_of(attrs: dict[str, Any]) -> str | None:
    """The state does not record a provider's region, but most AWS resources carry it
    in `region` (provider 6) or inside their ARN."""
    if isinstance(attrs.get("region"), str):
        return attrs["region"]
    match = _ARN_REGION.match(str(attrs.get("arn", "")))
    return match.group(1) if match else None


class TfStateImporter(Importer):
    name = "tfstate"
    # Whatever the state holds; the filter still checks names against what it found.
    resource_types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: str | Path | None = None, *, text: str | None = None):
        if (path is None) == (text is None):
            raise ImporterError("give a state file path or its text, not both")
        self.state = load_state(path) if path is not None else parse_state(text)
        managed = [r for r in self.state.get("resources", []) if r.get("mode") == "managed"]
        # The instance's type order follows the catalog so parents come first.
        known = list(catalog.TYPES)
        found = {r["type"] for r in managed}
        self.resource_types = tuple(
            sorted(found, key=lambda t: (known.index(t) if t in known else len(known), t))
        )
        self._managed = managed
        self._data_sources = len(self.state.get("resources", [])) - len(managed)

    def regions(self) -> list[str]:
        regions = {
            region_of(i.get("attributes", {})) for r in self._managed for i in r["instances"]
        }
        return sorted(region for region in regions if region)

    def notes(self) -> list[str]:
        notes = []
        guessed = sorted(t for t in self.resource_types if t not in catalog.TYPES)
        if guessed:
            notes.append(
                "No argument table for "
                + ", ".join(guessed)
                + ": kept the scalar attributes whose names do not look computed; review them."
            )
        if self._data_sources:
            notes.append(f"{self._data_sources} data source(s) in the state were left out.")
        return notes

    def discover(self, resource_type: str, region: str | None) -> Iterator[Resource | Skipped]:
        for entry in self._managed:
            if entry["type"] != resource_type:
                continue
            if entry.get("module"):
                # Resources inside modules belong to the module's own configuration.
                yield Skipped(resource_type, f"{entry['module']}.{entry['name']}", "in a module")
                continue
            for instance in entry.get("instances", []):
                attrs = instance.get("attributes") or {}
                name = entry["name"]
                if "index_key" in instance:
                    name = f"{name}_{instance['index_key']}"
                try:
                    rid = catalog.import_id(resource_type, attrs)
                except KeyError as exc:
                    yield Skipped(resource_type, name, f"no {exc.args[0]} attribute in the state")
                    continue
                yield Resource(
                    type=resource_type,
                    id=rid,
                    name_hint=name,
                    region=region_of(attrs),
                    attributes=catalog.shape(resource_type, attrs),
                )
