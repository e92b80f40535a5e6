"""Propositional satisfiability: find an assignment that makes a CNF formula true; any satisfying one scores 1.

Random 3-CNF formulas are drawn near the satisfiability threshold and kept only when a DPLL solver finds a
model and neither all-true nor all-false satisfies them. The verifier evaluates the answer's assignment,
so every correct assignment is accepted. Drawing and solving run compiled with numba (``_draw_and_solve``);
``dpll`` is the same solver in Python, narrated for the trace, and finds the same model with the same effort.
"""

from __future__ import annotations

import random
import re
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_random
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class SATParams(Params):
    variables: int = Field(5, ge=3, le=20, description="number of variables")
    ratio: float = Field(3.0, ge=1.0, le=5.0, description="clauses per variable (hard near 4.26)")
    width: int = Field(3, ge=2, le=4, description="literals per clause")


def dpll(
    clauses: list[list[int]], n: int, log: list[str] | None = None
) -> tuple[dict[int, bool] | None, SolverStats]:
    stats = SolverStats()

    def lit(x: int) -> str:
        return f"x{abs(x)}={'T' if x > 0 else 'F'}"

    def solve(assign: dict[int, bool], depth: int) -> dict[int, bool] | None:
        stats.nodes += 1
        assign = dict(assign)
        pad = "  " * depth
        while True:  # unit propagation
            unit = None
            for c in clauses:
                vals = [
                    assign.get(abs(x)) if x > 0 else (None if abs(x) not in assign else not assign[abs(x)])
                    for x in c
                ]
                if True in vals:
                    continue
                free = [x for x, v in zip(c, vals) if v is None]
                if not free:
                    if log is not None:
                        log.append(
                            f"{pad}Clause ({' or '.join(show(x) for x in c)}) is false: contradiction."
                        )
                    return None
                if len(free) == 1:
                    unit = free[0]
                    break
            if unit is None:
                break
            assign[abs(unit)] = unit > 0
            stats.steps += 1
            if log is not None:
                log.append(f"{pad}Unit clause forces {lit(unit)}.")
        free_vars = [v for v in range(1, n + 1) if v not in assign]
        if not free_vars:
            return assign
        v = free_vars[0]
        for value in (True, False):
            if log is not None:
                log.append(f"{pad}Try x{v}={'T' if value else 'F'}.")
            found = solve({**assign, v: value}, depth + 1)
            if found is not None:
                return found
            stats.backtracks += 1
        return None

    return solve({}, 0), stats


@njit(cache=True)
def _propagate(clauses: np.ndarray, values: np.ndarray, stats: np.ndarray) -> bool:
    """Unit propagation as ``dpll`` does it: clauses in order, stopping at the first conflict (False) or unit
    clause, whose literal is then set; values[v] is 1 (true), -1 (false) or 0 (free)."""
    while True:
        unit = 0
        for clause in clauses:
            satisfied, free, first_free = False, 0, 0
            for x in clause:
                v = values[abs(x)]
                if v == 0:
                    free += 1
                    if free == 1:
                        first_free = x
                elif (v > 0) == (x > 0):
                    satisfied = True
                    break
            if satisfied:
                continue
            if free == 0:
                return False
            if free == 1:
                unit = first_free
                break
        if unit == 0:
            return True
        values[abs(unit)] = 1 if unit > 0 else -1
        stats[2] += 1


@njit(cache=True)
def _dpll(clauses: np.ndarray, n: int, model: np.ndarray, stats: np.ndarray) -> bool:
    """``dpll`` on arrays, without recursion (numba cannot cache recursive functions safely): values[d] is the
    assignment at depth d, branch[d] its branching variable, tried[d] how many of true, false were tried.
    stats counts calls, backtracks and forced values, as SolverStats does; the model is left in model."""
    values = np.zeros((n + 2, n + 1), np.int64)
    branch = np.zeros(n + 2, np.int64)
    tried = np.zeros(n + 2, np.int64)
    depth, entering = 0, True
    while True:
        if entering:  # a call of solve(): propagate, then pick the first free variable
            entering = False
            stats[0] += 1
            failed = not _propagate(clauses, values[depth], stats)
            if not failed:
                branch[depth], tried[depth] = 0, 0
                for v in range(1, n + 1):
                    if values[depth, v] == 0:
                        branch[depth] = v
                        break
                if branch[depth] == 0:
                    model[:] = values[depth]
                    return True
        else:  # back from a failed branch: try the next value, true before false
            failed = tried[depth] == 2
            if not failed:
                values[depth + 1] = values[depth]
                values[depth + 1, branch[depth]] = 1 if tried[depth] == 0 else -1
                tried[depth] += 1
                depth, entering = depth + 1, True
                continue
        if failed:
            if depth == 0:
                return False
            depth -= 1
            stats[1] += 1


@njit(cache=True)
def _draw_and_solve(seed: int, n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random CNF formulas (m clauses of width distinct variables, random signs, sorted by variable) until
    one is satisfiable but neither by all-true nor by all-false. Returns the clauses, the model DPLL finds
    (1 true / -1 false, indexed from 1) and its stats.
    """
    state = np.uint64(seed)
    clauses = np.zeros((m, width), np.int64)
    pool = np.arange(1, n + 1)
    assign = np.zeros(n + 1, np.int64)
    stats = np.zeros(3, np.int64)
    while True:
        all_true = all_false = True
        for c in range(m):
            has_positive = has_negative = False
            for k in range(width):  # a partial shuffle: pool[:width] is a random sample of the variables
                state, j = next_random(state, n - k)
                pool[k], pool[k + j] = pool[k + j], pool[k]
            chosen = np.sort(pool[:width])
            for k in range(width):
                state, sign = next_random(state, 2)
                clauses[c, k] = chosen[k] if sign else -chosen[k]
                has_positive |= sign == 1
                has_negative |= sign == 0
            all_true &= has_positive
            all_false &= has_negative
        if all_true or all_false:
            continue
        stats[:] = 0
        if _dpll(clauses, n, assign, stats):
            return clauses, assign, stats


def show(x: int) -> str:
    return f"x{x}" if x > 0 else f"not x{-x}"


def satisfies(clauses: list[list[int]], assign: dict[int, bool]) -> bool:
    return all(any(assign.get(abs(x)) == (x > 0) for x in c) for c in clauses)


PROMPTS = (
    "Find truth values for {vars} that make every clause below true (each clause is an OR of literals):\n{cnf}",
    "Give a satisfying assignment of this formula in conjunctive normal form:\n{cnf}",
    "All of these conditions must hold at once:\n{cnf}\nAssign true or false to {vars}.",
)


@register
class SAT(Task):
    name = "sat"
    description = "Find a satisfying assignment of a CNF formula; any satisfying assignment is accepted."
    Params = SATParams
    levels = {
        "easy": {"variables": 4, "ratio": 2.5},
        "medium": {"variables": 7, "ratio": 3.5},
        "hard": {"variables": 12, "ratio": 4.0},
        "expert": {"variables": 18, "ratio": 4.2},
    }
    version = "2"
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: SATParams) -> Instance:
        n = params.variables
        clauses, model, proof = _draw_and_solve(
            rng.getrandbits(63), n, max(2, round(params.ratio * n)), min(params.width, n)
        )
        clauses = clauses.tolist()
        cnf = "\n".join(f"({' or '.join(map(show, c))})" for c in clauses)
        names = ", ".join(f"x{v}" for v in range(1, n + 1))
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(cnf=cnf, vars=names),
                answer_instruction("every variable, e.g. x1=T, x2=F, x3=T"),
            ]
        )
        answer = ", ".join(f"x{v}={'T' if value > 0 else 'F'}" for v, value in enumerate(model.tolist()) if v)
        return Instance(
            puzzle={"variables": n, "clauses": clauses},
            answer=answer,
            prompt=prompt,
            stats=SolverStats(*proof.tolist()),
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        assign = parse_assignment(answer, puzzle["variables"])
        return float(assign is not None and satisfies(puzzle["clauses"], assign))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "DPLL: set forced values from unit clauses, otherwise try a variable true then false, backing up "
            "on a contradiction."
        ]
        model, _ = dpll(puzzle["clauses"], puzzle["variables"], log)
        if model:
            log.append(
                "All clauses are satisfied: "
                + ", ".join(f"x{v}={'T' if model[v] else 'F'}" for v in range(1, puzzle["variables"] + 1))
                + "."
            )
        return log


_PAIR = re.compile(r"x\s*(\d+)\s*(?:=|:|is)\s*(true|false|t|f|1|0)\b")


def parse_assignment(answer: str, n: int) -> dict[int, bool] | None:
    found: dict[int, bool] = {}
    for v, value in _PAIR.findall(normalize(answer)):
        b = value in ("true", "t", "1")
        if int(v) in found and found[int(v)] != b:
            return None
        found[int(v)] = b
    return found if sorted(found) == list(range(1, n + 1)) else None
