"""Countdown: the verifier accepts every valid expression and only those; its parser never evaluates code."""

from __future__ import annotations

import itertools
import operator
from fractions import Fraction

import pytest

from generators.arith.countdown import Countdown, parse_expression, solve
from synth.rng import derive_rng

TASK = Countdown()
OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def expressions(numbers: list[int]):
    """Every expression over an ordered subset of the numbers, as (text, exact value or None)."""
    ops = "+-*/"

    def build(items):
        if len(items) == 1:
            yield str(items[0]), Fraction(items[0])
            return
        for split in range(1, len(items)):
            for lt, lv in build(items[:split]):
                for rt, rv in build(items[split:]):
                    for op in ops:
                        if op == "/" and rv == 0:
                            yield f"({lt} / {rt})", None
                            continue
                        v = OPS[op](lv, rv)
                        yield f"({lt} {op} {rt})", v

    for k in range(1, len(numbers) + 1):
        for perm in itertools.permutations(numbers, k):
            yield from build(list(perm))


def test_accepts_exactly_the_valid_expressions():
    for i in range(6):
        inst = TASK.generate(derive_rng("cd-all", i), TASK.params_for("easy"))
        p = inst.puzzle
        right = wrong = 0
        for text, value in expressions(p["numbers"]):
            expected = float(value is not None and value == p["target"])
            assert TASK.verify(p, text) == expected, text
            right += expected == 1
            wrong += expected == 0
        assert right >= 1 and wrong > 100


def test_use_all_and_reuse_rules():
    inst = TASK.generate(derive_rng("cd-hard"), TASK.params_for("hard"))
    p = inst.puzzle
    assert p["use_all"]
    assert TASK.verify(p, inst.answer) == 1.0
    n = p["numbers"]
    assert TASK.verify(p, f"{p['target']} + {n[0]} - {n[0]}") == 0.0  # the target is not a given number
    assert TASK.verify(p, f"{n[0]} + {n[0]}") == (
        1.0 if n.count(n[0]) > 1 and 2 * n[0] == p["target"] else 0.0
    )


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hacked')",
        "2**10",
        "lambda: 1",
        "1 if 1 else 2",
        "[1][0]",
        "9" * 400,
        "(" * 5000 + "1" + ")" * 5000,
        "1 +",
        "()",
        "3 4",
        "1e5",
        "0x10",
        "1_000",
        "-3 + 4",
        "",
    ],
)
def test_parser_rejects_anything_but_arithmetic(text):
    assert parse_expression(text) is None


def test_parser_formats():
    assert parse_expression("(6 + 4) × 3 = 30") == (30, [6, 4, 3])
    assert parse_expression("30 = (6+4)*3")[0] == 30
    assert parse_expression("\\left(6 + 4\\right) \\times 3")[0] == 30
    assert parse_expression("8 ÷ 4 − 1")[0] == 1
    assert parse_expression("3 x 4")[0] == 12
    assert parse_expression("7 / 0") is None


@pytest.mark.parametrize("level", ["easy", "medium", "hard", "expert"])
def test_compiled_search_and_narrated_solve_agree(level):
    """The stored expression and effort come from the compiled search; the trace replays solve()."""
    task = Countdown()
    for i in range(25):
        inst = task.generate(derive_rng("cd-agree", level, i), task.params_for(level))
        p = inst.puzzle
        expression, _, stats = solve(p["numbers"], p["target"], p["use_all"])
        assert (expression, stats) == (inst.answer, inst.stats)
        assert task.verify(p, expression) == 1.0
