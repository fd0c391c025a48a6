"""Read a Terraform folder's HCL when no plan can be made (no providers, no credentials).

Like Infracost's HCL mode it evaluates what is knowable statically: literals, ``var.x``
(defaults, ``*.tfvars`` and given values), ``local.x``, ``count`` and ``for_each`` of
literal collections, and the provider's region. Anything else stays an
:class:`Unresolved` marker, so a pricer that needs it reports it instead of guessing.
"""

import re
from pathlib import Path

import hcl2
from hcl2 import SerializationOptions
from lark.exceptions import LarkError, UnexpectedInput

from iac.estimate.errors import InputError
from iac.estimate.resources import (
    PROVIDER_NAMES,
    Project,
    Resource,
    Unresolved,
    provider_of,
    region_of,
)

OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
REFERENCE = re.compile(r"^(var|local)\.([A-Za-z_][\w-]*)$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
REGION_KEYS = {"aws": ("region",), "gcp": ("region", "zone"), "scaleway": ("zone", "region")}


def parse_hcl_file(path: Path) -> dict:
    try:
        return hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=OPTIONS)
    except UnexpectedInput as error:
        first_line = str(error).splitlines()[0]
        raise InputError(first_line, file=str(path), line=error.line, column=error.column) from None
    except (LarkError, ValueError, RuntimeError) as error:
        raise InputError(f"cannot parse HCL: {error}", file=str(path)) from None


def read_terraform_dir(
    folder: str | Path, variables: dict | None = None, name: str | None = None
) -> Project:
    folder = Path(folder)
    files = sorted(folder.glob("*.tf"))
    if not files:
        raise InputError("no *.tf file in the folder", file=str(folder))
    blocks = [parse_hcl_file(path) for path in files]
    given = {}
    for tfvars in sorted([*folder.glob("terraform.tfvars"), *folder.glob("*.auto.tfvars")]):
        given |= parse_hcl_file(tfvars)
    given |= variables or {}
    scope = _Scope(blocks, given)
    project = Project(name or folder.name, [], {"source": "terraform-hcl", "path": str(folder)})
    regions = scope.provider_regions()
    for block in blocks:
        for module in block.get("module", []):
            for module_name, body in module.items():
                project.warnings.append(
                    f"module.{module_name} (source {body.get('source')!r}) is not expanded: "
                    "estimate its folder separately or use a plan"
                )
        for group in block.get("resource", []):
            for rtype, named in group.items():
                for rname, body in named.items():
                    project.resources.extend(
                        _instances(scope, rtype, rname, body, regions, project.warnings)
                    )
    return project


class _Scope:
    def __init__(self, blocks: list[dict], given: dict):
        self.variables = {}
        for block in blocks:
            for variable in block.get("variable", []):
                for var_name, body in variable.items():
                    self.variables[var_name] = body.get("default", Unresolved(f"var.{var_name}"))
        self.variables |= given
        self.locals = {
            k: v for b in blocks for group in b.get("locals", []) for k, v in group.items()
        }
        self.providers = [
            (ptype, body)
            for b in blocks
            for p in b.get("provider", [])
            for ptype, body in p.items()
        ]
        self._resolving: set[str] = set()

    def resolve(self, value):
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and "${" in value:
            return self._template(value)
        return value

    def _template(self, text: str):
        whole = INTERPOLATION.fullmatch(text)
        if whole:
            return self._expression(whole.group(1).strip())
        parts = []
        for piece in INTERPOLATION.split(text)[1::2]:
            value = self._expression(piece.strip())
            if isinstance(value, Unresolved | dict | list):
                return Unresolved(text)
            parts.append(value)
        values = iter(parts)
        return INTERPOLATION.sub(lambda _m: str(next(values)), text)

    def _expression(self, expression: str):
        if NUMBER.match(expression):
            return float(expression) if "." in expression else int(expression)
        if expression in ("true", "false"):
            return expression == "true"
        reference = REFERENCE.match(expression)
        if not reference:
            return Unresolved(expression)
        kind, name = reference.groups()
        table = self.variables if kind == "var" else self.locals
        if name not in table or expression in self._resolving:
            return Unresolved(expression)
        self._resolving.add(expression)
        try:
            return self.resolve(table[name])
        finally:
            self._resolving.discard(expression)

    def provider_regions(self) -> dict[str, object]:
        regions = {}
        for ptype, body in self.providers:
            key = ptype + (f".{body['alias']}" if "alias" in body else "")
            for arg in REGION_KEYS.get(PROVIDER_NAMES.get(ptype, ""), ()):
                if arg in body:
                    regions[key] = self.resolve(body[arg])
                    break
        return regions


def _instances(scope, rtype, rname, body, regions, warnings) -> list[Resource]:
    address = f"{rtype}.{rname}"
    provider = provider_of(rtype)
    provider_key = body.get("provider") or rtype.split("_", 1)[0]
    provider_key = INTERPOLATION.sub(lambda m: m.group(1), str(provider_key))
    region = regions.get(provider_key)
    if isinstance(region, Unresolved):
        warnings.append(f"{address}: provider region {region} could not be resolved")
        region = None
    keys: list[str | int | None] = [None]
    if "count" in body:
        count = scope.resolve(body["count"])
        if isinstance(count, int | float):
            keys = list(range(int(count)))
        else:
            warnings.append(f"{address}: count = {count} could not be resolved; priced once")
    elif "for_each" in body:
        each = scope.resolve(body["for_each"])
        if isinstance(each, dict | list):
            keys = [f'"{k}"' for k in each]
        else:
            warnings.append(f"{address}: for_each = {each} could not be resolved; priced once")
    values = scope.resolve({k: v for k, v in body.items() if k not in ("count", "for_each")})
    resources = []
    for key in keys:
        instance = address if key is None else f"{address}[{key}]"
        resources.append(
            Resource(instance, rtype, provider, region_of(provider, values, region), values)
        )
    return resources
