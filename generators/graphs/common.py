"""Helpers the graph families share: labelled random graphs, edge lists in prompts, node lists in answers."""

from __future__ import annotations

import random
import re
import string

import networkx as nx

from synth.answers import normalize

LABELS = list(string.ascii_uppercase)


def random_connected(rng: random.Random, nodes: int, extra_per_node: float, max_weight: int) -> nx.Graph:
    """A random spanning tree on nodes A, B, ... plus about ``extra_per_node * nodes`` more edges, int weights."""
    order = LABELS[:nodes]
    shuffled = rng.sample(order, len(order))
    edges: dict[frozenset, tuple[str, str, int]] = {}
    for k in range(1, len(shuffled)):
        u, v = shuffled[k], shuffled[rng.randrange(k)]
        edges[frozenset((u, v))] = (u, v, rng.randint(1, max_weight))
    target = min(nodes * (nodes - 1) // 2, len(edges) + round(extra_per_node * nodes))
    while len(edges) < target:
        u, v = rng.sample(order, 2)
        if frozenset((u, v)) not in edges:
            edges[frozenset((u, v))] = (u, v, rng.randint(1, max_weight))
    g = nx.Graph()
    g.add_nodes_from(order)
    g.add_weighted_edges_from(edges.values())
    return g


def edge_list(g: nx.Graph, weights: bool = True, arrow: str = "-") -> list[list]:
    """Sorted [u, v, w] (or [u, v]) rows; undirected edges written with u < v."""
    rows = []
    for u, v, d in g.edges(data=True):
        if not g.is_directed() and v < u:
            u, v = v, u
        rows.append([u, v, d["weight"]] if weights else [u, v])
    return sorted(rows)


def edges_text(rows: list[list], arrow: str = "-", unit: str = "") -> str:
    if rows and len(rows[0]) == 3:
        return "\n".join(f"{u} {arrow} {v}: {w}{unit}" for u, v, w in rows)
    return "\n".join(map(f" {arrow} ".join, rows))


def parse_nodes(answer: str) -> list[str] | None:
    """Node labels in order from 'A -> B -> C', 'A, B, C' or 'A B C'; None if anything else is there."""
    text = normalize(answer).upper()
    text = re.sub(
        r"^(THE\s+)?(SHORTEST\s+|EULER(IAN)?\s+|TOPOLOGICAL\s+)?(ROUTE|PATH|ORDER|TRAIL)\s*(IS)?\s*[:=]?",
        "",
        text,
    )
    text = re.sub(r"\s*[\(\[]?\s*(TOTAL|WEIGHT|LENGTH|COST|DISTANCE)\b.*$", "", text).strip()
    parts = [p for p in re.split(r"\s*(?:->|→|—>|=>|,|-|\s)\s*", text) if p]
    if not parts or any(not re.fullmatch(r"[A-Z]", p) for p in parts):
        return None
    return parts
