import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iac.graph import (
    INTERNET,
    build_graph,
    from_import_result,
    from_state,
    from_terraform_dir,
    layout,
    to_dot,
    to_mermaid,
    to_svg,
)
from iac.hcl import write_terraform
from iac.importers import ImporterError

STATE = Path(__file__).parents[1] / "importers" / "data" / "terraform.tfstate"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def graph(imported):
    return build_graph(from_import_result(imported))


def labelled_edges(graph):
    names = {node.id: node.label for node in graph.nodes.values()}
    return sorted((names[e.source], names[e.target], e.label) for e in graph.edges)


def test_nodes_are_compute_databases_and_load_balancers(graph):
    kinds = sorted((node.kind, node.label) for node in graph.nodes.values())
    assert kinds == [
        ("database", "orders"),
        ("instance", "web-1"),
        ("instance", "web-1"),
        ("internet", "Internet"),
        ("load balancer", "web"),
    ]


def test_security_groups_become_edges(graph):
    # Internet -> everything in the web group on 443; the web group -> db on 5432
    # (the load balancer is in the web group too, as InfraMap would draw it).
    assert labelled_edges(graph) == [
        ("Internet", "web", "443"),
        ("Internet", "web-1", "443"),
        ("Internet", "web-1", "443"),
        ("web", "orders", "5432"),
        ("web-1", "orders", "5432"),
        ("web-1", "orders", "5432"),
    ]
    assert graph.nodes[INTERNET].cluster is None


def test_clusters_nest_subnets_in_their_vpc(graph):
    vpc = next(c for c in graph.clusters.values() if c.kind == "vpc")
    assert vpc.label == "VPC main (10.0.0.0/16)"
    subnets = sorted(c.label for c in graph.clusters.values() if c.parent == vpc.id)
    assert subnets == ["subnet web-a (10.0.1.0/24)", "subnet web-b (10.0.2.0/24)"]
    instances = [n for n in graph.nodes.values() if n.kind == "instance"]
    assert {graph.clusters[n.cluster].kind for n in instances} == {"subnet"}
    # The database and the load balancer span subnets: they sit in the VPC.
    assert graph.node_by_label("orders").cluster == vpc.id
    assert graph.node_by_label("web").cluster == vpc.id


def test_terraform_folder_gives_the_same_map(graph, imported, tmp_path):
    write_terraform(imported, tmp_path)
    from_folder = build_graph(from_terraform_dir(tmp_path))
    assert from_folder.edge_set() == graph.edge_set()
    assert from_folder.clusters == graph.clusters


def test_state_file_map_reads_inline_rules():
    state_graph = build_graph(from_state(STATE))
    app_label = 'app "primary" ${x}'  # the Name tag, quotes and all
    assert labelled_edges(state_graph) == [
        ("Internet", app_label, "443"),
        (app_label, "shop", "3306"),
    ]
    ET.fromstring(to_svg(state_graph))
    app = state_graph.node_by_label(app_label)
    assert state_graph.clusters[app.cluster].label == "subnet app_0 (10.20.1.0/24)"
    assert state_graph.clusters[state_graph.clusters[app.cluster].parent].label == (
        "VPC shop (10.20.0.0/16)"
    )


def test_bad_folder_is_named(tmp_path):
    (tmp_path / "main.tf").write_text('resource "a" "b" {\n  x = \n')
    with pytest.raises(ImporterError, match=r"main\.tf is not valid HCL"):
        from_terraform_dir(tmp_path)


def test_svg_is_xml_with_every_node_edge_and_cluster(graph):
    svg = to_svg(graph)
    root = ET.fromstring(svg)
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}
    assert set(graph.nodes) | set(graph.clusters) == set(groups)
    edges = [g for g in root.iter(SVG + "g") if g.get("class") == "edge"]
    assert len(edges) == len(graph.edges)
    assert "Internet" in svg


def test_layout_nests_boxes_without_overlap(graph):
    placed = layout(graph)

    def inside(inner, outer):
        return (
            outer.x <= inner.x
            and outer.y <= inner.y
            and inner.x + inner.width <= outer.x + outer.width
            and inner.y + inner.height <= outer.y + outer.height
        )

    def overlap(a, b):
        return not (
            a.x + a.width <= b.x
            or b.x + b.width <= a.x
            or a.y + a.height <= b.y
            or b.y + b.height <= a.y
        )

    for node in graph.nodes.values():
        if node.cluster:
            assert inside(placed.nodes[node.id], placed.clusters[node.cluster])
    for cluster in graph.clusters.values():
        if cluster.parent:
            assert inside(placed.clusters[cluster.id], placed.clusters[cluster.parent])
    boxes = list(placed.nodes.values())
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # Traffic flows left to right: Internet, then the web tier, then the database.
    assert placed.nodes[INTERNET].x < placed.nodes[graph.node_by_label("web").id].x
    assert (
        placed.nodes[graph.node_by_label("web").id].x
        < placed.nodes[graph.node_by_label("orders").id].x
    )


def test_dot_and_mermaid_text(graph):
    dot = to_dot(graph)
    assert dot.startswith("digraph infrastructure {")
    assert 'subgraph "cluster_aws_vpc__main" {' in dot
    assert '"internet" -> "aws_lb__web" [label="443"];' in dot
    assert dot.count("{") == dot.count("}")
    mermaid = to_mermaid(graph)
    assert mermaid.startswith("flowchart LR\n")
    assert 'internet -->|"443"| aws_lb__web' in mermaid
    assert mermaid.count("subgraph") == mermaid.count("\n  end") + mermaid.count("\n    end")


def test_cycles_and_quotes_do_not_break_rendering():
    from iac.importers import Ref, Resource

    def sg(name):
        return Resource("aws_security_group", name, name, None, {})

    def rule(group, source):
        refs = {
            "security_group_id": Ref("aws_security_group", group),
            "referenced_security_group_id": Ref("aws_security_group", source),
            "ip_protocol": "udp",
            "from_port": 53,
            "to_port": 53,
        }
        return Resource("aws_vpc_security_group_ingress_rule", f"{group}-{source}", "r", None, refs)

    def host(name, group):
        attrs = {"vpc_security_group_ids": [Ref("aws_security_group", group)]}
        return Resource("aws_instance", name, name, None, attrs)

    resources = [
        sg("a"),
        sg("b"),
        rule("a", "b"),
        rule("b", "a"),
        host('x "1"', "a"),
        host("y", "b"),
    ]
    graph = build_graph(resources)
    assert {e.label for e in graph.edges} == {"53/udp"}
    assert len(graph.edges) == 2
    ET.fromstring(to_svg(graph))
    assert '\\"1\\"' in to_dot(graph)
    assert "#quot;1#quot;" in to_mermaid(graph)
