"""A layered layout with nested group boxes, in pure Python (no Graphviz here).

Nodes get a rank (longest path from a source, so traffic flows left to right). Every
container (the canvas, a VPC, a subnet) lays out its items, which are its own nodes and
its child clusters, in columns by rank; a cluster's rank is its lowest node rank. Boxes
never overlap because each container is sized from what it holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from iac.graph.model import InfraGraph

NODE_WIDTH, NODE_HEIGHT = 160, 46
GAP = 36  # between columns and between stacked items
PADDING = 14  # inside a cluster box
HEADER = 22  # the cluster's title line
MARGIN = 20  # around the canvas


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre_y(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    nodes: dict[str, Box]
    clusters: dict[str, Box]
    width: float
    height: float


def ranks(graph: InfraGraph) -> dict[str, int]:
    """Longest-path ranks over the edges, ignoring the ones that close a cycle."""
    outgoing = defaultdict(list)
    for edge in graph.edges:
        outgoing[edge.source].append(edge.target)
    order: list[str] = []  # reverse post-order of a depth-first walk = a topological order
    state: dict[str, int] = {}  # 1 while on the stack, 2 when finished
    back_edges = set()

    def visit(start: str) -> None:
        stack = [(start, iter(sorted(outgoing[start])))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif state.get(child) == 1:
                back_edges.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(outgoing[child]))))

    for node in sorted(graph.nodes):
        if node not in state:
            visit(node)
    rank = dict.fromkeys(graph.nodes, 0)
    for node in reversed(order):
        for child in outgoing[node]:
            if (node, child) not in back_edges:
                rank[child] = max(rank[child], rank[node] + 1)
    return rank


def layout(graph: InfraGraph) -> Layout:
    rank = ranks(graph)
    nodes_in: dict[str | None, list[str]] = defaultdict(list)
    for node in graph.nodes.values():
        nodes_in[node.cluster].append(node.id)
    children: dict[str | None, list[str]] = defaultdict(list)
    for cluster in graph.clusters.values():
        children[cluster.parent].append(cluster.id)

    def cluster_rank(cluster_id: str) -> int:
        values = [rank[n] for n in nodes_in[cluster_id]]
        values += [cluster_rank(child) for child in children[cluster_id]]
        return min(values, default=0)

    sizes: dict[tuple[str, str | None], tuple[float, float]] = {}
    columns_of: dict[str | None, list[list[tuple[str, str]]]] = {}

    def measure(container: str | None) -> tuple[float, float]:
        items = [("node", n, rank[n]) for n in nodes_in[container]]
        items += [("cluster", c, cluster_rank(c)) for c in children[container]]
        by_rank: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for kind, item_id, item_rank in sorted(items, key=lambda i: (i[2], _label(graph, i))):
            by_rank[item_rank].append((kind, item_id))
            sizes[(kind, item_id)] = (
                (NODE_WIDTH, NODE_HEIGHT) if kind == "node" else measure(item_id)
            )
        columns = [by_rank[r] for r in sorted(by_rank)]
        columns_of[container] = columns
        widths = [max(sizes[item][0] for item in column) for column in columns]
        heights = [sum(sizes[i][1] for i in column) + GAP * (len(column) - 1) for column in columns]
        inner_w = sum(widths) + GAP * max(len(columns) - 1, 0)
        inner_h = max(heights, default=0)
        if container is None:
            return inner_w + 2 * MARGIN, inner_h + 2 * MARGIN
        return max(inner_w, NODE_WIDTH) + 2 * PADDING, inner_h + HEADER + 2 * PADDING

    width, height = measure(None)
    result = Layout({}, {}, width, height)

    def place(container: str | None, x: float, y: float, box_h: float) -> None:
        inset_x, inset_top = (MARGIN, MARGIN) if container is None else (PADDING, HEADER + PADDING)
        inset_bottom = MARGIN if container is None else PADDING
        room = box_h - inset_top - inset_bottom
        column_x = x + inset_x
        for column in columns_of[container]:
            column_h = sum(sizes[i][1] for i in column) + GAP * (len(column) - 1)
            item_y = y + inset_top + (room - column_h) / 2  # centre columns vertically
            for kind, item_id in column:
                item_w, item_h = sizes[(kind, item_id)]
                box = Box(column_x, item_y, item_w, item_h)
                if kind == "node":
                    result.nodes[item_id] = box
                else:
                    result.clusters[item_id] = box
                    place(item_id, box.x, box.y, box.height)
                item_y += item_h + GAP
            column_x += max(sizes[i][0] for i in column) + GAP

    place(None, 0, 0, height)
    return result


def _label(graph: InfraGraph, item: tuple[str, str, int]) -> str:
    kind, item_id, _ = item
    return graph.nodes[item_id].label if kind == "node" else graph.clusters[item_id].label
