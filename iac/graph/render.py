"""The map as text: SVG (drawn from our own layout), Graphviz DOT and Mermaid."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from iac.graph.layout import layout
from iac.graph.model import InfraGraph, Node

NODE_COLOURS = {
    "internet": "#fde2e1",
    "load balancer": "#e8e1fd",
    "instance": "#dff3e4",
    "database": "#fdf0d5",
}
CLUSTER_STYLES = {"vpc": ("#eef4fb", "#7a9cc6"), "subnet": ("#ffffff", "#a8b8cc")}


def to_svg(graph: InfraGraph) -> str:
    placed = layout(graph)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{placed.width:.0f}" height="{placed.height:.0f}" '
        f'viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    # Outer clusters first, so inner boxes are painted over them.
    for cluster_id, box in sorted(placed.clusters.items(), key=lambda i: _depth(graph, i[0])):
        cluster = graph.clusters[cluster_id]
        fill, stroke = CLUSTER_STYLES[cluster.kind]
        parts.append(
            f'<g class="cluster {cluster.kind}" id={quoteattr(cluster_id)}>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" rx="6" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{box.x + 8:.1f}" y="{box.y + 16:.1f}" font-weight="bold" '
            f'fill="#34495e">{escape(cluster.label)}</text></g>'
        )
    for edge in graph.edges:
        source, target = placed.nodes[edge.source], placed.nodes[edge.target]
        forward = target.x >= source.x + source.width
        x1 = source.x + source.width if forward else source.x
        x2 = target.x if forward else target.x + target.width
        y1, y2 = source.centre_y, target.centre_y
        bend = max(abs(x2 - x1) / 2, 40) * (1 if forward else -1)
        mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
        parts.append(
            f'<g class="edge"><path d="M {x1:.1f} {y1:.1f} C {x1 + bend:.1f} {y1:.1f} '
            f'{x2 - bend:.1f} {y2:.1f} {x2:.1f} {y2:.1f}" fill="none" stroke="#555" '
            'stroke-width="1.4" marker-end="url(#arrow)"/>'
            f'<text x="{mid_x:.1f}" y="{mid_y - 4:.1f}" text-anchor="middle" '
            'paint-order="stroke" stroke="#fff" stroke-width="3" '
            f'fill="#222">{escape(edge.label)}</text></g>'
        )
    for node_id, box in placed.nodes.items():
        node = graph.nodes[node_id]
        shape_rx = box.height / 2 if node.kind == "internet" else 8
        parts.append(
            f'<g class="node" id={quoteattr(node_id)}>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" rx="{shape_rx:.1f}" '
            f'fill="{NODE_COLOURS.get(node.kind, "#eee")}" stroke="#444"/>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.y + 19:.1f}" '
            f'text-anchor="middle" font-weight="bold">{escape(_fit(node.label))}</text>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.y + 35:.1f}" '
            f'text-anchor="middle" fill="#555">{escape(node.kind)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def to_dot(graph: InfraGraph) -> str:
    lines = [
        "digraph infrastructure {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]

    def emit(container: str | None, indent: str) -> None:
        for cluster in _children(graph, container):
            fill, stroke = CLUSTER_STYLES[cluster.kind]
            lines.append(f"{indent}subgraph {_dot_id('cluster_' + cluster.id)} {{")
            lines.append(
                f"{indent}  label={_dot_id(cluster.label)}; style=filled; "
                f'fillcolor="{fill}"; color="{stroke}";'
            )
            emit(cluster.id, indent + "  ")
            lines.append(f"{indent}}}")
        for node in _nodes_in(graph, container):
            shape = ", shape=ellipse" if node.kind == "internet" else ""
            label = node.label if node.kind == "internet" else f"{node.label}\n{node.kind}"
            lines.append(
                f"{indent}{_dot_id(node.id)} [label={_dot_id(label)}, "
                f'fillcolor="{NODE_COLOURS.get(node.kind, "#eeeeee")}"{shape}];'
            )

    emit(None, "  ")
    for edge in graph.edges:
        lines.append(
            f"  {_dot_id(edge.source)} -> {_dot_id(edge.target)} [label={_dot_id(edge.label)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: InfraGraph) -> str:
    lines = ["flowchart LR"]

    def emit(container: str | None, indent: str) -> None:
        for cluster in _children(graph, container):
            lines.append(f'{indent}subgraph {cluster.id}["{_mermaid_text(cluster.label)}"]')
            emit(cluster.id, indent + "  ")
            lines.append(f"{indent}end")
        for node in _nodes_in(graph, container):
            text = f"{_mermaid_text(node.label)}<br/>{node.kind}"
            if node.kind == "internet":
                lines.append(f'{indent}{node.id}(("{_mermaid_text(node.label)}"))')
            elif node.kind == "database":
                lines.append(f'{indent}{node.id}[("{text}")]')
            else:
                lines.append(f'{indent}{node.id}["{text}"]')

    emit(None, "  ")
    for edge in graph.edges:
        lines.append(f'  {edge.source} -->|"{_mermaid_text(edge.label)}"| {edge.target}')
    return "\n".join(lines) + "\n"


def _children(graph: InfraGraph, parent: str | None):
    return sorted((c for c in graph.clusters.values() if c.parent == parent), key=lambda c: c.label)


def _nodes_in(graph: InfraGraph, cluster: str | None) -> list[Node]:
    return sorted((n for n in graph.nodes.values() if n.cluster == cluster), key=lambda n: n.id)


def _depth(graph: InfraGraph, cluster_id: str | None) -> int:
    depth = 0
    while cluster_id is not None:
        cluster_id = graph.clusters[cluster_id].parent
        depth += 1
    return depth


def _fit(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _dot_id(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _mermaid_text(text: str) -> str:
    # Mermaid has no backslash escapes inside quoted labels; it takes HTML entity codes.
    # Its labels are HTML, so a name from the cloud must not open a tag either.
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text.replace("\n", " ")
