"""Planning families: optimal lengths from plain breadth-first search over the state graph (networkx)."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from generators.search.hanoi import Hanoi
from generators.search.maze import Maze, bfs
from generators.search.moves import parse_directions
from generators.search.sliding_tile import SlidingTile, goal, neighbours
from generators.search.water_jugs import WaterJugs
from synth.rng import derive_rng

DIRS = {(-1, 0): "U", (1, 0): "D", (0, -1): "L", (0, 1): "R"}


def gen(task, level, i, tag):
    return task.generate(derive_rng(tag, level, i), task.params_for(level))


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_maze_every_shortest_route_and_only_those(level):
    task = Maze()
    for i in range(15):
        p = gen(task, level, i, "maze").puzzle
        g = nx.Graph()
        cells = {(r, c) for r, row in enumerate(p["grid"]) for c, ch in enumerate(row) if ch != "#"}
        g.add_edges_from(
            ((r, c), (r + dr, c + dc)) for r, c in cells for dr, dc in DIRS if (r + dr, c + dc) in cells
        )
        s, t = tuple(p["start"]), tuple(p["goal"])
        assert nx.shortest_path_length(g, s, t) == p["length"]
        for path in itertools.islice(nx.all_shortest_paths(g, s, t), 20):
            moves = [DIRS[(b[0] - a[0], b[1] - a[1])] for a, b in zip(path, path[1:])]
            assert task.verify(p, " ".join(moves)) == 1.0
        for path in nx.all_simple_paths(g, s, t, cutoff=p["length"] + 4):
            if len(path) - 1 > p["length"]:
                moves = [DIRS[(b[0] - a[0], b[1] - a[1])] for a, b in zip(path, path[1:])]
                assert task.verify(p, " ".join(moves)) == 0.0
                break
        inst = gen(task, level, i, "maze")
        assert p["length"] >= 4 and len(set(parse_directions(inst.answer))) >= 2
        # the stored route and effort come from the compiled search; the trace replays bfs()
        route, stats = bfs([list(row) for row in p["grid"]], s, t)
        assert " ".join(route) == inst.answer and stats == inst.stats


def test_maze_constant_routes_earn_nothing():
    task = Maze()
    scores = []
    for i in range(200):
        p = gen(task, "easy", i, "maze-c").puzzle
        for d in "UDLR":
            scores.append(task.verify(p, " ".join([d] * p["length"])))
    assert sum(scores) / len(scores) <= 0.05


def test_direction_formats():
    assert parse_directions("U R D") == ["U", "R", "D"]
    assert parse_directions("up, right, down") == ["U", "R", "D"]
    assert parse_directions("URDL") == ["U", "R", "D", "L"]
    assert parse_directions("U or R") is None


def hanoi_bfs_length(position, target):
    n = len(position)

    def moves(state):
        for a in (1, 2, 3):
            on_a = [d for d in range(n) if state[d] == a]
            if not on_a:
                continue
            for b in (1, 2, 3):
                on_b = [d for d in range(n) if state[d] == b]
                if a != b and (not on_b or min(on_b) > min(on_a)):
                    s = list(state)
                    s[min(on_a)] = b
                    yield tuple(s)

    g = nx.DiGraph()
    for state in itertools.product((1, 2, 3), repeat=n):
        g.add_edges_from((state, t) for t in moves(state))
    return nx.shortest_path_length(g, tuple(position), tuple([target] * n))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_hanoi_optimal_by_bfs(level):
    task = Hanoi()
    for i in range(8):
        inst = gen(task, level, i, "hanoi")
        p = inst.puzzle
        assert p["moves"] == hanoi_bfs_length(p["position"], p["target"])
        assert task.verify(p, inst.answer) == 1.0
        moves = inst.answer.split(", ")
        assert task.verify(p, ", ".join(moves[:-1])) == 0.0
        a, b = moves[0].split("->")
        assert task.verify(p, ", ".join([f"{b}->{a}"] + moves[1:])) == 0.0


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_water_jugs_optimal_by_bfs_and_every_optimal_plan_accepted(level):
    task = WaterJugs()
    for i in range(8):
        p = gen(task, level, i, "jugs").puzzle
        caps = p["capacities"]
        g = nx.DiGraph()
        names = "ABC"
        for state in itertools.product(*(range(c + 1) for c in caps)):
            for k in range(len(caps)):
                g.add_edge(
                    state, tuple(caps[k] if j == k else v for j, v in enumerate(state)), op=f"fill {names[k]}"
                )
                g.add_edge(
                    state, tuple(0 if j == k else v for j, v in enumerate(state)), op=f"empty {names[k]}"
                )
                for m in range(len(caps)):
                    if m != k:
                        amt = min(state[k], caps[m] - state[m])
                        t = list(state)
                        t[k] -= amt
                        t[m] += amt
                        g.add_edge(state, tuple(t), op=f"pour {names[k]}->{names[m]}")
        start = tuple(0 for _ in caps)
        lengths = nx.single_source_shortest_path_length(g, start)
        best = min(d for s, d in lengths.items() if p["target"] in s)
        assert best == p["steps"]
        goals = [s for s, d in lengths.items() if p["target"] in s and d == best]
        for path in itertools.islice(nx.all_shortest_paths(g, start, goals[0]), 10):
            ops = [g.edges[a, b]["op"] for a, b in zip(path, path[1:])]
            assert task.verify(p, ", ".join(ops)) == 1.0


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_sliding_tile_optimal_by_plain_bfs(level):
    task = SlidingTile()
    for i in range(6):
        inst = gen(task, level, i, "tile")
        p = inst.puzzle
        n = p["size"]
        start, target = tuple(p["start"]), goal(n)
        dist, frontier = {start: 0}, [start]
        while target not in dist:
            nxt = []
            for s in frontier:
                for _, t in neighbours(s, n):
                    if t not in dist:
                        dist[t] = dist[s] + 1
                        nxt.append(t)
            frontier = nxt
        assert dist[target] == p["moves"]
        assert task.verify(p, inst.answer) == 1.0
        assert task.verify(p, inst.answer + " U D") == 0.0
