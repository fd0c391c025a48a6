"""Where a map comes from: an import result, a state file, or a Terraform folder. Each
becomes a list of `Resource`s whose arguments point at each other by Ref or literal id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

from iac.importers.base import ImporterError, ImportResult, Ref, Resource
from iac.importers.tfstate import load_state, parse_state, region_of

# A whole-value reference such as "${aws_subnet.web_a.id}" (python-hcl2's rendering).
_REFERENCE = re.compile(r"^\$\{([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.(\w+)\}$")
_PLAIN = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)


def from_import_result(result: ImportResult) -> list[Resource]:
    return list(result.resources)


def from_state(path: str | Path | None = None, *, text: str | None = None) -> list[Resource]:
    """Every managed resource with its raw attributes: the map needs arguments (inline
    ingress blocks, legacy rules) that the HCL writer's allow-list leaves out."""
    state = load_state(path) if path is not None else parse_state(text or "")
    resources = []
    for entry in state.get("resources", []):
        if entry.get("mode") != "managed":
            continue
        for instance in entry.get("instances", []):
            attrs = instance.get("attributes") or {}
            name = entry["name"]
            if "index_key" in instance:
                name = f"{name}_{instance['index_key']}"
            rid = str(attrs.get("id") or f"{entry['type']}.{name}")
            resources.append(
                Resource(entry["type"], rid, _label(attrs, name), region_of(attrs), attrs)
            )
    return resources


def from_terraform_dir(directory: str | Path) -> list[Resource]:
    """Resources of a folder's *.tf files; references become Refs, and `import` blocks
    give resources their real ids so literal ids elsewhere still connect."""
    blocks: list[tuple[str, str, dict]] = []
    import_ids: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.tf")):
        try:
            document = hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=_PLAIN)
        except Exception as exc:  # python-hcl2 raises lark errors of several kinds
            raise ImporterError(f"{path.name} is not valid HCL: {exc}") from exc
        for item in document.get("resource", []):
            for rtype, named in item.items():
                for name, body in named.items():
                    blocks.append((rtype, name, body))
        for item in document.get("import", []):
            target = str(item.get("to", "")).removeprefix("${").removesuffix("}")
            import_ids[target] = str(item.get("id"))
    ids = {
        f"{rtype}.{name}": import_ids.get(f"{rtype}.{name}", f"{rtype}.{name}")
        for rtype, name, _ in blocks
    }
    return [
        Resource(rtype, ids[f"{rtype}.{name}"], _label(body, name), None, _resolve(body, ids))
        for rtype, name, body in blocks
    ]


def _label(attrs: dict, name: str) -> str:
    """The Name tag reads better on a map than a Terraform name; both importers agree."""
    tags = attrs.get("tags")
    return str(tags["Name"]) if isinstance(tags, dict) and tags.get("Name") else name


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        match = _REFERENCE.match(value)
        if match and f"{match[1]}.{match[2]}" in ids:
            return Ref(match[1], ids[f"{match[1]}.{match[2]}"], match[3], value)
        return value
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, ids) for key, item in value.items()}
    return value
