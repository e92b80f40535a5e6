"""Tower of Hanoi from an arbitrary legal position: move every disk onto a target peg in the fewest moves.

Any legal position can be gathered on a peg optimally by the classic recursion on the largest disk that is
not yet in place; the verifier simulates the answer (each move from a non-empty peg onto a larger disk or an
empty peg) and accepts any sequence that ends solved in the minimum number of moves.
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register


class HanoiParams(Params):
    disks: int = Field(3, ge=2, le=10, description="number of disks")
    scrambled: bool = Field(False, description="start from a random legal position instead of one tower")


def solve(
    position: list[int], target: int, log: list[str] | None = None
) -> tuple[list[tuple[int, int]], SolverStats]:
    """Optimal moves gathering every disk on ``target``; position[d] is the peg (1-3) of disk d+1."""
    pos = list(position)
    moves: list[tuple[int, int]] = []
    stats = SolverStats()

    def gather(k: int, peg: int, depth: int) -> None:
        """Move disks 1..k onto ``peg`` (the calls on smaller disks that end a call run as a loop)."""
        while k:
            stats.nodes += 1
            here = pos[k - 1]
            if here == peg:
                k -= 1
                continue
            other = 6 - peg - here
            if log is not None and depth < 3:
                log.append(
                    f"{'  ' * depth}Disk {k} must go from peg {here} to peg {peg}: first clear disks 1-{k - 1} "
                    f"onto peg {other}."
                    if k > 1
                    else f"{'  ' * depth}Move disk 1 to peg {peg}."
                )
            gather(k - 1, other, depth + 1)
            moves.append((here, peg))
            stats.steps += 1
            pos[k - 1] = peg
            k, depth = k - 1, depth + 1

    gather(len(pos), target, 0)
    return moves, stats


def apply(position: list[int], moves: list[tuple[int, int]]) -> list[int] | None:
    pos = list(position)
    for a, b in moves:
        on_a = [d for d in range(len(pos)) if pos[d] == a]
        on_b = [d for d in range(len(pos)) if pos[d] == b]
        if a == b or not on_a or (on_b and min(on_b) < min(on_a)):
            return None
        pos[min(on_a)] = b
    return pos


def describe(position: list[int]) -> str:
    pegs: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for d in range(len(position), 0, -1):  # bottom to top: larger disks first
        pegs[position[d - 1]].append(str(d))
    return "; ".join(f"peg {p}: " + (", ".join(ds) if ds else "empty") for p, ds in pegs.items())


MOVE_TEXT = {(a, b): f"{a}->{b}" for a in (1, 2, 3) for b in (1, 2, 3)}


PROMPTS = (
    "Tower of Hanoi with {n} disks (1 is the smallest) on pegs 1, 2, 3. Current position, bottom to top: "
    "{pos}. Move all disks onto peg {t} in as few moves as possible, one disk at a time, never placing a disk "
    "on a smaller one.",
    "Disks numbered 1 (smallest) to {n} sit on three pegs as follows (bottom to top): {pos}. Using the fewest "
    "legal moves (one top disk at a time, never onto a smaller disk), stack them all on peg {t}.",
)


@register
class Hanoi(Task):
    name = "hanoi"
    description = "Tower of Hanoi, from the classic start or a scrambled legal position, in the fewest moves."
    Params = HanoiParams
    levels = {
        "easy": {"disks": 3, "scrambled": True},
        "medium": {"disks": 5, "scrambled": True},
        "hard": {"disks": 7, "scrambled": True},
        "expert": {"disks": 9, "scrambled": True},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: HanoiParams) -> Instance:
        n = params.disks
        while True:
            position = [rng.randint(1, 3) for _ in range(n)] if params.scrambled else [rng.randint(1, 3)] * n
            target = rng.choice([p for p in (1, 2, 3) if params.scrambled or p != position[0]])
            moves, stats = solve(position, target)
            if moves:
                break
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(n=n, pos=describe(position), t=target),
                answer_instruction("moves as from->to peg pairs separated by commas, e.g. 1->3, 1->2, 3->2"),
            ]
        )
        puzzle = {"position": position, "target": target, "moves": len(moves)}
        return Instance(
            puzzle=puzzle, answer=", ".join(map(MOVE_TEXT.get, moves)), prompt=prompt, stats=stats
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        moves = parse_moves(answer)
        if moves is None or len(moves) != puzzle["moves"]:
            return 0.0
        final = apply(puzzle["position"], moves)
        return float(final is not None and set(final) == {puzzle["target"]})

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "Work on the largest disk that is not yet on the target peg: the smaller disks must first be "
            "gathered on the third peg, then it moves, then they follow."
        ]
        moves, _ = solve(puzzle["position"], puzzle["target"], log)
        log.append(f"That takes {len(moves)} moves: " + ", ".join(f"{a}->{b}" for a, b in moves) + ".")
        return log


_MOVE = re.compile(r"([123])\s*(?:->|→|to|-)\s*([123])")


def parse_moves(answer: str) -> list[tuple[int, int]] | None:
    text = normalize(answer)
    moves = [(int(a), int(b)) for a, b in _MOVE.findall(text)]
    leftover = _MOVE.sub(" ", text)
    leftover = re.sub(r"(move|peg|disk|from|,|;|\.|\s|\d+\s*:|\(|\))", "", leftover)
    return moves if moves and not leftover else None
