"""Accept / reject / keep / pair logic of the model stages, driven by a scripted stand-in engine.

The real engines (in-process vLLM and `vllm serve` through the OpenAI client) are exercised in
tests/test_model_engines.py; here a deterministic stand-in returns chosen completions so each rule is pinned.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from synth.distill import bridge
from synth.distill.engine import CachedEngine, Engine, Request, ResponseCache, Sample
from synth.distill.rejection import classify, distill_rows
from synth.pipeline import Part, RowMaker
from synth.recipe import Recipe
from synth.scoring.pass_rate import score_rows
from synth.task import get_task


class Scripted(Engine):
    """Answers each request with ``script(request)``; counts the requests it really had to answer."""

    model = "scripted"

    def __init__(self, script) -> None:
        self.script, self.calls = script, 0

    def complete(self, requests, on_done=None):
        out = []
        for i, r in enumerate(requests):
            self.calls += 1
            samples = self.script(r)
            out.append(samples)
            if on_done:
                on_done(i, samples)
        return out


def r1(answer: str, think: str = "reasoning") -> str:
    return f"<think>{think}</think>\n<answer>{answer}</answer>"


def recipe(**distiller) -> Recipe:
    return Recipe.model_validate(
        {
            "name": "t",
            "output": {"dir": "/tmp/unused"},
            "tasks": [{"task": "knights_knaves", "level": "easy"}, {"task": "masked", "level": "easy"}],
            "splits": {"rl": 4, "cold_start": 4},
            "distiller": {"kind": "vllm", "model": "m", **distiller},
            "scorer": {"kind": "pass_rate", "model": "m", "k": 4},
        }
    )


def pending_rows(r: Recipe, config: str = "cold_start", n: int = 4) -> list[dict]:
    maker = RowMaker(r)
    part = Part(config, config, "train", n)
    return [maker.make(part, i, i % 2, set(), Counter()) for i in range(n)]


def gold_of(rows: list[dict]) -> dict[str, str]:
    """User text -> gold answer, so the stand-in can answer right or wrong on purpose."""
    return {json.dumps(bridge_user(row)): row["answer"] for row in rows}


def bridge_user(row: dict):
    task = get_task(row["task"])
    puzzle = json.loads(row["extra_info"]["instance"])
    problem = row["messages"][1]["content"] if "messages" in row else row["problem"]
    return bridge.chat(task, puzzle, problem, [i["bytes"] for i in row["images"]])[1]["content"]


def test_pending_cold_start_rows_have_no_assistant_turn_yet():
    rows = pending_rows(recipe())
    assert all(r["cot_source"] == "pending" and len(r["messages"]) == 2 for r in rows)


def test_classify_names_every_failure():
    task = get_task("knights_knaves")
    rows = pending_rows(recipe())
    kk = next(r for r in rows if r["task"] == "knights_knaves")
    puzzle = json.loads(kk["extra_info"]["instance"])
    gold = kk["answer"]
    assert classify(task, puzzle, Sample(r1(gold), "stop")) is None
    assert classify(task, puzzle, Sample(r1(gold), "length")) == "length_cut"
    assert classify(task, puzzle, Sample("", "error")) == "engine_error"
    assert classify(task, puzzle, Sample(f"<answer>{gold}</answer>", "stop")) == "format"  # no reasoning
    assert classify(task, puzzle, Sample(r1(gold) + " and more", "stop")) == "format"  # text after the answer
    assert classify(task, puzzle, Sample(r1("everyone is a knight"), "stop")) == "wrong_answer"


@pytest.mark.parametrize("keep,expected", [("first", "long"), ("shortest", "short")])
def test_distill_keeps_a_verified_trace_and_pairs_it_with_a_wrong_one(keep, expected):
    r = recipe(keep=keep, attempts=4)
    rows = pending_rows(r)
    gold = gold_of(rows)

    def script(req: Request):
        answer = gold[json.dumps(req.messages[1]["content"])]
        return [
            Sample(r1("certainly wrong"), "stop", 5),
            Sample(r1(answer, "long " * 50), "stop", 60),
            Sample(r1(answer, "short"), "stop", 8),
            Sample("no tags at all", "stop", 3),
        ]

    kept, pairs, counts = distill_rows(rows, r.distiller, Scripted(script))
    assert len(kept) == len(rows) and len(pairs) == len(rows)
    for row, pair in zip(kept, pairs):
        assert row["cot_source"] == "model" and (expected in row["messages"][2]["content"])
        assert row["distill"] == {
            "model": "scripted",
            "sampling": json.dumps(
                {"max_tokens": 2048, "n": 4, "temperature": 0.7, "top_p": 0.95}, sort_keys=True
            ),
            "attempts": 4,
            "passes": 2,
        }
        assert pair["chosen"][0]["content"] == row["messages"][2]["content"]
        assert "certainly wrong" in pair["rejected"][0]["content"]
        assert pair["prompt"] == row["messages"][:2] and pair["images"] == row["images"]
    assert counts == Counter({"distill: wrong_answer": 4, "distill: format": 4})


def test_instances_without_a_verified_trace_are_dropped_and_counted():
    r = recipe(attempts=2)
    rows = pending_rows(r)
    kept, pairs, counts = distill_rows(
        rows, r.distiller, Scripted(lambda req: [Sample("x", "length"), Sample("", "error")])
    )
    assert kept == [] and pairs == []
    assert counts == Counter(
        {"distill: length_cut": 4, "distill: engine_error": 4, "distill: no_verified_trace": 4}
    )


def test_no_preference_pair_without_a_rejected_trace_or_when_disabled():
    r = recipe(attempts=2)
    rows = pending_rows(r)
    gold = gold_of(rows)

    def all_right(req):
        return [Sample(r1(gold[json.dumps(req.messages[1]["content"])]), "stop")] * 2

    def one_wrong(req):
        return [Sample(r1(gold[json.dumps(req.messages[1]["content"])]), "stop"), Sample(r1("no"), "stop")]

    assert distill_rows(rows, r.distiller, Scripted(all_right))[1] == []
    assert len(distill_rows(rows, r.distiller, Scripted(one_wrong))[1]) == 4
    off = r.distiller.model_copy(update={"preference": False})
    assert distill_rows(rows, off, Scripted(one_wrong))[1] == []


def test_cache_serves_repeats_without_the_engine(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    inner = Scripted(lambda req: [Sample(f"s{req.seed}-{i}", "stop", 3) for i in range(req.n)])
    built = []
    engine = CachedEngine(lambda: built.append(1) or inner, cache, "scripted")
    reqs = [Request([{"role": "user", "content": f"q{i}"}], n=3, seed=i) for i in range(5)]
    first = engine.complete(reqs)
    again = CachedEngine(
        lambda: pytest.fail("the cache should answer everything"),
        ResponseCache(tmp_path / "c.sqlite"),
        "scripted",
    )
    assert again.complete(reqs) == first and again.hits == 5 and again.misses == 0
    assert inner.calls == 5 and built == [1]
    # a failed request is not cached: it is asked again
    flaky = CachedEngine(Scripted(lambda req: [Sample("", "error")] * req.n), cache, "scripted")
    new = [Request([{"role": "user", "content": "other"}], n=2, seed=9)]
    flaky.complete(new)
    assert (
        cache.get(__import__("synth.distill.engine", fromlist=["x"]).prompt_key("scripted", new[0]), 2)
        is None
    )


def test_pass_rate_columns_difficulty_and_band():
    r = recipe()
    rows = pending_rows(r, "rl")
    gold = gold_of(rows)

    def script(req: Request):
        answer = gold[json.dumps(req.messages[1]["content"])]
        return [
            Sample(r1(answer), "stop"),
            Sample(r1("wrong"), "stop"),
            Sample(r1(answer), "stop"),
            Sample("?", "stop"),
        ]

    kept, counts = score_rows(rows, r.scorer, Scripted(script))
    for before, after in zip(rows, kept):
        assert (after["pass_rate"], after["n_samples"], after["n_correct"]) == (0.5, 4, 2)
        assert after["difficulty"] == pytest.approx(0.5 * before["difficulty"] + 0.25, abs=1e-6)
    banded = r.scorer.model_copy(update={"band": (0.6, 1.0)})
    kept, counts = score_rows(rows, banded, Scripted(script))
    assert kept == [] and counts["pass_rate: outside band"] == 4


def test_image_rows_reach_a_text_model_as_the_scene_description_or_go_direct_to_a_vlm():
    rows = [r for r in pending_rows(recipe()) if r["task"] == "masked"]
    task, row = get_task("masked"), rows[0]
    puzzle = json.loads(row["extra_info"]["instance"])
    images = [i["bytes"] for i in row["images"]]
    described = bridge.chat(task, puzzle, row["messages"][1]["content"], images, "describe")
    assert "a black box" in described[1]["content"] and "<image>" not in described[1]["content"]
    direct = bridge.chat(task, puzzle, row["messages"][1]["content"], images, "direct")
    parts = direct[1]["content"]
    assert parts[0]["type"] == "image_url" and parts[0]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    # a jigsaw has no scene text: it needs a describer VLM, whose words are then used
    jig = get_task("jigsaw")
    inst = jig.generate(__import__("random").Random(0), jig.params_for("easy"))
    with pytest.raises(ValueError, match="describer"):
        bridge.chat(jig, inst.puzzle, inst.prompt, inst.images, "describe")
    describer = Scripted(lambda req: [Sample("two tiles: a red star, a blue sky", "stop")])
    msgs = bridge.chat(jig, inst.puzzle, inst.prompt, inst.images, "describe", describer)
    assert "a red star, a blue sky" in msgs[1]["content"] and describer.calls == 1
