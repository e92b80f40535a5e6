"""Minesweeper deduction: from the revealed numbers, which hidden cells must be mines?

Mines are placed at random and some safe cells revealed with their counts. The answer is the set of hidden
cells that hold a mine in every arrangement consistent with all revealed numbers (the total number of mines
is not given). It is found exactly: the hidden cells next to a number are enumerated by backtracking, each
number checked as soon as all its neighbours are decided; hidden cells next to no number are never forced.
The set is unique by definition; instances with no forced mine, or where every hidden cell is forced, are
not emitted. The trace first applies the two counting rules, then proves each remaining forced mine by
showing that no arrangement leaves it empty.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class MinesParams(Params):
    rows: int = Field(5, ge=3, le=12, description="board rows")
    cols: int = Field(5, ge=3, le=12, description="board columns")
    mines: int = Field(5, ge=1, le=60, description="mines placed")
    reveal: float = Field(0.6, gt=0.0, lt=1.0, description="share of safe cells revealed")


def neighbours(r: int, c: int, rows: int, cols: int) -> list[tuple[int, int]]:
    return [
        (r + dr, c + dc)
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < cols
    ]


def forced_mines(
    rows: int, cols: int, shown: dict[tuple[int, int], int], stats: SolverStats | None = None
) -> tuple[set[tuple[int, int]], int]:
    """Hidden cells that are mines in every consistent arrangement, and how many arrangements there are."""
    stats = stats if stats is not None else SolverStats()
    frontier = sorted({n for (r, c) in shown for n in neighbours(r, c, rows, cols) if n not in shown})
    index = {cell: i for i, cell in enumerate(frontier)}
    # each number, as the frontier indices around it; checked once its last neighbour is decided
    checks: list[list[tuple[list[int], int]]] = [[] for _ in frontier]
    for (r, c), k in shown.items():
        around = [index[n] for n in neighbours(r, c, rows, cols) if n in index]
        if not around:
            if k:
                return set(), 0
            continue
        checks[max(around)].append((around, k))
    value = [0] * len(frontier)
    always = [True] * len(frontier)
    count = 0

    def place(i: int) -> None:
        nonlocal count
        if i == len(frontier):
            count += 1
            for j in range(len(frontier)):
                always[j] = always[j] and value[j] == 1
            return
        for v in (1, 0):
            stats.nodes += 1
            value[i] = v
            if all(sum(value[j] for j in around) == k for around, k in checks[i]):
                place(i + 1)
            else:
                stats.backtracks += 1

    place(0)
    if count == 0:
        return set(), 0
    return {cell for cell, a in zip(frontier, always) if a}, count


def cell_text(cell: tuple[int, int]) -> str:
    return f"({cell[0] + 1},{cell[1] + 1})"


def board_text(rows: int, cols: int, shown: dict[tuple[int, int], int]) -> str:
    return "\n".join(
        " ".join(str(shown[(r, c)]) if (r, c) in shown else "#" for c in range(cols)) for r in range(rows)
    )


PROMPTS = (
    "A Minesweeper board: # is a hidden cell, a digit is a revealed safe cell showing how many of its up to "
    "eight neighbours (including diagonals) are mines. The total number of mines is not given.\n{board}\n"
    "Which hidden cells must be mines?",
    "In this Minesweeper position, numbers count the mines among the eight surrounding cells and # marks cells "
    "not yet opened:\n{board}\nList every hidden cell that is certainly a mine, whatever the rest of the board.",
)


@register
class Minesweeper(Task):
    name = "minesweeper"
    description = (
        "Which hidden Minesweeper cells must be mines, from the revealed counts (exact enumeration)."
    )
    Params = MinesParams
    levels = {
        "easy": {"rows": 4, "cols": 4, "mines": 3, "reveal": 0.7},
        "medium": {"rows": 5, "cols": 5, "mines": 5, "reveal": 0.6},
        "hard": {"rows": 6, "cols": 6, "mines": 8, "reveal": 0.55},
        "expert": {"rows": 7, "cols": 7, "mines": 11, "reveal": 0.5},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: MinesParams) -> Instance:
        rows, cols = params.rows, params.cols
        cells = [(r, c) for r in range(rows) for c in range(cols)]
        mines_n = min(params.mines, len(cells) - 2)
        while True:
            mines = set(rng.sample(cells, mines_n))
            safe = [cell for cell in cells if cell not in mines]
            opened = rng.sample(safe, max(1, round(len(safe) * params.reveal)))
            shown = {
                (r, c): sum(n in mines for n in neighbours(r, c, rows, cols)) for (r, c) in sorted(opened)
            }
            stats = SolverStats()
            forced, _ = forced_mines(rows, cols, shown, stats)
            hidden = len(cells) - len(shown)
            if forced and len(forced) < hidden and stats.nodes <= 200_000:
                break
        answer = ", ".join(cell_text(cell) for cell in sorted(forced))
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(board=board_text(rows, cols, shown)),
                answer_instruction("(row,column) pairs counted from 1 at the top left, e.g. (1,4), (3,2)"),
            ]
        )
        puzzle = {"rows": rows, "cols": cols, "shown": [[r, c, k] for (r, c), k in sorted(shown.items())]}
        stats.steps = len(shown)
        return Instance(puzzle=puzzle, answer=answer, prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        got = parse_cells(answer, puzzle["rows"], puzzle["cols"])
        if got is None:
            return 0.0
        shown = {(r, c): k for r, c, k in puzzle["shown"]}
        forced, _ = forced_mines(puzzle["rows"], puzzle["cols"], shown)
        return float(got == forced)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        rows, cols = puzzle["rows"], puzzle["cols"]
        shown = {(r, c): k for r, c, k in puzzle["shown"]}
        mine: set[tuple[int, int]] = set()
        clear: set[tuple[int, int]] = set()
        log = ["Go through the numbers, marking cells that are certainly mines or certainly safe."]
        changed = True
        while changed:  # the two counting rules, until neither applies
            changed = False
            for (r, c), k in sorted(shown.items()):
                around = neighbours(r, c, rows, cols)
                hidden = [n for n in around if n not in shown and n not in mine and n not in clear]
                known = sum(n in mine for n in around)
                if hidden and k - known == len(hidden):
                    mine.update(hidden)
                    log.append(
                        f"{cell_text((r, c))} shows {k} with {known} known mine(s) and exactly {len(hidden)} "
                        f"undecided neighbour(s): {', '.join(map(cell_text, hidden))} are mines."
                    )
                    changed = True
                elif hidden and k == known:
                    clear.update(hidden)
                    log.append(
                        f"{cell_text((r, c))} shows {k} and already has {known} mine(s) around it: "
                        f"{', '.join(map(cell_text, hidden))} are safe."
                    )
                    changed = True
        forced, count = forced_mines(rows, cols, shown)
        for cell in sorted(forced - mine):
            log.append(
                f"Case split on {cell_text(cell)}: if it were safe, no way of placing mines next to the numbers "
                f"satisfies them all (of the {count} arrangements that do, every one has a mine there), so it is a mine."
            )
        log.append(
            "Hidden cells next to no number could be either, so they are not certain. Certain mines: "
            + (", ".join(map(cell_text, sorted(forced))) or "none")
            + "."
        )
        return log


_CELL = re.compile(r"\(?\s*(\d+)\s*,\s*(\d+)\s*\)?")


def parse_cells(answer: str, rows: int, cols: int) -> set[tuple[int, int]] | None:
    found = _CELL.findall(normalize(answer))
    if not found:
        return None
    cells = {(int(r) - 1, int(c) - 1) for r, c in found}
    if len(cells) != len(found) or any(not (0 <= r < rows and 0 <= c < cols) for r, c in cells):
        return None
    return cells
