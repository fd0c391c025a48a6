"""Per-type knowledge shared by every importer that produces AWS resources (the live
AWS importer and the Terraform state importer): which arguments a person writes, which
values are provider defaults, which arguments point at other resources, and how the
import id is formed. One table, so both importers write the same HCL for the same thing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from iac.importers.base import Block, JsonDoc, Ref

CATEGORIES = ("network", "compute", "storage", "database", "dns", "iam")


@dataclass(frozen=True)
class BlockSpec:
    arguments: tuple[str, ...]
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TypeSpec:
    category: str
    arguments: tuple[str, ...]  # in the order a person would write them
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # argument -> (target type, target attribute); lists of ids are referenced item-wise
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    blocks: Mapping[str, BlockSpec] = field(default_factory=dict)
    json_arguments: tuple[str, ...] = ()
    import_id: Callable[[Mapping[str, Any]], str] = lambda attrs: str(attrs["id"])
    # Drops defaults that depend on other arguments (a gp3 volume's baseline iops).
    tidy: Callable[[dict[str, Any]], None] = lambda attrs: None


def _by(*keys: str, sep: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda attrs: sep.join(str(attrs[key]) for key in keys)


def _tidy_volume(attrs: dict[str, Any]) -> None:
    # gp2/standard report computed iops; gp3 reports its baseline (3000 iops, 125 MB/s).
    kind = attrs.get("type", "gp2")
    if kind not in ("io1", "io2", "gp3") or (kind == "gp3" and attrs.get("iops") == 3000):
        attrs.pop("iops", None)
    if kind != "gp3" or attrs.get("throughput") == 125:
        attrs.pop("throughput", None)


_ENGINE_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306, "oracle-ee": 1521}


def _tidy_database(attrs: dict[str, Any]) -> None:
    if _ENGINE_PORTS.get(attrs.get("engine", "")) == attrs.get("port"):
        attrs.pop("port")


def _record_id(attrs: Mapping[str, Any]) -> str:
    parts = [attrs["zone_id"], attrs["name"].rstrip("."), attrs["type"]]
    if attrs.get("set_identifier"):
        parts.append(attrs["set_identifier"])
    return "_".join(parts)


_MISSING = object()
_MANAGED = "Managed by Terraform"  # the provider's default description/comment
_VPC = {"vpc_id": ("aws_vpc", "id")}
_SG_LIST = ("aws_security_group", "id")
_RULE = TypeSpec(
    "network",
    (
        "security_group_id",
        "description",
        "ip_protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "cidr_ipv6",
        "prefix_list_id",
        "referenced_security_group_id",
        "tags",
    ),
    references={
        "security_group_id": _SG_LIST,
        "referenced_security_group_id": _SG_LIST,
    },
)

TYPES: dict[str, TypeSpec] = {
    "aws_vpc": TypeSpec(
        "network",
        (
            "cidr_block",
            "instance_tenancy",
            "enable_dns_support",
            "enable_dns_hostnames",
            "tags",
        ),
        defaults={
            "instance_tenancy": "default",
            "enable_dns_support": True,
            "enable_dns_hostnames": False,
        },
    ),
    "aws_subnet": TypeSpec(
        "network",
        ("vpc_id", "cidr_block", "availability_zone", "map_public_ip_on_launch", "tags"),
        defaults={"map_public_ip_on_launch": False},
        references=_VPC,
    ),
    "aws_internet_gateway": TypeSpec("network", ("vpc_id", "tags"), references=_VPC),
    "aws_route_table": TypeSpec(
        "network",
        ("vpc_id", "route", "tags"),
        references=_VPC,
        blocks={
            "route": BlockSpec(
                (
                    "cidr_block",
                    "ipv6_cidr_block",
                    "gateway_id",
                    "nat_gateway_id",
                    "network_interface_id",
                    "transit_gateway_id",
                    "vpc_peering_connection_id",
                ),
                references={"gateway_id": ("aws_internet_gateway", "id")},
            )
        },
    ),
    "aws_route_table_association": TypeSpec(
        "network",
        ("subnet_id", "route_table_id"),
        references={
            "subnet_id": ("aws_subnet", "id"),
            "route_table_id": ("aws_route_table", "id"),
        },
        import_id=_by("subnet_id", "route_table_id", sep="/"),
    ),
    "aws_security_group": TypeSpec(
        "network",
        ("name", "description", "vpc_id", "tags"),
        defaults={"description": _MANAGED},
        references=_VPC,
    ),
    "aws_vpc_security_group_ingress_rule": _RULE,
    "aws_vpc_security_group_egress_rule": _RULE,
    "aws_lb": TypeSpec(
        "network",
        ("name", "internal", "load_balancer_type", "subnets", "security_groups", "tags"),
        defaults={"internal": False, "load_balancer_type": "application"},
        references={"subnets": ("aws_subnet", "id"), "security_groups": _SG_LIST},
    ),
    "aws_lb_target_group": TypeSpec(
        "network",
        ("name", "port", "protocol", "target_type", "vpc_id", "tags"),
        defaults={"target_type": "instance"},
        references=_VPC,
    ),
    "aws_lb_listener": TypeSpec(
        "network",
        ("load_balancer_arn", "port", "protocol", "default_action", "tags"),
        references={"load_balancer_arn": ("aws_lb", "arn")},
        blocks={
            "default_action": BlockSpec(
                ("type", "target_group_arn"),
                references={"target_group_arn": ("aws_lb_target_group", "arn")},
            )
        },
    ),
    "aws_instance": TypeSpec(
        "compute",
        (
            "ami",
            "instance_type",
            "subnet_id",
            "vpc_security_group_ids",
            "key_name",
            "iam_instance_profile",
            "monitoring",
            "ebs_optimized",
            "tags",
        ),
        defaults={"monitoring": False, "ebs_optimized": False},
        references={"subnet_id": ("aws_subnet", "id"), "vpc_security_group_ids": _SG_LIST},
    ),
    "aws_ebs_volume": TypeSpec(
        "storage",
        (
            "availability_zone",
            "size",
            "type",
            "iops",
            "throughput",
            "encrypted",
            "kms_key_id",
            "snapshot_id",
            "tags",
        ),
        defaults={"type": "gp2", "encrypted": False},
        tidy=_tidy_volume,
    ),
    "aws_volume_attachment": TypeSpec(
        "storage",
        ("device_name", "volume_id", "instance_id"),
        references={
            "volume_id": ("aws_ebs_volume", "id"),
            "instance_id": ("aws_instance", "id"),
        },
        import_id=_by("device_name", "volume_id", "instance_id", sep=":"),
    ),
    "aws_s3_bucket": TypeSpec("storage", ("bucket", "tags")),
    "aws_db_subnet_group": TypeSpec(
        "database",
        ("name", "description", "subnet_ids", "tags"),
        defaults={"description": _MANAGED},
        references={"subnet_ids": ("aws_subnet", "id")},
        import_id=lambda attrs: str(attrs["name"]),
    ),
    "aws_db_instance": TypeSpec(
        "database",
        (
            "identifier",
            "engine",
            "engine_version",
            "instance_class",
            "allocated_storage",
            "storage_type",
            "storage_encrypted",
            "db_name",
            "username",
            "port",
            "multi_az",
            "publicly_accessible",
            "db_subnet_group_name",
            "vpc_security_group_ids",
            "backup_retention_period",
            "tags",
        ),
        defaults={
            "multi_az": False,
            "publicly_accessible": False,
            "storage_encrypted": False,
            "storage_type": "gp2",
        },
        references={
            "db_subnet_group_name": ("aws_db_subnet_group", "name"),
            "vpc_security_group_ids": _SG_LIST,
        },
        # Since provider 5.0 `id` is the resource id (db-...); import takes the identifier.
        import_id=lambda attrs: str(attrs["identifier"]),
        tidy=_tidy_database,
    ),
    "aws_route53_zone": TypeSpec(
        "dns",
        ("name", "comment", "vpc", "tags"),
        defaults={"comment": _MANAGED},
        blocks={"vpc": BlockSpec(("vpc_id", "vpc_region"), references=_VPC)},
        import_id=lambda attrs: str(attrs.get("zone_id") or attrs["id"]),
    ),
    "aws_route53_record": TypeSpec(
        "dns",
        ("zone_id", "name", "type", "ttl", "records", "set_identifier", "alias"),
        references={"zone_id": ("aws_route53_zone", "zone_id")},
        blocks={
            "alias": BlockSpec(
                ("name", "zone_id", "evaluate_target_health"),
            )
        },
        import_id=_record_id,
    ),
    "aws_iam_role": TypeSpec(
        "iam",
        (
            "name",
            "path",
            "description",
            "assume_role_policy",
            "max_session_duration",
            "tags",
        ),
        defaults={"path": "/", "max_session_duration": 3600},
        json_arguments=("assume_role_policy",),
        import_id=lambda attrs: str(attrs["name"]),
    ),
}

# Scalars a state file holds for unknown types that only the provider computes.
_COMPUTED_NAMES = {
    "id",
    "arn",
    "owner_id",
    "unique_id",
    "tags_all",
    "timeouts",
    "url",
    "endpoint",
    "dns_name",
}
_COMPUTED_SUFFIXES = ("_arn", "_date", "_time", "_at", "_timestamp", "_url", "_dns_name")


def category(resource_type: str) -> str:
    spec = TYPES.get(resource_type)
    return spec.category if spec else "other"


def import_id(resource_type: str, attrs: Mapping[str, Any]) -> str:
    spec = TYPES.get(resource_type)
    return spec.import_id(attrs) if spec else str(attrs["id"])


def shape(resource_type: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep what a person writes: allowed arguments in order, no empties, no defaults,
    ids of other resources turned into Refs. Unknown types fall back to `guess_arguments`."""
    spec = TYPES.get(resource_type)
    if spec is None:
        return guess_arguments(raw)
    out: dict[str, Any] = {}
    for name in spec.arguments:
        value = raw.get(name)
        if _is_empty(value) or spec.defaults.get(name, _MISSING) == value:
            continue
        if name in spec.blocks:
            value = [_shape_block(spec.blocks[name], item) for item in _as_list(value)]
            value = [block for block in value if block]
        elif name in spec.json_arguments:
            value = JsonDoc(json.loads(value) if isinstance(value, str) else value)
        elif name in spec.references:
            value = _reference(spec.references[name], value)
        if not _is_empty(value):
            out[name] = value
    spec.tidy(out)
    return out


def guess_arguments(raw: Mapping[str, Any]) -> dict[str, Any]:
    """For a type with no table entry: scalar arguments whose names do not look computed,
    plus tags. A guess, and the README says so."""
    out = {}
    for name, value in raw.items():
        if name in _COMPUTED_NAMES or name.endswith(_COMPUTED_SUFFIXES) or _is_empty(value):
            continue
        if isinstance(value, str | int | float | bool) or (
            name == "tags" and isinstance(value, Mapping)
        ):
            out[name] = value
    return out


def _shape_block(spec: BlockSpec, raw: Mapping[str, Any]) -> Block:
    block = Block()
    for name in spec.arguments:
        value = raw.get(name)
        if _is_empty(value):
            continue
        block[name] = _reference(spec.references[name], value) if name in spec.references else value
    return block


def _reference(target: tuple[str, str], value: Any) -> Any:
    target_type, attr = target
    if isinstance(value, list):
        return [Ref(target_type, str(item), attr, str(item)) for item in value]
    return Ref(target_type, str(value), attr, str(value))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
