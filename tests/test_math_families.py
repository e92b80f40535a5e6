"""Math families, checked independently: sympy, brute force over all candidates, permutations of digits."""

from __future__ import annotations

import collections
import itertools
import math
import random
import statistics
from fractions import Fraction

import numpy as np
import pytest
import sympy

from generators.arith.crt import CRT
from generators.arith.cryptarithm import Cryptarithm, count_solutions
from generators.arith.linear_system import LinearSystem
from generators.arith.polynomial_roots import PolynomialRoots, parse_numbers
from synth.rng import derive_rng


def gen(task, level, i, tag, **over):
    return task.generate(derive_rng(tag, level, i), task.params_for(level, over))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_linear_system_unique_by_sympy(level):
    task = LinearSystem()
    for i in range(20):
        p = gen(task, level, i, "lin").puzzle
        syms = sympy.symbols(p["vars"])
        eqs = [sympy.Eq(sum(c * s for c, s in zip(row, syms)), r) for row, r in zip(p["a"], p["b"])]
        sol = sympy.solve(eqs, syms, dict=True)
        assert len(sol) == 1 and [sol[0][s] for s in syms] == p["solution"]
        text = ", ".join(f"{v} = {x}" for v, x in zip(p["vars"], p["solution"]))
        assert task.verify(p, text) == 1.0
        wrong = ", ".join(f"{v} = {x + (k == 0)}" for k, (v, x) in enumerate(zip(p["vars"], p["solution"])))
        assert task.verify(p, wrong) == 0.0
        assert task.verify(p, ", ".join(f"{v} = 0" for v in p["vars"])) == float(not any(p["solution"]))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_crt_by_brute_force(level):
    task = CRT()
    for i in range(30):
        p = gen(task, level, i, "crt").puzzle
        mods = [m for _, m in p["congruences"]]
        hits = [x for x in range(math.prod(mods)) if all(x % m == r for r, m in p["congruences"])]
        assert hits == [p["x"]]
        assert task.verify(p, str(p["x"] + math.prod(mods))) == 0.0  # a solution, but not the smallest


@pytest.mark.parametrize("level", ["easy", "medium", "hard", "expert"])
def test_polynomial_roots_by_sympy(level):
    task = PolynomialRoots()
    x = sympy.Symbol("x")
    for i in range(20):
        p = gen(task, level, i, "poly").puzzle
        poly = sum(c * x ** (len(p["coefficients"]) - 1 - k) for k, c in enumerate(p["coefficients"]))
        roots = sympy.roots(sympy.Poly(poly, x))
        assert {Fraction(str(r)) for r in roots} == {Fraction(r) for r in p["roots"]}
        assert all(r.is_rational for r in roots)
        assert task.verify(p, ", ".join(p["roots"]) + ", 100") == 0.0
        if len(p["roots"]) > 1:
            assert task.verify(p, ", ".join(p["roots"][1:])) == 0.0
    assert parse_numbers("x = -2, \\frac{1}{3} and 5") == {Fraction(-2), Fraction(1, 3), Fraction(5)}
    assert parse_numbers("x = 2.5") is None


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_cryptarithm_unique_by_trying_every_digit_permutation(level):
    task = Cryptarithm()
    for i in range(6):
        p = gen(task, level, i, "crypt").puzzle
        letters = sorted(set("".join(p["words"]) + p["result"]))
        leading = {w[0] for w in [*p["words"], p["result"]]}
        sols = []
        for perm in itertools.permutations(range(10), len(letters)):
            m = dict(zip(letters, perm))
            if any(m[c] == 0 for c in leading):
                continue

            def num(w, m=m):
                return int("".join(str(m[c]) for c in w))

            if sum(num(w) for w in p["words"]) == num(p["result"]):
                sols.append(m)
        assert sols == [p["solution"]]


def brute_force_count(words: list[str], result: str) -> int:
    letters = sorted(set("".join(words) + result))
    leading = {w[0] for w in [*words, result] if len(w) > 1}
    count = 0
    for perm in itertools.permutations(range(10), len(letters)):
        m = dict(zip(letters, perm))
        if any(m[c] == 0 for c in leading):
            continue
        if sum(int("".join(str(m[c]) for c in w)) for w in words) == int("".join(str(m[c]) for c in result)):
            count += 1
    return count


def test_cryptarithm_compiled_count_matches_brute_force_on_random_sums():
    """The compiled search against every digit permutation, on unique and ambiguous sums alike."""
    rng = random.Random(7)
    counts = []
    for _ in range(60):
        alphabet = rng.sample("123456789", rng.randint(2, 3)) + ["0"]
        numbers = [
            int("".join(rng.choice(alphabet[:-1] if k == 0 else alphabet) for k in range(3)))
            for _ in range(3)
        ]
        total = sum(numbers)
        if len(set("".join(map(str, [*numbers, total])))) > 5:
            continue
        words, result = [str(n) for n in numbers], str(total)
        grid = np.full((len(words) + 1, len(result)), -1, np.int64)
        for r, w in enumerate([*words, result]):
            for c, ch in enumerate(reversed(w)):
                grid[r, c] = int(ch)
        domain = np.full(10, 1023, np.int64)
        for w in [*words, result]:
            if len(w) > 1:
                domain[int(w[0])] &= 1022
        expected = brute_force_count(words, result)
        assert count_solutions(grid, domain, 1000, np.zeros(3, np.int64)) == expected
        assert count_solutions(grid, domain, 2, np.zeros(3, np.int64)) == min(expected, 2)
        counts.append(expected)
    assert len(counts) >= 15 and 1 in counts and max(counts) >= 2  # both kinds were tried


def test_cryptarithm_edits_score_zero():
    task = Cryptarithm()
    scores = []
    for i in range(30):
        p = gen(task, "medium", i, "crypt-e").puzzle
        sol = p["solution"]
        letter = sorted(sol)[0]
        edited = {**sol, letter: (sol[letter] + 1) % 10}
        assert task.verify(p, ", ".join(f"{k}={v}" for k, v in edited.items())) == 0.0
        assert task.verify(p, ", ".join(f"{k}={v}" for k, v in sol.items())) == 1.0
        scores.append(task.verify(p, ", ".join(f"{k}={n}" for n, k in enumerate(sorted(sol)))))
    assert statistics.mean(scores) <= 0.05


def test_cryptarithm_letters_are_drawn_evenly():
    """Every letter is as likely as any other to be used (no letter left out by the way they are drawn)."""
    task = Cryptarithm()
    counts = collections.Counter()
    for i in range(2000):
        counts.update(gen(task, "medium", i, "crypt-letters").puzzle["solution"])
    mean = sum(counts.values()) / 26
    assert len(counts) == 26 and min(counts.values()) >= 0.8 * mean and max(counts.values()) <= 1.2 * mean
