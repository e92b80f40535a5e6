"""Intrinsic difficulty: how hard the exact solver found the puzzle, mapped to [0, 1].

effort = deduction steps + search nodes + 10 x backtracks; difficulty = effort / (effort + scale), where
``scale`` is the task's effort at difficulty 0.5. The map is monotone, so ordering by difficulty is ordering by
solver effort within a task, and a level label is read off fixed thresholds.
"""

from __future__ import annotations

from synth.task import SolverStats

LEVELS = ((1 / 3, "easy"), (2 / 3, "medium"), (1.01, "hard"))


def score(stats: SolverStats, scale: float) -> tuple[float, str]:
    effort = stats.effort()
    difficulty = round(effort / (effort + scale), 4) if effort > 0 else 0.0
    level = next(name for bound, name in LEVELS if difficulty < bound)
    return difficulty, level
