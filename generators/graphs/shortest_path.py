"""Weighted shortest path on a random connected graph, with a unique optimal route.

Graphs are a random spanning tree plus extra random edges (networkx), with integer weights. The source and
target are chosen at least ``min_hops`` edges apart; the instance is emitted only when exactly one path
attains the minimum weight (counted by dynamic programming over the edges that lie on shortest paths).
The verifier checks the route by rule: consecutive nodes joined by edges, right ends, total weight equal to
the optimum, so it does not depend on string matching the stored path.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

import networkx as nx
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.graphs.common import parse_nodes, random_connected
from synth.task import Instance, Params, SolverStats, Task, register


class ShortestPathParams(Params):
    nodes: int = Field(8, ge=4, le=26, description="number of nodes (labelled A, B, C, ...)")
    extra_edges: float = Field(
        0.6, ge=0.0, le=3.0, description="extra edges beyond a spanning tree, per node"
    )
    max_weight: int = Field(9, ge=1, le=99, description="edge weights are drawn from 1..max_weight")
    min_hops: int = Field(2, ge=1, le=10, description="minimum number of edges between source and target")


def dijkstra(
    adj: dict[str, dict[str, int]], source: str, target: str, log: list[str] | None = None
) -> tuple[int, list[str], SolverStats]:
    """Distance and path by Dijkstra's algorithm with lexicographic tie-breaking; narrates when ``log``."""
    stats = SolverStats()
    dist = {source: 0}
    prev: dict[str, str] = {}
    done: set[str] = set()
    heap = [(0, source)]
    if log is not None:
        log.append(f"Start at {source} with distance 0; every other node is at distance infinity for now.")
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        stats.nodes += 1
        if u == target:
            if log is not None:
                log.append(
                    f"{target} is the closest unvisited node, at distance {d}, so its distance is final."
                )
            break
        updates = []
        for v, w in sorted(adj[u].items()):
            if v in done:
                continue
            stats.steps += 1
            if d + w < dist.get(v, 1 << 60):
                dist[v] = d + w
                prev[v] = u
                heapq.heappush(heap, (d + w, v))
                updates.append(f"{v} to {d + w}")
        if log is not None:
            text = f"Visit {u} (distance {d})"
            log.append(text + (": update " + ", ".join(updates) + "." if updates else ": no improvements."))
    path = [target]
    while path[-1] != source:
        path.append(prev[path[-1]])
    return dist[target], path[::-1], stats


def count_shortest_paths(adj: dict[str, dict[str, int]], source: str, target: str) -> int:
    """Number of distinct minimum-weight paths (weights are positive, so the tight edges form a DAG)."""
    dist = _all_distances(adj, source)
    ways = {source: 1}
    for u in sorted(dist, key=dist.get):
        for v, w in adj[u].items():
            if dist.get(v) == dist[u] + w:
                ways[v] = ways.get(v, 0) + ways.get(u, 0)
    return ways.get(target, 0)


def _all_distances(adj: dict[str, dict[str, int]], source: str) -> dict[str, int]:
    dist = {source: 0}
    heap = [(0, source)]
    done: set[str] = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, w in adj[u].items():
            if d + w < dist.get(v, 1 << 60):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


PROMPTS = (
    "A road network connects the places {nodes}. Each road can be travelled in both directions and has a "
    "length:\n{edges}\nFind the shortest route from {s} to {t}.",
    "In the undirected weighted graph below, each line gives an edge and its weight.\n{edges}\nWhat is the "
    "minimum-weight path from node {s} to node {t}?",
    "Consider these connections between cities {nodes}, with travel costs:\n{edges}\nWhich route from {s} to {t} "
    "has the lowest total cost?",
)


@register
class ShortestPath(Task):
    name = "shortest_path"
    version = "2"
    description = "Minimum-weight route between two nodes of a weighted undirected graph (unique optimum)."
    Params = ShortestPathParams
    levels = {
        "easy": {"nodes": 6, "extra_edges": 0.5, "max_weight": 9, "min_hops": 2},
        "medium": {"nodes": 10, "extra_edges": 1.0, "max_weight": 15, "min_hops": 3},
        "hard": {"nodes": 16, "extra_edges": 1.5, "max_weight": 30, "min_hops": 4},
        "expert": {"nodes": 26, "extra_edges": 1.2, "max_weight": 60, "min_hops": 5},
    }
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: ShortestPathParams) -> Instance:
        while True:
            g = random_connected(rng, params.nodes, params.extra_edges, params.max_weight)
            adj = {u: {v: d["weight"] for v, d in g[u].items()} for u in g}
            # every (source, target) pair at least min_hops edges apart; redraw only if the graph has none
            pairs = [
                (s, t)
                for s, hops in sorted(nx.all_pairs_shortest_path_length(g))
                for t, k in sorted(hops.items())
                if k >= params.min_hops and s < t
            ]
            if not pairs:
                continue
            s, t = rng.choice(pairs)
            if rng.random() < 0.5:
                s, t = t, s
            if count_shortest_paths(adj, s, t) == 1:
                break
        edges = sorted([min(u, v), max(u, v), d["weight"]] for u, v, d in g.edges(data=True))
        distance, path, stats = dijkstra(adj, s, t)
        puzzle = {"edges": edges, "source": s, "target": t, "distance": distance, "path": path}
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(
                    nodes=", ".join(sorted(g)),
                    s=s,
                    t=t,
                    edges="\n".join(f"{u} - {v}: {w}" for u, v, w in edges),
                ),
                answer_instruction("the route as node labels joined by arrows, e.g. P -> Q -> R"),
            ]
        )
        return Instance(puzzle=puzzle, answer=" -> ".join(path), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        route = parse_nodes(answer)
        if not route or route[0] != puzzle["source"] or route[-1] != puzzle["target"]:
            return 0.0
        weight = {(u, v): w for u, v, w in puzzle["edges"]} | {(v, u): w for u, v, w in puzzle["edges"]}
        total = 0
        for u, v in zip(route, route[1:]):
            if (u, v) not in weight:
                return 0.0
            total += weight[u, v]
        return float(total == puzzle["distance"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        adj: dict[str, dict[str, int]] = {}
        for u, v, w in puzzle["edges"]:
            adj.setdefault(u, {})[v] = w
            adj.setdefault(v, {})[u] = w
        log: list[str] = []
        distance, path, _ = dijkstra(adj, puzzle["source"], puzzle["target"], log)
        log.append(
            f"Following the recorded predecessors back from {puzzle['target']}: {' -> '.join(path)}, "
            f"total weight {distance}."
        )
        return log
