"""Kakuro: fill the white cells with digits 1-9 so each run (across or down) has distinct digits and its sum.

The shape is drawn at random (cells blackened until every white cell lies in an across run and a down run of
two to nine cells), filled with random digits that are distinct along every run, and the run sums become the
clues. A search then looks for two fillings: cells are filled in order with digits not yet in their runs, and
each run is checked as it fills (the partial sum plus the smallest and largest possible rest must bracket
the target). While two exist, one cell where they differ is given its digit; so the emitted puzzle (sums plus
those few givens) has exactly one filling. The verifier checks the rules, so any valid filling scores 1
(there is only one).
"""

from __future__ import annotations

import functools
import itertools
import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 80


class KakuroParams(Params):
    size: int = Field(5, ge=4, le=9, description="board side, clue row and column included")
    black: float = Field(0.2, ge=0.0, le=0.5, description="share of interior cells blackened at first")


def shape(rng: random.Random, n: int, black: float) -> set[tuple[int, int]]:
    """White cells of an n x n board whose first row and column are clue cells; every run has 2-9 cells."""
    white = {(r, c) for r in range(1, n) for c in range(1, n) if rng.random() >= black}
    changed = True
    while changed:
        changed = False
        for r, c in sorted(white):
            across = _run(white, r, c, 0, 1)
            down = _run(white, r, c, 1, 0)
            if len(across) < 2 or len(down) < 2 or len(across) > 9 or len(down) > 9:
                white.discard((r, c))
                changed = True
    return white


def _run(white: set[tuple[int, int]], r: int, c: int, dr: int, dc: int) -> list[tuple[int, int]]:
    while (r - dr, c - dc) in white:
        r, c = r - dr, c - dc
    cells = []
    while (r, c) in white:
        cells.append((r, c))
        r, c = r + dr, c + dc
    return cells


def runs_of(white: set[tuple[int, int]]) -> list[tuple[str, list[tuple[int, int]]]]:
    out = []
    for r, c in sorted(white):
        if (r, c - 1) not in white:
            out.append(("across", _run(white, r, c, 0, 1)))
        if (r - 1, c) not in white:
            out.append(("down", _run(white, r, c, 1, 0)))
    return out


class Search:
    def __init__(
        self,
        cells: list[tuple[int, int]],
        runs: list[dict[str, Any]],
        given: dict[tuple[int, int], int] | None = None,
        log: list[str] | None = None,
    ):
        self.cells, self.runs, self.log, self.given = cells, runs, log, given or {}
        self.of = {cell: [] for cell in cells}
        for k, run in enumerate(runs):
            for cell in run["cells"]:
                self.of[tuple(cell)].append(k)
        self.stats = SolverStats()
        # each cell's digits: those that appear in some set of distinct digits meeting both its runs' sums
        self.domain = {
            cell: [
                d
                for d in range(1, 10)
                if all(d in _digits_for(len(runs[k]["cells"]), runs[k]["sum"]) for k in ks)
            ]
            for cell, ks in self.of.items()
        }

    def say(self, depth: int, text: str) -> None:
        if self.log is not None and len(self.log) < TRACE_LIMIT:
            self.log.append("  " * min(depth, 6) + text)

    def solve(self, limit: int) -> list[dict[tuple[int, int], int]]:
        value: dict[tuple[int, int], int] = {}
        used = [0] * len(self.runs)  # digits taken in each run, as bits
        total = [0] * len(self.runs)
        filled = [0] * len(self.runs)
        found: list[dict[tuple[int, int], int]] = []

        def reachable(k: int) -> bool:
            run, left = self.runs[k], len(self.runs[k]["cells"]) - filled[k]
            rest = [d for d in range(1, 10) if not used[k] >> d & 1]
            need = run["sum"] - total[k]
            return (
                len(rest) >= left and sum(rest[:left]) <= need <= sum(rest[len(rest) - left :])
                if left
                else need == 0
            )

        def place(i: int) -> None:
            if len(found) >= limit:
                return
            if i == len(self.cells):
                found.append(dict(value))
                return
            # the open cell with the fewest digits left (free in both runs) goes next
            cell, options = None, None
            for x in self.cells:
                if x in value:
                    continue
                ks_x = self.of[x]
                free = [
                    d
                    for d in ([self.given[x]] if x in self.given else self.domain[x])
                    if not any(used[k] >> d & 1 for k in ks_x)
                ]
                if options is None or len(free) < len(options):
                    cell, options = x, free
                    if len(free) <= 1:
                        break
            ks = self.of[cell]
            for d in options:
                self.stats.nodes += 1
                for k in ks:
                    used[k] |= 1 << d
                    total[k] += d
                    filled[k] += 1
                if all(reachable(k) for k in ks):
                    value[cell] = d
                    self.say(i, f"r{cell[0] + 1}c{cell[1] + 1} = {d}")
                    place(i + 1)
                    del value[cell]
                for k in ks:
                    used[k] &= ~(1 << d)
                    total[k] -= d
                    filled[k] -= 1
                if len(found) >= limit:
                    return
            self.stats.backtracks += 1
            self.say(i, f"r{cell[0] + 1}c{cell[1] + 1}: no digit keeps both its runs possible; back up.")

        place(0)
        return found


@functools.cache
def _digits_for(length: int, total: int) -> frozenset[int]:
    return frozenset(
        d for combo in itertools.combinations(range(1, 10), length) if sum(combo) == total for d in combo
    )


def board_text(n: int, white: set[tuple[int, int]]) -> str:
    return "\n".join(" ".join("." if (r, c) in white else "#" for c in range(n)) for r in range(n))


PROMPTS = (
    "Solve this kakuro. The board is {n}x{n}: '.' cells take a digit 1-9 and '#' cells stay black. Every run of "
    "white cells across or down must hold distinct digits adding up to its sum. Cells are rNcM (row N, column "
    "M, counted from 1 at the top left).\n{board}\nRuns:\n{runs}",
    "Fill in the kakuro below ('.' = white cell for a digit 1 to 9, '#' = black). The digits of each run are "
    "all different and add up to the given sum. Rows and columns count from 1 at the top left.\n{board}\n"
    "Runs (cells rNcM):\n{runs}",
)


@register
class Kakuro(Task):
    name = "kakuro"
    description = "Kakuro (cross sums) with a unique filling, by search with sum bounds."
    Params = KakuroParams
    levels = {
        "easy": {"size": 4, "black": 0.0},
        "medium": {"size": 5, "black": 0.2},
        "hard": {"size": 5, "black": 0.0},
        "expert": {"size": 6, "black": 0.1},
    }
    effort_scale = 100.0

    def generate(self, rng: random.Random, params: KakuroParams) -> Instance:
        n = params.size
        while True:
            white = shape(rng, n, params.black)
            if len(white) < max(4, (n - 1) ** 2 // 2):
                continue
            cells = sorted(white)
            groups = runs_of(white)
            # random digits, distinct along every run (a randomised search, as a Latin fill)
            digits = _random_fill(rng, cells, groups)
            if digits is None:
                continue
            runs = [
                {"dir": d, "cells": [list(x) for x in g], "sum": sum(digits[x] for x in g)} for d, g in groups
            ]
            given: dict[tuple[int, int], int] = {}
            while True:
                search = Search(cells, runs, given)
                found = search.solve(limit=2)
                if len(found) == 1:
                    break
                differ = [x for x in cells if found[0][x] != found[1][x]]
                pick_cell = rng.choice(differ)  # its true digit rules out at least one of the two fillings
                given[pick_cell] = digits[pick_cell]
            if len(given) <= len(cells) // 3:
                break
        runs_text = "\n".join(
            f"{r['dir']} {', '.join(f'r{a + 1}c{b + 1}' for a, b in r['cells'])}: {r['sum']}" for r in runs
        )
        if given:
            runs_text += "\nGiven digits: " + ", ".join(
                f"r{a + 1}c{b + 1} = {d}" for (a, b), d in sorted(given.items())
            )
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, board=board_text(n, white), runs=runs_text),
                answer_instruction(
                    f"the board as {n} lines of {n} items separated by spaces, # for black cells and the digit "
                    "for white ones, e.g. a line like # 9 8 #"
                ),
            ]
        )
        answer = "\n".join(
            " ".join(str(digits[(r, c)]) if (r, c) in white else "#" for c in range(n)) for r in range(n)
        )
        puzzle = {
            "size": n,
            "white": [list(x) for x in cells],
            "runs": runs,
            "given": [[a, b, d] for (a, b), d in sorted(given.items())],
        }
        return Instance(puzzle=puzzle, answer=answer, prompt=prompt, stats=search.stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        n = puzzle["size"]
        white = {tuple(x) for x in puzzle["white"]}
        lines = [line.split() for line in answer.strip().splitlines() if line.strip()]
        if len(lines) != n or any(len(line) != n for line in lines):
            return 0.0
        value = {}
        for r, line in enumerate(lines):
            for c, token in enumerate(line):
                if (r, c) in white:
                    if not re.fullmatch(r"[1-9]", token):
                        return 0.0
                    value[(r, c)] = int(token)
                elif token != "#":
                    return 0.0
        if any(value[(a, b)] != d for a, b, d in puzzle["given"]):
            return 0.0
        for run in puzzle["runs"]:
            ds = [value[tuple(x)] for x in run["cells"]]
            if len(set(ds)) != len(ds) or sum(ds) != run["sum"]:
                return 0.0
        return 1.0

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        cells = sorted(tuple(x) for x in puzzle["white"])
        log = [
            "Each white cell can only take digits that appear in some set of distinct digits with its runs' sums. "
            "Fill next the cell with the fewest such digits not yet used in its runs, trying them smallest first, "
            "as long as both runs can still reach their sums (the rest of a run must fit between its smallest and "
            "largest free digits); back up when a cell has no digit left."
        ]
        given = {(a, b): d for a, b, d in puzzle["given"]}
        search = Search(cells, puzzle["runs"], given, log)
        found = search.solve(limit=1)
        if len(log) >= TRACE_LIMIT:
            log.append(f"(... {search.stats.backtracks} dead ends in all.)")
        if found:
            n = puzzle["size"]
            log.append(
                "Every run has distinct digits with the right sum:\n"
                + "\n".join(
                    " ".join(str(found[0][(r, c)]) if (r, c) in found[0] else "#" for c in range(n))
                    for r in range(n)
                )
            )
        return log


def _random_fill(
    rng: random.Random, cells: list[tuple[int, int]], groups: list[tuple[str, list[tuple[int, int]]]]
) -> dict[tuple[int, int], int] | None:
    of: dict[tuple[int, int], list[int]] = {cell: [] for cell in cells}
    for k, (_, g) in enumerate(groups):
        for cell in g:
            of[cell].append(k)
    used = [set() for _ in groups]
    value: dict[tuple[int, int], int] = {}

    def fill(i: int) -> bool:
        if i == len(cells):
            return True
        cell = cells[i]
        for d in rng.sample(range(1, 10), 9):
            if any(d in used[k] for k in of[cell]):
                continue
            value[cell] = d
            for k in of[cell]:
                used[k].add(d)
            if fill(i + 1):
                return True
            for k in of[cell]:
                used[k].discard(d)
        value.pop(cell, None)
        return False

    return dict(value) if fill(0) else None
