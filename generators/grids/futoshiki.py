"""Futoshiki: fill an n x n Latin square (each digit once per row and column) obeying inequality signs between
neighbouring cells and a few given digits; the solution is unique.

Clues (givens and inequalities true of a random Latin square) are added until propagation alone pins every
cell, which proves uniqueness, then removed wherever the puzzle stays solvable at its level: by deduction
alone, or (``search``) uniquely by exhaustive search that stops at a second solution.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field

from generators.common import answer_instruction, parse_digit_grid, pick
from synth.task import Instance, Params, SolverStats, Task, register


class FutoshikiParams(Params):
    size: int = Field(5, ge=3, le=9, description="grid side")
    solving: Literal["deduction", "search"] = Field("deduction", description="deduction alone or case splits")


class Conflict(Exception):
    pass


class Solver:
    def __init__(self, n: int, clues: list[list[int]], log: list[str] | None = None) -> None:
        self.n, self.clues, self.full = n, clues, (1 << n) - 1
        self.stats = SolverStats()
        self.log = log
        self.fired: set[int] = set()  # indices of clues that narrowed something
        self.lines = [[r * n + c for c in range(n)] for r in range(n)] + [
            [r * n + c for r in range(n)] for c in range(n)
        ]

    def name(self, i: int) -> str:
        return f"r{i // self.n + 1}c{i % self.n + 1}"

    def narrow(self, dom: list[int], i: int, mask: int, why: tuple, depth: int) -> bool:
        """Restrict cell i to mask; ``why`` is formatted only when narrating (this is the hot path)."""
        new = dom[i] & mask
        if new == dom[i]:
            return False
        dom[i] = new
        self.stats.steps += 1
        if self.log is not None:
            kind, *args = why
            reason = {
                "given": lambda: "Given",
                "lt": lambda: f"{self.name(args[0])} < {self.name(args[1])}",
                "single": lambda: "digits already placed in its row and column are out",
                "hidden": lambda: f"only place for {args[0]} in its line",
            }[kind]()
            vals = [v + 1 for v in range(self.n) if new >> v & 1]
            self.log.append(
                "  " * depth
                + f"{reason}: {self.name(i)} "
                + (
                    f"= {vals[0]}."
                    if len(vals) == 1
                    else f"in {{{', '.join(map(str, vals))}}}."
                    if vals
                    else "has no value left: contradiction."
                )
            )
        if not new:
            raise Conflict
        return True

    def propagate(self, dom: list[int], depth: int = 0) -> bool:
        full = self.full
        try:
            changed = True
            while changed:
                changed = False
                for k, (kind, a, b) in enumerate(self.clues):
                    if kind == 0:  # given: [0, cell, value]
                        if dom[a] != 1 << (b - 1):
                            changed |= self.narrow(dom, a, 1 << (b - 1), ("given",), depth)
                            self.fired.add(k)
                        continue
                    # [1, a, b]: value at a < value at b; narrow() is only called when something changes
                    below = (1 << (dom[b].bit_length() - 1)) - 1
                    if dom[a] & ~below:
                        changed |= self.narrow(dom, a, below, ("lt", a, b), depth)
                        self.fired.add(k)
                    low = dom[a] & -dom[a]
                    above = full & ~((low << 1) - 1)
                    if dom[b] & ~above:
                        changed |= self.narrow(dom, b, above, ("lt", a, b), depth)
                        self.fired.add(k)
                for line in self.lines:
                    # one pass: digits placed, digits possible somewhere, digits possible in two cells or more
                    once = twice = fixed = 0
                    for i in line:
                        m = dom[i]
                        twice |= once & m
                        once |= m
                        if m & (m - 1) == 0:
                            if fixed & m:
                                raise Conflict
                            fixed |= m
                    if once != full:
                        raise Conflict
                    if fixed and twice & fixed:
                        for j in line:
                            m = dom[j]
                            if m & (m - 1) and m & fixed:
                                changed |= self.narrow(dom, j, ~fixed, ("single", j), depth)
                    # striking placed digits leaves the counts of the other digits as they were
                    hidden = once & ~twice & ~fixed
                    while hidden:
                        bit = hidden & -hidden
                        hidden ^= bit
                        i = next((i for i in line if dom[i] & bit), None)
                        if i is None:  # two digits were the hidden single of one cell
                            raise Conflict
                        if dom[i] != bit:
                            changed |= self.narrow(dom, i, bit, ("hidden", bit.bit_length()), depth)
            return True
        except Conflict:
            return False

    def solve(self, limit: int, dom: list[int] | None = None, depth: int = 0) -> list[list[int]]:
        self.stats.nodes += 1
        dom = list(dom) if dom is not None else [self.full] * (self.n * self.n)
        if not self.propagate(dom, depth):
            return []
        open_cells = [(dom[i].bit_count(), i) for i in range(len(dom)) if dom[i] & (dom[i] - 1)]
        if not open_cells:
            return [dom]
        _, i = min(open_cells)
        found: list[list[int]] = []
        for v in range(self.n):
            if not dom[i] >> v & 1:
                continue
            if self.log is not None:
                self.log.append("  " * depth + f"Suppose {self.name(i)} = {v + 1}.")
            child = list(dom)
            child[i] = 1 << v
            result = self.solve(limit - len(found), child, depth + 1)
            if not result:
                self.stats.backtracks += 1
                if self.log is not None:
                    self.log.append("  " * depth + f"So {self.name(i)} is not {v + 1}.")
            found += result
            if len(found) >= limit:
                break
        return found


def latin_square(rng: random.Random, n: int) -> list[int]:
    grid = [0] * (n * n)
    rows, cols = [0] * n, [0] * n

    def fill(k: int) -> bool:
        if k == n * n:
            return True
        r, c = divmod(k, n)
        options = [v for v in range(1, n + 1) if not (rows[r] | cols[c]) >> (v - 1) & 1]
        rng.shuffle(options)
        for v in options:
            grid[k] = v
            rows[r] |= 1 << (v - 1)
            cols[c] |= 1 << (v - 1)
            if fill(k + 1):
                return True
            rows[r] &= ~(1 << (v - 1))
            cols[c] &= ~(1 << (v - 1))
        return False

    fill(0)
    return grid


def render(n: int, clues: list[list[int]]) -> str:
    given = {c[1]: c[2] for c in clues if c[0] == 0}
    signs = {}
    for _, a, b in (c for c in clues if c[0] == 1):
        signs[min(a, b), max(a, b)] = "<" if a < b else ">"
    lines = []
    for r in range(n):
        row = ""
        for c in range(n):
            i = r * n + c
            row += str(given.get(i, "_"))
            if c < n - 1:
                row += f" {signs.get((i, i + 1), ' ')} "
        lines.append(row.rstrip())
        if r < n - 1:
            under = ""
            for c in range(n):
                s = signs.get((r * n + c, (r + 1) * n + c))
                under += {"<": "^", ">": "v", None: " "}[s] + ("   " if c < n - 1 else "")
            lines.append(under.rstrip())
    return "\n".join(lines)


PROMPTS = (
    "Solve this {n}x{n} Futoshiki: put a digit 1-{n} in every cell so that each row and each column contains "
    "every digit once, and every inequality holds. '<' and '>' compare horizontal neighbours; '^' under a cell "
    "means it is smaller than the cell below, 'v' means it is larger. '_' is an empty cell.\n{grid}",
    "Fill the grid with digits 1 to {n}, each once per row and column, respecting the signs ('<', '>' between "
    "neighbours in a row; '^' = the upper cell is smaller, 'v' = the upper cell is larger; '_' = empty):\n{grid}",
)


@register
class Futoshiki(Task):
    name = "futoshiki"
    description = "Latin squares with inequality signs between neighbours and a unique solution."
    Params = FutoshikiParams
    levels = {
        "easy": {"size": 4},
        "medium": {"size": 5},
        "hard": {"size": 6},
        "expert": {"size": 7, "solving": "search"},
    }
    effort_scale = 150.0

    def generate(self, rng: random.Random, params: FutoshikiParams) -> Instance:
        n = params.size
        solution = latin_square(rng, n)
        pool = [[0, i, solution[i]] for i in range(n * n)]
        for i in range(n * n):
            for j in (i + 1, i + n):
                if (j == i + 1 and j % n == 0) or j >= n * n:
                    continue
                pool.append([1, i, j] if solution[i] < solution[j] else [1, j, i])
        # inequalities first: a puzzle of mostly signs is the interesting kind
        rng.shuffle(pool)
        pool.sort(key=lambda c: c[0] == 0 and rng.random() < 0.7)
        search = params.solving == "search"

        def unique(clues: list[list[int]]) -> list[list[int]] | None:
            """The clues still needed if the puzzle stays solvable at its level, else None."""
            s = Solver(n, clues)
            if search:
                return clues if len(s.solve(limit=2)) == 1 else None
            dom = [s.full] * (n * n)
            if s.propagate(dom) and all(m & (m - 1) == 0 for m in dom):
                # clues that never fired are redundant: the same propagation happens without them
                return [c for k, c in enumerate(clues) if k in s.fired]
            return None

        clues: list[list[int]] = []
        grower = Solver(n, clues)
        dom = [grower.full] * (n * n)
        batch = n * n // 2  # this many random clues never pin a grid: add them before propagating at all
        for k, clue in enumerate(pool):
            clues.append(clue)
            if k < batch:
                continue
            grower.propagate(dom)
            if all(m & (m - 1) == 0 for m in dom):
                break
        clues = unique(clues) or clues
        for clue in rng.sample(clues, len(clues)):
            if clue not in clues:
                continue
            kept = unique([c for c in clues if c is not clue])
            if kept is not None:
                clues = kept
        clues.sort()
        solver = Solver(n, clues)
        solver.solve(limit=1)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, grid=render(n, clues)),
                answer_instruction(
                    f"{n} lines of {n} digits separated by spaces, e.g. a first line like "
                    + " ".join(str(k + 1) for k in range(n))
                ),
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
            grid = [m.bit_length() for m in found[0]]
            log.append(
                "Every cell is fixed:\n"
                + "\n".join(" ".join(map(str, grid[r * n : (r + 1) * n])) for r in range(n))
            )
        return log
