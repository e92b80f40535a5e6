"""Shortest path: the optimum and its uniqueness checked by enumerating every simple path with networkx."""

from __future__ import annotations

import networkx as nx
import pytest

from generators.graphs.common import parse_nodes
from generators.graphs.shortest_path import ShortestPath, dijkstra
from synth.rng import derive_rng

TASK = ShortestPath()


def graph(puzzle) -> nx.Graph:
    g = nx.Graph()
    for u, v, w in puzzle["edges"]:
        g.add_edge(u, v, weight=w)
    return g


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_unique_optimum_by_enumeration(level):
    for i in range(40):
        inst = TASK.generate(derive_rng("sp", level, i), TASK.params_for(level))
        p = inst.puzzle
        g = graph(p)
        weights = {
            tuple(path): nx.path_weight(g, path, "weight")
            for path in nx.all_simple_paths(g, p["source"], p["target"])
        }
        best = min(weights.values())
        assert best == p["distance"]
        assert [list(k) for k, w in weights.items() if w == best] == [p["path"]]
        assert len(p["path"]) - 1 >= TASK.params_for(level).min_hops
        # the stored route and effort come from the compiled search; the trace replays dijkstra()
        adj = {}
        for u, v, w in p["edges"]:
            adj.setdefault(u, {})[v] = w
            adj.setdefault(v, {})[u] = w
        distance, path, stats = dijkstra(adj, p["source"], p["target"])
        assert (distance, path, stats) == (p["distance"], p["path"], inst.stats)


def test_verifier_checks_the_route_by_rule():
    inst = TASK.generate(derive_rng("sp-rule"), TASK.params_for("medium"))
    p = inst.puzzle
    g = graph(p)
    assert TASK.verify(p, " -> ".join(p["path"])) == 1.0
    assert TASK.verify(p, ", ".join(p["path"])) == 1.0
    assert (
        TASK.verify(p, f"The shortest path is {' → '.join(p['path'])} (total weight {p['distance']})") == 1.0
    )
    other = next(path for path in nx.all_simple_paths(g, p["source"], p["target"]) if path != p["path"])
    assert TASK.verify(p, " -> ".join(other)) == 0.0
    assert TASK.verify(p, " -> ".join(p["path"][:1] + p["path"][2:])) == 0.0  # skips a node
    assert TASK.verify(p, f"{p['source']} -> {p['target']}") == 0.0
    assert TASK.verify(p, " -> ".join(p["path"]) + " or " + " -> ".join(other)) == 0.0
    assert parse_nodes("A -> B -> 7") is None
