"""What the readers produce and the pricers consume: resources normalised from any input."""

import re
from dataclasses import dataclass, field

PROVIDER_PREFIXES = {
    "aws_": "aws",
    "azurerm_": "azure",
    "google_": "gcp",
    "scaleway_": "scaleway",
    "hcloud_": "hetzner",
}
# Terraform provider local names -> Plateau provider ids.
PROVIDER_NAMES = {
    "aws": "aws",
    "azurerm": "azure",
    "google": "gcp",
    "google-beta": "gcp",
    "scaleway": "scaleway",
    "hcloud": "hetzner",
}


@dataclass(frozen=True)
class Unresolved:
    """A Terraform expression the HCL reader could not evaluate (kept to report it)."""

    expression: str

    def __str__(self) -> str:
        return self.expression


@dataclass
class Resource:
    address: str
    type: str
    provider: str  # aws, azure, gcp, scaleway, hetzner, onprem, or "" when unknown
    region: str | None
    values: dict


@dataclass
class Project:
    name: str
    resources: list[Resource]
    metadata: dict = field(default_factory=dict)
    # Input-level notes (e.g. a module not expanded): shown with the estimate.
    warnings: list[str] = field(default_factory=list)


def provider_of(resource_type: str) -> str:
    for prefix, provider in PROVIDER_PREFIXES.items():
        if resource_type.startswith(prefix):
            return provider
    return ""


def _strip_suffix(value: str, pattern: str) -> str:
    return re.sub(pattern, "", value)


def region_of(provider: str, values: dict, default: str | None) -> str | None:
    """The pricing region from a resource's own location attributes, else the provider's."""

    def text(key):
        value = values.get(key)
        return value if isinstance(value, str) and value else None

    if provider == "aws":
        zone = text("availability_zone")
        return _strip_suffix(zone, r"[a-z]$") if zone else default
    if provider == "azure":
        location = text("location")
        return location.replace(" ", "").lower() if location else default
    if provider == "gcp":
        if text("region"):
            return text("region")
        zone = text("zone") or text("location")
        if zone:
            zone = zone.lower()
            return _strip_suffix(zone, r"-[a-z]$")
        return _strip_suffix(default, r"-[a-z]$") if default else None
    if provider == "scaleway":
        where = text("zone") or text("region") or default
        return _strip_suffix(where, r"-\d+$") if where else None
    if provider == "hetzner":
        where = text("location") or text("datacenter") or default
        return _strip_suffix(where, r"-dc\d+$") if where else None
    return default
