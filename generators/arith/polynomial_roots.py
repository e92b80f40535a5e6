"""Roots of a polynomial with integer coefficients whose roots are all rational (rational root theorem).

The polynomial is built from its roots, so they are known exactly; the verifier compares the set of numbers
in the answer (integers or fractions, parsed by a regex, never evaluated) with the set of roots. The trace
lists the rational-root candidates, tests them by Horner's rule, and divides each root out.
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.task import Instance, Params, SolverStats, Task, register


class PolyParams(Params):
    degree: int = Field(2, ge=2, le=5, description="degree of the polynomial")
    max_root: int = Field(6, ge=1, le=20, description="roots' numerators lie in -max..max")
    fractions: bool = Field(False, description="allow roots p/q with q in 2..3")


def expand(factors: list[tuple[int, int]]) -> list[int]:
    """Coefficients (highest first) of prod(q x - p)."""
    coeffs = [1]
    for q, p in factors:
        nxt = [0] * (len(coeffs) + 1)
        for i, c in enumerate(coeffs):
            nxt[i] += c * q
            nxt[i + 1] -= c * p
        coeffs = nxt
    return coeffs


def show(coeffs: list[int]) -> str:
    n = len(coeffs) - 1
    parts = []
    for i, c in enumerate(coeffs):
        if c == 0:
            continue
        power = n - i
        mag = abs(c)
        body = (
            ("" if mag == 1 and power else str(mag))
            + ("x" if power else "")
            + (f"^{power}" if power > 1 else "")
        )
        parts.append(("-" if c < 0 else "+") + " " + body)
    text = " ".join(parts)
    return (text[2:] if text.startswith("+ ") else "-" + text[2:]) + " = 0"


def horner(coeffs: list[Fraction], x: Fraction) -> tuple[Fraction, list[Fraction]]:
    acc, quotient = Fraction(0), []
    for c in coeffs:
        acc = acc * x + c
        quotient.append(acc)
    return quotient[-1], quotient[:-1]


def divisors(n: int) -> list[int]:
    n = abs(n)
    return [d for d in range(1, n + 1) if n % d == 0]


def find_roots(coeffs: list[int], log: list[str] | None = None) -> tuple[list[Fraction], SolverStats]:
    stats = SolverStats()
    current = [Fraction(c) for c in coeffs]
    roots: list[Fraction] = []
    while len(current) > 1:
        if current[-1] == 0:
            roots.append(Fraction(0))
            current = current[:-1]
            if log is not None:
                log.append("The constant term is 0, so x = 0 is a root; divide by x.")
            continue
        scale = 1
        for c in current:
            scale = math.lcm(scale, c.denominator)
        ints = [int(c * scale) for c in current]
        candidates = sorted(
            {Fraction(s * p, q) for p in divisors(ints[-1]) for q in divisors(ints[0]) for s in (1, -1)},
            key=lambda f: (abs(f), f),
        )
        if log is not None:
            shown = ", ".join(str(c) for c in candidates[:12]) + (", ..." if len(candidates) > 12 else "")
            log.append(
                f"Rational root candidates ±p/q (p divides {abs(ints[-1])}, q divides {abs(ints[0])}): {shown}."
            )
        for cand in candidates:
            stats.steps += 1
            value, quotient = horner(current, cand)
            if value == 0:
                roots.append(cand)
                current = quotient
                stats.nodes += 1
                if log is not None:
                    log.append(
                        f"p({cand}) = 0, so x = {cand} is a root; dividing it out leaves degree {len(current) - 1}."
                    )
                break
            stats.backtracks += 1
            if log is not None and stats.backtracks <= 40:
                log.append(f"p({cand}) = {value}, not a root.")
        else:  # pragma: no cover - every generated polynomial splits over the rationals
            break
    return sorted(set(roots)), stats


PROMPTS = (
    "Find all real roots of {poly}",
    "Solve for x: {poly}",
    "Which values of x satisfy {poly}? List every distinct solution.",
)


@register
class PolynomialRoots(Task):
    name = "polynomial_roots"
    description = "All roots of a polynomial with integer coefficients and rational roots."
    Params = PolyParams
    levels = {
        "easy": {"degree": 2, "max_root": 6},
        "medium": {"degree": 3, "max_root": 6},
        "hard": {"degree": 3, "max_root": 9, "fractions": True},
        "expert": {"degree": 4, "max_root": 12, "fractions": True},
    }
    effort_scale = 20.0

    def generate(self, rng: random.Random, params: PolyParams) -> Instance:
        factors = []
        for _ in range(params.degree):
            q = rng.choice([1, 2, 3]) if params.fractions and rng.random() < 0.5 else 1
            p = rng.randint(-params.max_root, params.max_root)
            factors.append((q, p))
        coeffs = expand(factors)
        if coeffs[0] < 0:
            coeffs = [-c for c in coeffs]
        roots = sorted({Fraction(p, q) for q, p in factors})
        _, stats = find_roots(coeffs)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(poly=show(coeffs)),
                answer_instruction("the distinct roots separated by commas, e.g. x = -4, 1/3, 7"),
            ]
        )
        answer = "x = " + ", ".join(str(r) for r in roots)
        return Instance(
            puzzle={"coefficients": coeffs, "roots": [str(r) for r in roots]},
            answer=answer,
            prompt=prompt,
            stats=stats,
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        got = parse_numbers(answer)
        return float(got is not None and got == {Fraction(r) for r in puzzle["roots"]})

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            f"p(x) = {show(puzzle['coefficients'])[:-4]}. Any rational root is ±p/q with p dividing the "
            "constant term and q dividing the leading coefficient."
        ]
        roots, _ = find_roots(puzzle["coefficients"], log)
        log.append("The distinct roots are " + ", ".join(str(r) for r in roots) + ".")
        return log


_NUMBER = re.compile(r"(?<![\w.])([-+−]?\d+)(?:\s*/\s*(\d+))?(?![\w.])")


def parse_numbers(answer: str) -> set[Fraction] | None:
    text = answer.replace("\\frac{", "").replace("}{", "/").replace("}", "").replace("$", "")
    text = re.sub(r"\bx\s*(?:_\d+)?\s*=", " ", text)
    if re.search(r"\d\s*\.\s*\d", text) or re.search(r"[a-wyz]", text.lower().replace("and", "")):
        return None  # decimals or words other than x: not an exact list of roots
    found = set()
    for num, den in _NUMBER.findall(text):
        if den and int(den) == 0:
            return None
        found.add(Fraction(int(num.replace("−", "-")), int(den) if den else 1))
    return found or None
