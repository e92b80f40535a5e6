"""Weighted shortest path on a random connected graph, with a unique optimal route.

Graphs are a random spanning tree plus extra random edges, with integer weights. The source and target are
chosen at least ``min_hops`` edges apart; the instance is emitted only when exactly one path attains the
minimum weight (Dijkstra counting the minimum-weight paths as it settles nodes). That draw-and-prove loop is
compiled with numba (``_draw_unique``); the narrated Dijkstra (``dijkstra``) replays it for the trace.
The verifier checks the route by rule: consecutive nodes joined by edges, right ends, total weight equal to
the optimum, so it does not depend on string matching the stored path.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_random
from generators.graphs.common import LABELS, parse_nodes
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


@njit(cache=True)
def _draw_unique(
    seed: int, nodes: int, extra: int, max_weight: int, min_hops: int
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Random weighted graphs until a pair at least min_hops apart has exactly one minimum-weight path.

    A graph is a random spanning tree plus ``extra`` more edges (weights 1..max_weight, 0 = no edge); the pair
    is drawn uniformly among those far enough apart (by BFS hops) and its direction at random. Dijkstra from
    the source, in O(n^2) over the matrix, counts the minimum-weight paths (capped at 2) as it settles nodes:
    a node's count is final when it is settled, because weights are positive. Returns the edges as sorted
    [u, v, weight] rows (u < v), the path from source to target, its weight and the stats (nodes settled, no backtracks, edges relaxed).
    """
    state = np.uint64(seed)
    weight = np.zeros((nodes, nodes), np.int64)
    hops = np.zeros((nodes, nodes), np.int64)
    order = np.arange(nodes)
    queue = np.zeros(nodes, np.int64)
    dist = np.zeros(nodes, np.int64)
    ways = np.zeros(nodes, np.int64)
    prev = np.zeros(nodes, np.int64)
    done = np.zeros(nodes, np.bool_)
    stats = np.zeros(3, np.int64)
    target_edges = min(nodes * (nodes - 1) // 2, nodes - 1 + extra)
    while True:
        weight[:, :] = 0
        for i in range(nodes):  # a random order of the nodes; each joins a random earlier one
            state, j = next_random(state, nodes - i)
            order[i], order[i + j] = order[i + j], order[i]
        for k in range(1, nodes):
            state, j = next_random(state, k)
            state, w = next_random(state, max_weight)
            weight[order[k], order[j]] = weight[order[j], order[k]] = w + 1
        edges = nodes - 1
        while edges < target_edges:
            state, u = next_random(state, nodes)
            state, v = next_random(state, nodes)
            if u != v and weight[u, v] == 0:
                state, w = next_random(state, max_weight)
                weight[u, v] = weight[v, u] = w + 1
                edges += 1
        far = 0  # pairs s < t at least min_hops edges apart, by breadth-first search from every node
        for s in range(nodes):
            hops[s, :] = -1
            hops[s, s] = 0
            queue[0], head, tail = s, 0, 1
            while head < tail:
                u = queue[head]
                head += 1
                for v in range(nodes):
                    if weight[u, v] and hops[s, v] < 0:
                        hops[s, v] = hops[s, u] + 1
                        queue[tail] = v
                        tail += 1
            for t in range(s + 1, nodes):
                far += hops[s, t] >= min_hops
        if far == 0:
            continue
        state, pick = next_random(state, far)
        source = target = -1
        for s in range(nodes):
            for t in range(s + 1, nodes):
                if hops[s, t] >= min_hops:
                    if pick == 0 and source < 0:
                        source, target = s, t
                    pick -= 1
        state, flip = next_random(state, 2)
        if flip:
            source, target = target, source
        dist[:] = 1 << 60
        ways[:] = 0
        done[:] = False
        dist[source], ways[source] = 0, 1
        stats[:] = 0
        while True:
            u = -1
            for v in range(nodes):
                if not done[v] and dist[v] < (1 << 60) and (u < 0 or dist[v] < dist[u]):
                    u = v
            done[u] = True
            stats[0] += 1
            if u == target:
                break
            for v in range(nodes):
                w = weight[u, v]
                if w and not done[v]:
                    stats[2] += 1
                    if dist[u] + w < dist[v]:
                        dist[v], ways[v], prev[v] = dist[u] + w, ways[u], u
                    elif dist[u] + w == dist[v]:
                        ways[v] = min(2, ways[v] + ways[u])
        if ways[target] == 1:
            break
    rows = np.zeros((edges, 3), np.int64)  # [u, v, weight] with u < v, sorted
    k = 0
    for u in range(nodes):
        for v in range(u + 1, nodes):
            if weight[u, v]:
                rows[k, 0], rows[k, 1], rows[k, 2] = u, v, weight[u, v]
                k += 1
    path = [target]
    while path[-1] != source:
        path.append(prev[path[-1]])
    return rows, np.array(path[::-1]), dist[target], stats


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
    version = "3"
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
        rows, path, distance, proof = _draw_unique(
            rng.getrandbits(63),
            params.nodes,
            round(params.extra_edges * params.nodes),
            params.max_weight,
            params.min_hops,
        )
        names = LABELS[: params.nodes]
        edges = [[names[u], names[v], w] for u, v, w in rows.tolist()]
        path = [names[u] for u in path.tolist()]
        s, t = path[0], path[-1]
        puzzle = {"edges": edges, "source": s, "target": t, "distance": int(distance), "path": path}
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(
                    nodes=", ".join(names),
                    s=s,
                    t=t,
                    edges="\n".join(f"{u} - {v}: {w}" for u, v, w in edges),
                ),
                answer_instruction("the route as node labels joined by arrows, e.g. P -> Q -> R"),
            ]
        )
        return Instance(
            puzzle=puzzle, answer=" -> ".join(path), prompt=prompt, stats=SolverStats(*proof.tolist())
        )

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
