"""Grid mazes: find a shortest route from S to G; any shortest route, verified by walking it, scores 1.

Mazes are carved by a randomised depth-first search (a perfect maze, one route between any two cells) and then
opened in a few more places (``loops``) so that routes can differ; the shortest length comes from breadth-first
search, and the trace is that search, layer by layer, then the route read back from the goal.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from generators.search.moves import parse_directions
from synth.task import Instance, Params, SolverStats, Task, register

STEP = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}


class MazeParams(Params):
    size: int = Field(5, ge=3, le=25, description="rooms per side; the grid is 2*size+1 characters wide")
    loops: float = Field(0.1, ge=0.0, le=0.5, description="fraction of extra walls knocked down")


def carve(rng: random.Random, n: int, loops: float) -> list[list[str]]:
    w = 2 * n + 1
    grid = [["#"] * w for _ in range(w)]
    start = (rng.randrange(n), rng.randrange(n))
    stack, seen = [start], {start}
    grid[2 * start[0] + 1][2 * start[1] + 1] = "."
    while stack:
        r, c = stack[-1]
        options = [
            (r + dr, c + dc)
            for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))
            if 0 <= r + dr < n and 0 <= c + dc < n and (r + dr, c + dc) not in seen
        ]
        if not options:
            stack.pop()
            continue
        nr, nc = rng.choice(options)
        grid[r + nr + 1][c + nc + 1] = "."
        grid[2 * nr + 1][2 * nc + 1] = "."
        seen.add((nr, nc))
        stack.append((nr, nc))
    walls = [
        (r, c) for r in range(1, w - 1) for c in range(1, w - 1) if grid[r][c] == "#" and (r % 2) != (c % 2)
    ]
    for r, c in rng.sample(walls, round(loops * len(walls))):
        grid[r][c] = "."
    return grid


def bfs(
    grid: list[list[str]], start: tuple[int, int], goal: tuple[int, int], log: list[str] | None = None
) -> tuple[list[str], SolverStats]:
    prev: dict[tuple[int, int], tuple[tuple[int, int], str]] = {}
    dist = {start: 0}
    frontier = deque([start])
    stats = SolverStats()
    layer, layer_cells = 0, []
    while frontier:
        cell = frontier.popleft()
        if dist[cell] != layer:
            if log is not None:
                log.append(
                    f"{layer} step{'s' if layer != 1 else ''} away: {len(layer_cells)} cell(s), e.g. "
                    + ", ".join(f"({r},{c})" for r, c in layer_cells[:4])
                    + "."
                )
            layer, layer_cells = dist[cell], []
        layer_cells.append(cell)
        stats.nodes += 1
        if cell == goal:
            break
        for move in "URDL":
            dr, dc = STEP[move]
            nxt = (cell[0] + dr, cell[1] + dc)
            stats.steps += 1
            if grid[nxt[0]][nxt[1]] != "#" and nxt not in dist:
                dist[nxt] = dist[cell] + 1
                prev[nxt] = (cell, move)
                frontier.append(nxt)
    path = []
    cell = goal
    while cell != start:
        cell, move = prev[cell]
        path.append(move)
    path.reverse()
    if log is not None:
        log.append(
            f"G is reached after {len(path)} steps. Following the recorded moves back from G and "
            f"reversing them: {' '.join(path)}."
        )
    return path, stats


def walk(grid: list[list[str]], start: tuple[int, int], moves: list[str]) -> tuple[int, int] | None:
    r, c = start
    for m in moves:
        dr, dc = STEP[m]
        r, c = r + dr, c + dc
        if grid[r][c] == "#":
            return None
    return r, c


PROMPTS = (
    "Find a shortest path through this maze from S to G. '#' is a wall and '.' is open floor.\n{maze}",
    "In the grid below you start at S and must reach G, moving up, down, left or right and never into a wall "
    "(#). Give a route with as few moves as possible.\n{maze}",
    "Navigate the maze from S to G in the minimum number of steps ('#' = wall):\n{maze}",
)


@register
class Maze(Task):
    name = "maze"
    description = (
        "Shortest route through a grid maze; any shortest route, verified by walking it, is accepted."
    )
    Params = MazeParams
    levels = {
        "easy": {"size": 3, "loops": 0.1},
        "medium": {"size": 5, "loops": 0.1},
        "hard": {"size": 8, "loops": 0.15},
        "expert": {"size": 12, "loops": 0.2},
    }
    effort_scale = 150.0

    def generate(self, rng: random.Random, params: MazeParams) -> Instance:
        n = params.size
        grid = carve(rng, n, params.loops)
        rooms = [(2 * r + 1, 2 * c + 1) for r in range(n) for c in range(n)]
        while True:  # a route with a turn and some length, so no constant answer walks it
            start, goal = rng.sample(rooms, 2)
            path, stats = bfs(grid, start, goal)
            if len(path) >= 4 and len(set(path)) >= 2:
                break
        grid[start[0]][start[1]], grid[goal[0]][goal[1]] = "S", "G"
        text = "\n".join("".join(row) for row in grid)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(maze=text),
                answer_instruction("the moves as letters U, D, L, R separated by spaces, e.g. R R D L"),
            ]
        )
        puzzle = {
            "grid": ["".join(row) for row in grid],
            "start": list(start),
            "goal": list(goal),
            "length": len(path),
        }
        return Instance(puzzle=puzzle, answer=" ".join(path), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        moves = parse_directions(answer)
        if moves is None or len(moves) != puzzle["length"]:
            return 0.0
        return float(
            walk([list(r) for r in puzzle["grid"]], tuple(puzzle["start"]), moves) == tuple(puzzle["goal"])
        )

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        grid = [list(r) for r in puzzle["grid"]]
        log = [
            f"Breadth-first search from S at {tuple(puzzle['start'])} (row, column), one layer of cells per "
            f"step, until G at {tuple(puzzle['goal'])} is reached."
        ]
        bfs(grid, tuple(puzzle["start"]), tuple(puzzle["goal"]), log)
        return log
