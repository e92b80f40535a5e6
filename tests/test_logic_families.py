"""Logic families checked independently: brute force over roles and assignments, SAT entailment for syllogisms."""

from __future__ import annotations

import itertools
import statistics

import pycosat
import pytest

from generators.logic.sat import SAT, dpll
from generators.logic.syllogism import LETTERS, Syllogism
from generators.logic.web_of_lies import WebOfLies, claim_true
from synth.rng import derive_rng


def gen(task, level, i, tag):
    return task.generate(derive_rng(tag, level, i), task.params_for(level))


@pytest.mark.parametrize("level", ["easy", "medium", "hard"])
def test_web_of_lies_unique_by_brute_force(level):
    task = WebOfLies()
    for i in range(20):
        p = gen(task, level, i, "web").puzzle
        n = len(p["names"])
        models = [
            h
            for h in itertools.product([True, False], repeat=n)
            if h[0] == p["first_honest"]
            and all(claim_true(c, list(h)) == h[k] for k, c in enumerate(p["claims"], 1))
        ]
        assert len(models) == 1
        assert {p["names"][k] for k in range(n) if models[0][k]} == set(p["truthful"])


def test_web_of_lies_constants_and_hedges():
    task = WebOfLies()
    scores = []
    for i in range(200):
        p = gen(task, "medium", i, "web-c").puzzle
        scores += [task.verify(p, ", ".join(p["names"])), task.verify(p, p["names"][0])]
        assert task.verify(p, ", ".join(p["truthful"]) + " but not " + p["names"][0]) == 0.0
    assert statistics.mean(scores) <= 0.05


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_sat_verifier_accepts_exactly_the_models(level):
    task = SAT()
    for i in range(10):
        p = gen(task, level, i, "sat").puzzle
        n = p["variables"]
        sat_models = {
            tuple(v > 0 for v in sorted(m, key=abs)) for m in pycosat.itersolve(p["clauses"], vars=n)
        }
        for values in itertools.product([True, False], repeat=n):
            text = ", ".join(f"x{k + 1}={'T' if v else 'F'}" for k, v in enumerate(values))
            assert task.verify(p, text) == float(values in sat_models)
        assert (True,) * n not in sat_models and (False,) * n not in sat_models


@pytest.mark.parametrize("level", ["easy", "medium", "hard", "expert"])
def test_sat_compiled_solver_and_narrated_dpll_agree(level):
    """The stored model and effort come from the compiled solver; the trace replays dpll, which must match."""
    task = SAT()
    for i in range(40):
        inst = gen(task, level, i, "sat-agree")
        p = inst.puzzle
        assert pycosat.solve(p["clauses"]) != "UNSAT"
        model, stats = dpll(p["clauses"], p["variables"])
        n = p["variables"]
        assert inst.answer == ", ".join(f"x{v}={'T' if model[v] else 'F'}" for v in range(1, n + 1))
        assert stats == inst.stats


def entails(premise_clauses, k, statement) -> bool:
    """SAT encoding: variable r+1 means Venn region r is non-empty; entailed iff premises + not(conclusion) is UNSAT."""
    return pycosat.solve(premise_clauses + negate(statement, k)) == "UNSAT"


def regions(k, x, y, y_in):
    return [r + 1 for r in range(1 << k) if r >> x & 1 and bool(r >> y & 1) == y_in]


def encode(statement, k):
    kind, x, y = statement
    if kind == "all":
        return [[-r] for r in regions(k, x, y, False)]
    if kind == "no":
        return [[-r] for r in regions(k, x, y, True)]
    if kind == "some":
        return [regions(k, x, y, True)]
    return [regions(k, x, y, False)]


def negate(statement, k):
    kind, x, y = statement
    opposite = {"all": "some_not", "some_not": "all", "no": "some", "some": "no"}[kind]
    return encode([opposite, x, y], k)


@pytest.mark.parametrize("level", ["easy", "medium", "hard", "expert"])
def test_syllogism_answers_by_sat_entailment(level):
    task = Syllogism()
    for i in range(15):
        p = gen(task, level, i, "syl").puzzle
        k = len(p["terms"])
        premises = [c for s in p["premises"] for c in encode(s, k)]
        assert pycosat.solve(premises) != "UNSAT"
        follows = [LETTERS[j] for j, c in enumerate(p["candidates"]) if entails(premises, k, c)]
        assert follows == p["follows"]


def test_syllogism_constants_earn_little():
    task = Syllogism()
    scores = []
    for i in range(300):
        p = gen(task, "medium", i, "syl-c").puzzle
        scores += [task.verify(p, "A"), task.verify(p, "A, B, C, D, E")]
    assert statistics.mean(scores) <= 0.05
