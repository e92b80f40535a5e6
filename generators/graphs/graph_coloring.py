"""Graph colouring with the fewest colours; any proper colouring with that many colours scores 1.

The chromatic number is found exactly by backtracking (try k = 1, 2, ... colours, nodes by degree, colours
in order, so symmetric branches are cut). Drawing the graph and that search run compiled with numba
(``_draw_and_color``, on bitmasks); ``color`` is the same search in Python, narrated for the trace.
The verifier checks the rules: every node coloured, adjacent nodes differ, and no more colours than the
chromatic number.
"""

from __future__ import annotations

import random
import re
from functools import cache
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_unit, popcount
from generators.graphs.common import LABELS, edges_text
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class ColoringParams(Params):
    nodes: int = Field(6, ge=3, le=16, description="number of nodes")
    density: float = Field(0.4, ge=0.1, le=0.9, description="probability of each possible edge")


def color(
    nodes: list[str], edges: list[list], log: list[str] | None = None
) -> tuple[dict[str, int], SolverStats]:
    adj = {n: set() for n in nodes}
    for u, v in edges:
        adj[u].add(v)
        adj[v].add(u)
    order = sorted(nodes, key=lambda n: (-len(adj[n]), n))
    stats = SolverStats()
    for k in range(1, len(nodes) + 1):
        if log is not None:
            log.append(f"Try {k} colour{'s' if k > 1 else ''}.")
        colours: dict[str, int] = {}

        def place(i: int, high: int, k: int = k, colours: dict[str, int] = colours) -> bool:
            """Colour order[i:], given colours 1..high are in use so far."""
            if i == len(order):
                return True
            n = order[i]
            used = {colours[m] for m in adj[n] if m in colours}
            for c in range(1, min(k, high + 1) + 1):  # a new colour only as the next unused number
                if c in used:
                    continue
                stats.nodes += 1
                colours[n] = c
                if place(i + 1, max(high, c)):
                    return True
                del colours[n]
            stats.backtracks += 1
            return False

        if place(0, 0):
            if log is not None:
                log.append(
                    "Colour the nodes from most to fewest neighbours, each with the smallest colour not "
                    "used by its coloured neighbours, backtracking when a node has none left:"
                )
                log.append(", ".join(f"{n} = {colours[n]}" for n in order) + ".")
            return colours, stats
        if log is not None:
            log.append(
                f"{k} colour{'s are' if k > 1 else ' is'} not enough: every attempt ran into a node whose "
                f"neighbours use all {k}."
            )
    raise AssertionError("unreachable: n colours always suffice")


@njit(cache=True)
def _draw_and_color(seed: int, nodes: int, density: float) -> np.ndarray:
    """A connected random graph (each pair joined with probability density) and a colouring with the fewest
    colours, by the same search as ``color``: k = 1, 2, ... colours, nodes by degree, each node's colours
    in order and a new colour only as the next unused number, so the first k that succeeds is the
    chromatic number. Neighbourhoods and colour classes are bitmasks. Returns one array: every node's colour
    (1..k), the stats (nodes coloured, backtracks, 0), then each edge u-v (u < v, sorted) as u * nodes + v.
    """
    state = np.uint64(seed)
    adj = np.zeros(nodes, np.int64)
    degree = np.zeros(nodes, np.int64)
    while True:
        adj[:] = 0
        edges = 0
        for u in range(nodes):
            for v in range(u + 1, nodes):
                state, r = next_unit(state)
                if r < density:
                    adj[u] |= 1 << v
                    adj[v] |= 1 << u
                    edges += 1
        reach, frontier = 1, 1  # breadth-first over bitmasks from node 0
        while frontier:
            grown = 0
            for u in range(nodes):
                if (frontier >> u) & 1:
                    grown |= adj[u]
            frontier = grown & ~reach
            reach |= grown
        if edges >= 2 and reach == (1 << nodes) - 1:
            break
    for u in range(nodes):
        degree[u] = popcount(adj[u])
    order = np.argsort(-degree, kind="mergesort")  # most neighbours first, ties by label
    colour = np.zeros(nodes, np.int64)
    classes = np.zeros(nodes + 2, np.int64)  # classes[c]: the nodes coloured c
    high = np.zeros(nodes + 1, np.int64)  # high[i]: colours in use before order[i] is coloured
    stats = np.zeros(3, np.int64)
    for k in range(1, nodes + 1):
        colour[:] = 0
        classes[:] = 0
        i = 0
        while 0 <= i < nodes:
            v = order[i]
            c = colour[v] + 1  # 1 when v is new here; the next colour when the search came back to it
            if colour[v]:
                classes[colour[v]] ^= 1 << v
                colour[v] = 0
            top = min(k, high[i] + 1)
            while c <= top and classes[c] & adj[v]:
                c += 1
            if c > top:
                stats[1] += 1
                i -= 1
                continue
            stats[0] += 1
            colour[v] = c
            classes[c] |= 1 << v
            high[i + 1] = max(high[i], c)
            i += 1
        if i == nodes:
            break
    out = np.zeros(nodes + 3 + edges, np.int64)
    out[:nodes], out[nodes : nodes + 3] = colour, stats
    e = nodes + 3
    for u in range(nodes):
        for v in range(u + 1, nodes):
            if (adj[u] >> v) & 1:
                out[e] = u * nodes + v
                e += 1
    return out


@cache
def pair_table(n: int) -> tuple[list[str], list[list[str]], list[str]]:
    """The labels of n nodes, and per pair code u * n + v: the edge as [U, V] and as the line "U - V"."""
    nodes = LABELS[:n]
    rows = [[a, b] for a in nodes for b in nodes]
    return nodes, rows, [edges_text([row]) for row in rows]


PROMPTS = (
    "Colour the nodes {nodes} of this graph so that nodes joined by an edge get different colours, using as "
    "few colours as possible. Edges:\n{edges}",
    "Each line is a pair of countries {nodes} that share a border:\n{edges}\nAssign colours (numbered 1, 2, "
    "...) so that neighbours differ, using the minimum number of colours.",
    "Schedule exams {nodes} into as few time slots (1, 2, ...) as possible; exams joined below share a student "
    "and need different slots:\n{edges}",
)


@register
class GraphColoring(Task):
    name = "graph_coloring"
    description = (
        "Colour a graph's nodes with the minimum number of colours; any optimal colouring is accepted."
    )
    Params = ColoringParams
    levels = {
        "easy": {"nodes": 5, "density": 0.4},
        "medium": {"nodes": 7, "density": 0.5},
        "hard": {"nodes": 10, "density": 0.5},
        "expert": {"nodes": 14, "density": 0.55},
    }
    version = "2"
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: ColoringParams) -> Instance:
        out = _draw_and_color(rng.getrandbits(63), params.nodes, params.density).tolist()
        n = params.nodes
        colours, proof, pairs = out[:n], out[n : n + 3], out[n + 3 :]
        nodes, rows, lines = pair_table(n)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(nodes=", ".join(nodes), edges="\n".join([lines[i] for i in pairs])),
                answer_instruction("node: colour number pairs separated by commas, e.g. P: 1, Q: 2, R: 1"),
            ]
        )
        answer = ", ".join(map("{}: {}".format, nodes, colours))
        return Instance(
            puzzle={"nodes": nodes, "edges": [rows[i].copy() for i in pairs], "colors": max(colours)},
            answer=answer,
            prompt=prompt,
            stats=SolverStats(*proof),
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        colours = parse_coloring(answer, puzzle["nodes"])
        if colours is None or len(set(colours.values())) > puzzle["colors"]:
            return 0.0
        return float(all(colours[u] != colours[v] for u, v in puzzle["edges"]))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log: list[str] = []
        colours, _ = color(puzzle["nodes"], puzzle["edges"], log)
        log.append(f"So the minimum is {max(colours.values())} colours.")
        return log


_PAIR = re.compile(r"\b([a-z])\s*(?::|=|->|is|gets)\s*(?:colou?r\s*|slot\s*)?(\d+)\b")


def parse_coloring(answer: str, nodes: list[str]) -> dict[str, int] | None:
    pairs = _PAIR.findall(normalize(answer))
    result: dict[str, int] = {}
    for n, c in pairs:
        n = n.upper()
        if n in result and result[n] != int(c):
            return None
        result[n] = int(c)
    return result if sorted(result) == sorted(nodes) else None
