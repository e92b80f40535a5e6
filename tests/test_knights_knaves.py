"""Knights and knaves: uniqueness by brute force with an evaluator written separately from the generator's."""

from __future__ import annotations

import itertools
import statistics

import pytest

from generators.logic.knights_knaves import KnightsKnaves, parse_roles
from synth.rng import derive_rng

TASK = KnightsKnaves()


def holds(s, knight: tuple[bool, ...]) -> bool:
    """Plain recursive truth of a statement under a full assignment (independent of the bitmask solver)."""
    op, *args = s
    if op == "knight":
        return knight[args[0]]
    if op == "knave":
        return not knight[args[0]]
    vals = [holds(a, knight) for a in args]
    return {
        "not": lambda: not vals[0],
        "and": lambda: all(vals),
        "or": lambda: any(vals),
        "implies": lambda: (not vals[0]) or vals[1],
        "iff": lambda: vals[0] == vals[1],
    }[op]()


def models(puzzle) -> list[tuple[bool, ...]]:
    n = len(puzzle["names"])
    return [
        k
        for k in itertools.product([True, False], repeat=n)
        if all(holds(s, k) == k[i] for i, s in enumerate(puzzle["statements"]))
    ]


@pytest.mark.parametrize("level", list(TASK.levels))
def test_exactly_one_consistent_assignment_and_it_is_the_answer(level):
    params = TASK.params_for(level)
    for i in range(40 if level != "expert" else 10):
        inst = TASK.generate(derive_rng("kk", level, i), params)
        found = models(inst.puzzle)
        assert len(found) == 1
        assert ["knight" if k else "knave" for k in found[0]] == inst.puzzle["solution"]


def test_single_role_flip_scores_zero():
    inst = TASK.generate(derive_rng("kk-flip"), TASK.params_for("medium"))
    names, roles = inst.puzzle["names"], inst.puzzle["solution"]
    for i in range(len(names)):
        flipped = [("knave" if r == "knight" else "knight") if j == i else r for j, r in enumerate(roles)]
        text = ", ".join(f"{n} is a {r}" for n, r in zip(names, flipped))
        assert TASK.verify(inst.puzzle, text) == 0.0


def test_constant_answers_earn_nothing():
    scores = []
    for i in range(200):
        inst = TASK.generate(derive_rng("kk-const", i), TASK.params_for("medium"))
        names = inst.puzzle["names"]
        for role in ("knight", "knave"):
            scores.append(TASK.verify(inst.puzzle, ", ".join(f"{n} is a {role}" for n in names)))
            scores.append(TASK.verify(inst.puzzle, f"Everyone is a {role}"))
    assert statistics.mean(scores) <= 0.05


def test_answer_formats_and_hedges():
    names = ["Alice", "Bob", "Carol"]
    want = {"Alice": "knight", "Bob": "knave", "Carol": "knight"}
    for text in [
        "Alice is a knight, Bob is a knave, Carol is a knight",
        "Alice and Carol are knights; Bob is a knave.",
        "Knights: Alice, Carol. Knaves: Bob",
        "**Alice**: knight\n**Bob**: knave\n**Carol**: knight",
    ]:
        assert parse_roles(text, names) == want, text
    for hedge in [
        "Alice is a knight or a knave, Bob is a knave, Carol is a knight",
        "Alice is a knight, Bob is a knave",
        "Alice is not a knave, Bob is a knave, Carol is a knight",
        "Alice is a knight, Alice is a knave, Bob is a knave, Carol is a knight",
    ]:
        assert parse_roles(hedge, names) is None, hedge
