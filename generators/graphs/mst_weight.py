"""Minimum spanning tree weight of a weighted undirected graph (Kruskal's algorithm).

The answer is one number, the same for every minimum spanning tree, so it is unique by definition; the
trace is Kruskal's scan of the edges by weight, keeping each edge that joins two components and skipping each
edge that would close a cycle.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from generators.graphs.common import edge_list, edges_text, random_connected
from synth.answers import parse_single_int
from synth.task import Instance, Params, SolverStats, Task, register


class MSTParams(Params):
    nodes: int = Field(6, ge=3, le=26, description="number of nodes")
    extra_edges: float = Field(
        1.0, ge=0.0, le=4.0, description="extra edges beyond a spanning tree, per node"
    )
    max_weight: int = Field(20, ge=1, le=999, description="weights are drawn from 1..max_weight")


def kruskal(rows: list[list], log: list[str] | None = None) -> tuple[int, SolverStats]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    stats = SolverStats()
    total = kept = 0
    nodes = {u for r in rows for u in r[:2]}
    for u, v, w in sorted(rows, key=lambda r: (r[2], r[0], r[1])):
        stats.steps += 1
        ru, rv = find(u), find(v)
        if ru == rv:
            stats.backtracks += 1
            if log is not None:
                log.append(f"Skip {u}-{v} ({w}): {u} and {v} are already connected, it would close a cycle.")
            continue
        parent[ru] = rv
        total += w
        kept += 1
        stats.nodes += 1
        if log is not None:
            log.append(f"Take {u}-{v} ({w}): it joins two separate parts. Running total {total}.")
        if kept == len(nodes) - 1:
            if log is not None:
                log.append(f"{kept} edges now connect all {len(nodes)} nodes, so the tree is complete.")
            break
    return total, stats


PROMPTS = (
    "A company wants to connect the offices {nodes} with cables. Possible links and their costs are:\n{edges}\n"
    "What is the minimum total cost of cables that connects all offices?",
    "Find the total weight of a minimum spanning tree of this weighted undirected graph:\n{edges}",
    "Each line below is an undirected edge with its weight.\n{edges}\nWhat is the smallest possible total "
    "weight of a set of edges that connects every node?",
)


@register
class MSTWeight(Task):
    name = "mst_weight"
    description = "Total weight of a minimum spanning tree of a weighted undirected graph."
    Params = MSTParams
    levels = {
        "easy": {"nodes": 5, "extra_edges": 0.6, "max_weight": 9},
        "medium": {"nodes": 8, "extra_edges": 1.2, "max_weight": 20},
        "hard": {"nodes": 12, "extra_edges": 2.0, "max_weight": 50},
        "expert": {"nodes": 18, "extra_edges": 3.0, "max_weight": 99},
    }
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: MSTParams) -> Instance:
        g = random_connected(rng, params.nodes, params.extra_edges, params.max_weight)
        rows = edge_list(g)
        total, stats = kruskal(rows)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(nodes=", ".join(sorted(g)), edges=edges_text(rows)),
                answer_instruction("a single integer, e.g. 17"),
            ]
        )
        return Instance(
            puzzle={"edges": rows, "weight": total}, answer=str(total), prompt=prompt, stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        return float(parse_single_int(answer) == puzzle["weight"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = ["Kruskal's algorithm: consider the edges from lightest to heaviest."]
        total, _ = kruskal(puzzle["edges"], log)
        log.append(f"The minimum spanning tree weighs {total}.")
        return log
