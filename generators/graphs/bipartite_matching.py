"""Maximum bipartite matching size: people and the jobs each can do (augmenting paths, Kuhn's algorithm).

The answer is one number, unique by definition. The trace assigns people one by one, and when a person's
jobs are all taken, follows an augmenting path that moves earlier assignments to make room, or reports that
none exists.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field

from generators.common import NAMES, answer_instruction, pick
from synth.answers import parse_single_int
from synth.task import Instance, Params, SolverStats, Task, register

JOBS = [
    "cook",
    "driver",
    "guard",
    "nurse",
    "pilot",
    "clerk",
    "medic",
    "tutor",
    "baker",
    "coder",
    "painter",
    "welder",
    "farmer",
    "singer",
    "tailor",
    "usher",
]


class MatchingParams(Params):
    left: int = Field(5, ge=2, le=16, description="number of people")
    right: int = Field(5, ge=2, le=16, description="number of jobs")
    degree: float = Field(2.0, ge=1.0, le=6.0, description="average number of jobs a person can do")


def kuhn(left: list[str], adj: dict[str, list[str]], log: list[str] | None = None) -> tuple[int, SolverStats]:
    owner: dict[str, str] = {}
    stats = SolverStats()

    def augment(p: str, seen: set[str], path: list[str]) -> bool:
        for j in adj[p]:
            if j in seen:
                continue
            seen.add(j)
            stats.steps += 1
            if j not in owner or augment(owner[j], seen, path + [f"{owner[j]} moves off {j}"]):
                owner[j] = p
                if log is not None and path:
                    log.append(f"  Augmenting path: {'; '.join(path)}; {p} takes {j}.")
                return True
        return False

    size = 0
    for p in left:
        stats.nodes += 1
        if augment(p, set(), []):
            size += 1
            if log is not None:
                log.append(f"{p} gets {next(j for j, o in owner.items() if o == p)}. Matched so far: {size}.")
        else:
            stats.backtracks += 1
            if log is not None:
                log.append(
                    f"{p} cannot be placed: every job {p} can do is held by someone with no free alternative."
                )
    return size, stats


PROMPTS = (
    "Each person can do only some jobs, and each job needs one person:\n{lines}\nWhat is the largest number "
    "of people who can be given a job at the same time (one job each, one person per job)?",
    "Find the size of a maximum matching in this bipartite graph of people and jobs they are qualified for:\n"
    "{lines}",
    "A manager assigns at most one shift to each worker and one worker to each shift. Qualifications:\n{lines}\n"
    "How many shifts can be filled at most?",
)


@register
class BipartiteMatching(Task):
    name = "bipartite_matching"
    description = "Size of a maximum matching between people and the jobs they can do."
    Params = MatchingParams
    levels = {
        "easy": {"left": 4, "right": 4, "degree": 1.5},
        "medium": {"left": 6, "right": 6, "degree": 2.0},
        "hard": {"left": 10, "right": 9, "degree": 2.5},
        "expert": {"left": 16, "right": 14, "degree": 3.0},
    }
    effort_scale = 30.0

    def generate(self, rng: random.Random, params: MatchingParams) -> Instance:
        left = rng.sample(NAMES, params.left)
        right = rng.sample(JOBS, params.right)
        adj = {
            p: sorted(rng.sample(right, max(1, min(params.right, round(rng.gauss(params.degree, 0.7))))))
            for p in left
        }
        size, stats = kuhn(left, adj)
        lines = "\n".join(f"- {p}: {', '.join(adj[p])}" for p in left)
        prompt = "\n".join(
            [pick(rng, PROMPTS).format(lines=lines), answer_instruction("a single integer, e.g. 3")]
        )
        return Instance(
            puzzle={"left": left, "adj": adj, "size": size}, answer=str(size), prompt=prompt, stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        return float(parse_single_int(answer) == puzzle["size"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "Assign people one at a time; if all their jobs are taken, try to move an earlier person to "
            "another job they can do (an augmenting path)."
        ]
        size, _ = kuhn(puzzle["left"], puzzle["adj"], log)
        log.append(f"No augmenting path is left, so the maximum is {size}.")
        return log
