"""Web of lies: one person's honesty is given, each other person speaks about earlier people; find every
truth-teller.

Each statement is about people already placed in the chain (one person, or two joined by "and" / "or"), so
the roles follow one by one and the answer is unique; the test suite checks that by brute force over all role
assignments. The answer is the set of truth-tellers, so constant guesses ("everyone", "nobody") earn nothing.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import NAMES, answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class WebParams(Params):
    people: int = Field(5, ge=3, le=16, description="number of people")
    compound: float = Field(
        0.0, ge=0.0, le=1.0, description="share of statements about two people (and / or)"
    )


def claim_text(claim: list, names: list[str]) -> str:
    """claim: ["one", j, honest] or ["and"|"or", j, honest_j, k, honest_k]."""

    def one(j: int, honest: bool) -> str:
        return f"{names[j]} {'tells the truth' if honest else 'lies'}"

    if claim[0] == "one":
        return one(claim[1], claim[2])
    joiner = " and " if claim[0] == "and" else " or "
    return one(claim[1], claim[2]) + joiner + one(claim[3], claim[4])


def claim_true(claim: list, honest: list[bool]) -> bool:
    if claim[0] == "one":
        return honest[claim[1]] == claim[2]
    a, b = honest[claim[1]] == claim[2], honest[claim[3]] == claim[4]
    return a and b if claim[0] == "and" else a or b


def deduce(puzzle: dict[str, Any], log: list[str] | None = None) -> tuple[list[bool], SolverStats]:
    names = puzzle["names"]
    honest = [puzzle["first_honest"]]
    stats = SolverStats()
    if log is not None:
        log.append(f"{names[0]} {'tells the truth' if honest[0] else 'lies'} (given).")
    for i, claim in enumerate(puzzle["claims"], start=1):
        true = claim_true(claim, honest)
        honest.append(true)
        stats.steps += 1
        if log is not None:
            log.append(
                f'{names[i]} says "{claim_text(claim, names)}". That claim is {"true" if true else "false"}, '
                f"so {names[i]} {'tells the truth' if true else 'lies'}."
            )
    return honest, stats


PROMPTS = (
    "Each person below either always tells the truth or always lies.",
    "Everyone here is either a truth-teller or a liar.",
    "In this village each person is always honest or always lying.",
)


@register
class WebOfLies(Task):
    name = "web_of_lies"
    description = "A chain of people vouching for or accusing each other; name everyone who tells the truth."
    Params = WebParams
    levels = {
        "easy": {"people": 4},
        "medium": {"people": 6, "compound": 0.3},
        "hard": {"people": 10, "compound": 0.5},
        "expert": {"people": 14, "compound": 0.8},
    }
    effort_scale = 10.0

    def generate(self, rng: random.Random, params: WebParams) -> Instance:
        n = params.people
        names = rng.sample(NAMES, n)
        while True:
            claims = []
            for i in range(1, n):
                j = rng.randrange(max(0, i - 3), i)
                if i >= 2 and rng.random() < params.compound:
                    k = rng.choice([x for x in range(i) if x != j])
                    claims.append([rng.choice(["and", "or"]), j, rng.random() < 0.5, k, rng.random() < 0.5])
                else:
                    claims.append(["one", j, rng.random() < 0.5])
            puzzle = {"names": names, "first_honest": rng.random() < 0.5, "claims": claims}
            honest, stats = deduce(puzzle)
            if 0 < sum(honest) < n:
                break
        puzzle["truthful"] = [names[i] for i in range(n) if honest[i]]
        lines = [pick(rng, PROMPTS), f"{names[0]} {'tells the truth' if puzzle['first_honest'] else 'lies'}."]
        lines += [f'{names[i]} says: "{claim_text(c, names)}."' for i, c in enumerate(claims, start=1)]
        lines.append(f"Which of {', '.join(sorted(names))} tell the truth?")
        lines.append(answer_instruction("the truth-tellers' names separated by commas, e.g. Name1, Name2"))
        return Instance(
            puzzle=puzzle, answer=", ".join(puzzle["truthful"]), prompt="\n".join(lines), stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        got = parse_names(answer, puzzle["names"])
        return float(got is not None and got == set(puzzle["truthful"]))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log: list[str] = []
        honest, _ = deduce(puzzle, log)
        log.append("Truth-tellers: " + ", ".join(n for n, h in zip(puzzle["names"], honest) if h) + ".")
        return log


def parse_names(answer: str, names: list[str]) -> set[str] | None:
    """The set of names mentioned; None when the answer negates ("not", "except") or lists nothing."""
    text = normalize(answer)
    words = set(re.findall(r"[a-z]+", text))
    if words & {"not", "except", "lies", "liar", "liars", "nobody", "none"}:
        return None
    got = {n for n in names if n.lower() in words}
    return got or None
