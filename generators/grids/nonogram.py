"""Nonograms: fill cells so that every row and column shows its runs of filled cells, in order.

A random picture is drawn and its run clues read off; the puzzle is emitted only when it has exactly one
solution. The solver is the classic line solver (for each row or column, every placement of its runs that
fits what is known; cells equal in all of them are decided), repeated until nothing changes, with a case
split on an undecided cell when lines alone stall; the search stops at a second solution. The verifier checks
the rules: a grid whose rows and columns all match the clues scores 1 (it is the unique solution).
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 120


class NonogramParams(Params):
    rows: int = Field(5, ge=3, le=12, description="grid rows")
    cols: int = Field(5, ge=3, le=12, description="grid columns")
    density: float = Field(0.6, ge=0.3, le=0.8, description="share of filled cells in the drawn picture")


def runs(line: list[int]) -> list[int]:
    out, n = [], 0
    for v in line:
        if v:
            n += 1
        elif n:
            out.append(n)
            n = 0
    if n:
        out.append(n)
    return out


@functools.lru_cache(maxsize=4096)
def placements(clue: tuple[int, ...], n: int) -> tuple[int, ...]:
    """Every line of length n (bit i = cell i filled) whose runs are ``clue``."""
    if not clue:
        return (0,)
    out = []
    first, rest = clue[0], clue[1:]
    tail = sum(rest) + len(rest)  # room the later runs need
    for start in range(n - tail - first + 1):
        block = ((1 << first) - 1) << start
        if not rest:
            out.append(block)
            continue
        skip = start + first + 1
        for p in placements(rest, n - skip):
            out.append(block | (p << skip))
    return tuple(out)


class Solver:
    def __init__(self, row_clues: list[list[int]], col_clues: list[list[int]], log: list[str] | None = None):
        self.rc, self.cc = [tuple(c) for c in row_clues], [tuple(c) for c in col_clues]
        self.R, self.C = len(row_clues), len(col_clues)
        self.stats = SolverStats()
        self.log = log

    def say(self, text: str) -> None:
        if self.log is not None and len(self.log) < TRACE_LIMIT:
            self.log.append(text)

    def line(self, grid: list[list[int]], kind: str, k: int) -> list[int]:
        return grid[k] if kind == "row" else [grid[r][k] for r in range(self.R)]

    def propagate(self, grid: list[list[int]], depth: int) -> bool:
        """Line solving to a fixpoint; False on a contradiction. Cells: 1 filled, 0 empty, -1 unknown."""
        dirty = [("row", r) for r in range(self.R)] + [("col", c) for c in range(self.C)]
        while dirty:
            kind, k = dirty.pop()
            cells = self.line(grid, kind, k)
            n = len(cells)
            filled = sum(1 << i for i, v in enumerate(cells) if v == 1)
            empty = sum(1 << i for i, v in enumerate(cells) if v == 0)
            clue = self.rc[k] if kind == "row" else self.cc[k]
            fits = [p for p in placements(clue, n) if p & empty == 0 and p & filled == filled]
            self.stats.steps += 1
            if not fits:
                self.say(
                    "  " * depth
                    + f"{kind} {k + 1} ({' '.join(map(str, clue)) or '0'}) cannot be met: contradiction."
                )
                return False
            always = functools.reduce(lambda a, b: a & b, fits)
            never = functools.reduce(lambda a, b: a & b, [~p & ((1 << n) - 1) for p in fits])
            new = [(i, 1) for i in range(n) if cells[i] == -1 and always >> i & 1]
            new += [(i, 0) for i in range(n) if cells[i] == -1 and never >> i & 1]
            if not new:
                continue
            for i, v in new:
                r, c = (k, i) if kind == "row" else (i, k)
                grid[r][c] = v
                dirty.append(("col", c) if kind == "row" else ("row", r))
            filled_at = sorted(i + 1 for i, v in new if v)
            empty_at = sorted(i + 1 for i, v in new if not v)
            parts = ([f"cells {', '.join(map(str, filled_at))} filled"] if filled_at else []) + (
                [f"cells {', '.join(map(str, empty_at))} empty"] if empty_at else []
            )
            self.say(
                "  " * depth
                + f"{kind.capitalize()} {k + 1} ({' '.join(map(str, clue)) or '0'}): {' and '.join(parts)}."
            )
        return True

    def solve(self, limit: int, grid: list[list[int]] | None = None, depth: int = 0) -> list[list[list[int]]]:
        self.stats.nodes += 1
        grid = [row[:] for row in grid] if grid else [[-1] * self.C for _ in range(self.R)]
        if not self.propagate(grid, depth):
            self.stats.backtracks += 1
            return []
        open_cells = [(r, c) for r in range(self.R) for c in range(self.C) if grid[r][c] == -1]
        if not open_cells:
            return [grid]
        r, c = open_cells[0]
        found: list[list[list[int]]] = []
        for v in (1, 0):
            self.say(
                "  " * depth
                + f"Lines alone stall. Suppose row {r + 1}, column {c + 1} is {'filled' if v else 'empty'}."
            )
            grid[r][c] = v
            found += self.solve(limit - len(found), grid, depth + 1)
            grid[r][c] = -1
            if len(found) >= limit:
                break
        return found


def grid_text(grid: list[list[int]]) -> str:
    return "\n".join("".join("#" if v else "." for v in row) for row in grid)


PROMPTS = (
    "Solve this {R}x{C} nonogram. Each clue lists, in order, the lengths of the runs of filled cells in that "
    "row (left to right) or column (top to bottom); runs are separated by at least one empty cell, and 0 means "
    "the line is empty.\nRow clues:\n{rows}\nColumn clues:\n{cols}",
    "Fill in the {R}x{C} grid so that the runs of filled cells in every row and column match the clues below "
    "(numbers give run lengths in order; 0 is an empty line).\nRows, top to bottom:\n{rows}\nColumns, left to "
    "right:\n{cols}",
)


@register
class Nonogram(Task):
    name = "nonogram"
    description = (
        "Nonogram (paint by numbers) with a unique solution, solved by line solving and case splits."
    )
    Params = NonogramParams
    levels = {
        "easy": {"rows": 4, "cols": 4, "density": 0.6},
        "medium": {"rows": 5, "cols": 5, "density": 0.6},
        "hard": {"rows": 7, "cols": 7, "density": 0.55},
        "expert": {"rows": 10, "cols": 10, "density": 0.55},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: NonogramParams) -> Instance:
        R, C = params.rows, params.cols
        while True:
            grid = [[int(rng.random() < params.density) for _ in range(C)] for _ in range(R)]
            row_clues = [runs(row) for row in grid]
            col_clues = [runs([grid[r][c] for r in range(R)]) for c in range(C)]
            solver = Solver(row_clues, col_clues)
            if len(solver.solve(limit=2)) == 1:
                break
        fmt = lambda clues: "\n".join(f"{i + 1}: {' '.join(map(str, c)) or '0'}" for i, c in enumerate(clues))  # noqa: E731
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(R=R, C=C, rows=fmt(row_clues), cols=fmt(col_clues)),
                answer_instruction(
                    f"{R} lines of {C} characters, # filled and . empty, e.g. a line like {('#.' * C)[:C]}"
                ),
            ]
        )
        puzzle = {"rows": row_clues, "cols": col_clues}
        return Instance(puzzle=puzzle, answer=grid_text(grid), prompt=prompt, stats=solver.stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        R, C = len(puzzle["rows"]), len(puzzle["cols"])
        lines = [re.sub(r"\s+", "", line) for line in answer.strip().splitlines()]
        lines = [line for line in lines if line]
        if len(lines) != R or any(len(line) != C or set(line) - set("#.") for line in lines):
            return 0.0
        grid = [[int(ch == "#") for ch in line] for line in lines]
        ok_rows = all(runs(grid[r]) == list(puzzle["rows"][r]) for r in range(R))
        ok_cols = all(runs([grid[r][c] for r in range(R)]) == list(puzzle["cols"][c]) for c in range(C))
        return float(ok_rows and ok_cols)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "Work line by line: in each row or column, a cell that is filled (or empty) in every placement of the runs that fits what is known is decided."
        ]
        solver = Solver(puzzle["rows"], puzzle["cols"], log)
        found = solver.solve(limit=1)
        if len(log) >= TRACE_LIMIT:
            log.append(f"(... {solver.stats.steps} line checks in all.)")
        if found:
            log.append("Every line now matches its clue:\n" + grid_text(found[0]))
        return log
