"""Topological order of a directed acyclic graph (tasks with prerequisites); any valid order scores 1.

The verifier checks the rule (every node exactly once, every edge pointing forward), so every correct
order is accepted. Graphs in which alphabetical or reverse alphabetical order happens to be valid are not
emitted, so a constant guess earns nothing.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from generators.graphs.common import LABELS, parse_nodes
from synth.task import Instance, Params, SolverStats, Task, register


class TopoParams(Params):
    nodes: int = Field(6, ge=3, le=26, description="number of tasks")
    edges_per_node: float = Field(1.2, ge=0.5, le=4.0, description="dependencies per task")


def kahn(
    nodes: list[str], edges: list[list[str]], log: list[str] | None = None
) -> tuple[list[str], SolverStats]:
    """Kahn's algorithm, always taking the alphabetically first ready node (so the trace is deterministic)."""
    indeg = {n: 0 for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        indeg[v] += 1
        out[u].append(v)
    ready = [n for n in nodes if indeg[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    stats = SolverStats()
    if log is not None:
        log.append(f"Tasks with no prerequisites: {', '.join(sorted(ready))}.")
    while ready:
        u = heapq.heappop(ready)
        order.append(u)
        stats.nodes += 1
        freed = []
        for v in sorted(out[u]):
            stats.steps += 1
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(ready, v)
                freed.append(v)
        if log is not None:
            log.append(
                f"Do {u}."
                + (
                    f" Now {', '.join(freed)} {'has' if len(freed) == 1 else 'have'} all prerequisites done."
                    if freed
                    else ""
                )
            )
    return order, stats


PROMPTS = (
    "A project has tasks {nodes}. Some tasks must be finished before others can start:\n{edges}\nGive an order "
    "in which all tasks can be done.",
    "Find a topological ordering of the directed acyclic graph with these edges (X -> Y means X comes before "
    "Y):\n{edges}\nNodes: {nodes}.",
    "Courses {nodes} have prerequisites:\n{edges}\nList all courses in an order that respects every "
    "prerequisite.",
)


@register
class TopologicalOrder(Task):
    name = "topological_order"
    description = "Order the nodes of a DAG so that every edge points forward; any valid order is accepted."
    Params = TopoParams
    levels = {
        "easy": {"nodes": 5, "edges_per_node": 1.0},
        "medium": {"nodes": 8, "edges_per_node": 1.5},
        "hard": {"nodes": 12, "edges_per_node": 2.0},
        "expert": {"nodes": 18, "edges_per_node": 2.5},
    }
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: TopoParams) -> Instance:
        nodes = LABELS[: params.nodes]
        while True:
            hidden = rng.sample(nodes, len(nodes))  # a secret valid order; edges only point forward in it
            rank = {n: i for i, n in enumerate(hidden)}
            want = min(len(nodes) * (len(nodes) - 1) // 2, round(params.edges_per_node * len(nodes)))
            edges: set[tuple[str, str]] = set()
            while len(edges) < want:
                a, b = rng.sample(nodes, 2)
                edges.add((a, b) if rank[a] < rank[b] else (b, a))
            rows = sorted([a, b] for a, b in edges)
            if not (is_valid(nodes, rows, nodes) or is_valid(nodes, rows, nodes[::-1])):
                break
        order, stats = kahn(nodes, rows)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(
                    nodes=", ".join(nodes), edges="\n".join(f"{a} -> {b}" for a, b in rows)
                ),
                answer_instruction("every node once, in order, separated by commas, e.g. Q, P, R"),
            ]
        )
        return Instance(
            puzzle={"nodes": nodes, "edges": rows}, answer=", ".join(order), prompt=prompt, stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        order = parse_nodes(answer)
        return float(order is not None and is_valid(puzzle["nodes"], puzzle["edges"], order))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "Repeatedly do a task whose prerequisites are all done (alphabetically first when several are)."
        ]
        order, _ = kahn(puzzle["nodes"], puzzle["edges"], log)
        log.append(f"Order: {', '.join(order)}.")
        return log


def is_valid(nodes: list[str], edges: list[list[str]], order: list[str]) -> bool:
    if sorted(order) != sorted(nodes):
        return False
    pos = {n: i for i, n in enumerate(order)}
    return all(pos[a] < pos[b] for a, b in edges)
