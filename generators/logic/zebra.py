"""Zebra (Einstein) puzzles: houses in a row, each attribute value in exactly one house, solved from clues.

Clue kinds: a value is in house k, or not in house k; two values share a house, or do not; one value is
directly left of another, somewhere left of it, or next to it. Clues are true statements about a random
solution, added until the solution is the only one, then removed one by one wherever the puzzle stays
solvable at its level, so every remaining clue is needed: at ``search`` levels for uniqueness, at
``deduction`` levels for uniqueness or for solving by deduction alone (without case splits).

The solver keeps, for every (attribute, value), the bitmask of houses it may occupy. Clues and the
one-value-per-house rule narrow those masks; ``search`` levels may also need case splits, and uniqueness there
is proven by an exhaustive search that stops at the second solution.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from pydantic import Field

from generators.common import NAMES, answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

ATTRIBUTES: dict[str, list[str]] = {
    "name": NAMES[:12],
    "color": ["red", "green", "blue", "yellow", "white", "purple", "orange", "black"],
    "pet": ["dog", "cat", "bird", "fish", "horse", "rabbit", "turtle", "hamster"],
    "drink": ["tea", "coffee", "milk", "juice", "water", "cocoa", "lemonade", "soda"],
    "hobby": ["chess", "painting", "gardening", "cycling", "reading", "cooking", "fishing", "singing"],
    "food": ["pizza", "sushi", "pasta", "salad", "soup", "tacos", "curry", "bread"],
    "job": ["doctor", "teacher", "baker", "pilot", "farmer", "artist", "lawyer", "nurse"],
}
PHRASE = {  # how a value is named in a clue
    "name": "{v}",
    "color": "the person in the {v} house",
    "pet": "the person who keeps a {v}",
    "drink": "the person who drinks {v}",
    "hobby": "the person who enjoys {v}",
    "food": "the person who likes {v}",
    "job": "the {v}",
}
KINDS = ("pos", "notpos", "same", "notsame", "left", "before", "next")


class ZebraParams(Params):
    houses: int = Field(4, ge=3, le=6, description="number of houses in the row")
    attributes: int = Field(4, ge=3, le=6, description="number of attributes per house")
    question: Literal["attribute", "grid"] = Field(
        "attribute", description="ask for one value or the full grid"
    )
    solving: Literal["deduction", "search"] = Field(
        "deduction",
        description="deduction: clue propagation alone solves it; search: case splits may be needed",
    )


Var = tuple[int, int]  # (attribute index, value index)


class Solver:
    """Propagation over house bitmasks plus exhaustive search; counts effort, optionally narrates."""

    def __init__(
        self, houses: int, attrs: int, clues: list[list[Any]], log: list[str] | None = None, describe=None
    ) -> None:
        self.h, self.a, self.clues = houses, attrs, clues
        self.full = (1 << houses) - 1
        self.stats = SolverStats()
        self.log, self.describe = log, describe

    def say(self, depth: int, text: str) -> None:
        if self.log is not None:
            self.log.append("  " * depth + text)

    def initial(self) -> list[list[int]]:
        return [[self.full] * self.h for _ in range(self.a)]

    def narrow(self, dom, var: Var, mask: int, why: int | str, depth: int) -> bool:
        """Restrict var to mask. Returns True if it changed; raises _Conflict if nothing remains."""
        a, v = var
        new = dom[a][v] & mask
        if new == dom[a][v]:
            return False
        dom[a][v] = new
        self.stats.steps += 1
        if self.log is not None and self.describe is not None:
            reason = f"clue {why + 1}" if isinstance(why, int) else why
            where = _houses(new)
            self.say(
                depth,
                f"From {reason}, {self.describe(var)} is in house {where}."
                if new and new & (new - 1) == 0
                else f"From {reason}, {self.describe(var)} can only be in houses {where}."
                if new
                else f"From {reason}, {self.describe(var)} has no house left: contradiction.",
            )
        if not new:
            raise _Conflict
        return True

    def propagate(self, dom, depth: int = 0) -> bool:
        full, h = self.full, self.h
        try:
            changed = True
            while changed:
                changed = False
                for k, c in enumerate(self.clues):
                    kind = c[0]
                    if kind == "pos":
                        changed |= self.narrow(dom, (c[1], c[2]), 1 << c[3], k, depth)
                    elif kind == "notpos":
                        changed |= self.narrow(dom, (c[1], c[2]), full & ~(1 << c[3]), k, depth)
                    else:
                        x, y = (c[1], c[2]), (c[3], c[4])
                        mx, my = dom[x[0]][x[1]], dom[y[0]][y[1]]
                        if kind == "same":
                            changed |= self.narrow(dom, x, my, k, depth) | self.narrow(dom, y, mx, k, depth)
                        elif kind == "notsame":
                            if my & (my - 1) == 0:
                                changed |= self.narrow(dom, x, full & ~my, k, depth)
                            if mx & (mx - 1) == 0:
                                changed |= self.narrow(dom, y, full & ~mx, k, depth)
                        elif kind == "left":  # x directly left of y
                            changed |= self.narrow(dom, y, (mx << 1) & full, k, depth)
                            changed |= self.narrow(dom, x, my >> 1, k, depth)
                        elif kind == "next":
                            changed |= self.narrow(dom, y, ((mx << 1) | (mx >> 1)) & full, k, depth)
                            changed |= self.narrow(dom, x, ((my << 1) | (my >> 1)) & full, k, depth)
                        else:  # before: x somewhere left of y
                            low = mx & -mx
                            changed |= self.narrow(dom, y, full & ~((low << 1) - 1), k, depth)
                            high = 1 << (my.bit_length() - 1)
                            changed |= self.narrow(dom, x, high - 1, k, depth)
                for a in range(self.a):  # each house holds exactly one value of each attribute
                    row = dom[a]
                    for v in range(h):
                        m = row[v]
                        if m & (m - 1) == 0:
                            for w in range(h):
                                if w != v and row[w] & m:
                                    changed |= self.narrow(
                                        dom,
                                        (a, w),
                                        full & ~m,
                                        "each house holding one value per attribute",
                                        depth,
                                    )
                    for house in range(h):
                        bit = 1 << house
                        holders = [v for v in range(h) if row[v] & bit]
                        if not holders:
                            raise _Conflict
                        if len(holders) == 1 and row[holders[0]] != bit:
                            changed |= self.narrow(
                                dom, (a, holders[0]), bit, f"house {house + 1} needing some value", depth
                            )
            return True
        except _Conflict:
            return False

    def solve(self, limit: int, dom=None, depth: int = 0) -> list[list[list[int]]]:
        """Up to ``limit`` complete solutions (domains with one house each)."""
        self.stats.nodes += 1
        dom = dom if dom is not None else self.initial()
        if not self.propagate(dom, depth):
            return []
        open_vars = [
            (dom[a][v].bit_count(), a, v)
            for a in range(self.a)
            for v in range(self.h)
            if dom[a][v] & (dom[a][v] - 1)
        ]
        if not open_vars:
            return [dom]
        _, a, v = min(open_vars)
        found = []
        for house in _bits(dom[a][v]):
            if self.log is not None and self.describe is not None:
                self.say(depth, f"Suppose {self.describe((a, v))} is in house {house + 1}.")
            child = [row[:] for row in dom]
            child[a][v] = 1 << house
            result = self.solve(limit - len(found), child, depth + 1)
            if not result:
                self.stats.backtracks += 1
                self.say(
                    depth,
                    f"So {self.describe((a, v)) if self.describe else 'it'} is not in house {house + 1}.",
                )
            found += result
            if len(found) >= limit:
                break
        return found


class _Conflict(Exception):
    pass


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _houses(mask: int) -> str:
    return " or ".join(str(i + 1) for i in _bits(mask))


def random_clue(rng: random.Random, where: list[list[int]], houses: int) -> list[Any]:
    """A true clue about the solution ``where[a][v]`` = house of value v of attribute a."""
    attrs = len(where)
    while True:
        kind = rng.choices(KINDS, weights=(2, 2, 5, 2, 3, 2, 3))[0]
        a, v = rng.randrange(attrs), rng.randrange(houses)
        hx = where[a][v]
        if kind == "pos":
            return ["pos", a, v, hx]
        if kind == "notpos":
            return ["notpos", a, v, rng.choice([k for k in range(houses) if k != hx])]
        b = rng.choice([k for k in range(attrs) if k != a])
        if kind == "same":
            return ["same", a, v, b, where[b].index(hx)]
        if kind == "notsame":
            return ["notsame", a, v, b, rng.choice([w for w in range(houses) if where[b][w] != hx])]
        if kind == "left" and hx + 1 < houses:
            return ["left", a, v, b, where[b].index(hx + 1)]
        if kind == "next":
            near = [k for k in (hx - 1, hx + 1) if 0 <= k < houses]
            return ["next", a, v, b, where[b].index(rng.choice(near))]
        if kind == "before" and hx + 1 < houses:
            return ["before", a, v, b, where[b].index(rng.randrange(hx + 1, houses))]


def clue_text(c: list[Any], attrs: list[str], values: list[list[str]]) -> str:
    def who(a: int, v: int) -> str:
        return PHRASE[attrs[a]].format(v=values[a][v])

    kind = c[0]
    if kind == "pos":
        return f"{who(c[1], c[2])} lives in house {c[3] + 1}"
    if kind == "notpos":
        return f"{who(c[1], c[2])} does not live in house {c[3] + 1}"
    x, y = who(c[1], c[2]), who(c[3], c[4])
    return {
        "same": f"{x} is {y}" if attrs[c[3]] in ("name", "job") else f"{x} and {y} live in the same house",
        "notsame": f"{x} and {y} live in different houses",
        "left": f"{x} lives directly left of {y}",
        "before": f"{x} lives somewhere to the left of {y}",
        "next": f"{x} and {y} live next to each other",
    }[kind]


INTROS = (
    "There are {h} houses in a row, numbered 1 to {h} from left to right. Each house has a different {attrs}.",
    "{h} houses stand side by side, numbered 1 (leftmost) to {h} (rightmost). No two houses share a {attrs}.",
    "Along a street are {h} houses, numbered 1 to {h} from left to right; each {attrs} appears in exactly one house.",
)


@register
class Zebra(Task):
    name = "zebra"
    version = "1"
    description = "Einstein-style house puzzles: place every attribute value from a minimal set of clues."
    Params = ZebraParams
    levels = {
        "easy": {"houses": 3, "attributes": 3},
        "medium": {"houses": 4, "attributes": 4},
        "hard": {"houses": 5, "attributes": 5},
        "expert": {"houses": 6, "attributes": 6, "solving": "search"},
    }
    effort_scale = 150.0

    def generate(self, rng: random.Random, params: ZebraParams) -> Instance:
        h, na = params.houses, params.attributes
        attrs = ["name"] + rng.sample(sorted(k for k in ATTRIBUTES if k != "name"), na - 1)
        values = [rng.sample(ATTRIBUTES[a], h) for a in attrs]
        where = [rng.sample(range(h), h) for _ in attrs]  # where[a][v] = house of value v
        clues = self._clues(rng, where, h, na, params.solving == "search")
        puzzle: dict[str, Any] = {
            "houses": h,
            "attributes": attrs,
            "values": values,
            "clues": clues,
            "solution": [[values[a][where[a].index(k)] for a in range(na)] for k in range(h)],
        }
        if params.question == "attribute":
            a = rng.randrange(1, na)
            v = rng.randrange(h)
            puzzle["ask"] = {"attribute": attrs[a], "value": values[a][v], "answer": "name"}
        solver = Solver(h, na, clues)
        solver.solve(limit=1)
        return Instance(
            puzzle=puzzle,
            answer=self.answer_text(puzzle),
            prompt=self._prompt(rng, puzzle),
            stats=solver.stats,
        )

    def _clues(self, rng: random.Random, where, h: int, na: int, search: bool) -> list[list[Any]]:
        def unique(clues) -> bool:
            s = Solver(h, na, clues)
            if search:
                return len(s.solve(limit=2)) == 1
            dom = s.initial()
            return s.propagate(dom) and all(m & (m - 1) == 0 for row in dom for m in row)

        clues: list[list[Any]] = []
        seen: set[str] = set()
        # Grow: keep propagating one shared state, so each new clue costs one incremental fixpoint.
        solver = Solver(h, na, clues)
        dom = solver.initial()
        while True:
            c = random_clue(rng, where, h)
            if repr(c) in seen:
                continue
            seen.add(repr(c))
            clues.append(c)
            solver.propagate(dom)
            if all(m & (m - 1) == 0 for row in dom for m in row):
                break
            if search and len(clues) >= h * na // 2 and unique(clues):
                break
        # Shrink: drop every clue the solution does not need.
        for c in rng.sample(clues, len(clues)):
            trial = [x for x in clues if x is not c]
            if unique(trial):
                clues = trial
        rng.shuffle(clues)
        return clues

    @staticmethod
    def answer_text(puzzle: dict[str, Any]) -> str:
        ask = puzzle.get("ask")
        if ask:
            for row in puzzle["solution"]:
                if ask["value"] in row:
                    return row[0]
        return "\n".join(f"House {k + 1}: " + ", ".join(row) for k, row in enumerate(puzzle["solution"]))

    def _prompt(self, rng: random.Random, puzzle: dict[str, Any]) -> str:
        attrs, values = puzzle["attributes"], puzzle["values"]
        lines = [
            pick(rng, INTROS).format(h=puzzle["houses"], attrs=", ".join(attrs[:-1]) + f" and {attrs[-1]}")
        ]
        for a, name in enumerate(attrs):
            lines.append(f"- {name}: {', '.join(sorted(values[a]))}")
        lines.append("Clues:")
        for k, c in enumerate(puzzle["clues"]):
            text = clue_text(c, attrs, values)
            lines.append(f"{k + 1}. {text[0].upper() + text[1:]}.")
        ask = puzzle.get("ask")
        if ask:
            what = PHRASE[ask["attribute"]].format(v=ask["value"])
            lines.append(f"What is the name of {what}?")
            lines.append(answer_instruction("just the name, e.g. Name"))
        else:
            lines.append("Give the full arrangement.")
            example = ", ".join(f"<{a}>" for a in attrs)
            lines.append(answer_instruction(f"one line per house, 'House 1: {example}', in house order"))
        return "\n".join(lines)

    # -- verification -------------------------------------------------------------------------------------

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        if puzzle.get("ask"):
            return float(normalize(answer) == normalize(self.answer_text(puzzle)))
        grid = parse_houses(answer, puzzle)
        return float(grid is not None and grid == [sorted(map(str.lower, row)) for row in puzzle["solution"]])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        attrs, values = puzzle["attributes"], puzzle["values"]

        def describe(var: Var) -> str:
            return PHRASE[attrs[var[0]]].format(v=values[var[0]][var[1]])

        log: list[str] = []
        solver = Solver(puzzle["houses"], len(attrs), puzzle["clues"], log, describe)
        found = solver.solve(limit=1)
        if found:
            dom = found[0]
            rows = [
                [
                    values[a][v]
                    for a in range(len(attrs))
                    for v in range(puzzle["houses"])
                    if dom[a][v] == 1 << k
                ]
                for k in range(puzzle["houses"])
            ]
            log.append(
                "All values are placed: "
                + "; ".join(f"house {k + 1}: {', '.join(r)}" for k, r in enumerate(rows))
                + "."
            )
            ask = puzzle.get("ask")
            if ask:
                log.append(
                    f"{PHRASE[ask['attribute']].format(v=ask['value'])[0].upper()}"
                    f"{PHRASE[ask['attribute']].format(v=ask['value'])[1:]} is "
                    f"{self.answer_text(puzzle)}."
                )
        return log


_HOUSE = re.compile(r"\bhouse\s*#?\s*(\d+)\s*[:\-=)]?")


def parse_houses(answer: str, puzzle: dict[str, Any]) -> list[list[str]] | None:
    """Rows of values (sorted, lower case) by house from 'House k: v1, v2, ...' parts, or None."""
    text = normalize(answer)
    marks = list(_HOUSE.finditer(text))
    rows: dict[int, list[str]] = {}
    for m, nxt in zip(marks, marks[1:] + [None]):
        k = int(m.group(1))
        body = text[m.end() : nxt.start() if nxt else len(text)]
        items = sorted(x.strip(" .*|") for x in re.split(r"[,;|]", body) if x.strip(" .*|"))
        if k in rows:
            return None
        rows[k] = items
    h = puzzle["houses"]
    if sorted(rows) != list(range(1, h + 1)):
        return None
    return [rows[k] for k in range(1, h + 1)]
