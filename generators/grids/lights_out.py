"""Lights Out: pressing a cell toggles it and its orthogonal neighbours; find presses that turn every light off.

Solved exactly over GF(2): each cell's final state is a linear (XOR) function of the presses, so Gaussian
elimination on the n^2 x n^2 system gives a solution or proves none exists. Boards are made by pressing a
random set of cells on a dark board, so they are solvable; any press set that turns everything off scores 1
(checked by simulation), and boards that "press nothing" or "press everything" would solve are not emitted.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class LightsParams(Params):
    size: int = Field(3, ge=2, le=7, description="board side")
    presses: int = Field(3, ge=1, le=49, description="random presses used to make the board")


def toggles(n: int, r: int, c: int) -> int:
    mask = 0
    for dr, dc in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
        rr, cc = r + dr, c + dc
        if 0 <= rr < n and 0 <= cc < n:
            mask |= 1 << (rr * n + cc)
    return mask


def press(board: int, n: int, cells: list[tuple[int, int]]) -> int:
    for r, c in cells:
        board ^= toggles(n, r, c)
    return board


def solve(
    board: int, n: int, log: list[str] | None = None
) -> tuple[list[tuple[int, int]] | None, SolverStats]:
    """Gaussian elimination over GF(2); rows are cells (bitmask of presses affecting it | target bit)."""
    cells = n * n
    rows = []
    for i in range(cells):
        r, c = divmod(i, n)
        affect = toggles(n, r, c)  # symmetric: cell i is toggled by exactly the presses in its neighbourhood
        rows.append(affect | ((board >> i & 1) << cells))
    stats = SolverStats()
    pivots = []
    row = 0
    for col in range(cells):
        pivot = next((k for k in range(row, cells) if rows[k] >> col & 1), None)
        if pivot is None:
            stats.backtracks += 1
            continue
        rows[row], rows[pivot] = rows[pivot], rows[row]
        for k in range(cells):
            if k != row and rows[k] >> col & 1:
                rows[k] ^= rows[row]
                stats.steps += 1
        pivots.append(col)
        row += 1
    if any(rows[k] >> cells & 1 for k in range(row, cells)):
        return None, stats
    presses = [divmod(col, n) for k, col in enumerate(pivots) if rows[k] >> cells & 1]
    stats.nodes = len(pivots)
    if log is not None:
        log.append(
            "Write one equation per cell: the presses on it and its neighbours must flip it an "
            "odd number of times if it is lit, an even number if it is dark "
            f"({cells} equations in {cells} unknowns, arithmetic mod 2)."
        )
        log.append(
            f"Elimination mod 2 takes {stats.steps} row additions; {len(pivots)} unknowns get pivots"
            + (f" and {cells - len(pivots)} are free (set to 0)." if len(pivots) < cells else ".")
        )
        log.append(
            "Reading the solution off: press "
            + (", ".join(f"({r + 1},{c + 1})" for r, c in presses) or "nothing")
            + "."
        )
    return presses, stats


def show(board: int, n: int) -> str:
    return "\n".join("".join("1" if board >> (r * n + c) & 1 else "0" for c in range(n)) for r in range(n))


PROMPTS = (
    "Lights Out on a {n}x{n} board (1 = lit, 0 = dark). Pressing a cell toggles it and the cells directly "
    "above, below, left and right of it. Which cells should be pressed to turn every light off?\n{board}",
    "Each press flips a light and its up/down/left/right neighbours. Starting from the board below (1 = on), "
    "give a set of presses that switches all lights off.\n{board}",
)


@register
class LightsOut(Task):
    name = "lights_out"
    description = "Lights Out boards solved over GF(2); any press set that clears the board is accepted."
    Params = LightsParams
    levels = {
        "easy": {"size": 3, "presses": 2},
        "medium": {"size": 4, "presses": 5},
        "hard": {"size": 5, "presses": 9},
        "expert": {"size": 6, "presses": 14},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: LightsParams) -> Instance:
        n = params.size
        cells = [(r, c) for r in range(n) for c in range(n)]
        while True:
            board = press(0, n, rng.sample(cells, min(params.presses, len(cells))))
            if board and press(board, n, cells) != 0:
                break
        presses, stats = solve(board, n)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, board=show(board, n)),
                answer_instruction(
                    "the cells to press as (row,column) pairs counted from 1, e.g. (1,2), (3,3)"
                ),
            ]
        )
        answer = ", ".join(f"({r + 1},{c + 1})" for r, c in presses)
        return Instance(
            puzzle={"size": n, "board": show(board, n)}, answer=answer, prompt=prompt, stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        n = puzzle["size"]
        cells = parse_cells(answer, n)
        if cells is None:
            return 0.0
        board = int(puzzle["board"].replace("\n", "")[::-1], 2)
        return float(press(board, n, cells) == 0)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        n = puzzle["size"]
        board = int(puzzle["board"].replace("\n", "")[::-1], 2)
        log: list[str] = []
        presses, _ = solve(board, n, log)
        for r, c in presses or []:
            board = press(board, n, [(r, c)])
            log.append(f"Press ({r + 1},{c + 1}): " + " / ".join(show(board, n).splitlines()))
        log.append("Every light is off." if board == 0 else "Some lights remain: no solution.")
        return log


_CELL = re.compile(r"\(?\s*(\d+)\s*,\s*(\d+)\s*\)?|r(\d+)\s*c(\d+)")


def parse_cells(answer: str, n: int) -> list[tuple[int, int]] | None:
    text = normalize(answer)
    cells = []
    for m in _CELL.finditer(text):
        r, c = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        r, c = int(r) - 1, int(c) - 1
        if not (0 <= r < n and 0 <= c < n):
            return None
        cells.append((r, c))
    leftover = re.sub(r"[\s,;.]|and|press(es)?|cells?", "", _CELL.sub("", text))
    return cells if cells and not leftover else None
