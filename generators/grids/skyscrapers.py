"""Skyscrapers: fill an n x n grid with building heights 1..n, each once per row and column, so that the
number of buildings visible from each edge clue matches (taller buildings hide shorter ones behind them).

The solver works line by line: each row and column keeps the permutations of 1..n that fit its clues and the
cells' remaining heights, and each cell keeps only heights some surviving permutation gives it; case splits
take over when that stalls. Clues of a random Latin square are removed while the solution stays unique.
"""

from __future__ import annotations

import itertools
import random
from functools import cache, lru_cache
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, parse_digit_grid, pick
from generators.grids.futoshiki import latin_square
from synth.task import Instance, Params, SolverStats, Task, register


class SkyParams(Params):
    size: int = Field(4, ge=3, le=6, description="grid side")


def visible(line: tuple[int, ...]) -> int:
    count = top = 0
    for h in line:
        if h > top:
            count, top = count + 1, h
    return count


@cache
def perms(n: int, front: int, back: int) -> tuple[tuple[int, ...], ...]:
    """Permutations of 1..n seen as ``front`` from the start and ``back`` from the end (0 = no clue)."""
    return tuple(
        p
        for p in itertools.permutations(range(1, n + 1))
        if (not front or visible(p) == front) and (not back or visible(p[::-1]) == back)
    )


@lru_cache(maxsize=200_000)
def line_masks(key: tuple[int, int, int], doms: tuple[int, ...]) -> tuple[int, ...]:
    """For each cell of a line, the heights that some clue-fitting permutation within ``doms`` gives it.

    Cached: generation re-solves nearly the same puzzle for every clue it tries to remove, so the same
    (clues, domains) lines recur constantly.
    """
    masks = [0] * len(doms)
    for p in perms(*key):
        if all(d >> (h - 1) & 1 for d, h in zip(doms, p)):
            for k, h in enumerate(p):
                masks[k] |= 1 << (h - 1)
    return tuple(masks)


class Solver:
    def __init__(self, n: int, clues: dict[str, list[int]], log: list[str] | None = None) -> None:
        self.n, self.log = n, log
        self.stats = SolverStats()
        rows = [
            ([r * n + c for c in range(n)], clues["left"][r], clues["right"][r], f"row {r + 1}")
            for r in range(n)
        ]
        cols = [
            ([r * n + c for r in range(n)], clues["top"][c], clues["bottom"][c], f"column {c + 1}")
            for c in range(n)
        ]
        self.lines = [(cells, (n, a, b), name) for cells, a, b, name in rows + cols]

    def propagate(self, dom: list[int], depth: int) -> bool:
        changed = True
        while changed:
            changed = False
            for cells, key, name in self.lines:
                masks = line_masks(key, tuple(dom[c] for c in cells))
                self.stats.steps += 1
                for k, c in enumerate(cells):
                    new = dom[c] & masks[k]
                    if new != dom[c]:
                        dom[c] = new
                        changed = True
                        if self.log is not None:
                            heights = [h + 1 for h in range(self.n) if new >> h & 1]
                            self.log.append(
                                "  " * depth + f"The arrangements of {name} that fit its clues leave "
                                f"r{c // self.n + 1}c{c % self.n + 1} "
                                + (
                                    f"= {heights[0]}."
                                    if len(heights) == 1
                                    else f"in {{{', '.join(map(str, heights))}}}."
                                    if heights
                                    else "with no height: contradiction."
                                )
                            )
                        if not new:
                            return False
        return True

    def solve(self, limit: int, dom: list[int] | None = None, depth: int = 0) -> list[list[int]]:
        self.stats.nodes += 1
        dom = list(dom) if dom is not None else [(1 << self.n) - 1] * (self.n * self.n)
        if not self.propagate(dom, depth):
            return []
        open_cells = [(dom[i].bit_count(), i) for i in range(len(dom)) if dom[i] & (dom[i] - 1)]
        if not open_cells:
            return [[m.bit_length() for m in dom]]
        _, i = min(open_cells)
        found: list[list[int]] = []
        for h in range(self.n):
            if not dom[i] >> h & 1:
                continue
            if self.log is not None:
                self.log.append("  " * depth + f"Suppose r{i // self.n + 1}c{i % self.n + 1} = {h + 1}.")
            child = list(dom)
            child[i] = 1 << h
            result = self.solve(limit - len(found), child, depth + 1)
            if not result:
                self.stats.backtracks += 1
            found += result
            if len(found) >= limit:
                break
        return found


def all_clues(grid: list[int], n: int) -> dict[str, list[int]]:
    rows = [tuple(grid[r * n : (r + 1) * n]) for r in range(n)]
    cols = [tuple(grid[r * n + c] for r in range(n)) for c in range(n)]
    return {
        "left": [visible(r) for r in rows],
        "right": [visible(r[::-1]) for r in rows],
        "top": [visible(c) for c in cols],
        "bottom": [visible(c[::-1]) for c in cols],
    }


def render(n: int, clues: dict[str, list[int]]) -> str:
    def show(v: int) -> str:
        return str(v) if v else "."

    lines = ["  " + " ".join(show(v) for v in clues["top"])]
    for r in range(n):
        lines.append(f"{show(clues['left'][r])} " + " ".join("_" * n) + f" {show(clues['right'][r])}")
    lines.append("  " + " ".join(show(v) for v in clues["bottom"]))
    return "\n".join(lines)


PROMPTS = (
    "Skyscrapers puzzle, {n}x{n}: place heights 1-{n} so that each row and column has each height once. A "
    "number outside the grid says how many buildings are visible from that side (taller ones hide shorter "
    "ones behind them); '.' means no clue.\n{grid}",
    "Fill this {n}x{n} city with buildings of height 1 to {n} (each height once per row and column). The edge "
    "numbers count the buildings seen from that direction; '.' = no clue.\n{grid}",
)


@register
class Skyscrapers(Task):
    name = "skyscrapers"
    description = "Latin-square skyscraper puzzles with visibility clues and a unique solution."
    Params = SkyParams
    levels = {"easy": {"size": 4}, "medium": {"size": 5}, "hard": {"size": 6}}
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: SkyParams) -> Instance:
        n = params.size
        while True:  # some Latin squares are not pinned down even by all 4n clues
            solution = latin_square(rng, n)
            clues = all_clues(solution, n)
            if len(Solver(n, clues).solve(limit=2)) == 1:
                break
        slots = [(side, k) for side in ("top", "bottom", "left", "right") for k in range(n)]
        for side, k in rng.sample(slots, len(slots)):
            value = clues[side][k]
            clues[side][k] = 0
            if len(Solver(n, clues).solve(limit=2)) != 1:
                clues[side][k] = value
        solver = Solver(n, clues)
        solver.solve(limit=1)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, grid=render(n, clues)),
                answer_instruction(f"{n} lines of {n} heights separated by spaces"),
            ]
        )
        answer = "\n".join(" ".join(map(str, solution[r * n : (r + 1) * n])) for r in range(n))
        return Instance(
            puzzle={"size": n, "clues": clues, "solution": solution},
            answer=answer,
            prompt=prompt,
            stats=solver.stats,
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        grid = parse_digit_grid(answer, puzzle["size"])
        return float(grid is not None and grid == puzzle["solution"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        n = puzzle["size"]
        log: list[str] = []
        found = Solver(n, puzzle["clues"], log).solve(limit=1)
        if found:
            log.append(
                "Solution:\n" + "\n".join(" ".join(map(str, found[0][r * n : (r + 1) * n])) for r in range(n))
            )
        return log
