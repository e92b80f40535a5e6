"""Syllogisms: from categorical premises ("All A are B", "No A are B", "Some A are B", "Some A are not B"),
decide which of several candidate conclusions necessarily follow.

Decided exactly by model checking: a situation is the set of non-empty regions of the terms' Venn diagram,
and a conclusion follows when it holds in every situation the premises allow (modern reading: "All A are B"
does not claim that any A exist). The answer is the set of letters of the conclusions that follow, so a
constant guess rarely scores. Every statement's truth over all situations is tabulated once per number of
terms (``truth_table``); the draw runs compiled with numba on that table (``_draw``), and the trace
(``analyse``) model-checks the emitted puzzle afresh.
"""

from __future__ import annotations

import random
import re
from functools import cache
from typing import Any

import numpy as np
from numba import njit
from pydantic import Field

from generators.common import answer_instruction, pick
from generators.compiled import next_random
from synth.answers import normalize
from synth.task import Instance, Params, SolverStats, Task, register

NOUNS = [
    "artists",
    "bakers",
    "cats",
    "dancers",
    "engineers",
    "farmers",
    "gardeners",
    "hikers",
    "inventors",
    "jugglers",
    "knights",
    "lawyers",
    "musicians",
    "nurses",
    "owls",
    "pilots",
    "robots",
    "sailors",
    "teachers",
    "violinists",
    "writers",
]
KINDS = ("all", "no", "some", "some_not")
LETTERS = "ABCDEF"


class SyllogismParams(Params):
    terms: int = Field(3, ge=3, le=4, description="number of categories")
    premises: int = Field(2, ge=1, le=5, description="number of premises")
    candidates: int = Field(4, ge=3, le=6, description="candidate conclusions offered")


def region_mask(k: int, x: int, y: int, y_in: bool) -> int:
    """Bit r set for Venn regions r (bit i of r: in term i) that are in x and (in / not in) y."""
    return sum(1 << r for r in range(1 << k) if r >> x & 1 and bool(r >> y & 1) == y_in)


def holds(statement: list, k: int, models: np.ndarray) -> np.ndarray:
    kind, x, y = statement
    if kind in ("all", "some_not"):
        hit = (models & region_mask(k, x, y, False)) != 0
    else:
        hit = (models & region_mask(k, x, y, True)) != 0
    return ~hit if kind in ("all", "no") else hit


@cache
def truth_table(k: int) -> tuple[list[list], np.ndarray]:
    """Every statement over k terms and, per statement, the situations where it holds as one bitset.

    Built once per k, so generating an instance is a few word ANDs instead of model checking anew: bit m
    of row i (64 situations per uint64 word) is set when statement i holds in situation m.
    """
    models = np.arange(1 << (1 << k), dtype=np.int64)
    statements = [[kind, x, y] for kind in KINDS for x in range(k) for y in range(k) if x != y]
    truth = np.stack([np.packbits(holds(st, k, models), bitorder="little").view("<u8") for st in statements])
    return statements, truth


@njit(cache=True)
def _draw(seed: int, truth: np.ndarray, nouns: int, k: int, premises: int, candidates: int) -> np.ndarray:
    """Terms, premises and candidate conclusions, drawn until the premises are consistent and there are
    enough conclusions that follow (other than the premises) and that do not.

    A statement follows when it holds in every situation the premises allow: allowed & ~truth[s] is zero in
    every word. Between 1 and candidates - 2 of the candidates follow (at least 1). Returns one array: the
    k noun indices, the premise statements, the candidate statements, then 1 per candidate that follows.
    """
    state = np.uint64(seed)
    count, words = truth.shape
    names = np.arange(nouns)
    pool = np.arange(count)
    allowed = np.zeros(words, np.uint64)
    follow = np.zeros(count, np.int64)
    fail = np.zeros(count, np.int64)
    out = np.zeros(k + premises + 2 * candidates, np.int64)
    for i in range(k):  # partial shuffles: the first entries become a random sample
        state, j = next_random(state, nouns - i)
        names[i], names[i + j] = names[i + j], names[i]
    out[:k] = names[:k]
    while True:
        for i in range(premises):
            state, j = next_random(state, count - i)
            pool[i], pool[i + j] = pool[i + j], pool[i]
        allowed[:] = truth[pool[0]]
        for i in range(1, premises):
            allowed &= truth[pool[i]]
        if not allowed.any():
            continue  # the premises contradict each other
        n_follow = n_fail = 0
        for s in range(count):
            follows = True
            for w in range(words):
                if allowed[w] & ~truth[s, w]:
                    follows = False
                    break
            if not follows:
                fail[n_fail] = s
                n_fail += 1
            elif s not in pool[:premises]:
                follow[n_follow] = s
                n_follow += 1
        state, take = next_random(state, max(1, candidates - 2))
        take += 1
        if n_follow < take or n_fail < candidates - take:
            continue
        break
    out[k : k + premises] = pool[:premises]
    picked = out[k + premises : k + premises + candidates]
    marks = out[k + premises + candidates :]
    for i in range(take):
        state, j = next_random(state, n_follow - i)
        follow[i], follow[i + j] = follow[i + j], follow[i]
        picked[i], marks[i] = follow[i], 1
    for i in range(candidates - take):
        state, j = next_random(state, n_fail - i)
        fail[i], fail[i + j] = fail[i + j], fail[i]
        picked[take + i] = fail[i]
    for i in range(candidates - 1):  # shuffle the candidates, keeping their marks alongside
        state, j = next_random(state, candidates - i)
        picked[i], picked[i + j] = picked[i + j], picked[i]
        marks[i], marks[i + j] = marks[i + j], marks[i]
    return out


WORDING = {
    "all": "All {} are {}",
    "no": "No {} are {}",
    "some": "Some {} are {}",
    "some_not": "Some {} are not {}",
}


@cache
def sentences(k: int) -> list[str]:
    """Per statement of ``truth_table(k)``, its sentence with the terms as format fields: "All {0} are {2}"."""
    statements, _ = truth_table(k)
    return [WORDING[kind].format(f"{{{x}}}", f"{{{y}}}") for kind, x, y in statements]


def text(statement: list, terms: list[str]) -> str:
    kind, x, y = statement
    return WORDING[kind].format(terms[x], terms[y])


def analyse(puzzle: dict[str, Any], log: list[str] | None = None) -> tuple[list[bool], SolverStats]:
    k, terms = len(puzzle["terms"]), puzzle["terms"]
    models = np.arange(1 << (1 << k), dtype=np.int64)
    allowed = np.ones(len(models), dtype=bool)
    for p in puzzle["premises"]:
        allowed &= holds(p, k, models)
    # effort of the model check: patterns scanned (in units of 16) and statements evaluated on them
    stats = SolverStats(nodes=len(models) // 16, steps=len(puzzle["premises"]))
    worlds = models[allowed]
    result = []
    if log is not None:
        log.append(
            f"Each kind of thing is a combination of being or not being {', '.join(terms)}. The premises "
            f"allow {len(worlds)} of the {len(models)} patterns of which kinds exist."
        )
    for letter, c in zip(LETTERS, puzzle["candidates"]):
        ok = bool(holds(c, k, worlds).all())
        stats.steps += 1
        result.append(ok)
        if log is None:
            continue
        if ok:
            log.append(f'{letter}. "{text(c, terms)}" is true in every allowed pattern, so it follows.')
        else:
            stats.backtracks += 1
            bad = int(worlds[~holds(c, k, worlds)][0])
            kinds = [
                " and ".join(("" if r >> i & 1 else "not ") + terms[i] for i in range(k))
                for r in range(1 << k)
                if bad >> r & 1
            ]
            log.append(
                f'{letter}. "{text(c, terms)}" does not follow: the premises hold if the only things are '
                + ("; ".join(kinds) if kinds else "none at all")
                + ", and then it is false."
            )
    return result, stats


INTROS = (
    "Reason about these categories.",
    "Consider the following statements.",
    "Assume the premises below are true.",
)
QUESTION = 'Which of these conclusions must be true? ("All X are Y" does not claim that any X exist.)'
INSTRUCTION = answer_instruction("the letters of every conclusion that follows, e.g. B, D")


@register
class Syllogism(Task):
    name = "syllogism"
    description = "Which candidate conclusions follow from categorical premises (decided by model checking)."
    Params = SyllogismParams
    levels = {
        "easy": {"terms": 3, "premises": 2, "candidates": 4},
        "medium": {"terms": 3, "premises": 3, "candidates": 5},
        "hard": {"terms": 4, "premises": 4, "candidates": 5},
        "expert": {"terms": 4, "premises": 5, "candidates": 6},
    }
    version = "2"
    effort_scale = 500.0

    def generate(self, rng: random.Random, params: SyllogismParams) -> Instance:
        k = params.terms
        everything, truth = truth_table(k)
        drawn = _draw(rng.getrandbits(63), truth, len(NOUNS), k, params.premises, params.candidates).tolist()
        terms = [NOUNS[i] for i in drawn[:k]]
        chosen = drawn[k : k + params.premises]
        picked = drawn[k + params.premises : k + params.premises + params.candidates]
        marks = drawn[k + params.premises + params.candidates :]
        sentence = sentences(k)
        premises = [everything[i] for i in chosen]
        candidates = [everything[i] for i in picked]
        puzzle = {"terms": terms, "premises": premises, "candidates": candidates}
        puzzle["follows"] = [letter for letter, mark in zip(LETTERS, marks) if mark]
        # the same effort analyse() reports: patterns scanned (in 16s), statements evaluated, counterexamples
        stats = SolverStats(
            nodes=(1 << (1 << k)) // 16,
            steps=len(premises) + len(candidates),
            backtracks=len(candidates) - len(puzzle["follows"]),
        )
        intro = pick(rng, INTROS)
        prompt = "\n".join(
            [
                intro,
                "Premises:",
                *["- " + sentence[i].format(*terms) + "." for i in chosen],
                QUESTION,
                *[f"{letter}. " + sentence[i].format(*terms) + "." for letter, i in zip(LETTERS, picked)],
                INSTRUCTION,
            ]
        )
        return Instance(puzzle=puzzle, answer=", ".join(puzzle["follows"]), prompt=prompt, stats=stats)

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        letters = re.findall(r"\b([a-f])\b", normalize(answer))
        allowed = set(LETTERS[: len(puzzle["candidates"])].lower())
        if (
            not letters
            or not set(letters) <= allowed
            or re.search(r"\b(not|except|none)\b", normalize(answer))
        ):
            return 0.0
        return float(sorted(set(letters)) == sorted(x.lower() for x in puzzle["follows"]))

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        log: list[str] = []
        result, _ = analyse(puzzle, log)
        log.append(
            "So the conclusions that follow are "
            + ", ".join(LETTERS[i] for i, ok in enumerate(result) if ok)
            + "."
        )
        return log
