"""Cryptarithms (SEND + MORE = MONEY style): letters stand for distinct digits; find the unique assignment.

Two numbers are drawn and added; their digits are replaced by random letters. The puzzle is kept only if an
exhaustive column-by-column search (units first, carrying as by hand, no leading zeros) finds exactly one
assignment.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from pydantic import Field

from generators.common import answer_instruction, pick
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

TRACE_LIMIT = 60  # narrated dead ends; the rest are counted


class CryptParams(Params):
    digits: int = Field(3, ge=2, le=5, description="digits of each addend")
    addends: int = Field(2, ge=2, le=3, description="numbers added")


class Search:
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


PROMPTS = (
    "In this addition each letter stands for a different digit, and no number starts with 0:\n{sum}\nFind the "
    "digit of every letter.",
    "Solve the cryptarithm {inline}. Distinct letters are distinct digits; leading letters are not zero.",
    "Replace each letter by a digit (different letters, different digits; no leading zeros) so that "
    "{inline} is a correct sum.",
)


@register
class Cryptarithm(Task):
    name = "cryptarithm"
    description = "Letter arithmetic (SEND + MORE = MONEY style) with a unique digit assignment."
    Params = CryptParams
    levels = {
        "easy": {"digits": 2, "addends": 2},
        "medium": {"digits": 3, "addends": 3},
        "hard": {"digits": 4, "addends": 3},
        "expert": {"digits": 5, "addends": 3},
    }
    effort_scale = 200.0

    def generate(self, rng: random.Random, params: CryptParams) -> Instance:
        while True:
            # addends over a small digit alphabet: repeated letters constrain the search, so 5-25% of draws
            # are unique instead of about 1% for uniform digits
            alphabet = rng.sample("0123456789", rng.randint(2, params.digits + 1))
            first = [d for d in alphabet if d != "0"] or ["1"]
            numbers = [
                int(rng.choice(first) + "".join(rng.choice(alphabet) for _ in range(params.digits - 1)))
                for _ in range(params.addends)
            ]
            total = sum(numbers)
            digits = sorted(set("".join(map(str, [*numbers, total]))))
            letters = rng.sample(string.ascii_uppercase, len(digits))
            code = dict(zip(digits, letters))
            words = ["".join(code[d] for d in str(n)) for n in numbers]
            result = "".join(code[d] for d in str(total))
            search = Search(words, result)
            if len(search.run(limit=2)) == 1:
                break
        mapping = {code[d]: int(d) for d in digits}
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
        prompt = "\n".join(
            [
                pick(rng, PROMPTS).format(sum=stacked, inline=inline),
                answer_instruction("letter=digit pairs for every letter, e.g. X=1, Y=2, Z=3"),
            ]
        )
        answer = ", ".join(f"{k}={v}" for k, v in sorted(mapping.items()))
        return Instance(
            puzzle={"words": words, "result": result, "solution": mapping},
            answer=answer,
            prompt=prompt,
            stats=search.stats,
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
