"""Zebra: uniqueness by brute force (3x3) and a SAT encoding of the clues (larger), not by our propagator."""

from __future__ import annotations

import itertools
import statistics

import pycosat
import pytest

from generators.logic.zebra import Solver, Zebra, parse_houses
from synth.rng import derive_rng

TASK = Zebra()


def clue_holds(c, house) -> bool:
    kind = c[0]
    if kind == "pos":
        return house[c[1], c[2]] == c[3]
    if kind == "notpos":
        return house[c[1], c[2]] != c[3]
    x, y = house[c[1], c[2]], house[c[3], c[4]]
    return {"same": x == y, "notsame": x != y, "left": x + 1 == y, "next": abs(x - y) == 1, "before": x < y}[
        kind
    ]


def brute_force(puzzle) -> list[dict]:
    h, na = puzzle["houses"], len(puzzle["attributes"])
    found = []
    for perms in itertools.product(itertools.permutations(range(h)), repeat=na):
        house = {(a, v): perms[a][v] for a in range(na) for v in range(h)}
        if all(clue_holds(c, house) for c in puzzle["clues"]):
            found.append(house)
    return found


def sat_count(puzzle, limit: int = 2) -> list[set[int]]:
    h, na = puzzle["houses"], len(puzzle["attributes"])

    def x(a, v, k):
        return (a * h + v) * h + k + 1

    cl = []
    for a in range(na):
        for v in range(h):
            cl.append([x(a, v, k) for k in range(h)])
            cl += [[-x(a, v, k), -x(a, v, j)] for k in range(h) for j in range(k + 1, h)]
        for k in range(h):
            cl.append([x(a, v, k) for v in range(h)])
            cl += [[-x(a, v, k), -x(a, w, k)] for v in range(h) for w in range(v + 1, h)]
    for c in puzzle["clues"]:
        if c[0] == "pos":
            cl.append([x(c[1], c[2], c[3])])
        elif c[0] == "notpos":
            cl.append([-x(c[1], c[2], c[3])])
        else:
            p, q = (c[1], c[2]), (c[3], c[4])
            for k in range(h):
                if c[0] == "same":
                    cl += [[-x(*p, k), x(*q, k)], [x(*p, k), -x(*q, k)]]
                elif c[0] == "notsame":
                    cl.append([-x(*p, k), -x(*q, k)])
                elif c[0] == "left":
                    cl.append([-x(*p, k)] + ([x(*q, k + 1)] if k + 1 < h else []))
                elif c[0] == "next":
                    cl.append([-x(*p, k)] + [x(*q, j) for j in (k - 1, k + 1) if 0 <= j < h])
                else:
                    cl.append([-x(*p, k)] + [x(*q, j) for j in range(k + 1, h)])
    return [set(s) for s in itertools.islice(pycosat.itersolve(cl), limit)]


def solution_rows(puzzle, house) -> list[list[str]]:
    h, na = puzzle["houses"], len(puzzle["attributes"])
    return [
        [puzzle["values"][a][next(v for v in range(h) if house[a, v] == k)] for a in range(na)]
        for k in range(h)
    ]


def test_3x3_unique_by_brute_force():
    for i in range(40):
        inst = TASK.generate(derive_rng("zb3", i), TASK.params_for("easy"))
        found = brute_force(inst.puzzle)
        assert len(found) == 1
        assert solution_rows(inst.puzzle, found[0]) == inst.puzzle["solution"]


@pytest.mark.parametrize("level,count", [("medium", 20), ("hard", 15), ("expert", 3)])
def test_unique_by_sat(level, count):
    for i in range(count):
        inst = TASK.generate(derive_rng("zb-sat", level, i), TASK.params_for(level))
        assert len(sat_count(inst.puzzle)) == 1


def deducible(puzzle) -> bool:
    s = Solver(puzzle["houses"], len(puzzle["attributes"]), puzzle["clues"])
    dom = s.initial()
    return s.propagate(dom) and all(m & (m - 1) == 0 for row in dom for m in row)


@pytest.mark.parametrize("level", ["medium", "expert"])
def test_every_clue_is_needed(level):
    """Search levels: each clue is needed for uniqueness. Deduction levels: for uniqueness or for deduction."""
    for i in range(8 if level == "medium" else 2):
        inst = TASK.generate(derive_rng("zb-min", i), TASK.params_for(level))
        clues = inst.puzzle["clues"]
        assert deducible(inst.puzzle) == (level == "medium") or level == "expert"
        for k in range(len(clues)):
            fewer = {**inst.puzzle, "clues": clues[:k] + clues[k + 1 :]}
            second = len(sat_count(fewer)) == 2
            assert second or (level == "medium" and not deducible(fewer)), f"clue {k} is redundant"


def test_edits_and_constants_score_zero():
    scores = []
    for i in range(100):
        inst = TASK.generate(derive_rng("zb-const", i), TASK.params_for("medium"))
        names = inst.puzzle["values"][0]
        scores.append(TASK.verify(inst.puzzle, sorted(names)[0]))
        assert TASK.verify(inst.puzzle, " or ".join(names)) == 0.0
        wrong = next(n for n in names if n != inst.answer)
        assert TASK.verify(inst.puzzle, wrong) == 0.0
    assert statistics.mean(scores) <= 0.3  # one of 4 names; a fixed guess is right 1/4 of the time at best
    grid = TASK.generate(derive_rng("zb-grid"), TASK.params_for("medium", {"question": "grid"}))
    rows = grid.puzzle["solution"]
    assert (
        TASK.verify(
            grid.puzzle, "\n".join(f"House {k + 1}: {', '.join(reversed(r))}" for k, r in enumerate(rows))
        )
        == 1
    )
    swapped = [r[:] for r in rows]
    swapped[0][1], swapped[1][1] = swapped[1][1], swapped[0][1]
    assert (
        TASK.verify(grid.puzzle, "\n".join(f"House {k + 1}: {', '.join(r)}" for k, r in enumerate(swapped)))
        == 0
    )
    listed = "\n".join(f"House {k + 1}: " + ", ".join(v[k] for v in grid.puzzle["values"]) for k in range(4))
    assert TASK.verify(grid.puzzle, listed) == float(listed == grid.answer)
    assert parse_houses("House 1: a, b House 2: c, d", {"houses": 2}) == [["a", "b"], ["c", "d"]]
