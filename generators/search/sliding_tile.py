"""Sliding-tile puzzles (the 8-puzzle and friends): reach the goal order in the fewest moves.

Positions are scrambled by random moves from the goal (so they are solvable); the optimal length comes from
A* with the Manhattan-distance heuristic, which is admissible, so the first goal found is optimal. Any move
sequence that solves the position in that many moves scores 1 (checked by simulation).
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from generators.search.moves import parse_directions
from synth.task import Instance, Params, SolverStats, Task, register


class TileParams(Params):
    size: int = Field(3, ge=2, le=4, description="board side (3 = the 8-puzzle)")
    scramble: int = Field(10, ge=1, le=60, description="random moves applied to the goal")


def neighbours(state: tuple[int, ...], n: int):
    z = state.index(0)
    r, c = divmod(z, n)
    for move, (dr, dc) in (("U", (-1, 0)), ("D", (1, 0)), ("L", (0, -1)), ("R", (0, 1))):
        rr, cc = r + dr, c + dc
        if 0 <= rr < n and 0 <= cc < n:
            t = list(state)
            t[z], t[rr * n + cc] = t[rr * n + cc], 0
            yield move, tuple(t)


def manhattan(state: tuple[int, ...], n: int) -> int:
    total = 0
    for i, v in enumerate(state):
        if v:
            total += abs(i // n - (v - 1) // n) + abs(i % n - (v - 1) % n)
    return total


def goal(n: int) -> tuple[int, ...]:
    return tuple(list(range(1, n * n)) + [0])


def astar(start: tuple[int, ...], n: int, log: list[str] | None = None) -> tuple[list[str], SolverStats]:
    target = goal(n)
    stats = SolverStats()
    best = {start: 0}
    prev: dict[tuple[int, ...], tuple[tuple[int, ...], str]] = {}
    heap = [(manhattan(start, n), 0, start)]
    if log is not None:
        log.append(
            f"The tiles' Manhattan distances to their goal squares add up to {manhattan(start, n)}, so at "
            "least that many moves are needed. Expand positions in order of moves so far + that estimate."
        )
    while heap:
        f, g, s = heapq.heappop(heap)
        if g > best.get(s, 1 << 30):
            continue
        stats.nodes += 1
        if s == target:
            break
        for move, t in neighbours(s, n):
            stats.steps += 1
            if g + 1 < best.get(t, 1 << 30):
                best[t] = g + 1
                prev[t] = (s, move)
                heapq.heappush(heap, (g + 1 + manhattan(t, n), g + 1, t))
    path = []
    s = target
    while s != start:
        s, move = prev[s]
        path.append(move)
    path.reverse()
    stats.backtracks = max(0, stats.nodes - len(path) - 1)  # expanded positions off the final route
    if log is not None:
        log.append(
            f"A* expanded {stats.nodes} positions; {stats.backtracks} of them were dead ends off the "
            f"optimal route. The goal is {len(path)} moves away."
        )
        state = start
        for move in path:
            state = dict(neighbours(state, n))[move]
            log.append(
                f"Blank {move}: "
                + " / ".join(
                    " ".join(str(v) if v else "_" for v in state[r * n : (r + 1) * n]) for r in range(n)
                )
            )
    return path, stats


def board(state: tuple[int, ...], n: int) -> str:
    return "\n".join(" ".join(str(v) if v else "_" for v in state[r * n : (r + 1) * n]) for r in range(n))


PROMPTS = (
    "Solve this sliding puzzle in as few moves as possible. '_' is the empty square; a move slides a tile into "
    "it, which we name by the direction the empty square moves (U, D, L, R).\n{board}\nGoal:\n{goal}",
    "Numbered tiles on a {n}x{n} board, '_' empty:\n{board}\nReach\n{goal}\nwith the minimum number of moves. "
    "Write each move as the direction the blank travels: U, D, L or R.",
)


@register
class SlidingTile(Task):
    name = "sliding_tile"
    description = "Sliding-tile puzzles (8-puzzle and friends) solved in the minimum number of moves."
    Params = TileParams
    levels = {
        "easy": {"size": 3, "scramble": 6},
        "medium": {"size": 3, "scramble": 14},
        "hard": {"size": 3, "scramble": 30},
        "expert": {"size": 4, "scramble": 30},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: TileParams) -> Instance:
        n = params.size
        while True:
            state = goal(n)
            last = None
            for _ in range(params.scramble):
                options = [(m, t) for m, t in neighbours(state, n) if t != last]
                last = state
                _, state = rng.choice(options)
            if state != goal(n):
                break
        path, stats = astar(state, n)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(board=board(state, n), goal=board(goal(n), n), n=n),
                answer_instruction("moves separated by spaces, e.g. L U R"),
            ]
        )
        return Instance(
            puzzle={"size": n, "start": list(state), "moves": len(path)},
            answer=" ".join(path),
            prompt=prompt,
            stats=stats,
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        moves = parse_directions(answer)
        n = puzzle["size"]
        if moves is None or len(moves) != puzzle["moves"]:
            return 0.0
        state = tuple(puzzle["start"])
        for m in moves:
            nxt = dict(neighbours(state, n)).get(m)
            if nxt is None:
                return 0.0
            state = nxt
        return float(state == goal(n))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log: list[str] = []
        astar(tuple(puzzle["start"]), puzzle["size"], log)
        return log
