"""Read ``terraform show -json`` plan output into resources."""

import json
import re
from pathlib import Path

from iac.estimate.errors import InputError
from iac.estimate.resources import PROVIDER_NAMES, Project, Resource, provider_of, region_of

# Provider arguments that name where resources go, by provider.
REGION_KEYS = {
    "aws": ("region",),
    "gcp": ("region", "zone"),
    "scaleway": ("zone", "region"),
}


def read_plan(source: str | Path | dict, name: str | None = None) -> Project:
    """``source`` is a path to the plan JSON, or the already parsed dict."""
    where = "<plan>" if isinstance(source, dict) else str(source)
    if isinstance(source, dict):
        plan = source
    else:
        try:
            plan = json.loads(Path(source).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InputError(error.msg, file=where, line=error.lineno, column=error.colno) from None
    if not isinstance(plan, dict) or not isinstance(plan.get("resource_changes", []), list):
        raise InputError(
            "not a Terraform plan: expected an object with resource_changes[]", file=where
        )
    variables = {k: v.get("value") for k, v in (plan.get("variables") or {}).items()}
    configuration = plan.get("configuration") or {}
    provider_regions = _provider_regions(configuration.get("provider_config") or {}, variables)
    config_keys = _provider_config_keys(configuration.get("root_module") or {}, "")
    resources = []
    for index, change in enumerate(plan.get("resource_changes", [])):
        resource = _resource(
            change, f"resource_changes[{index}]", where, provider_regions, config_keys
        )
        if resource is not None:
            resources.append(resource)
    return Project(name or Path(where).stem, resources, {"source": "terraform-plan", "path": where})


def _resource(change, path, where, provider_regions, config_keys) -> Resource | None:
    if not isinstance(change, dict):
        raise InputError(f"{path} is not an object", file=where)
    for key in ("address", "type", "change"):
        if key not in change:
            raise InputError(f"{path} has no {key!r}", file=where)
    actions = change["change"].get("actions") or []
    # Data sources cost nothing; deleted resources leave the bill.
    if change.get("mode") == "data" or actions in (["delete"], ["read"]):
        return None
    values = change["change"].get("after") or {}
    local_name = (change.get("provider_name") or "").rsplit("/", 1)[-1]
    provider = PROVIDER_NAMES.get(local_name) or provider_of(change["type"])
    key = config_keys.get(re.sub(r"\[[^\]]*\]", "", change["address"]), local_name)
    default_region = provider_regions.get(key) or provider_regions.get(local_name)
    return Resource(
        address=change["address"],
        type=change["type"],
        provider=provider,
        region=region_of(provider, values, default_region),
        values=values,
    )


def _provider_regions(provider_config: dict, variables: dict) -> dict[str, str]:
    regions = {}
    for key, config in provider_config.items():
        provider = PROVIDER_NAMES.get(config.get("name", key.split(".")[0]), "")
        expressions = config.get("expressions") or {}
        for arg in REGION_KEYS.get(provider, ()):
            expression = expressions.get(arg) or {}
            value = expression.get("constant_value")
            if value is None:
                for reference in expression.get("references", []):
                    if reference.startswith("var.") and variables.get(reference[4:]):
                        value = variables[reference[4:]]
                        break
            if value:
                regions[key] = value
                break
    return regions


def _provider_config_keys(module: dict, prefix: str) -> dict[str, str]:
    keys = {
        prefix + resource["address"]: resource["provider_config_key"]
        for resource in module.get("resources", [])
        if "provider_config_key" in resource
    }
    for name, call in (module.get("module_calls") or {}).items():
        keys |= _provider_config_keys(call.get("module") or {}, f"{prefix}module.{name}.")
    return keys
