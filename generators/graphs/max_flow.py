"""Maximum flow from a source to a sink in a directed network with integer capacities (Edmonds-Karp).

The answer is the flow value, unique by definition. The trace lists each shortest augmenting path found by
breadth-first search in the residual network, its bottleneck, and the running flow, ending when the sink is
unreachable (which exhibits a cut of the same capacity).
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from generators.graphs.common import LABELS
from synth.answers import parse_single_int
from synth.task import Instance, Params, SolverStats, Task, register


class MaxFlowParams(Params):
    nodes: int = Field(
        6, ge=3, le=20, description="number of nodes; the source is A and the sink the last one"
    )
    edges_per_node: float = Field(1.8, ge=1.0, le=4.0, description="directed edges per node")
    max_capacity: int = Field(15, ge=1, le=999, description="capacities are drawn from 1..max_capacity")


def edmonds_karp(rows: list[list], s: str, t: str, log: list[str] | None = None) -> tuple[int, SolverStats]:
    cap: dict[str, dict[str, int]] = {}
    for u, v, c in rows:
        cap.setdefault(u, {})[v] = cap.get(u, {}).get(v, 0) + c
        cap.setdefault(v, {}).setdefault(u, 0)
    stats = SolverStats()
    flow = 0
    while True:
        prev = {s: s}
        queue = deque([s])
        while queue and t not in prev:
            u = queue.popleft()
            stats.steps += 1
            for v in sorted(cap[u]):
                if v not in prev and cap[u][v] > 0:
                    prev[v] = u
                    queue.append(v)
        if t not in prev:
            if log is not None:
                log.append(
                    f"No path with spare capacity reaches {t} any more: {sorted(prev)} are reachable from "
                    f"{s}, and the edges leaving that set are saturated."
                )
            return flow, stats
        path = [t]
        while path[-1] != s:
            path.append(prev[path[-1]])
        path.reverse()
        push = min(cap[a][b] for a, b in zip(path, path[1:]))
        for a, b in zip(path, path[1:]):
            cap[a][b] -= push
            cap[b][a] += push
        flow += push
        stats.nodes += 1
        if log is not None:
            log.append(
                f"Augment along {' -> '.join(path)} by {push} (its smallest spare capacity). Flow: {flow}."
            )


PROMPTS = (
    "Water flows through pipes from {s} to {t}. Each pipe is one-way with a capacity per second:\n{edges}\n"
    "What is the maximum amount that can flow from {s} to {t} per second?",
    "In the directed network below, each line gives an edge and its capacity.\n{edges}\nFind the value of a "
    "maximum flow from {s} to {t}.",
    "Trucks carry goods along one-way roads with daily limits:\n{edges}\nHow many units per day can be sent "
    "from {s} to {t} at most?",
)


@register
class MaxFlow(Task):
    name = "max_flow"
    description = "Value of a maximum flow between two nodes of a capacitated directed network."
    Params = MaxFlowParams
    levels = {
        "easy": {"nodes": 4, "edges_per_node": 1.5, "max_capacity": 9},
        "medium": {"nodes": 6, "edges_per_node": 2.0, "max_capacity": 15},
        "hard": {"nodes": 9, "edges_per_node": 2.5, "max_capacity": 30},
        "expert": {"nodes": 14, "edges_per_node": 3.0, "max_capacity": 60},
    }
    effort_scale = 30.0

    def generate(self, rng: random.Random, params: MaxFlowParams) -> Instance:
        names = LABELS[: params.nodes]
        s, t = names[0], names[-1]
        while True:
            edges: dict[tuple[str, str], int] = {}
            # a few source-to-sink chains through shuffled middle nodes guarantee a positive flow
            for _ in range(2):
                middle = rng.sample(names[1:-1], rng.randint(1, max(1, len(names) - 2)))
                chain = [s, *middle, t]
                for a, b in zip(chain, chain[1:]):
                    edges[a, b] = rng.randint(1, params.max_capacity)
            while len(edges) < round(params.edges_per_node * params.nodes):
                a, b = rng.sample(names, 2)
                if b != s and a != t and (b, a) not in edges:
                    edges.setdefault((a, b), rng.randint(1, params.max_capacity))
            rows = sorted([a, b, c] for (a, b), c in edges.items())
            value, stats = edmonds_karp(rows, s, t)
            if stats.nodes >= 2 or params.nodes <= 4:
                break
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(s=s, t=t, edges="\n".join(f"{a} -> {b}: {c}" for a, b, c in rows)),
                answer_instruction("a single integer, e.g. 12"),
            ]
        )
        puzzle = {"edges": rows, "source": s, "sink": t, "flow": value}
        return Instance(puzzle=puzzle, answer=str(value), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        return float(parse_single_int(answer) == puzzle["flow"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            f"Edmonds-Karp: repeatedly push flow along a shortest path with spare capacity from "
            f"{puzzle['source']} to {puzzle['sink']}."
        ]
        value, _ = edmonds_karp(puzzle["edges"], puzzle["source"], puzzle["sink"], log)
        log.append(f"The maximum flow is {value}.")
        return log
