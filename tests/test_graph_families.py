"""Graph families, each checked by a method independent of its generator's algorithm."""

from __future__ import annotations

import itertools
import random
import statistics

import networkx as nx
import pycosat
import pytest

from generators.graphs.bipartite_matching import BipartiteMatching
from generators.graphs.euler_path import EulerPath
from generators.graphs.graph_coloring import GraphColoring, color
from generators.graphs.max_flow import MaxFlow
from generators.graphs.mst_weight import MSTWeight
from generators.graphs.topological_order import TopologicalOrder
from synth.rng import derive_rng


def gen(task, level, i, tag):
    return task.generate(derive_rng(tag, level, i), task.params_for(level))


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_mst_weight_by_enumerating_spanning_trees(level):
    task = MSTWeight()
    for i in range(8):
        p = gen(task, level, i, "mst").puzzle
        nodes = {u for e in p["edges"] for u in e[:2]}
        best = None
        for combo in itertools.combinations(p["edges"], len(nodes) - 1):
            g = nx.Graph()
            g.add_nodes_from(nodes)
            g.add_edges_from((u, v) for u, v, _ in combo)
            if nx.is_connected(g):
                w = sum(e[2] for e in combo)
                best = w if best is None else min(best, w)
        assert best == p["weight"]
        assert task.verify(p, str(best)) == 1.0 and task.verify(p, str(best + 1)) == 0.0
        assert task.verify(p, f"{best} or {best + 1}") == 0.0


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_max_flow_equals_min_cut_by_enumeration(level):
    task = MaxFlow()
    for i in range(10):
        p = gen(task, level, i, "flow").puzzle
        nodes = sorted({u for e in p["edges"] for u in e[:2]} | {p["source"], p["sink"]})
        middle = [n for n in nodes if n not in (p["source"], p["sink"])]
        cuts = []
        for k in range(len(middle) + 1):
            for extra in itertools.combinations(middle, k):
                side = {p["source"], *extra}
                cuts.append(sum(c for u, v, c in p["edges"] if u in side and v not in side))
        assert min(cuts) == p["flow"]
        assert task.verify(p, str(p["flow"])) == 1.0 and task.verify(p, str(p["flow"] - 1)) == 0.0


def test_topological_order_accepts_exactly_the_valid_orders():
    task = TopologicalOrder()
    for i in range(10):
        p = gen(task, "easy", i, "topo").puzzle
        g = nx.DiGraph()
        g.add_nodes_from(p["nodes"])
        g.add_edges_from(map(tuple, p["edges"]))
        valid = {tuple(o) for o in nx.all_topological_sorts(g)}
        for perm in itertools.permutations(p["nodes"]):
            assert task.verify(p, ", ".join(perm)) == float(perm in valid)
        assert task.verify(p, ", ".join(p["nodes"][:-1])) == 0.0


def test_topological_constant_guesses_earn_nothing():
    task = TopologicalOrder()
    scores = []
    for i in range(200):
        p = gen(task, "medium", i, "topo-c").puzzle
        scores += [task.verify(p, ", ".join(p["nodes"])), task.verify(p, ", ".join(reversed(p["nodes"])))]
    assert statistics.mean(scores) <= 0.05


def test_coloring_uses_the_true_chromatic_number_and_accepts_every_optimal_coloring():
    task = GraphColoring()
    for i in range(8):
        p = gen(task, "easy", i, "col").puzzle
        n = len(p["nodes"])
        proper = {}
        for colours in itertools.product(range(1, n + 1), repeat=n):
            c = dict(zip(p["nodes"], colours))
            if all(c[u] != c[v] for u, v in p["edges"]):
                proper.setdefault(len(set(colours)), []).append(c)
        chi = min(proper)
        assert chi == p["colors"]
        for c in proper[chi][:200]:
            assert task.verify(p, ", ".join(f"{k}: {v}" for k, v in c.items())) == 1.0
        for c in proper.get(chi + 1, [])[:50]:
            assert task.verify(p, ", ".join(f"{k}: {v}" for k, v in c.items())) == 0.0
        assert task.verify(p, ", ".join(f"{k}: 1" for k in p["nodes"])) == 0.0


def colourable(nodes: list[str], edges: list[list[str]], k: int) -> bool:
    """Whether k colours suffice, asked of a SAT solver (variable node * k + colour + 1)."""
    var = {n: i for i, n in enumerate(nodes)}
    clauses = [[var[n] * k + c + 1 for c in range(k)] for n in nodes]
    clauses += [[-(var[u] * k + c + 1), -(var[v] * k + c + 1)] for u, v in edges for c in range(k)]
    return pycosat.solve(clauses) != "UNSAT"


@pytest.mark.parametrize("level", ["medium", "hard", "expert"])
def test_coloring_chromatic_number_by_sat(level):
    task = GraphColoring()
    for i in range(25):
        inst = gen(task, level, i, "col-sat")
        p = inst.puzzle
        assert colourable(p["nodes"], p["edges"], p["colors"])
        assert not colourable(p["nodes"], p["edges"], p["colors"] - 1)
        assert task.verify(p, inst.answer) == 1.0
        # the stored colouring and effort come from the compiled search; the trace replays color()
        colours, stats = color(p["nodes"], p["edges"])
        assert inst.answer == ", ".join(f"{n}: {colours[n]}" for n in p["nodes"])
        assert (stats.nodes, stats.backtracks) == (inst.stats.nodes, inst.stats.backtracks)


def test_matching_size_against_hopcroft_karp():
    task = BipartiteMatching()
    for level in ("easy", "medium", "hard"):
        for i in range(15):
            p = gen(task, level, i, "match").puzzle
            g = nx.Graph()
            left = [("L", x) for x in p["left"]]
            g.add_nodes_from(left)
            g.add_edges_from((("L", x), ("R", j)) for x, jobs in p["adj"].items() for j in jobs)
            size = len(nx.bipartite.hopcroft_karp_matching(g, top_nodes=left)) // 2
            assert size == p["size"]


def test_euler_verifier_accepts_every_trail_and_only_those():
    task = EulerPath()
    rng = random.Random(0)
    for i in range(6):
        p = gen(task, "easy", i, "euler").puzzle
        edges = [frozenset(e) for e in p["edges"]]
        trails = []

        def walk(path, left, trails=trails):
            if not left:
                trails.append(list(path))
                return
            for k, e in enumerate(left):
                if path[-1] in e:
                    (nxt,) = e - {path[-1]}
                    walk(path + [nxt], left[:k] + left[k + 1 :], trails)

        for start in sorted({u for e in p["edges"] for u in e}):
            walk([start], edges)
        assert trails
        for t in trails:
            assert task.verify(p, " -> ".join(t)) == 1.0
        bad = trails[0][:]
        bad[rng.randrange(1, len(bad))] = "Z"
        assert task.verify(p, " -> ".join(bad)) == 0.0
        assert task.verify(p, " -> ".join(trails[0][:-1])) == 0.0
