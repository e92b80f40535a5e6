"""Euler trail: a walk that uses every edge of a graph exactly once (Hierholzer's algorithm).

Graphs are built so that a trail exists (0 or 2 odd-degree nodes, connected). Many trails are usually valid;
the verifier checks the rule (consecutive nodes joined by an unused edge, every edge used once), so every
correct trail scores 1.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import networkx as nx
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.graphs.common import LABELS, edge_list, edges_text, parse_nodes
from synth.task import Instance, Params, SolverStats, Task, register


class EulerParams(Params):
    nodes: int = Field(5, ge=3, le=20, description="number of nodes")
    edges_per_node: float = Field(1.5, ge=1.0, le=4.0, description="edges per node")


def hierholzer(edges: list[list[str]], log: list[str] | None = None) -> tuple[list[str], SolverStats]:
    adj: dict[str, list[str]] = {}
    for u, v in edges:
        adj.setdefault(u, []).append(v)
        adj.setdefault(v, []).append(u)
    for n in adj:
        adj[n].sort(reverse=True)  # pop() then takes the alphabetically first neighbour
    odd = sorted(n for n in adj if len(adj[n]) % 2)
    start = odd[0] if odd else min(adj)
    stats = SolverStats()
    if log is not None:
        log.append(
            f"Odd-degree nodes: {', '.join(odd) if odd else 'none'}, so start at {start}"
            + (" and end at the other odd node." if odd else " and return to it.")
        )
    stack, trail = [start], []
    while stack:
        u = stack[-1]
        if adj[u]:
            v = adj[u].pop()
            adj[v].remove(u)
            stack.append(v)
            stats.steps += 1
        else:
            trail.append(stack.pop())
            stats.nodes += 1
            if stack and any(adj[x] for x in stack):
                stats.backtracks += 1
                if log is not None:
                    log.append(f"Stuck at {u} with edges left elsewhere: back up and splice in a detour.")
    trail.reverse()
    if log is not None:
        log.append(f"Walking greedily and splicing the detours gives {' -> '.join(trail)}.")
    return trail, stats


PROMPTS = (
    "A postman must walk along every street exactly once. The streets join these corners:\n{edges}\nGive a "
    "route (a sequence of corners) that uses every street exactly once.",
    "Find an Euler trail in the undirected graph with edges:\n{edges}\nEvery edge must be used exactly once.",
    "Draw the figure below without lifting the pen and without retracing a line. Lines:\n{edges}\nList the "
    "points in the order you visit them.",
)


@register
class EulerPath(Task):
    name = "euler_path"
    description = "A walk using every edge of a graph exactly once; any valid trail is accepted."
    Params = EulerParams
    levels = {
        "easy": {"nodes": 4, "edges_per_node": 1.25},
        "medium": {"nodes": 6, "edges_per_node": 1.6},
        "hard": {"nodes": 9, "edges_per_node": 2.0},
        "expert": {"nodes": 13, "edges_per_node": 2.5},
    }
    effort_scale = 30.0

    def generate(self, rng: random.Random, params: EulerParams) -> Instance:
        nodes = LABELS[: params.nodes]
        want = min(len(nodes) * (len(nodes) - 1) // 2, round(params.edges_per_node * len(nodes)))
        while True:
            g = nx.gnm_random_graph(len(nodes), want, seed=rng.randrange(2**32))
            g = nx.relabel_nodes(g, dict(enumerate(nodes)))
            odd = [n for n in g if g.degree(n) % 2]
            if nx.is_connected(g) and len(odd) in (0, 2):
                break
        rows = edge_list(g, weights=False)
        trail, stats = hierholzer(rows)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(edges=edges_text(rows)),
                answer_instruction("node labels joined by arrows, e.g. P -> Q -> R -> P"),
            ]
        )
        return Instance(puzzle={"edges": rows}, answer=" -> ".join(trail), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        trail = parse_nodes(answer)
        if trail is None or len(trail) != len(puzzle["edges"]) + 1:
            return 0.0
        need = Counter(frozenset(e) for e in puzzle["edges"])
        used = Counter(frozenset(p) for p in zip(trail, trail[1:]))
        return float(used == need)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = ["A trail using every edge exists: the graph is connected and has 0 or 2 odd-degree nodes."]
        hierholzer(puzzle["edges"], log)
        return log
