"""Systems of linear equations with a unique integer solution, solved by Gaussian elimination.

The solution is drawn first and the coefficient matrix is redrawn until it is invertible (exact determinant
with sympy), so the system has exactly one solution. The trace is the elimination with exact fractions.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction
from typing import Any

import sympy
from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

VARS = ["x", "y", "z", "w"]


class LinearParams(Params):
    unknowns: int = Field(2, ge=2, le=4, description="number of unknowns and equations")
    max_coefficient: int = Field(5, ge=1, le=20, description="coefficients are drawn from -max..max")
    max_value: int = Field(9, ge=1, le=99, description="the solution's values lie in -max..max")


def term(c: int, v: str, first: bool) -> str:
    sign = "-" if c < 0 else ("" if first else "+")
    mag = "" if abs(c) == 1 else str(abs(c))
    return f"{sign} {mag}{v}".strip() if not first else f"{sign}{mag}{v}"


def equation(row: list[int], rhs: int, names: list[str]) -> str:
    parts, first = [], True
    for c, v in zip(row, names):
        if c:
            parts.append(term(c, v, first))
            first = False
    return " ".join(parts) + f" = {rhs}"


def eliminate(
    a: list[list[int]], b: list[int], names: list[str], log: list[str] | None = None
) -> tuple[list[Fraction], SolverStats]:
    n = len(a)
    m = [[Fraction(x) for x in row] + [Fraction(r)] for row, r in zip(a, b)]
    stats = SolverStats()
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col] != 0)
        if pivot != col:
            m[col], m[pivot] = m[pivot], m[col]
            stats.backtracks += 1
            if log is not None:
                log.append(
                    f"Swap equations {col + 1} and {pivot + 1} to get a nonzero {names[col]} coefficient."
                )
        for r in range(col + 1, n):
            if m[r][col] == 0:
                continue
            f = m[r][col] / m[col][col]
            m[r] = [x - f * y for x, y in zip(m[r], m[col])]
            stats.steps += 1
            if log is not None:
                how = f"minus {f}" if f > 0 else f"plus {-f}"
                log.append(
                    f"Equation {r + 1} {how} times equation {col + 1} removes {names[col]}: "
                    + equation_frac(m[r], names)
                )
    values = [Fraction(0)] * n
    for r in range(n - 1, -1, -1):
        s = m[r][n] - sum(m[r][k] * values[k] for k in range(r + 1, n))
        values[r] = s / m[r][r]
        stats.nodes += 1
        if log is not None:
            log.append(f"Back-substitute: {names[r]} = {values[r]}.")
    return values, stats


def equation_frac(row: list[Fraction], names: list[str]) -> str:
    lhs = " + ".join(f"({c}){v}" for c, v in zip(row[:-1], names) if c != 0) or "0"
    return f"{lhs} = {row[-1]}"


PROMPTS = (
    "Solve the system of equations:\n{eqs}",
    "Find the values of {vars} that satisfy all of these equations:\n{eqs}",
    "The following linear equations have exactly one solution. Find it.\n{eqs}",
)


@register
class LinearSystem(Task):
    name = "linear_system"
    description = "A system of linear equations with a unique integer solution."
    Params = LinearParams
    levels = {
        "easy": {"unknowns": 2, "max_coefficient": 4, "max_value": 9},
        "medium": {"unknowns": 3, "max_coefficient": 5, "max_value": 9},
        "hard": {"unknowns": 4, "max_coefficient": 7, "max_value": 15},
    }
    effort_scale = 10.0

    def generate(self, rng: random.Random, params: LinearParams) -> Instance:
        n, k = params.unknowns, params.max_coefficient
        names = VARS[:n]
        solution = [rng.randint(-params.max_value, params.max_value) for _ in range(n)]
        while True:
            a = [[rng.randint(-k, k) for _ in range(n)] for _ in range(n)]
            if all(any(row) for row in a) and sympy.Matrix(a).det() != 0:
                break
        b = [sum(c * x for c, x in zip(row, solution)) for row in a]
        _, stats = eliminate(a, b, names)
        eqs = "\n".join(equation(row, r, names) for row, r in zip(a, b))
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(eqs=eqs, vars=", ".join(names)),
                answer_instruction(", ".join(f"{v} = {i + 2}" for i, v in enumerate(names))),
            ]
        )
        answer = ", ".join(f"{v} = {x}" for v, x in zip(names, solution))
        return Instance(
            puzzle={"a": a, "b": b, "vars": names, "solution": solution},
            answer=answer,
            prompt=prompt,
            stats=stats,
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        got = parse_assignment(answer, puzzle["vars"])
        return float(got is not None and got == [Fraction(x) for x in puzzle["solution"]])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = ["Eliminate the unknowns one at a time, then substitute back."]
        values, _ = eliminate(puzzle["a"], puzzle["b"], puzzle["vars"], log)
        log.append("Solution: " + ", ".join(f"{v} = {x}" for v, x in zip(puzzle["vars"], values)) + ".")
        return log


_PAIR = re.compile(r"\b([a-z])\s*=\s*(-?\d+(?:\s*/\s*\d+)?)")


def parse_assignment(answer: str, names: list[str]) -> list[Fraction] | None:
    found: dict[str, Fraction] = {}
    for v, value in _PAIR.findall(normalize(answer).replace("−", "-")):
        f = Fraction(value.replace(" ", ""))
        if v in found and found[v] != f:
            return None
        found[v] = f
    if sorted(found) != sorted(names):
        return None
    return [found[v] for v in names]
