"""The infrastructure map: compute, databases and load balancers as nodes, security
groups turned into edges between the things they connect, VPCs and subnets as clusters.

InfraMap's simplification: when group A admits traffic from group B, every member of B
gets an edge to every member of A, labelled with the port; a rule open to 0.0.0.0/0 (or
::/0) becomes an edge from the "Internet" node."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from iac.hcl.naming import assign_names
from iac.importers.base import Ref, Resource

INTERNET = "internet"
NODE_KINDS = {
    "aws_instance": "instance",
    "aws_db_instance": "database",
    "aws_lb": "load balancer",
    "aws_alb": "load balancer",
}
_OPEN = {"0.0.0.0/0", "::/0"}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # "internet", "instance", "database", "load balancer"
    cluster: str | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Cluster:
    id: str
    label: str
    kind: str  # "vpc" or "subnet"
    parent: str | None = None


@dataclass
class InfraGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, Cluster] = field(default_factory=dict)

    def edge_set(self) -> set[tuple[str, str, str]]:
        return {(edge.source, edge.target, edge.label) for edge in self.edges}

    def node_by_label(self, label: str) -> Node:
        return next(node for node in self.nodes.values() if node.label == label)


@dataclass(frozen=True)
class _Rule:
    group: tuple[str, str]  # the group that admits traffic
    source: tuple[str, str] | str  # a group's key, or INTERNET
    port: str


class _Builder:
    def __init__(self, resources: Iterable[Resource]):
        self.resources = {resource.key: resource for resource in resources}
        # Literal ids (state files, targets not imported) resolve through this index.
        self.by_id = {resource.id: resource.key for resource in self.resources.values()}
        for resource in self.resources.values():
            raw_id = resource.attributes.get("id")
            if isinstance(raw_id, str):
                self.by_id.setdefault(raw_id, resource.key)
        names = assign_names(self.resources.values())
        self.ids = {key: f"{key[0]}__{name}" for key, name in names.items()}
        self.graph = InfraGraph()

    def lookup(self, value: Any, expected_type: str) -> tuple[str, str] | None:
        """The key of the resource a value points at: a Ref, or a literal id."""
        if isinstance(value, Ref):
            key = value.key
        elif isinstance(value, str):
            key = self.by_id.get(value)
        else:
            return None
        return key if key in self.resources and key[0] == expected_type else None

    def lookups(self, value: Any, expected_type: str) -> list[tuple[str, str]]:
        values = value if isinstance(value, list) else [value]
        keys = (self.lookup(item, expected_type) for item in values if item is not None)
        return [key for key in keys if key]

    def of_type(self, *types: str) -> Iterator[Resource]:
        for resource in self.resources.values():
            if resource.type in types:
                yield resource

    # -- clusters -----------------------------------------------------------------------

    def vpc_cluster(self, vpc: tuple[str, str] | None) -> str | None:
        if vpc is None:
            return None
        cluster_id = self.ids[vpc]
        if cluster_id not in self.graph.clusters:
            attrs = self.resources[vpc].attributes
            label = f"VPC {self.resources[vpc].name_hint}"
            if attrs.get("cidr_block"):
                label += f" ({attrs['cidr_block']})"
            self.graph.clusters[cluster_id] = Cluster(cluster_id, label, "vpc")
        return cluster_id

    def subnet_vpc(self, subnet: tuple[str, str]) -> tuple[str, str] | None:
        return self.lookup(self.resources[subnet].attributes.get("vpc_id"), "aws_vpc")

    def subnet_cluster(self, subnet: tuple[str, str]) -> str:
        cluster_id = self.ids[subnet]
        if cluster_id not in self.graph.clusters:
            resource = self.resources[subnet]
            label = f"subnet {resource.name_hint}"
            if resource.attributes.get("cidr_block"):
                label += f" ({resource.attributes['cidr_block']})"
            parent = self.vpc_cluster(self.subnet_vpc(subnet))
            self.graph.clusters[cluster_id] = Cluster(cluster_id, label, "subnet", parent)
        return cluster_id

    def place(self, resource: Resource) -> str | None:
        """Instances sit in their subnet; databases and load balancers span subnets, so
        they sit in the VPC of those subnets."""
        attrs = resource.attributes
        if resource.type == "aws_instance":
            subnet = self.lookup(attrs.get("subnet_id"), "aws_subnet")
            return self.subnet_cluster(subnet) if subnet else None
        subnets = self.lookups(attrs.get("subnets"), "aws_subnet")
        group = self.lookup(attrs.get("db_subnet_group_name"), "aws_db_subnet_group")
        if group:
            subnets = self.lookups(self.resources[group].attributes.get("subnet_ids"), "aws_subnet")
        vpcs = {self.subnet_vpc(subnet) for subnet in subnets} - {None}
        return self.vpc_cluster(vpcs.pop()) if len(vpcs) == 1 else None

    # -- nodes and edges ----------------------------------------------------------------

    def members(self) -> dict[tuple[str, str], list[str]]:
        members = defaultdict(list)
        for resource in self.of_type(*NODE_KINDS):
            groups = resource.attributes.get("vpc_security_group_ids")
            if groups is None:
                groups = resource.attributes.get("security_groups")
            for group in self.lookups(groups, "aws_security_group"):
                members[group].append(self.ids[resource.key])
        return members

    def rules(self) -> Iterator[_Rule]:
        # Three ways to write the same thing: the rule resources Terraform 5 recommends,
        # the older aws_security_group_rule, and inline ingress blocks.
        for rule in self.of_type("aws_vpc_security_group_ingress_rule"):
            attrs = rule.attributes
            group = self.lookup(attrs.get("security_group_id"), "aws_security_group")
            if group:
                yield from self._sources(group, attrs, _port(attrs, "ip_protocol"))
        for rule in self.of_type("aws_security_group_rule"):
            attrs = rule.attributes
            group = self.lookup(attrs.get("security_group_id"), "aws_security_group")
            if group and attrs.get("type") == "ingress":
                yield from self._sources(group, attrs, _port(attrs, "protocol"))
        for group in self.of_type("aws_security_group"):
            for block in group.attributes.get("ingress") or []:
                if isinstance(block, dict):
                    yield from self._sources(group.key, block, _port(block, "protocol"))

    def _sources(self, group, attrs: dict, port: str) -> Iterator[_Rule]:
        cidrs = [attrs.get("cidr_ipv4"), attrs.get("cidr_ipv6")]
        cidrs += _as_list(attrs.get("cidr_blocks")) + _as_list(attrs.get("ipv6_cidr_blocks"))
        if _OPEN.intersection(cidrs):
            yield _Rule(group, INTERNET, port)
        sources = [
            attrs.get("referenced_security_group_id"),
            attrs.get("source_security_group_id"),
            *_as_list(attrs.get("security_groups")),
        ]
        for source in self.lookups(sources, "aws_security_group"):
            yield _Rule(group, source, port)
        if attrs.get("self") is True:
            yield _Rule(group, group, port)

    def build(self) -> InfraGraph:
        for resource in sorted(self.of_type(*NODE_KINDS), key=lambda r: self.ids[r.key]):
            node_id = self.ids[resource.key]
            kind = NODE_KINDS[resource.type]
            self.graph.nodes[node_id] = Node(
                node_id, resource.name_hint, kind, self.place(resource)
            )
        members = self.members()
        labels: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rule in self.rules():
            sources = [INTERNET] if rule.source == INTERNET else members.get(rule.source, [])
            for source in sources:
                for target in members.get(rule.group, []):
                    if source != target and rule.port not in labels[(source, target)]:
                        labels[(source, target)].append(rule.port)
        if any(source == INTERNET for source, _ in labels):
            self.graph.nodes[INTERNET] = Node(INTERNET, "Internet", "internet")
        for (source, target), ports in sorted(labels.items()):
            self.graph.edges.append(Edge(source, target, ", ".join(ports)))
        used = {node.cluster for node in self.graph.nodes.values()}
        used |= {self.graph.clusters[c].parent for c in used if c}
        self.graph.clusters = {k: v for k, v in self.graph.clusters.items() if k in used}
        return self.graph


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _port(attrs: dict, protocol_key: str) -> str:
    protocol = str(attrs.get(protocol_key, "tcp")).lower()
    start, end = attrs.get("from_port"), attrs.get("to_port")
    if protocol in ("-1", "all") or start in (None, -1):
        return "all"
    ports = str(start) if start == end or end is None else f"{start}-{end}"
    return ports if protocol in ("tcp", "6") else f"{ports}/{protocol}"


def build_graph(resources: Iterable[Resource]) -> InfraGraph:
    return _Builder(resources).build()
