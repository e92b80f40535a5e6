"""Grid mazes: find a shortest route from S to G; any shortest route, verified by walking it, scores 1.

Mazes are carved by a randomised depth-first search (a perfect maze, one route between any two cells) and then
opened in a few more places (``loops``) so that routes can differ; the shortest length comes from breadth-first
search, and the trace is that search, layer by layer, then the route read back from the goal. Carving and
the search run compiled with numba (``_carve_and_solve``); ``bfs`` is the same search in Python, narrated
for the trace, with the same route and effort.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_random
from generators.search.moves import parse_directions
from synth.task import Instance, Params, SolverStats, Task, register

STEP = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}


class MazeParams(Params):
    size: int = Field(5, ge=3, le=25, description="rooms per side; the grid is 2*size+1 characters wide")
    loops: float = Field(0.1, ge=0.0, le=0.5, description="fraction of extra walls knocked down")


WALL, FLOOR, START, GOAL, NEWLINE = (ord(ch) for ch in "#.SG\n")
MOVES = "URDL"  # the order the search tries them


@njit(cache=True)
def _carve_and_solve(seed: int, n: int, loops: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A maze of n x n rooms as ASCII rows (newline-terminated) and a shortest route between two rooms.

    Carving is a randomised depth-first search from a random room (neighbours tried right, down, left, up;
    one chosen at random), then round(loops * walls) of the walls between rooms are knocked down. Start and
    goal rooms are redrawn until the breadth-first route (moves tried up, right, down, left) has at least 4
    moves and a turn. Returns the rows, the moves (indices into MOVES) and the stats (cells taken off the
    queue, 0, neighbours looked at), as ``bfs`` counts them.
    """
    state = np.uint64(seed)
    w = 2 * n + 1
    grid = np.full((w, w + 1), WALL, np.uint8)
    grid[:, w] = NEWLINE
    seen = np.zeros((n, n), np.bool_)
    stack = np.zeros((n * n, 2), np.int64)
    options = np.zeros(4, np.int64)
    dr = np.array([0, 1, 0, -1])  # carving directions: right, down, left, up
    dc = np.array([1, 0, -1, 0])
    state, r0 = next_random(state, n)
    state, c0 = next_random(state, n)
    stack[0, 0], stack[0, 1], top = r0, c0, 1
    seen[r0, c0] = True
    grid[2 * r0 + 1, 2 * c0 + 1] = FLOOR
    while top:
        r, c = stack[top - 1, 0], stack[top - 1, 1]
        k = 0
        for d in range(4):
            nr, nc = r + dr[d], c + dc[d]
            if 0 <= nr < n and 0 <= nc < n and not seen[nr, nc]:
                options[k] = d
                k += 1
        if k == 0:
            top -= 1
            continue
        state, j = next_random(state, k)
        nr, nc = r + dr[options[j]], c + dc[options[j]]
        grid[r + nr + 1, c + nc + 1] = FLOOR
        grid[2 * nr + 1, 2 * nc + 1] = FLOOR
        seen[nr, nc] = True
        stack[top, 0], stack[top, 1] = nr, nc
        top += 1
    walls = np.zeros((w * w, 2), np.int64)
    count = 0
    for r in range(1, w - 1):
        for c in range(1, w - 1):
            if grid[r, c] == WALL and r % 2 != c % 2:
                walls[count, 0], walls[count, 1] = r, c
                count += 1
    for k in range(int(round(loops * count))):  # a partial shuffle picks the walls to knock down
        state, j = next_random(state, count - k)
        walls[k, 0], walls[k + j, 0] = walls[k + j, 0], walls[k, 0]
        walls[k, 1], walls[k + j, 1] = walls[k + j, 1], walls[k, 1]
        grid[walls[k, 0], walls[k, 1]] = FLOOR
    sr, sc = np.array([-1, 0, 1, 0]), np.array([0, 1, 0, -1])  # search moves: up, right, down, left
    dist = np.full((w, w), -1, np.int64)
    came = np.zeros((w, w), np.int64)
    queue = np.zeros((w * w, 2), np.int64)
    stats = np.zeros(3, np.int64)
    while True:
        state, a = next_random(state, n * n)
        state, b = next_random(state, n * n - 1)
        b += b >= a
        start_r, start_c, goal_r, goal_c = (
            2 * (a // n) + 1,
            2 * (a % n) + 1,
            2 * (b // n) + 1,
            2 * (b % n) + 1,
        )
        dist[:, :] = -1
        stats[:] = 0
        dist[start_r, start_c] = 0
        queue[0, 0], queue[0, 1], head, tail = start_r, start_c, 0, 1
        while head < tail:
            r, c = queue[head, 0], queue[head, 1]
            head += 1
            stats[0] += 1
            if r == goal_r and c == goal_c:
                break
            for m in range(4):
                nr, nc = r + sr[m], c + sc[m]
                stats[2] += 1
                if grid[nr, nc] != WALL and dist[nr, nc] < 0:
                    dist[nr, nc] = dist[r, c] + 1
                    came[nr, nc] = m
                    queue[tail, 0], queue[tail, 1] = nr, nc
                    tail += 1
        length = dist[goal_r, goal_c]
        path = np.zeros(length, np.int64)
        r, c = goal_r, goal_c
        for k in range(length - 1, -1, -1):
            path[k] = came[r, c]
            r, c = r - sr[path[k]], c - sc[path[k]]
        if length >= 4 and np.any(path != path[0]):
            grid[start_r, start_c], grid[goal_r, goal_c] = START, GOAL
            return grid, path, stats


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
    version = "2"
    effort_scale = 150.0

    def generate(self, rng: random.Random, params: MazeParams) -> Instance:
        grid, path, proof = _carve_and_solve(rng.getrandbits(63), params.size, params.loops)
        rows = grid.tobytes().decode().split()
        start = divmod(int(np.flatnonzero(grid == START)[0]), grid.shape[1])
        goal = divmod(int(np.flatnonzero(grid == GOAL)[0]), grid.shape[1])
        path = [MOVES[m] for m in path.tolist()]
        text = "\n".join(rows)
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(maze=text),
                answer_instruction("the moves as letters U, D, L, R separated by spaces, e.g. R R D L"),
            ]
        )
        puzzle = {"grid": rows, "start": list(start), "goal": list(goal), "length": len(path)}
        return Instance(
            puzzle=puzzle, answer=" ".join(path), prompt=prompt, stats=SolverStats(*proof.tolist())
        )

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
