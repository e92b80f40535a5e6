"""Binairo (Takuzu): fill an n x n grid with 0 and 1 so that every row and column holds as many 0s as 1s,
no three equal digits are adjacent in a line, and no two rows (or two columns) are the same.

The solver applies the two classic deductions (a pair or a gap forces the opposite digit next to it; a line
with its quota of one digit is completed with the other) and case-splits when they stall, counting solutions
up to two. Givens of a random valid grid are removed while the solution stays unique.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field, field_validator

from generators.common import answer_instruction, pick
from synth.task import Instance, Params, SolverStats, Task, register


class BinairoParams(Params):
    size: int = Field(6, ge=4, le=12, description="grid side (even)")

    @field_validator("size")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError("size must be even")
        return v


def lines(n: int) -> list[tuple[str, list[int]]]:
    return [(f"row {r + 1}", [r * n + c for c in range(n)]) for r in range(n)] + [
        (f"column {c + 1}", [r * n + c for r in range(n)]) for c in range(n)
    ]


class Solver:
    def __init__(self, n: int, log: list[str] | None = None) -> None:
        self.n, self.log, self.lines = n, log, lines(n)
        self.stats = SolverStats()

    def set(self, g: list[int], i: int, v: int, why: str, depth: int) -> None:
        g[i] = v
        self.stats.steps += 1
        if self.log is not None:
            self.log.append("  " * depth + f"{why}: r{i // self.n + 1}c{i % self.n + 1} = {v}.")

    def propagate(self, g: list[int], depth: int) -> bool:
        """The two deductions, on bitmasks of each line's 0s and 1s (bit k = k-th cell of the line)."""
        n, half, width = self.n, self.n // 2, (1 << self.n) - 1
        changed = True
        while changed:
            changed = False
            for name, cells in self.lines:
                ones = zeros = 0
                for k, i in enumerate(cells):
                    if g[i] == 1:
                        ones |= 1 << k
                    elif g[i] == 0:
                        zeros |= 1 << k
                free = width & ~(ones | zeros)
                forced = {}
                for v, m in ((1, ones), (0, zeros)):
                    if m & (m >> 1) & (m >> 2) or m.bit_count() > half:
                        return False  # checked for full lines too: a line can fill up within one pass
                    if not free:
                        continue
                    if m.bit_count() == half:
                        other = free  # quota reached: every free cell takes the other digit
                        why = f"{name} already has {half} {v}s"
                    else:
                        pair, gap = m & (m >> 1), m & (m >> 2)
                        other = ((pair << 2) | (pair >> 1) | (gap << 1)) & free
                        why = f"no three equal digits in {name}"
                    if other:
                        forced[1 - v] = (other, why)
                if len(forced) == 2 and forced[0][0] & forced[1][0]:
                    return False
                for v, (mask, why) in forced.items():
                    for k in range(n):
                        if mask >> k & 1:
                            self.set(g, cells[k], v, why, depth)
                            changed = True
        return True

    def distinct(self, g: list[int]) -> bool:
        rows = [tuple(g[i] for i in cells) for name, cells in self.lines[: self.n]]
        cols = [tuple(g[i] for i in cells) for name, cells in self.lines[self.n :]]
        return len(set(rows)) == self.n and len(set(cols)) == self.n

    def solve(self, limit: int, g: list[int], depth: int = 0) -> list[list[int]]:
        self.stats.nodes += 1
        g = list(g)
        if not self.propagate(g, depth):
            return []
        if -1 not in g:
            if self.distinct(g):
                return [g]
            if self.log is not None:
                self.log.append("  " * depth + "Two rows or two columns came out equal: contradiction.")
            return []
        i = g.index(-1)
        found: list[list[int]] = []
        for v in (0, 1):
            if self.log is not None:
                self.log.append("  " * depth + f"Suppose r{i // self.n + 1}c{i % self.n + 1} = {v}.")
            child = list(g)
            child[i] = v
            result = self.solve(limit - len(found), child, depth + 1)
            if not result:
                self.stats.backtracks += 1
            found += result
            if len(found) >= limit:
                break
        return found


def random_grid(rng: random.Random, n: int) -> list[int]:
    solver = Solver(n)

    def fill(g: list[int]) -> list[int] | None:
        if not solver.propagate(g, 0):
            return None
        if -1 not in g:
            return g if solver.distinct(g) else None
        i = g.index(-1)
        for v in rng.sample((0, 1), 2):
            child = list(g)
            child[i] = v
            done = fill(child)
            if done is not None:
                return done
        return None

    grid = fill([-1] * (n * n))
    assert grid is not None
    return grid


def show(g: list[int], n: int) -> str:
    return "\n".join(" ".join("." if v == -1 else str(v) for v in g[r * n : (r + 1) * n]) for r in range(n))


PROMPTS = (
    "Solve this {n}x{n} Binairo. Fill every '.' with 0 or 1 so that each row and each column has as many 0s "
    "as 1s, no three equal digits are next to each other in a row or column, and no two rows and no two "
    "columns are identical.\n{grid}",
    "Complete the binary puzzle below ('.' = empty). Rules: equal numbers of 0s and 1s in every row and "
    "column; never three of the same digit in a line; all rows different; all columns different.\n{grid}",
)


@register
class Binairo(Task):
    name = "binairo"
    description = "Binary (Takuzu) grids with balanced lines, no triples, distinct lines, unique solution."
    Params = BinairoParams
    levels = {"easy": {"size": 4}, "medium": {"size": 6}, "hard": {"size": 8}}
    effort_scale = 80.0

    def generate(self, rng: random.Random, params: BinairoParams) -> Instance:
        n = params.size
        while True:
            solution = random_grid(rng, n)
            puzzle = list(solution)
            for i in rng.sample(range(n * n), n * n):
                v = puzzle[i]
                puzzle[i] = -1
                # fast path: if the deductions alone refill the grid, the solution is unique
                trial = list(puzzle)
                if Solver(n).propagate(trial, 0) and -1 not in trial:
                    continue
                if len(Solver(n).solve(2, puzzle)) != 1:
                    puzzle[i] = v
            if -1 in puzzle:
                break
        solver = Solver(n)
        solver.solve(1, puzzle)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, grid=show(puzzle, n)),
                answer_instruction(f"{n} lines of {n} digits (0 or 1) separated by spaces"),
            ]
        )
        return Instance(
            puzzle={"size": n, "givens": puzzle, "solution": solution},
            answer=show(solution, n),
            prompt=prompt,
            stats=solver.stats,
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        n = puzzle["size"]
        text = answer.replace("Row", " ").replace("row", " ")
        digits = [int(c) for c in text if c in "01"]
        other = [c for c in text if c.isdigit() and c not in "01"]
        return float(not other and digits == puzzle["solution"] and len(digits) == n * n)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        n = puzzle["size"]
        log: list[str] = []
        found = Solver(n, log).solve(1, puzzle["givens"])
        if found:
            log.append("All cells are filled and every rule holds:\n" + show(found[0], n))
        return log
