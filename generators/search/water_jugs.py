"""Water jugs: measure an exact amount with unmarked jugs by filling, emptying and pouring, in the fewest steps.

The state graph (amounts in each jug) is searched breadth-first; instances are kept when the target is
reachable. The verifier simulates the answer and accepts any sequence that leaves the target amount in some
jug in the minimum number of steps.
"""

from __future__ import annotations

import random
import re
from collections import deque
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

NAMES = "ABC"


class JugParams(Params):
    jugs: int = Field(2, ge=2, le=3, description="number of jugs")
    max_capacity: int = Field(9, ge=3, le=30, description="largest jug capacity")
    min_steps: int = Field(3, ge=1, le=30, description="the shortest solution has at least this many steps")


Op = tuple[str, int, int]  # ("fill", i, -1) | ("empty", i, -1) | ("pour", i, j)


def step(state: tuple[int, ...], op: Op, caps: list[int]) -> tuple[int, ...]:
    s = list(state)
    kind, i, j = op
    if kind == "fill":
        s[i] = caps[i]
    elif kind == "empty":
        s[i] = 0
    else:
        amount = min(s[i], caps[j] - s[j])
        s[i] -= amount
        s[j] += amount
    return tuple(s)


def ops(n: int) -> list[Op]:
    return (
        [("fill", i, -1) for i in range(n)]
        + [("empty", i, -1) for i in range(n)]
        + [("pour", i, j) for i in range(n) for j in range(n) if i != j]
    )


def op_text(op: Op) -> str:
    kind, i, j = op
    return f"pour {NAMES[i]}->{NAMES[j]}" if kind == "pour" else f"{kind} {NAMES[i]}"


def bfs(caps: list[int], target: int, log: list[str] | None = None) -> tuple[list[Op] | None, SolverStats]:
    start = tuple(0 for _ in caps)
    prev: dict[tuple[int, ...], tuple[tuple[int, ...], Op]] = {}
    dist = {start: 0}
    queue = deque([start])
    stats = SolverStats()
    while queue:
        s = queue.popleft()
        stats.nodes += 1
        if target in s:
            path = []
            while s != start:
                s, op = prev[s]
                path.append(op)
            path.reverse()
            if log is not None:
                log.append(
                    f"After exploring {stats.nodes} states, the first state holding {target} litres is {len(path)} steps away."
                )
            return path, stats
        for op in ops(len(caps)):
            t = step(s, op, caps)
            stats.steps += 1
            if t not in dist:
                dist[t] = dist[s] + 1
                prev[t] = (s, op)
                queue.append(t)
                if log is not None and dist[t] <= 2:
                    log.append(
                        f"{dist[t]} step{'s' if dist[t] > 1 else ''}: {op_text(op)} from {s} gives {t}."
                    )
    return None, stats


PROMPTS = (
    "You have unmarked jugs {jugs} holding {caps} litres, all empty, and a tap. You may fill a jug, empty a "
    "jug, or pour one jug into another until the first is empty or the second is full. Get exactly {t} litres "
    "in some jug using as few steps as possible.",
    "Jugs {jugs} have capacities {caps} litres and start empty. With the operations fill X, empty X and pour "
    "X->Y, measure exactly {t} litres in one of the jugs in the minimum number of operations.",
)


@register
class WaterJugs(Task):
    name = "water_jugs"
    description = "Measure an exact amount with unmarked jugs (fill, empty, pour) in the fewest steps."
    Params = JugParams
    levels = {
        "easy": {"jugs": 2, "max_capacity": 7, "min_steps": 2},
        "medium": {"jugs": 2, "max_capacity": 13, "min_steps": 4},
        "hard": {"jugs": 3, "max_capacity": 17, "min_steps": 6},
        "expert": {"jugs": 3, "max_capacity": 30, "min_steps": 8},
    }
    effort_scale = 300.0

    def generate(self, rng: random.Random, params: JugParams) -> Instance:
        while True:
            caps = sorted(rng.sample(range(2, params.max_capacity + 1), params.jugs))
            target = rng.randint(1, caps[-1] - 1)
            if target in caps:
                continue
            path, stats = bfs(caps, target)
            if path is not None and len(path) >= params.min_steps:
                break
        names = [NAMES[i] for i in range(len(caps))]
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(jugs=", ".join(names), caps=", ".join(map(str, caps)), t=target),
                answer_instruction("operations separated by commas, e.g. fill A, pour A->B, empty B"),
            ]
        )
        puzzle = {"capacities": caps, "target": target, "steps": len(path)}
        return Instance(puzzle=puzzle, answer=", ".join(op_text(o) for o in path), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        caps = puzzle["capacities"]
        seq = parse_ops(answer, len(caps))
        if seq is None or len(seq) != puzzle["steps"]:
            return 0.0
        state = tuple(0 for _ in caps)
        for op in seq:
            state = step(state, op, caps)
        return float(puzzle["target"] in state)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        caps, target = puzzle["capacities"], puzzle["target"]
        log = [f"Search the states (litres in {', '.join(NAMES[: len(caps)])}) breadth-first from all empty."]
        path, _ = bfs(caps, target, log)
        state = tuple(0 for _ in caps)
        for op in path or []:
            state = step(state, op, caps)
            log.append(f"{op_text(op)}: {state}")
        log.append(f"{target} litres reached in {len(path or [])} steps.")
        return log


_OP = re.compile(r"(fill|empty|pour)\s+([abc])(?:\s*(?:->|→|into|to)\s*([abc]))?")


def parse_ops(answer: str, n: int) -> list[Op] | None:
    text = normalize(answer)
    found = _OP.findall(text)
    leftover = re.sub(r"[\s,;.\d:()]|step|then|and", "", _OP.sub(" ", text))
    if not found or leftover:
        return None
    seq = []
    for kind, a, b in found:
        i = "abc".index(a)
        if i >= n or (kind == "pour") != bool(b):
            return None
        j = "abc".index(b) if b else -1
        if j >= n or i == j:
            return None
        seq.append((kind, i, j))
    return seq
