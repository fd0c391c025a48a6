"""Infrastructure maps: nodes, security-group edges, VPC/subnet clusters; SVG, DOT and
Mermaid output. Pure Python."""

from iac.graph.layout import Layout, layout
from iac.graph.model import INTERNET, Cluster, Edge, InfraGraph, Node, build_graph
from iac.graph.render import to_dot, to_mermaid, to_svg
from iac.graph.sources import from_import_result, from_state, from_terraform_dir

__all__ = [
    "INTERNET",
    "Cluster",
    "Edge",
    "InfraGraph",
    "Layout",
    "Node",
    "build_graph",
    "from_import_result",
    "from_state",
    "from_terraform_dir",
    "layout",
    "to_dot",
    "to_mermaid",
    "to_svg",
]
