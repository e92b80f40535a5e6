"""KenKen: a Latin square whose cages each reach a target by one operation (+, -, x, /).

A random Latin square is cut into connected cages of one to four cells; each cage gets an operation its
cells satisfy (- and / only for two cells, a single cell is simply given) and the result as its target.
The puzzle is kept only if a backtracking search (rows and columns as bitmasks, each cage checked as it
fills: partial sums and products must stay reachable) finds exactly one solution. The verifier checks the
rules: a Latin square meeting every cage scores 1 (it is the unique solution).
"""

from __future__ import annotations

import math
import random
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, parse_digit_grid, pick
from generators.grids.futoshiki import latin_square
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 80
OPS = {"+": "+", "-": "-", "*": "x", "/": "/"}


class KenKenParams(Params):
    size: int = Field(4, ge=3, le=7, description="grid side")
    max_cage: int = Field(3, ge=2, le=4, description="largest cage")


def cage_value(op: str, values: list[int]) -> int | None:
    if op == "=":
        return values[0]
    if op == "+":
        return sum(values)
    if op == "*":
        return math.prod(values)
    a, b = max(values), min(values)
    if op == "-":
        return a - b
    return a // b if a % b == 0 else None


def cut_cages(rng: random.Random, n: int, max_cage: int) -> list[list[int]]:
    """A random partition of the cells into connected cages."""
    free = set(range(n * n))
    cages = []
    for start in rng.sample(range(n * n), n * n):
        if start not in free:
            continue
        cage, want = [start], rng.choice([s for s in (1, 2, 2, 3, 3, 4) if s <= max_cage])
        free.discard(start)
        while len(cage) < want:
            edge = [
                j
                for i in cage
                for j in (i - n, i + n, i - 1 if i % n else -1, i + 1 if (i + 1) % n else -1)
                if j in free
            ]
            if not edge:
                break
            nxt = rng.choice(sorted(edge))
            cage.append(nxt)
            free.discard(nxt)
        cages.append(sorted(cage))
    return sorted(cages)


class Search:
    def __init__(self, n: int, cages: list[dict[str, Any]], log: list[str] | None = None) -> None:
        self.n, self.cages, self.log = n, cages, log
        self.cage_of = {cell: k for k, cage in enumerate(cages) for cell in cage["cells"]}
        self.stats = SolverStats()

    def say(self, text: str) -> None:
        if self.log is not None and len(self.log) < TRACE_LIMIT:
            self.log.append(text)

    def fits(self, grid: list[int], cell: int) -> bool:
        cage = self.cages[self.cage_of[cell]]
        values = [grid[c] for c in cage["cells"] if grid[c]]
        op, target = cage["op"], cage["target"]
        if len(values) < len(cage["cells"]):  # partial: keep the target reachable
            if op == "+":
                return sum(values) + (len(cage["cells"]) - len(values)) <= target
            if op == "*":
                return target % math.prod(values) == 0
            return True
        return cage_value(op, values) == target

    def solve(self, limit: int) -> list[list[int]]:
        n = self.n
        grid = [0] * (n * n)
        rows, cols = [0] * n, [0] * n
        found: list[list[int]] = []

        def place(k: int) -> None:
            if len(found) >= limit:
                return
            if k == n * n:
                found.append(list(grid))
                return
            r, c = divmod(k, n)
            for v in range(1, n + 1):
                bit = 1 << (v - 1)
                if (rows[r] | cols[c]) & bit:
                    continue
                self.stats.nodes += 1
                grid[k] = v
                if self.fits(grid, k):
                    self.say("  " * min(k // n, 6) + f"r{r + 1}c{c + 1} = {v}")
                    rows[r] |= bit
                    cols[c] |= bit
                    place(k + 1)
                    rows[r] &= ~bit
                    cols[c] &= ~bit
                    if len(found) >= limit:
                        grid[k] = 0
                        return
                grid[k] = 0
            self.stats.backtracks += 1
            self.say(
                "  " * min(k // n, 6) + f"r{r + 1}c{c + 1}: no digit fits its row, column and cage; back up."
            )

        place(0)
        return found


def describe_cage(cage: dict[str, Any], n: int) -> str:
    cells = ", ".join(f"r{i // n + 1}c{i % n + 1}" for i in cage["cells"])
    if cage["op"] == "=":
        return f"{cells}: {cage['target']}"
    return f"{cells}: {cage['target']}{OPS[cage['op']]}"


PROMPTS = (
    "Fill the {n}x{n} grid with digits 1 to {n} so that each row and each column holds every digit once. The grid "
    "is divided into cages; the digits in a cage combine to the target with the operation shown (+ sum, x "
    "product, - difference, / quotient of the larger by the smaller; a cage with no operation is that digit). "
    "Cells are rNcM (row N, column M).\nCages:\n{cages}",
    "Solve this {n}x{n} KenKen: every row and column contains 1..{n} exactly once, and each cage's digits give "
    "its target under its operation (+, x, - or /; two-cell cages for - and /; a single cell is given).\n"
    "Cages (cells rNcM):\n{cages}",
)


@register
class KenKen(Task):
    name = "kenken"
    description = "KenKen (Latin square with arithmetic cages), unique by exhaustive search."
    Params = KenKenParams
    levels = {
        "easy": {"size": 3, "max_cage": 2},
        "medium": {"size": 4, "max_cage": 3},
        "hard": {"size": 5, "max_cage": 3},
        "expert": {"size": 6, "max_cage": 4},
    }
    effort_scale = 150.0

    def generate(self, rng: random.Random, params: KenKenParams) -> Instance:
        n = params.size
        while True:
            solution = latin_square(rng, n)
            for _ in range(20):
                cages = []
                for cells in cut_cages(rng, n, params.max_cage):
                    values = [solution[i] for i in cells]
                    if len(cells) == 1:
                        options = ["="]
                    elif len(cells) == 2:
                        options = ["+", "*", "-"] + (["/"] if max(values) % min(values) == 0 else [])
                    else:
                        options = ["+", "*"]
                    op = rng.choice(options)
                    cages.append({"cells": cells, "op": op, "target": cage_value(op, values)})
                search = Search(n, cages)
                if len(search.solve(limit=2)) == 1:
                    break
            else:
                continue
            break
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, cages="\n".join(describe_cage(c, n) for c in cages)),
                answer_instruction(
                    f"{n} lines of {n} digits separated by spaces, e.g. a first line like "
                    + " ".join(map(str, range(n, 0, -1)))
                ),
            ]
        )
        answer = "\n".join(" ".join(map(str, solution[r * n : (r + 1) * n])) for r in range(n))
        return Instance(puzzle={"size": n, "cages": cages}, answer=answer, prompt=prompt, stats=search.stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        n = puzzle["size"]
        grid = parse_digit_grid(answer, n)
        if grid is None:
            return 0.0
        full = set(range(1, n + 1))
        if any(set(grid[r * n : (r + 1) * n]) != full for r in range(n)):
            return 0.0
        if any({grid[r * n + c] for r in range(n)} != full for c in range(n)):
            return 0.0
        return float(
            all(cage_value(c["op"], [grid[i] for i in c["cells"]]) == c["target"] for c in puzzle["cages"])
        )

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        n = puzzle["size"]
        log = [
            "Fill the cells row by row with the smallest digit not yet in its row or column whose cage can still "
            "reach its target; back up when a cell has no such digit."
        ]
        search = Search(n, puzzle["cages"], log)
        found = search.solve(limit=1)
        if len(log) >= TRACE_LIMIT:
            log.append(f"(... {search.stats.backtracks} dead ends in all.)")
        if found:
            grid = found[0]
            log.append(
                "Every row, column and cage checks out:\n"
                + "\n".join(" ".join(map(str, grid[r * n : (r + 1) * n])) for r in range(n))
            )
        return log
