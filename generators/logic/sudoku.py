"""Sudoku (4x4, 6x6, 9x9) with a proven unique solution and a controlled deduction depth.

The solution grid comes from a randomised backtracking fill (not one pattern grid relabelled, which would
teach a model the pattern). Givens are then chosen so that the puzzle needs a given technique:

* ``naked``: every step is a cell with a single candidate;
* ``hidden``: also "this digit fits in only one cell of this row / column / box";
* ``search``: singles are not enough; at least one case split is needed.

Uniqueness proofs: for ``naked`` and ``hidden`` the puzzle is solved by those sound deductions alone, which
proves a single solution; for ``search`` every removed given is checked by asking the exact solver for a
solution that differs at that cell, and none exists.

Cells are numbered row-major; candidates are bitmasks (bit d-1 for digit d).
"""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field, model_validator

from generators.common import answer_instruction, parse_digit_grid, pick
from synth.errors import TaskError
from synth.task import Instance, Params, SolverStats, Task, register

BOXES = {4: (2, 2), 6: (2, 3), 9: (3, 3)}
TECHNIQUES = ("naked", "hidden", "search")


class SudokuParams(Params):
    size: Literal[4, 6, 9] = Field(9, description="grid side: 4, 6 or 9")
    givens: int = Field(30, ge=4, le=80, description="target number of given cells (kept higher if needed)")
    technique: Literal["naked", "hidden", "search"] = Field(
        "hidden", description="deduction depth the puzzle requires: naked singles, hidden singles, or search"
    )

    @model_validator(mode="after")
    def _fits(self) -> SudokuParams:
        if self.givens >= self.size * self.size:
            raise ValueError(
                f"givens must be below {self.size * self.size} for a {self.size}x{self.size} grid"
            )
        if self.size == 4 and self.technique != "naked":
            # measured: every minimal 4x4 puzzle falls to naked singles, so no 4x4 needs more
            raise ValueError("4x4 puzzles never need more than naked singles; use technique: naked")
        return self


class Geometry:
    """Units and peers of one grid size, computed once."""

    def __init__(self, n: int) -> None:
        bh, bw = BOXES[n]
        self.n, self.cells, self.full = n, n * n, (1 << n) - 1
        self.row = [i // n for i in range(n * n)]
        self.col = [i % n for i in range(n * n)]
        self.box = [(i // n) // bh * (n // bw) + (i % n) // bw for i in range(n * n)]
        rows = [[r * n + c for c in range(n)] for r in range(n)]
        cols = [[r * n + c for r in range(n)] for c in range(n)]
        boxes = [[i for i in range(n * n) if self.box[i] == b] for b in range(n)]
        # (kind, index, cells); the used-mask of unit k lives at masks[k] with rows, cols, boxes concatenated
        self.idx = [(self.row[i], n + self.col[i], 2 * n + self.box[i]) for i in range(n * n)]
        self.units = (
            [("row", k, u) for k, u in enumerate(rows)]
            + [("column", k, u) for k, u in enumerate(cols)]
            + [("box", k, u) for k, u in enumerate(boxes)]
        )


GEOMETRY = {n: Geometry(n) for n in BOXES}


def cell_name(g: Geometry, i: int) -> str:
    return f"r{g.row[i] + 1}c{g.col[i] + 1}"


def digits(mask: int) -> list[int]:
    return [d + 1 for d in range(mask.bit_length()) if mask >> d & 1]


class Board:
    """A partly filled grid with the used digits of every unit as bitmasks; ``ban`` excludes candidates."""

    __slots__ = ("g", "grid", "used", "ban")

    def __init__(self, g: Geometry, grid: list[int] | None = None) -> None:
        self.g = g
        self.grid = [0] * g.cells
        self.used = [0] * (3 * g.n)
        self.ban = [0] * g.cells
        for i, v in enumerate(grid or []):
            if v:
                self.place(i, v)

    def copy(self) -> Board:
        b = Board.__new__(Board)
        b.g, b.grid, b.used, b.ban = self.g, self.grid[:], self.used[:], self.ban[:]
        return b

    def place(self, i: int, v: int) -> None:
        g, bit = self.g, 1 << (v - 1)
        self.grid[i] = v
        self.used[g.row[i]] |= bit
        self.used[g.n + g.col[i]] |= bit
        self.used[2 * g.n + g.box[i]] |= bit

    def candidates(self, i: int) -> int:
        g, u = self.g, self.used
        return g.full & ~(u[g.row[i]] | u[g.n + g.col[i]] | u[2 * g.n + g.box[i]] | self.ban[i])


class Solver:
    """Singles propagation and search, counting effort and optionally narrating every step."""

    def __init__(self, log: list[str] | None = None) -> None:
        self.stats = SolverStats()
        self.log = log

    def say(self, depth: int, text: str) -> None:
        if self.log is not None:
            self.log.append("  " * depth + text)

    def propagate(self, b: Board, hidden: bool, depth: int = 0) -> bool:
        """Apply singles until stuck. False on a contradiction (a cell or a digit with no place).

        This is the hot loop of generation, hence the inlined candidate computation.
        """
        g, grid, used, ban, full, idx, log = b.g, b.grid, b.used, b.ban, b.g.full, b.g.idx, self.log
        stats = self.stats
        empties = [i for i in range(g.cells) if not grid[i]]
        while empties:
            progress = False
            rest = []
            for i in empties:
                if grid[i]:
                    continue
                r, c, x = idx[i]
                m = full & ~(used[r] | used[c] | used[x] | ban[i])
                if m & (m - 1):
                    rest.append(i)
                    continue
                if not m:
                    if log is not None:
                        self.say(depth, f"{cell_name(g, i)} has no candidate left: contradiction.")
                    return False
                grid[i] = m.bit_length()
                used[r] |= m
                used[c] |= m
                used[x] |= m
                stats.steps += 1
                progress = True
                if log is not None:
                    self.say(
                        depth,
                        f"{cell_name(g, i)} can only be {grid[i]} (every other digit is in its row, "
                        "column or box).",
                    )
            empties = rest
            if progress or not hidden:
                if progress:
                    continue
                return True
            for k, (kind, index, cells) in enumerate(g.units):
                once = twice = 0
                for i in cells:
                    if not grid[i]:
                        r, c, x = idx[i]
                        m = full & ~(used[r] | used[c] | used[x] | ban[i])
                        twice |= once & m
                        once |= m
                missing = full & ~(once | used[k])
                if missing:
                    if log is not None:
                        self.say(
                            depth,
                            f"{digits(missing)[0]} has no place left in {kind} {index + 1}: contradiction.",
                        )
                    return False
                single = once & ~twice
                if single:
                    bit = single & -single
                    i = next(i for i in cells if not grid[i] and b.candidates(i) & bit)
                    b.place(i, bit.bit_length())
                    stats.steps += 1
                    progress = True
                    if log is not None:
                        self.say(
                            depth,
                            f"In {kind} {index + 1}, {bit.bit_length()} fits only in {cell_name(g, i)}.",
                        )
            if not progress:
                return True
        return True

    def search(self, b: Board, limit: int, depth: int = 0) -> list[list[int]]:
        """Up to ``limit`` solutions of ``b`` (hidden singles plus branching on the fewest candidates)."""
        self.stats.nodes += 1
        if not self.propagate(b, hidden=True, depth=depth):
            return []
        empty = [i for i in range(b.g.cells) if not b.grid[i]]
        if not empty:
            return [b.grid]
        i = min(empty, key=lambda c: b.candidates(c).bit_count())
        options = digits(b.candidates(i))
        found: list[list[int]] = []
        for v in options:
            if self.log is not None:
                self.say(depth, f"{cell_name(b.g, i)} could be {' or '.join(map(str, options))}. Try {v}.")
            child = b.copy()
            child.place(i, v)
            result = self.search(child, limit - len(found), depth + 1)
            if not result:
                self.stats.backtracks += 1
                if self.log is not None:
                    self.say(depth, f"{v} at {cell_name(b.g, i)} leads to a contradiction; undo it.")
            found += result
            if len(found) >= limit:
                break
        return found


def random_solution(rng: random.Random, g: Geometry) -> list[int]:
    """A random complete grid: naked-singles propagation plus branching with a shuffled digit order."""
    solver = Solver()

    def fill(b: Board) -> list[int] | None:
        if not solver.propagate(b, hidden=False):
            return None
        empty = [i for i in range(g.cells) if not b.grid[i]]
        if not empty:
            return b.grid
        i = min(empty, key=lambda c: (b.candidates(c).bit_count(), rng.random()))
        options = digits(b.candidates(i))
        rng.shuffle(options)
        for v in options:
            child = b.copy()
            child.place(i, v)
            done = fill(child)
            if done is not None:
                return done
        return None

    # Boxes on the diagonal share no row or column: fill them freely, then complete by search (any 9x9
    # diagonal completes; smaller grids fall back to an empty start).
    start = Board(g)
    bh, bw = BOXES[g.n]
    for k in range(min(g.n // bh, g.n // bw)):
        box = g.box[(k * bh) * g.n + k * bw]
        cells = [i for i in range(g.cells) if g.box[i] == box]
        for i, v in zip(cells, rng.sample(range(1, g.n + 1), g.n)):
            start.place(i, v)
    solved = fill(start) or fill(Board(g))  # small grids can have diagonal boxes with no completion
    assert solved is not None
    return solved


def solvable_by(grid: list[int], g: Geometry, technique: str) -> bool:
    b = Board(g, grid)
    return Solver().propagate(b, hidden=technique != "naked") and all(b.grid)


def has_other_solution(puzzle: list[int], g: Geometry, cell: int, value: int) -> bool:
    """Whether the puzzle with ``cell`` emptied has a solution where that cell is not ``value``."""
    trial = puzzle[:]
    trial[cell] = 0
    b = Board(g, trial)
    b.ban[cell] = 1 << (value - 1)
    return bool(Solver().search(b, limit=1))


PROMPTS = (
    "Solve this {n}x{n} Sudoku. Fill every empty cell (shown as .) with a digit from 1 to {n} so that each row, "
    "each column and each {bh}x{bw} box contains every digit exactly once.",
    "Complete the {n}x{n} Sudoku grid below. Empty cells are marked with a dot. Every row, column and {bh}x{bw} "
    "box must hold the digits 1 to {n} once each.",
    "Here is a {n}x{n} Sudoku puzzle ('.' = empty). Fill it in so that no digit from 1 to {n} repeats in any "
    "row, column or {bh}x{bw} box.",
)


def grid_text(grid: list[int], n: int, blank: str = ".") -> str:
    return "\n".join(" ".join(str(v) if v else blank for v in grid[r * n : (r + 1) * n]) for r in range(n))


@register
class Sudoku(Task):
    name = "sudoku"
    version = "1"
    description = "Classic Sudoku on 4x4, 6x6 or 9x9 grids with a unique solution."
    Params = SudokuParams
    levels = {
        "easy": {"size": 9, "givens": 38, "technique": "naked"},
        "medium": {"size": 9, "givens": 30, "technique": "hidden"},
        "hard": {"size": 9, "givens": 26, "technique": "search"},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: SudokuParams) -> Instance:
        g = GEOMETRY[params.size]
        for _ in range(500):
            solution = random_solution(rng, g)
            puzzle = self._carve(rng, g, solution, params)
            if puzzle is not None:
                break
        else:
            raise TaskError(f"sudoku: no {g.n}x{g.n} puzzle needing {params.technique!r} found in 500 grids")
        data = {"size": g.n, "givens": puzzle, "solution": solution, "technique": params.technique}
        solver = Solver()
        solver.search(Board(g, puzzle), limit=1)
        bh, bw = BOXES[g.n]
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=g.n, bh=bh, bw=bw),
                "",
                grid_text(puzzle, g.n),
                "",
                answer_instruction(
                    f"the completed grid as {g.n} lines of {g.n} digits separated by spaces, e.g. a first "
                    f"line like {' '.join(str((k % g.n) + 1) for k in range(g.n))}"
                ),
            ]
        )
        return Instance(puzzle=data, answer=grid_text(solution, g.n), prompt=prompt, stats=solver.stats)

    def _carve(
        self, rng: random.Random, g: Geometry, solution: list[int], p: SudokuParams
    ) -> list[int] | None:
        """Givens for ``solution`` needing exactly ``p.technique``; None when this grid does not allow it."""
        # 1. Add givens in random order until singles determine the grid: unique by construction.
        b = Board(g)
        propagation = Solver()
        given = [0] * g.cells
        order = list(range(g.cells))
        rng.shuffle(order)
        batch = g.cells // 4  # so few random givens rarely force anything: add them before propagating
        for k, i in enumerate(order):
            if b.grid[i]:
                continue
            given[i] = solution[i]
            b.place(i, solution[i])
            if k >= batch:
                propagation.propagate(b, hidden=p.technique != "naked")
                if all(b.grid):
                    break
        # 2. Remove givens while the puzzle stays uniquely solvable with the allowed technique.
        cells = [i for i in range(g.cells) if given[i]]
        rng.shuffle(cells)
        count = len(cells)
        easier = {"naked": None, "hidden": "naked", "search": "hidden"}[p.technique]
        for i in cells:
            if count <= p.givens and (easier is None or not solvable_by(given, g, easier)):
                break
            v = given[i]
            given[i] = 0
            if p.technique == "search":
                ok = not has_other_solution(given, g, i, v)
            else:
                ok = solvable_by(given, g, p.technique)
            if ok:
                count -= 1
            else:
                given[i] = v
        # 3. Too few givens for the target (easy levels): add back solution cells; uniqueness is kept.
        free = [i for i in order if not given[i]]
        while count < p.givens and free:
            i = free.pop()
            given[i] = solution[i]
            count += 1
        if easier is not None and solvable_by(given, g, easier):
            return None
        return given

    # -- verification -------------------------------------------------------------------------------------

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        grid = parse_grid(answer, puzzle["size"])
        return float(grid is not None and grid == puzzle["solution"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        g = GEOMETRY[puzzle["size"]]
        log: list[str] = []
        solver = Solver(log)
        found = solver.search(Board(g, puzzle["givens"]), limit=1)
        if found:
            log.append("Every cell is filled and no row, column or box repeats a digit. The solution:")
            log.append(grid_text(found[0], g.n))
        return log


parse_grid = parse_digit_grid
