"""Cryptarithms (SEND + MORE = MONEY style): letters stand for distinct digits; find the unique assignment.

Numbers are drawn over a small random digit alphabet and added; their digits become random letters. The
puzzle is kept only if an exhaustive column-by-column search (units first, carrying as by hand, no leading
zeros) finds exactly one assignment.

That proof runs tens of thousands of times a second because the draw-and-check loop is compiled with numba
(``_draw_unique``): letters are the true digits 0-9 while searching, each column's first-seen letters are
tried in turn and one of them is solved modulo 10, and a result longer than the addends starts with the final
carry. The slower, narrated search (``Search``) replays the proof for the cold-start trace.
"""

from __future__ import annotations

import random
import re
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_random, popcount
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 60  # narrated dead ends; the rest are counted


class CryptParams(Params):
    digits: int = Field(3, ge=2, le=5, description="digits of each addend")
    addends: int = Field(2, ge=2, le=3, description="numbers added")
    max_letters: int = Field(
        10, ge=3, le=10, description="at most this many different letters (more are rarely unique at a size)"
    )


class Search:
    """The narrated proof for the cold-start trace: columns from the units, digits tried in increasing order."""

    def __init__(self, words: list[str], result: str, log: list[str] | None = None) -> None:
        self.words, self.result = words, result
        self.width = len(result)
        self.leading = {w[0] for w in [*words, result] if len(w) > 1}
        self.stats = SolverStats()
        self.log = log
        self.solutions: list[dict[str, int]] = []
        self.used: set[int] = set()  # digits taken by the current partial assignment

    def say(self, text: str) -> None:
        if self.log is not None and (self.stats.backtracks <= TRACE_LIMIT or not text.startswith("  ")):
            self.log.append(text)

    def run(self, limit: int) -> list[dict[str, int]]:
        if max(len(w) for w in self.words) > self.width:
            return []
        self.limit = limit
        self.column(0, 0, {})
        return self.solutions

    def column(self, col: int, carry: int, assign: dict[str, int]) -> None:
        if len(self.solutions) >= self.limit:
            return
        if col == self.width:
            if carry == 0:
                self.solutions.append(dict(assign))
            return
        letters = [w[-1 - col] for w in self.words if col < len(w)]
        self.fill(col, carry, letters, 0, assign)

    def fill(self, col: int, carry: int, letters: list[str], k: int, assign: dict[str, int]) -> None:
        if k < len(letters):
            ch = letters[k]
            if ch in assign:
                self.fill(col, carry, letters, k + 1, assign)
                return
            used = self.used
            for d in range(10):
                if d in used or (d == 0 and ch in self.leading):
                    continue
                self.stats.nodes += 1
                assign[ch] = d
                used.add(d)
                self.fill(col, carry, letters, k + 1, assign)
                used.discard(d)
                del assign[ch]
                if len(self.solutions) >= self.limit:
                    return
            return
        total = carry + sum(assign[ch] for ch in letters)
        digit, out = total % 10, self.result[-1 - col]
        self.stats.steps += 1
        ok = (
            (assign.get(out) == digit)
            if out in assign
            else (digit not in self.used and not (digit == 0 and out in self.leading))
        )
        if not ok:
            self.stats.backtracks += 1
            if self.log is not None:
                self.say(
                    f"  column {col + 1}: {' + '.join(f'{c}={assign[c]}' for c in letters)}"
                    f"{f' + carry {carry}' if carry else ''} gives {digit}, which {out} cannot be. Back up."
                )
            return
        fresh = out not in assign
        assign[out] = digit
        self.used.add(digit)
        if self.log is not None:
            self.say(
                f"column {col + 1}: {' + '.join(f'{c}={assign[c]}' for c in letters)}"
                f"{f' + carry {carry}' if carry else ''} = {total}, so {out} = {digit}, carry {total // 10}."
            )
        self.column(col + 1, total // 10, assign)
        if fresh:
            del assign[out]
            self.used.discard(digit)


# ---- the compiled proof -------------------------------------------------------------------------------------
# A candidate is a grid of letter ids (a letter is named by its true digit while searching): one row per addend
# and the result as the last row, columns from the units; -1 where a number has no digit. ``domain[L]`` is the
# bitmask of digits letter L may take.

_ENUM, _CHECK = 0, 1


@njit(cache=True)
def _inverse(c: int) -> int:
    """The inverse of c modulo 10, or 0 when there is none."""
    c = c % 10
    for x in (1, 3, 7, 9):
        if (c * x) % 10 == 1:
            return x
    return 0


@njit(cache=True)
def count_solutions(
    grid: np.ndarray, domain: np.ndarray, limit: int, stats: np.ndarray, skip_drawn: bool = False
) -> int:
    """Assignments (distinct digits, each in its letter's domain) that make the column sums add up, up to limit;
    with skip_drawn, all but the drawn one (every letter its own id), so a drawn sum is unique when none remain.

    The plan is fixed before searching: column by column, the letters first seen there are tried in turn
    (``_ENUM``), except one whose net count in the column is invertible modulo 10; the column check
    (``_CHECK``) solves that one and passes the carry on. stats counts tries, dead ends and checks
    (the order of SolverStats).
    """
    rows, width = grid.shape
    kind = np.zeros(11 + width, np.int64)
    arg = np.zeros(11 + width, np.int64)
    term_letter = np.zeros((width, 10), np.int64)
    term_coef = np.zeros((width, 10), np.int64)
    terms = np.zeros(width, np.int64)
    solved = np.full(width, -1, np.int64)
    solved_coef = np.zeros(width, np.int64)
    solved_inverse = np.zeros(width, np.int64)
    seen = np.zeros(10, np.bool_)
    coef = np.zeros(10, np.int64)
    here = np.zeros(10, np.bool_)
    steps = 0
    for c in range(width):
        coef[:] = 0
        here[:] = False
        for r in range(rows):
            letter = grid[r, c]
            if letter >= 0:
                here[letter] = True
                coef[letter] += 1 if r < rows - 1 else -1
        for letter in range(10):
            if not here[letter]:
                continue
            if not seen[letter] and solved[c] < 0 and _inverse(coef[letter]) > 0:
                solved[c], solved_coef[c], solved_inverse[c] = letter, coef[letter], _inverse(coef[letter])
                continue
            if not seen[letter]:
                kind[steps], arg[steps] = _ENUM, letter
                steps += 1
            if coef[letter] != 0:
                term_letter[c, terms[c]], term_coef[c, terms[c]] = letter, coef[letter]
                terms[c] += 1
        seen |= here
        kind[steps], arg[steps] = _CHECK, c
        steps += 1

    # depth-first over the plan without recursion; i is the step, moving forward on success, back on failure
    value = np.full(10, -1, np.int64)
    next_digit = np.zeros(steps, np.int64)
    passed = np.zeros(steps, np.bool_)
    carry = np.zeros(width + 1, np.int64)
    used, found, i = 0, 0, 0
    tries, dead_ends, checks = 0, 0, 0
    while i >= 0:
        if i == steps:  # every column adds up
            drawn = skip_drawn
            for letter in range(10):
                drawn &= value[letter] < 0 or value[letter] == letter
            if carry[width] == 0 and not drawn:
                found += 1
                if found >= limit:
                    break
            i -= 1
        elif kind[i] == _ENUM:
            letter = arg[i]
            if value[letter] >= 0:  # undo the previous try
                used ^= 1 << value[letter]
                value[letter] = -1
            k = next_digit[i]  # digits are tried from the letter's drawn digit upwards, wrapping at 9
            d = (letter + k) % 10
            while k < 10 and ((used >> d) & 1 or not (domain[letter] >> d) & 1):
                k += 1
                d = (letter + k) % 10
            if k == 10:
                next_digit[i] = 0
                i -= 1
            else:
                tries += 1
                next_digit[i], value[letter] = k + 1, d
                used |= 1 << d
                i += 1
        else:
            c, s = arg[i], solved[arg[i]]
            if passed[i]:  # coming back: undo the solved letter and keep backing up
                passed[i] = False
                if s >= 0:
                    used ^= 1 << value[s]
                    value[s] = -1
                i -= 1
                continue
            checks += 1
            total = carry[c]
            for j in range(terms[c]):
                total += term_coef[c, j] * value[term_letter[c, j]]
            if s >= 0:
                d = (-total * solved_inverse[c]) % 10
                if (used >> d) & 1 or not (domain[s] >> d) & 1:
                    dead_ends += 1
                    i -= 1
                    continue
                value[s] = d
                used |= 1 << d
                total += solved_coef[c] * d
            elif total % 10 != 0:
                dead_ends += 1
                i -= 1
                continue
            carry[c + 1] = total // 10
            passed[i] = True
            i += 1
    stats[0] += tries
    stats[1] += dead_ends
    stats[2] += checks
    return found


@njit(cache=True)
def _draw_unique(seed: int, digits: int, addends: int, max_letters: int) -> np.ndarray:
    """Addends drawn over a small digit alphabet until their sum has a unique letter assignment.

    Repeated letters constrain the search, so 10-50% of such draws are unique, against about 1% for uniform
    digits. Draws with more than max_letters letters are skipped unsearched: at the levels' sizes fewer than
    1 in 200 of them is unique, yet they would take half the search time. Returns one array (one return
    value is cheaper to hand back to Python): the addends, the character code of the letter spelling each
    digit 0-9 (0 for digits not used), and the stats of the winning proof.
    """
    state = np.uint64(seed)
    numbers = np.zeros(addends, np.int64)
    grid = np.full((addends + 1, digits + 1), -1, np.int64)
    domain = np.zeros(10, np.int64)
    stats = np.zeros(3, np.int64)
    alphabet = np.arange(10)
    while True:
        state, extra = next_random(state, digits)
        size = 2 + extra
        for i in range(size):  # alphabet[:size] becomes a random sample of the digits
            state, j = next_random(state, 10 - i)
            alphabet[i], alphabet[i + j] = alphabet[i + j], alphabet[i]
        domain[:] = 1023
        grid[:, :] = -1
        total = 0
        for a in range(addends):
            number = 0
            for p in range(digits - 1, -1, -1):
                state, j = next_random(state, size)
                while p == digits - 1 and alphabet[j] == 0:  # no leading zero
                    state, j = next_random(state, size)
                grid[a, p] = alphabet[j]
                number = number * 10 + alphabet[j]
            domain[grid[a, digits - 1]] &= 1022
            numbers[a] = number
            total += number
        width = 0
        while total > 0:
            grid[addends, width] = total % 10
            total //= 10
            width += 1
        letters = 0
        for r in range(addends + 1):
            for c in range(width):
                if grid[r, c] >= 0:
                    letters |= 1 << grid[r, c]
        if popcount(letters) > max_letters:
            continue
        top = grid[addends, width - 1]
        if width > 1:
            domain[top] &= 1022
        if width > digits:  # a result longer than the addends starts with the final carry, below addends
            domain[top] &= (1 << addends) - 2
        stats[:] = 0
        if count_solutions(grid[:, :width], domain, 1, stats, True) == 0:
            break
    out = np.zeros(addends + 13, np.int64)
    out[:addends] = numbers
    alphabet = np.arange(ord("A"), ord("Z") + 1)
    taken = 0
    for d in range(10):  # distinct random letters for the digits used: alphabet[:taken] is a random sample
        if (letters >> d) & 1:
            state, j = next_random(state, 26 - taken)
            alphabet[taken], alphabet[taken + j] = alphabet[taken + j], alphabet[taken]
            out[addends + d] = alphabet[taken]
            taken += 1
    out[addends + 10 :] = stats
    return out


PROMPTS = (
    "In this addition each letter stands for a different digit, and no number starts with 0:\n{sum}\nFind the "
    "digit of every letter.",
    "Solve the cryptarithm {inline}. Distinct letters are distinct digits; leading letters are not zero.",
    "Replace each letter by a digit (different letters, different digits; no leading zeros) so that "
    "{inline} is a correct sum.",
)


INSTRUCTION = "\n" + answer_instruction("letter=digit pairs for every letter, e.g. X=1, Y=2, Z=3")


@register
class Cryptarithm(Task):
    name = "cryptarithm"
    description = "Letter arithmetic (SEND + MORE = MONEY style) with a unique digit assignment."
    Params = CryptParams
    levels = {
        "easy": {"digits": 2, "addends": 2, "max_letters": 4},
        "medium": {"digits": 3, "addends": 3, "max_letters": 5},
        "hard": {"digits": 4, "addends": 3, "max_letters": 7},
        "expert": {"digits": 5, "addends": 3, "max_letters": 9},
    }
    version = "2"
    effort_scale = 200.0

    def generate(self, rng: random.Random, params: CryptParams) -> Instance:
        drawn = _draw_unique(rng.getrandbits(63), params.digits, params.addends, params.max_letters).tolist()
        numbers, spelling, proof = drawn[: params.addends], drawn[params.addends : -3], drawn[-3:]
        spelled = [(chr(letter), digit) for digit, letter in enumerate(spelling) if letter]
        code = {ord("0") + digit: letter for letter, digit in spelled}  # digit -> letter, for str.translate
        words = [str(n).translate(code) for n in numbers]
        result = str(sum(numbers)).translate(code)
        mapping = dict(sorted(spelled))
        width = len(result) + 2
        stacked = "\n".join(
            [
                *(w.rjust(width) for w in words[:-1]),
                "+ " + words[-1].rjust(width - 2),
                "-" * width,
                result.rjust(width),
            ]
        )
        inline = " + ".join(words) + f" = {result}"
        prompt = pick(rng, PROMPTS).format(sum=stacked, inline=inline) + INSTRUCTION
        answer = ", ".join(map("{}={}".format, mapping, mapping.values()))
        return Instance(
            puzzle={"words": words, "result": result, "solution": mapping},
            answer=answer,
            prompt=prompt,
            stats=SolverStats(*proof),
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        got = parse_mapping(answer)
        return float(got is not None and got == puzzle["solution"])

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log = [
            "Work column by column from the units, carrying as in ordinary addition; try digits for unknown "
            "letters in increasing order and back up when a column cannot work."
        ]
        search = Search(puzzle["words"], puzzle["result"], log)
        found = search.run(limit=1)
        if search.stats.backtracks > TRACE_LIMIT:
            log.append(f"(In all, {search.stats.backtracks} dead ends were ruled out this way.)")
        if found:
            log.append(
                "Every column adds up: " + ", ".join(f"{k}={v}" for k, v in sorted(found[0].items())) + "."
            )
        return log


_PAIR = re.compile(r"\b([a-z])\s*(?:=|:|->|is)\s*(\d)\b")


def parse_mapping(answer: str) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for ch, d in _PAIR.findall(normalize(answer)):
        ch = ch.upper()
        if ch in found and found[ch] != int(d):
            return None
        found[ch] = int(d)
    return found or None
