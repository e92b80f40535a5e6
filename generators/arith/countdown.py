"""Countdown: reach a target from given numbers with + - * / (each number used at most once, or exactly once).

Targets come from a random combination of the numbers, so every instance is solvable; the stored answer is
the first solution an exhaustive depth-first search finds. That search runs compiled with numba
(``_search``); ``solve`` is the same search in Python, narrated for the trace, and finds the same
expression with the same effort. Any valid expression scores 1: the verifier parses
the model's expression with a small recursive-descent parser (never ``eval``, never ``sympy.parse_expr``),
evaluates it exactly with fractions, and checks which numbers it used.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction
from typing import Any

import numpy as np
from numba import njit, types
from numba.typed import Dict
from pydantic import Field, model_validator

from generators.common import answer_instruction, pick
from synth.task import Instance, Params, SolverStats, Task, register

SMALL = list(range(1, 11)) * 2
LARGE = [25, 50, 75, 100]
NODE_BUDGET = 200_000


class CountdownParams(Params):
    numbers: int = Field(4, ge=2, le=6, description="how many numbers are given")
    large: int = Field(1, ge=0, le=4, description="how many of them come from 25, 50, 75, 100")
    min_target: int = Field(10, ge=1, le=10_000, description="smallest target")
    max_target: int = Field(100, ge=1, le=100_000, description="largest target")
    use_all: bool = Field(False, description="every number must be used exactly once")

    @model_validator(mode="after")
    def _consistent(self) -> CountdownParams:
        if self.large > self.numbers:
            raise ValueError("large cannot exceed numbers")
        if self.min_target > self.max_target:
            raise ValueError("min_target must not exceed max_target")
        return self


Item = tuple[int, str, int]  # value, expression text, precedence of its top operator (3 = atom)
PREC = {"+": 1, "-": 1, "*": 2, "/": 2}


def combine(a: Item, b: Item, op: str) -> Item | None:
    """a op b when it stays a positive integer and is not a no-op (x*1, x/1)."""
    x, y = a[0], b[0]
    if op == "+":
        v = x + y
    elif op == "-":
        v = x - y
        if v <= 0:
            return None
    elif op == "*":
        if x == 1 or y == 1:
            return None
        v = x * y
    else:
        if y == 1 or x % y:
            return None
        v = x // y
    p = PREC[op]
    left = a[1] if a[2] >= p else f"({a[1]})"
    right = b[1] if b[2] > p or (b[2] == p and op in "+*") else f"({b[1]})"
    return v, f"{left} {op} {right}", p


def solve(
    numbers: list[int], target: int, use_all: bool, log: list[str] | None = None
) -> tuple[str | None, list[str], SolverStats]:
    """First solution found by depth-first search over pairs, with memo of dead multisets.

    The search runs on bare values (the hot loop); the expression and its steps are rebuilt afterwards by
    replaying the winning sequence of operations with ``combine``.
    """
    stats = SolverStats()
    dead: set[tuple[int, ...]] = set()
    ops: list[tuple[int, int, str]] = []
    top = len(numbers)

    def dfs(vals: list[int]) -> bool:
        stats.nodes += 1
        if stats.nodes > NODE_BUDGET:
            return False
        if (not use_all or len(vals) == 1) and target in vals:
            return True
        key = tuple(sorted(vals))
        m = len(vals)
        if m == 1 or key in dead:
            return False
        for i in range(m):
            x = vals[i]
            for j in range(m):
                if i == j:
                    continue
                y = vals[j]
                for op in "+-*/":
                    if op == "+":
                        if i > j:
                            continue
                        v = x + y
                    elif op == "-":
                        v = x - y
                        if v <= 0:
                            continue
                    elif op == "*":
                        if i > j or x == 1 or y == 1:
                            continue
                        v = x * y
                    else:
                        if y == 1 or x % y:
                            continue
                        v = x // y
                    stats.steps += 1
                    rest = [vals[k] for k in range(m) if k != i and k != j]
                    rest.append(v)
                    ops.append((i, j, op))
                    if dfs(rest):
                        return True
                    ops.pop()
                    if m == top:
                        stats.backtracks += 1
                        if log is not None and len(log) < 6:
                            log.append(
                                f"Try {x} {op} {y} = {v} first: the remaining numbers {sorted(rest[:-1])} with "
                                f"{v} cannot make {target}. Undo."
                            )
        dead.add(key)
        return False

    if not dfs(list(numbers)):
        return None, [], stats
    found, path = replay(numbers, ops, target)
    return found, path, stats


def replay(numbers: list[int], ops: list[tuple[int, int, str]], target: int) -> tuple[str, list[str]]:
    """The expression and its steps from a search's winning sequence of (i, j, op) on the remaining values."""
    items: list[Item] = [(n, str(n), 3) for n in numbers]
    path = []
    for i, j, op in ops:
        c = combine(items[i], items[j], op)
        assert c is not None
        path.append(f"{items[i][0]} {op} {items[j][0]} = {c[0]}")
        items = [items[k] for k in range(len(items)) if k not in (i, j)] + [c]
    return next(it[1] for it in items if it[0] == target), path


# -- the compiled search: ``solve`` on arrays ---------------------------------------------------------------
# Values stay below 2**31 (at most six numbers, the largest product about 1.03e9), so a sorted multiset of up
# to six values packs exactly into three int64s, the key of the dead-multiset memo.


_KEY = types.UniTuple(types.int64, 3)


@njit(cache=True)
def _key(vals: np.ndarray, m: int, into: np.ndarray) -> tuple[int, int, int]:
    into[:] = 0
    for k in range(m):  # insertion sort of vals[:m] into into[:m]
        v, p = vals[k], k
        while p > 0 and into[p - 1] > v:
            into[p] = into[p - 1]
            p -= 1
        into[p] = v
    return (into[0] << 32) | into[1], (into[2] << 32) | into[3], (into[4] << 32) | into[5]


@njit(cache=True)
def _next_move(vals: np.ndarray, m: int, pos: int) -> tuple[int, int]:
    """The first move at or after pos = (i * m + j) * 4 + op that ``dfs`` would make, and its value;
    pos = m * m * 4 when none is left. Ops 0-3 are + - * /; + and * only once per pair, no x*1 or x/1."""
    while pos < m * m * 4:
        i, j, op = pos // (4 * m), (pos // 4) % m, pos % 4
        x, y = vals[i], vals[j]
        if i != j:
            if op == 0 and i < j:
                return pos, x + y
            if op == 1 and x > y:
                return pos, x - y
            if op == 2 and i < j and x != 1 and y != 1:
                return pos, x * y
            if op == 3 and y != 1 and x % y == 0:
                return pos, x // y
        pos += 1
    return pos, 0


@njit(cache=True)
def _dfs(
    numbers: np.ndarray, target: int, use_all: bool, budget: int, ops: np.ndarray, stats: np.ndarray
) -> int:
    """``dfs`` of ``solve`` move for move, without recursion (numba cannot cache recursive functions safely).

    stack[d] holds the values left at depth d and pos[d] the next move to try there; ops[d] is the move made
    (i, j, op). stats counts nodes, backtracks and steps as SolverStats does. Returns the depth where the
    target appeared (the number of moves), or -1.
    """
    top = len(numbers)
    stack = np.zeros((top, 6), np.int64)
    stack[0, :top] = numbers
    pos = np.zeros(top, np.int64)
    keys = np.zeros((top, 3), np.int64)
    scratch = np.zeros(6, np.int64)
    dead = Dict.empty(_KEY, types.boolean)
    depth, entering = 0, True
    while True:
        m = top - depth
        vals = stack[depth]
        if entering:  # a new node: the checks at the top of dfs
            entering = False
            stats[0] += 1
            failed = stats[0] > budget
            if not failed and (not use_all or m == 1):
                for k in range(m):
                    if vals[k] == target:
                        return depth
            if not failed:
                key = _key(vals, m, scratch)
                failed = m == 1 or key in dead
                keys[depth, 0], keys[depth, 1], keys[depth, 2] = key
                pos[depth] = 0
        else:  # back at this node: try its next move
            p, v = _next_move(vals, m, pos[depth])
            failed = p == m * m * 4
            if failed:
                key = (keys[depth, 0], keys[depth, 1], keys[depth, 2])
                dead[key] = True
            else:
                i, j, op = p // (4 * m), (p // 4) % m, p % 4
                stats[2] += 1
                n = 0
                for k in range(m):
                    if k != i and k != j:
                        stack[depth + 1, n] = vals[k]
                        n += 1
                stack[depth + 1, n] = v
                ops[depth, 0], ops[depth, 1], ops[depth, 2] = i, j, op
                pos[depth] = p + 1
                depth, entering = depth + 1, True
                continue
        if failed:  # return -1 to the parent, which counts a backtrack at the top level
            if depth == 0:
                return -1
            depth -= 1
            if depth == 0:
                stats[1] += 1


@njit(cache=True)
def _search(
    numbers: np.ndarray, target: int, use_all: bool, budget: int
) -> tuple[int, np.ndarray, np.ndarray]:
    """How many moves the first solution takes (-1 if none within the budget), the moves, and the stats."""
    ops = np.zeros((len(numbers), 3), np.int64)
    stats = np.zeros(3, np.int64)
    return _dfs(numbers, target, use_all, budget, ops, stats), ops, stats


def random_target(rng: random.Random, numbers: list[int], p: CountdownParams) -> int | None:
    items: list[Item] = [(n, str(n), 3) for n in numbers]
    rng.shuffle(items)
    stop = len(items) if p.use_all else rng.randint(2, len(items))
    used = 1
    while used < stop:
        a, b = items.pop(), items.pop()
        options = [c for op in "+-*/" for c in (combine(a, b, op), combine(b, a, op)) if c is not None]
        if not options:
            return None
        items.append(rng.choice(options))
        used += 1
    value = items[-1][0]
    if p.min_target <= value <= p.max_target and value not in numbers:
        return value
    return None


PROMPTS = (
    "Using the numbers {numbers}, make {target}. You may use +, -, * and / and parentheses; {rule}",
    "Reach the target {target} with the numbers {numbers} and the operations +, -, *, /. {Rule}",
    "Countdown: combine {numbers} with addition, subtraction, multiplication and division to get exactly "
    "{target}. {Rule}",
)


@register
class Countdown(Task):
    name = "countdown"
    version = "1"
    description = "Combine given numbers with + - * / to hit a target; any valid expression is accepted."
    Params = CountdownParams
    levels = {
        "easy": {"numbers": 3, "large": 0, "min_target": 10, "max_target": 50},
        "medium": {"numbers": 4, "large": 1, "min_target": 20, "max_target": 200},
        "hard": {"numbers": 5, "large": 1, "min_target": 100, "max_target": 500, "use_all": True},
        "expert": {"numbers": 6, "large": 2, "min_target": 100, "max_target": 999},
    }
    effort_scale = 50.0

    def generate(self, rng: random.Random, params: CountdownParams) -> Instance:
        while True:
            numbers = rng.sample(LARGE, params.large) + rng.sample(SMALL, params.numbers - params.large)
            rng.shuffle(numbers)
            target = random_target(rng, numbers, params)
            if target is None:
                continue
            moves, ops, proof = _search(np.array(numbers), target, params.use_all, NODE_BUDGET)
            if moves >= 0:
                break
        expression, _ = replay(numbers, [(i, j, "+-*/"[op]) for i, j, op in ops[:moves].tolist()], target)
        stats = SolverStats(*proof.tolist())
        puzzle = {"numbers": numbers, "target": target, "use_all": params.use_all}
        rule = (
            "each number must be used exactly once."
            if params.use_all
            else "each number may be used at most once."
        )
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(
                    numbers=", ".join(map(str, numbers)),
                    target=target,
                    rule=rule,
                    Rule=rule[0].upper() + rule[1:],
                ),
                answer_instruction("a single arithmetic expression such as (7 - 2) * 3 + 1"),
            ]
        )
        return Instance(puzzle=puzzle, answer=expression, prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        parsed = parse_expression(answer)
        if parsed is None:
            return 0.0
        value, used = parsed
        if value != puzzle["target"]:
            return 0.0
        pool = list(puzzle["numbers"])
        for n in used:
            if n not in pool:
                return 0.0
            pool.remove(n)
        return float(not (puzzle["use_all"] and pool))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log: list[str] = [f"Goal: {puzzle['target']} from {puzzle['numbers']}."]
        expression, path, _ = solve(puzzle["numbers"], puzzle["target"], puzzle["use_all"], log)
        if expression is None:
            return log
        log.append("Now a line that works:")
        log += [f"  {step}" for step in path]
        log.append(f"So {expression} = {puzzle['target']}.")
        return log


# -- the safe expression parser ---------------------------------------------------------------------------

MAX_EXPR_CHARS = 300
_TOKEN = re.compile(r"\s*(\d+|[-+*/()])")
_REPLACE = {
    "×": "*",
    " x ": " * ",
    " X ": " * ",
    "·": "*",
    "÷": "/",
    "−": "-",
    "–": "-",
    "\\times": "*",
    "\\cdot": "*",
    "\\div": "/",
    "\\left": "",
    "\\right": "",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
}


def parse_expression(text: str) -> tuple[Fraction, list[int]] | None:
    """(exact value, numbers used) of an arithmetic expression, or None if it is anything else."""
    if not isinstance(text, str) or len(text) > MAX_EXPR_CHARS:
        return None
    for old, new in _REPLACE.items():
        text = text.replace(old, new)
    text = text.replace("$", "").strip()
    if "=" in text:  # "(6 + 4) * 3 = 30" or "30 = (6 + 4) * 3": keep the side that is an expression
        sides = [s for s in text.split("=") if re.search(r"[-+*/]", s)]
        if len(sides) != 1:
            return None
        text = sides[0]
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return None
        tokens.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    used: list[int] = []
    try:
        value, rest = _expr(tokens, 0, used, 0)
    except (_Invalid, ZeroDivisionError):
        return None
    if rest != len(tokens):
        return None
    return value, used


class _Invalid(Exception):
    pass


def _expr(t: list[str], i: int, used: list[int], depth: int) -> tuple[Fraction, int]:
    value, i = _term(t, i, used, depth)
    while i < len(t) and t[i] in "+-":
        op = t[i]
        rhs, i = _term(t, i + 1, used, depth)
        value = value + rhs if op == "+" else value - rhs
    return value, i


def _term(t: list[str], i: int, used: list[int], depth: int) -> tuple[Fraction, int]:
    value, i = _atom(t, i, used, depth)
    while i < len(t) and t[i] in "*/":
        op = t[i]
        rhs, i = _atom(t, i + 1, used, depth)
        value = value * rhs if op == "*" else value / rhs
    return value, i


def _atom(t: list[str], i: int, used: list[int], depth: int) -> tuple[Fraction, int]:
    if depth > 40 or i >= len(t):
        raise _Invalid
    if t[i] == "(":
        value, i = _expr(t, i + 1, used, depth + 1)
        if i >= len(t) or t[i] != ")":
            raise _Invalid
        return value, i + 1
    if t[i].isdigit() and len(t[i]) <= 7:
        used.append(int(t[i]))
        return Fraction(int(t[i])), i + 1
    raise _Invalid
