"""Chinese remainder problems: the smallest non-negative x with given remainders for pairwise coprime moduli.

Coprime moduli make the answer unique below their product. The trace merges one congruence at a time by
stepping through candidates of the combined modulus (the method taught by hand).
"""

from __future__ import annotations

import math
import random
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import parse_single_int
from synth.task import Instance, Params, SolverStats, Task, register

PRIMES_AND_POWERS = [2, 3, 4, 5, 7, 8, 9, 11, 13, 16, 17, 19, 23, 25, 27, 29, 31]


class CRTParams(Params):
    congruences: int = Field(2, ge=2, le=5, description="number of congruences")
    max_modulus: int = Field(13, ge=3, le=31, description="largest modulus")


def merge(pairs: list[list[int]], log: list[str] | None = None) -> tuple[int, SolverStats]:
    stats = SolverStats()
    x, m = pairs[0][0] % pairs[0][1], pairs[0][1]
    if log is not None:
        log.append(f"Start with x = {x} (mod {m}).")
    for r, mod in pairs[1:]:
        k = 0
        while (x + k * m) % mod != r % mod:
            k += 1
            stats.steps += 1
        new = x + k * m
        if log is not None:
            tried = ", ".join(str(x + j * m) for j in range(min(k + 1, 6)))
            log.append(
                f"Candidates {tried}{', ...' if k >= 6 else ''}: {new} leaves remainder {r} mod {mod}, "
                f"so x = {new} (mod {m * mod})."
            )
        x, m = new, m * mod
        stats.nodes += 1
    return x, stats


PROMPTS = (
    "Find the smallest non-negative integer x such that {conds}.",
    "A number leaves these remainders: {conds}. What is the smallest such non-negative number?",
    "Solve the system of congruences {conds}. Give the least non-negative solution.",
)


@register
class CRT(Task):
    name = "crt"
    description = "Smallest non-negative solution of congruences with pairwise coprime moduli."
    Params = CRTParams
    levels = {
        "easy": {"congruences": 2, "max_modulus": 9},
        "medium": {"congruences": 3, "max_modulus": 13},
        "hard": {"congruences": 4, "max_modulus": 23},
        "expert": {"congruences": 5, "max_modulus": 31},
    }
    effort_scale = 30.0

    def generate(self, rng: random.Random, params: CRTParams) -> Instance:
        pool = [m for m in PRIMES_AND_POWERS if m <= params.max_modulus]
        while True:
            mods = rng.sample(pool, params.congruences)
            if all(math.gcd(a, b) == 1 for i, a in enumerate(mods) for b in mods[i + 1 :]):
                break
        x_true = rng.randrange(math.prod(mods))
        pairs = [[x_true % m, m] for m in mods]
        x, stats = merge(pairs)
        conds = ", ".join(f"x ≡ {r} (mod {m})" for r, m in pairs)
        prompt = "\n".join(
            [pick(rng, PROMPTS).format(conds=conds), answer_instruction("a single integer, e.g. 41")]
        )
        return Instance(puzzle={"congruences": pairs, "x": x}, answer=str(x), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        return float(parse_single_int(answer) == puzzle["x"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "The moduli are pairwise coprime, so there is exactly one solution below their product. Merge "
            "the congruences one at a time."
        ]
        x, _ = merge(puzzle["congruences"], log)
        log.append(f"The smallest non-negative solution is {x}.")
        return log
