"""Propositional satisfiability: find an assignment that makes a CNF formula true; any satisfying one scores 1.

Random 3-CNF formulas are drawn near the satisfiability threshold and kept only when a DPLL solver finds a
model and neither all-true nor all-false satisfies them. The verifier evaluates the answer's assignment,
so every correct assignment is accepted.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
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
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: SATParams) -> Instance:
        n = params.variables
        m = max(2, round(params.ratio * n))
        while True:
            clauses = []
            for _ in range(m):
                vs = rng.sample(range(1, n + 1), min(params.width, n))
                clauses.append(sorted((v if rng.random() < 0.5 else -v for v in vs), key=abs))
            if satisfies(clauses, dict.fromkeys(range(1, n + 1), True)) or satisfies(
                clauses, dict.fromkeys(range(1, n + 1), False)
            ):
                continue
            model, stats = dpll(clauses, n)
            if model is not None:
                break
        cnf = "\n".join(f"({' or '.join(show(x) for x in c)})" for c in clauses)
        names = ", ".join(f"x{v}" for v in range(1, n + 1))
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(cnf=cnf, vars=names),
                answer_instruction("every variable, e.g. x1=T, x2=F, x3=T"),
            ]
        )
        answer = ", ".join(f"x{v}={'T' if model[v] else 'F'}" for v in range(1, n + 1))
        return Instance(
            puzzle={"variables": n, "clauses": clauses}, answer=answer, prompt=prompt, stats=stats
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
