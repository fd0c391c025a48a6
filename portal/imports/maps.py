"""An import's map, stored as plain data and drawn on request in the format asked for."""

from dataclasses import asdict

from iac.graph import Cluster, Edge, InfraGraph, Node, to_dot, to_mermaid, to_svg

# format -> (renderer, content type, file extension)
FORMATS = {
    "svg": (to_svg, "image/svg+xml", "svg"),
    "dot": (to_dot, "text/vnd.graphviz; charset=utf-8", "dot"),
    "mermaid": (to_mermaid, "text/plain; charset=utf-8", "mmd"),
}


def graph_to_data(graph: InfraGraph) -> dict:
    return asdict(graph)


def graph_from_data(data: dict) -> InfraGraph:
    return InfraGraph(
        nodes={key: Node(**node) for key, node in (data.get("nodes") or {}).items()},
        edges=[Edge(**edge) for edge in data.get("edges") or []],
        clusters={key: Cluster(**c) for key, c in (data.get("clusters") or {}).items()},
    )


def render(data: dict, fmt: str) -> str:
    renderer = FORMATS[fmt][0]
    return renderer(graph_from_data(data))
