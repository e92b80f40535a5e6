"""Knights and knaves: islanders who always tell the truth (knights) or always lie (knaves).

Each person makes one statement about the others built from "X is a knight / knave" with not, and, or,
if-then and if-and-only-if, nested up to ``depth``. The target assignment is drawn first (both roles present,
so "everyone is a knight" is never right); statements are drawn to be consistent with it, and the puzzle is
emitted only when that assignment is the *only* consistent one.

Uniqueness is exact and cheap: a statement's truth over all 2^n role assignments is one 2^n-bit integer, so
checking every assignment at once is a handful of integer operations.
Statements are JSON lists: ["knight", i], ["knave", i], ["not", s], ["and", s, ...], ["or", s, ...],
["implies", a, b], ["iff", a, b].
"""

from __future__ import annotations

import random
import re
from typing import Any

from pydantic import Field

from generators.common import NAMES, answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

Statement = list[Any]
ROLES = ("knight", "knave")


class KnightsKnavesParams(Params):
    n_people: int = Field(4, ge=2, le=8, description="number of islanders")
    # depth 1 (bare "X is a knight" claims) only relates pairs of people, and flipping every role keeps all
    # such claims consistent, so no depth-1 puzzle has a unique answer.
    depth: int = Field(2, ge=2, le=4, description="maximum nesting depth of a statement")
    width: int = Field(2, ge=2, le=3, description="maximum operands of an and / or")


# -- truth tables as bitmasks ----------------------------------------------------------------------------


def _knight_masks(n: int) -> tuple[list[int], int]:
    """Bit a of masks[i] is set when person i is a knight in assignment a (bit i of a)."""
    size = 1 << n
    full = (1 << size) - 1
    masks = [sum(1 << a for a in range(size) if a >> i & 1) for i in range(n)]
    return masks, full


_MASKS = {n: _knight_masks(n) for n in range(1, 9)}


def truth_mask(s: Statement, knights: list[int], full: int) -> int:
    op = s[0]
    if op == "knight":
        return knights[s[1]]
    if op == "knave":
        return full ^ knights[s[1]]
    if op == "not":
        return full ^ truth_mask(s[1], knights, full)
    parts = [truth_mask(x, knights, full) for x in s[1:]]
    if op == "and":
        m = full
        for p in parts:
            m &= p
        return m
    if op == "or":
        m = 0
        for p in parts:
            m |= p
        return m
    if op == "implies":
        return (full ^ parts[0]) | parts[1]
    if op == "iff":
        return full ^ (parts[0] ^ parts[1])
    raise ValueError(f"unknown operator {op!r}")


def consistent_assignments(statements: list[Statement]) -> int:
    """Bitmask of the assignments under which every knight's statement is true and every knave's false."""
    n = len(statements)
    knights, full = _MASKS[n]
    ok = full
    for i, s in enumerate(statements):
        ok &= full ^ (knights[i] ^ truth_mask(s, knights, full))
    return ok


def evaluate(s: Statement, roles: dict[int, bool]) -> bool | None:
    """Kleene three-valued truth of ``s`` under a partial assignment (True = knight); None if undecided."""
    op = s[0]
    if op in ROLES:
        if s[1] not in roles:
            return None
        return roles[s[1]] == (op == "knight")
    if op == "not":
        v = evaluate(s[1], roles)
        return None if v is None else not v
    vals = [evaluate(x, roles) for x in s[1:]]
    if op == "and":
        return False if False in vals else (None if None in vals else True)
    if op == "or":
        return True if True in vals else (None if None in vals else False)
    a, b = vals
    if op == "implies":
        return True if a is False or b is True else (False if a is True and b is False else None)
    if op == "iff":
        return None if a is None or b is None else a == b
    raise ValueError(f"unknown operator {op!r}")


# -- sampling ---------------------------------------------------------------------------------------------


def _sample(rng: random.Random, depth: int, width: int, n: int, speaker: int, top: bool) -> Statement:
    if depth == 1 or rng.random() < 0.3:
        others = [j for j in range(n) if j != speaker]
        # a bare claim about oneself is empty ("I am a knight") or a paradox ("I am a knave")
        target = rng.choice(others) if top or rng.random() < 0.8 else speaker
        return [rng.choice(ROLES), target]
    r = rng.random()
    if r < 0.12:
        return ["not", _sample(rng, depth - 1, width, n, speaker, False)]
    if r < 0.62:
        k = rng.randint(2, width)
        return [("and", "or")[r >= 0.37]] + [
            _sample(rng, depth - 1, width, n, speaker, False) for _ in range(k)
        ]
    return [
        ("implies", "iff")[r >= 0.85],
        _sample(rng, depth - 1, width, n, speaker, False),
        _sample(rng, depth - 1, width, n, speaker, False),
    ]


def _degenerate(s: Statement, knights: list[int], full: int) -> bool:
    """True when s or any part of it is a tautology or a contradiction ("Zara is a knave or Zara is a knight")."""
    if s[0] in ROLES:
        return False
    return truth_mask(s, knights, full) in (0, full) or any(_degenerate(x, knights, full) for x in s[1:])


# -- wording ----------------------------------------------------------------------------------------------


def say(s: Statement, names: list[str], speaker: int, top: bool = True) -> str:
    op = s[0]
    if op in ROLES:
        return f"I am a {op}" if s[1] == speaker else f"{names[s[1]]} is a {op}"
    if op == "not":
        return f"it is false that {say(s[1], names, speaker, False)}"
    parts = [say(x, names, speaker, False) for x in s[1:]]
    if op in ("and", "or"):
        text = f" {op} ".join(parts)
    elif op == "implies":
        text = f"if {parts[0]} then {parts[1]}"
    else:
        text = f"{parts[0]} if and only if {parts[1]}"
    return text if top else f"({text})"


SETTINGS = (
    "On an island, every inhabitant is either a knight, who always tells the truth, or a knave, who always lies.",
    "A remote island is home to knights and knaves only. Knights always tell the truth; knaves always lie.",
    "You visit an island where each person is a knight (always truthful) or a knave (always lying).",
)
MEETS = (
    "You meet {n} inhabitants: {names}.",
    "{n} islanders stand before you: {names}.",
    "You are approached by {n} people: {names}.",
)
SAYS = ('{name} says: "{text}."', '{name} tells you: "{text}."', 'In {name}\'s words: "{text}."')
ASKS = (
    "Who is a knight and who is a knave?",
    "Determine the role of each person.",
    "Which of them are knights and which are knaves?",
)


@register
class KnightsKnaves(Task):
    name = "knights_knaves"
    version = "1"
    description = (
        "Knights always tell the truth, knaves always lie; deduce everyone's role from their statements."
    )
    Params = KnightsKnavesParams
    levels = {
        "easy": {"n_people": 3, "depth": 2},
        "medium": {"n_people": 4, "depth": 2},
        "hard": {"n_people": 6, "depth": 2, "width": 3},
        "expert": {"n_people": 8, "depth": 3, "width": 3},
    }
    effort_scale = 40.0

    def generate(self, rng: random.Random, params: KnightsKnavesParams) -> Instance:
        n = params.n_people
        names = rng.sample(NAMES, n)
        while True:
            target = [rng.random() < 0.5 for _ in range(n)]
            if not (any(target) and not all(target)):
                continue
            index = sum(1 << i for i, knight in enumerate(target) if knight)
            statements = [self._true_to(rng, params, i, target, index) for i in range(n)]
            for _ in range(100 * n):  # local search: redraw one statement until the target is the only model
                if consistent_assignments(statements) == 1 << index:
                    break
                i = rng.randrange(n)
                statements[i] = self._true_to(rng, params, i, target, index)
            else:
                continue
            break
        puzzle = {"names": names, "statements": statements, "solution": [ROLES[not k] for k in target]}
        stats = SolverStats()
        self._search(puzzle, stats, [])
        return Instance(
            puzzle=puzzle, answer=self.answer_text(puzzle), prompt=self._prompt(rng, puzzle), stats=stats
        )

    def _true_to(self, rng, params, i, target, index) -> Statement:
        """A statement for person i that is true exactly when i is a knight under the target assignment."""
        knights, full = _MASKS[params.n_people]
        while True:
            s = _sample(rng, params.depth, params.width, params.n_people, i, True)
            if _degenerate(s, knights, full):
                continue
            if bool(truth_mask(s, knights, full) >> index & 1) == target[i]:
                return s

    @staticmethod
    def answer_text(puzzle: dict[str, Any]) -> str:
        return ", ".join(f"{n} is a {r}" for n, r in zip(puzzle["names"], puzzle["solution"]))

    def _prompt(self, rng: random.Random, puzzle: dict[str, Any]) -> str:
        names = puzzle["names"]
        lines = [pick(rng, SETTINGS), pick(rng, MEETS).format(n=len(names), names=", ".join(names))]
        says = pick(rng, SAYS)
        for i, s in enumerate(puzzle["statements"]):
            text = say(s, names, i)
            lines.append(says.format(name=names[i], text=text[0].upper() + text[1:]))
        lines.append(pick(rng, ASKS))
        lines.append(answer_instruction("X is a knight, Y is a knave, Z is a knight"))
        return "\n".join(lines)

    # -- verification -------------------------------------------------------------------------------------

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        roles = parse_roles(answer, puzzle["names"])
        if roles is None:
            return 0.0
        return float(roles == dict(zip(puzzle["names"], puzzle["solution"])))

    # -- solver trace -------------------------------------------------------------------------------------

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        steps: list[str] = []
        self._search(puzzle, SolverStats(), steps)
        return steps

    def _search(self, puzzle: dict[str, Any], stats: SolverStats, out: list[str]) -> dict[int, bool] | None:
        """Depth-first assumption search with three-valued checks; records the reasoning when ``out`` is a list."""
        names, statements = puzzle["names"], puzzle["statements"]
        n = len(names)

        def role(k: bool) -> str:
            return "knight" if k else "knave"

        def check(roles: dict[int, bool], depth: int) -> bool:
            pad = "  " * depth
            for q in range(n):
                if q not in roles:
                    continue
                v = evaluate(statements[q], roles)
                stats.steps += 1
                if v is None or v == roles[q]:
                    continue
                out.append(
                    f'{pad}{names[q]} is a {role(roles[q])}, so the claim "{say(statements[q], names, q)}" must be '
                    f"{'true' if roles[q] else 'false'}, but under these assumptions it is {'true' if v else 'false'}. "
                    "Contradiction."
                )
                return False
            return True

        def dfs(roles: dict[int, bool], depth: int) -> dict[int, bool] | None:
            if len(roles) == n:
                return roles
            p = len(roles)
            pad = "  " * depth
            for k in (True, False):
                stats.nodes += 1
                trial = {**roles, p: k}
                out.append(f"{pad}Suppose {names[p]} is a {role(k)}.")
                if check(trial, depth):
                    found = dfs(trial, depth + 1)
                    if found is not None:
                        return found
                stats.backtracks += 1
                out.append(f"{pad}So {names[p]} cannot be a {role(k)}.")
            return None

        found = dfs({}, 0)
        if found is not None:
            out.append(
                "Every statement is consistent with this assignment: "
                + ", ".join(f"{names[i]} is a {role(found[i])}" for i in range(n))
                + "."
            )
        return found


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_ROLE_WORDS = {"knight": "knight", "knights": "knight", "knave": "knave", "knaves": "knave"}
_NEGATIONS = {"not", "isn't", "aren't", "never", "neither", "nor", "no"}


def parse_roles(answer: str, names: list[str]) -> dict[str, str] | None:
    """Roles named in the answer, or None unless each person gets exactly one role.

    Accepts "A is a knight, B is a knave", "A and B are knights; C is a knave", "A: knight", and the
    header form "Knights: A, B. Knaves: C". Negations and contradictory claims (hedges) are rejected.
    """
    tokens = _WORD.findall(normalize(answer))
    lower = {n.lower(): n for n in names}
    if any(t in _NEGATIONS for t in tokens):
        return None
    trailing = _assign(tokens, lower, names_first=True)
    header = _assign(tokens, lower, names_first=False)
    if trailing is not None and header is not None and trailing != header:
        return None
    return trailing if trailing is not None else header


def _assign(tokens: list[str], lower: dict[str, str], names_first: bool) -> dict[str, str] | None:
    result: dict[str, str] = {}
    pending: list[str] = []
    current: str | None = None

    def put(name: str, role: str) -> bool:
        if result.get(name, role) != role:
            return False
        result[name] = role
        return True

    for tok in tokens:
        if tok in lower:
            if names_first:
                pending.append(lower[tok])
            elif current is None or not put(lower[tok], current):
                return None
        elif tok in _ROLE_WORDS:
            if names_first:
                if not pending:
                    return None
                for name in pending:
                    if not put(name, _ROLE_WORDS[tok]):
                        return None
                pending = []
            else:
                current = _ROLE_WORDS[tok]
    if pending or len(result) != len(lower):
        return None
    return result
