"""Sudoku: uniqueness checked by full enumeration (4x4) and by a SAT solver (6x6, 9x9), not by our solver."""

from __future__ import annotations

import itertools
import statistics

import pycosat
import pytest

from generators.logic.sudoku import BOXES, GEOMETRY, Sudoku, parse_grid, solvable_by
from synth.rng import derive_rng

TASK = Sudoku()


def all_4x4_grids() -> list[tuple[int, ...]]:
    rows = list(itertools.permutations(range(1, 5)))
    grids = []
    for r in itertools.product(rows, repeat=4):
        flat = tuple(v for row in r for v in row)
        cols_ok = all(len({flat[i * 4 + c] for i in range(4)}) == 4 for c in range(4))
        boxes_ok = all(
            len({flat[(br + i) * 4 + bc + j] for i in range(2) for j in range(2)}) == 4
            for br in (0, 2)
            for bc in (0, 2)
        )
        if cols_ok and boxes_ok:
            grids.append(flat)
    return grids


GRIDS_4 = all_4x4_grids()


def test_there_are_288_4x4_sudokus():
    assert len(GRIDS_4) == 288


@pytest.mark.parametrize("givens", [4, 6, 8])
def test_4x4_unique_by_enumeration(givens):
    params = TASK.params_for("easy", {"size": 4, "givens": givens})
    for i in range(60):
        inst = TASK.generate(derive_rng("sd4", givens, i), params)
        givens = inst.puzzle["givens"]
        matches = [g for g in GRIDS_4 if all(v == 0 or v == g[k] for k, v in enumerate(givens))]
        assert matches == [tuple(inst.puzzle["solution"])]


def sat_solutions(givens: list[int], n: int, limit: int = 2) -> list[list[int]]:
    bh, bw = BOXES[n]

    def var(r: int, c: int, d: int) -> int:
        return (r * n + c) * n + d + 1

    clauses = []
    cells = [(r, c) for r in range(n) for c in range(n)]
    for r, c in cells:
        clauses.append([var(r, c, d) for d in range(n)])
        clauses += [[-var(r, c, a), -var(r, c, b)] for a in range(n) for b in range(a + 1, n)]
    units = [[(r, c) for c in range(n)] for r in range(n)] + [[(r, c) for r in range(n)] for c in range(n)]
    units += [
        [(br + i, bc + j) for i in range(bh) for j in range(bw)]
        for br in range(0, n, bh)
        for bc in range(0, n, bw)
    ]
    for unit in units:
        for d in range(n):
            clauses.append([var(r, c, d) for r, c in unit])
    for k, v in enumerate(givens):
        if v:
            clauses.append([var(k // n, k % n, v - 1)])
    out = []
    for sol in itertools.islice(pycosat.itersolve(clauses), limit):
        true = {x for x in sol if x > 0}
        out.append([next(d + 1 for d in range(n) if var(r, c, d) in true) for r, c in cells])
    return out


@pytest.mark.parametrize(
    "level,over,count",
    [("easy", {}, 15), ("medium", {}, 15), ("hard", {}, 8), ("medium", {"size": 6, "givens": 14}, 15)],
)
def test_unique_by_sat_solver(level, over, count):
    params = TASK.params_for(level, over)
    for i in range(count):
        inst = TASK.generate(derive_rng("sd-sat", level, str(over), i), params)
        assert sat_solutions(inst.puzzle["givens"], inst.puzzle["size"]) == [inst.puzzle["solution"]]


def test_required_technique_is_really_required():
    g = GEOMETRY[9]
    for i in range(8):
        hard = TASK.generate(derive_rng("sd-tech", i), TASK.params_for("hard"))
        assert not solvable_by(hard.puzzle["givens"], g, "hidden")
        medium = TASK.generate(derive_rng("sd-tech-m", i), TASK.params_for("medium"))
        assert solvable_by(medium.puzzle["givens"], g, "hidden")
        assert not solvable_by(medium.puzzle["givens"], g, "naked")


def test_single_cell_edit_scores_zero_and_formats_parse():
    inst = TASK.generate(derive_rng("sd-edit"), TASK.params_for("medium"))
    sol = inst.puzzle["solution"]
    for k in range(0, 81, 7):
        edited = sol[:]
        edited[k] = edited[k] % 9 + 1
        text = "\n".join(" ".join(map(str, edited[r * 9 : (r + 1) * 9])) for r in range(9))
        assert TASK.verify(inst.puzzle, text) == 0.0
    rows = [sol[r * 9 : (r + 1) * 9] for r in range(9)]
    for text in [
        "\n".join("".join(map(str, r)) for r in rows),
        "\n".join(f"Row {i + 1}: " + " | ".join(map(str, r)) for i, r in enumerate(rows)),
        str(rows),
    ]:
        assert TASK.verify(inst.puzzle, text) == 1.0, text
    assert parse_grid(inst.answer + "\n" + inst.answer, 9) is None  # two grids is a hedge


def test_constant_grids_earn_nothing():
    scores = []
    for i in range(100):
        inst = TASK.generate(derive_rng("sd-const", i), TASK.params_for("easy"))
        scores.append(TASK.verify(inst.puzzle, "\n".join(["1 " * 9] * 9)))
        filled = [v or 1 for v in inst.puzzle["givens"]]
        scores.append(TASK.verify(inst.puzzle, " ".join(map(str, filled))))
    assert statistics.mean(scores) <= 0.05
