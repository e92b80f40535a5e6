"""N-queens completion: some queens are already on the board; place the rest so no two attack each other.

Givens are taken from a random solution, so a completion exists; completions may not be unique, and the
verifier checks the rules (n queens, the givens kept, no shared row, column or diagonal), so every valid
completion scores 1. The trace is the row-by-row backtracking search with its dead ends.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 80


class QueensParams(Params):
    n: int = Field(6, ge=4, le=12, description="board side and number of queens")
    given: int = Field(2, ge=0, le=11, description="queens already placed")


def search(
    n: int, fixed: dict[int, int], log: list[str] | None, limit: int = 1, shuffle: random.Random | None = None
) -> tuple[list[list[int]], SolverStats]:
    """Row-by-row backtracking; fixed maps row -> column of given queens."""
    stats = SolverStats()
    found: list[list[int]] = []
    cols: list[int] = []
    # bitmasks of the columns, diagonals (r - c + n) and anti-diagonals (r + c) already holding a queen
    busy = [0, 0, 0]
    later = {r: [(fr, fc) for fr, fc in fixed.items() if fr > r] for r in range(n)}

    def say(text: str) -> None:
        if log is not None and len(log) < TRACE_LIMIT:
            log.append(text)

    def place(r: int) -> None:
        if len(found) >= limit:
            return
        if r == n:
            found.append(list(cols))
            return
        options = [fixed[r]] if r in fixed else list(range(n))
        if shuffle is not None:
            shuffle.shuffle(options)
        col_mask, diag_mask, anti_mask = busy
        for c in options:
            stats.nodes += 1
            if (col_mask >> c) & 1 or (diag_mask >> (r - c + n)) & 1 or (anti_mask >> (r + c)) & 1:
                continue
            if any(not _free(fr, fc, r, c) for fr, fc in later[r]):
                continue
            say("  " * min(r, 6) + f"Row {r + 1}: queen in column {c + 1}.")
            cols.append(c)
            busy[:] = col_mask | 1 << c, diag_mask | 1 << (r - c + n), anti_mask | 1 << (r + c)
            place(r + 1)
            busy[:] = col_mask, diag_mask, anti_mask
            cols.pop()
            if len(found) >= limit:
                return
        stats.backtracks += 1
        say("  " * min(r, 6) + f"Row {r + 1} has no safe column left; back up.")

    place(0)
    return found, stats


@functools.cache
def all_solutions(n: int) -> tuple[tuple[int, ...], ...]:
    return tuple(map(tuple, search(n, {}, None, limit=1 << 30)[0]))


def random_solution(n: int, rng: random.Random) -> list[int]:
    """A uniformly drawn solution for boards up to 10x10 (724 of them); a randomised search above that."""
    if n <= 10:
        return list(rng.choice(all_solutions(n)))
    return search(n, {}, None, shuffle=rng)[0][0]


def _free(r1: int, c1: int, r2: int, c2: int) -> bool:
    return c1 != c2 and abs(c1 - c2) != abs(r1 - r2)


def board(n: int, queens: dict[int, int]) -> str:
    return "\n".join("".join("Q" if queens.get(r) == c else "." for c in range(n)) for r in range(n))


PROMPTS = (
    "Place {n} queens on a {n}x{n} chessboard so that no two share a row, column or diagonal. Some queens (Q) "
    "are already placed and must stay:\n{board}",
    "Complete this {n}-queens puzzle: add queens to the board below (Q = queen already there) so that there "
    "are {n} queens and none attacks another.\n{board}",
)


@register
class NQueens(Task):
    name = "n_queens"
    version = "2"
    description = "Complete an N-queens board from given queens; any valid completion is accepted."
    Params = QueensParams
    levels = {
        "easy": {"n": 5, "given": 2},
        "medium": {"n": 7, "given": 2},
        "hard": {"n": 9, "given": 2},
        "expert": {"n": 12, "given": 3},
    }
    effort_scale = 80.0

    def generate(self, rng: random.Random, params: QueensParams) -> Instance:
        n = params.n
        solution = random_solution(n, rng)
        rows = sorted(rng.sample(range(n), min(params.given, n - 1)))
        fixed = {r: solution[r] for r in rows}
        found, stats = search(n, fixed, None)
        answer = ", ".join(f"({r + 1},{c + 1})" for r, c in enumerate(found[0]))
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, board=board(n, fixed)),
                answer_instruction("all queens as (row,column) pairs counted from 1, e.g. (1,3), (2,1)"),
            ]
        )
        puzzle = {"n": n, "given": [[r, c] for r, c in fixed.items()]}
        return Instance(puzzle=puzzle, answer=answer, prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        n = puzzle["n"]
        cells = re.findall(r"\(?\s*(\d+)\s*,\s*(\d+)\s*\)?", normalize(answer))
        queens = {(int(r) - 1, int(c) - 1) for r, c in cells}
        if len(cells) != n or len(queens) != n or any(not (0 <= r < n and 0 <= c < n) for r, c in queens):
            return 0.0
        if not all((r, c) in queens for r, c in puzzle["given"]):
            return 0.0
        q = sorted(queens)
        return float(
            all(_free(a[0], a[1], b[0], b[1]) and a[0] != b[0] for i, a in enumerate(q) for b in q[i + 1 :])
        )

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        n = puzzle["n"]
        fixed = {r: c for r, c in puzzle["given"]}
        log = [
            f"Go row by row, trying columns left to right; the given queens in rows "
            f"{', '.join(str(r + 1) for r in sorted(fixed))} stay where they are."
        ]
        found, stats = search(n, fixed, log)
        if len(log) >= TRACE_LIMIT:
            log.append(f"(... {stats.backtracks} dead ends in all.)")
        if found:
            log.append(
                "All rows have a safe queen: "
                + ", ".join(f"({r + 1},{c + 1})" for r, c in enumerate(found[0]))
                + "."
            )
        return log
