"""Read an Ansible inventory (YAML or INI) into on-premises hosts.

Each host's size comes from its variables ``vcpu``, ``memory_gb`` and ``disk_gb`` (or the
gathered-facts names ``ansible_processor_vcpus`` / ``ansible_memtotal_mb``), inherited
all -> parent group -> child group -> host, with the caller's defaults underneath.
"""

import shlex
from decimal import Decimal

import yaml

from iac.estimate.errors import InputError
from iac.estimate.resources import Project, Resource

DEFAULT_SIZE = {"vcpu": 2, "memory_gb": 4, "disk_gb": 50}


def read_inventory(
    text: str,
    *,
    source: str = "<inventory>",
    location: str = "default",
    defaults: dict | None = None,
    name: str | None = None,
) -> Project:
    groups = _ini_groups(text, source) if _looks_like_ini(text) else _yaml_groups(text, source)
    hosts: dict[str, dict] = {}
    _collect(groups, "all", {}, hosts, set())
    project = Project(name or source, [], {"source": "ansible", "path": source})
    base = DEFAULT_SIZE | (defaults or {})
    for host, variables in hosts.items():
        merged = base | variables
        if "ansible_memtotal_mb" in variables and "memory_gb" not in variables:
            merged["memory_gb"] = Decimal(str(variables["ansible_memtotal_mb"])) / 1024
        if "ansible_processor_vcpus" in variables and "vcpu" not in variables:
            merged["vcpu"] = variables["ansible_processor_vcpus"]
        try:
            values = {key: Decimal(str(merged[key])) for key in DEFAULT_SIZE}
        except ArithmeticError:
            raise InputError(
                f"host {host}: vcpu/memory_gb/disk_gb must be numbers", file=source
            ) from None
        project.resources.append(Resource(host, "ansible_host", "onprem", location, values))
    return project


def _looks_like_ini(text: str) -> bool:
    first = next(
        (
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith(("#", ";"))
        ),
        "",
    )
    return first.startswith("[") or ("=" in first and ":" not in first.split("=")[0])


def _yaml_groups(text: str, source: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            str(getattr(error, "problem", None) or error),
            file=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    if not isinstance(data, dict):
        raise InputError("an inventory must be a mapping of groups", file=source)
    groups = {}

    def walk(name, body):
        body = body or {}
        children = body.get("children") or {}
        groups[name] = {
            "hosts": {h: (v or {}) for h, v in (body.get("hosts") or {}).items()},
            "vars": body.get("vars") or {},
            "children": list(children),
        }
        for child, child_body in children.items():
            walk(child, child_body)

    if "all" in data:
        walk("all", data["all"])
    else:
        walk("all", {"children": data})
    return groups


def _ini_groups(text: str, source: str) -> dict:
    groups = {"all": {"hosts": {}, "vars": {}, "children": []}}
    section, kind = "ungrouped", "hosts"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise InputError("unclosed section header", file=source, line=number)
            section, _, kind = line[1:-1].partition(":")
            kind = kind or "hosts"
            groups.setdefault(section, {"hosts": {}, "vars": {}, "children": []})
            if section != "all" and section not in groups["all"]["children"]:
                groups["all"]["children"].append(section)
            continue
        group = groups.setdefault(section, {"hosts": {}, "vars": {}, "children": []})
        if section == "ungrouped" and "ungrouped" not in groups["all"]["children"]:
            groups["all"]["children"].append("ungrouped")
        if kind == "vars":
            key, sep, value = line.partition("=")
            if not sep:
                raise InputError(f"expected key=value, got {line!r}", file=source, line=number)
            group["vars"][key.strip()] = value.strip()
        elif kind == "children":
            group["children"].append(line)
        else:
            try:
                host, *pairs = shlex.split(line)
            except ValueError as error:
                raise InputError(str(error), file=source, line=number) from None
            group["hosts"][host] = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    return groups


def _collect(groups, name, inherited, hosts, seen):
    if name in seen or name not in groups:
        return
    seen.add(name)
    group = groups[name]
    scope = inherited | group["vars"]
    for host, variables in group["hosts"].items():
        hosts[host] = hosts.get(host, {}) | scope | variables
    for child in group["children"]:
        _collect(groups, child, scope, hosts, seen)
