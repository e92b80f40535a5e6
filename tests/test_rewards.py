"""The reward contract: verl and TRL signatures, never raising, last answer block, no credit for hedges."""

from __future__ import annotations

import json
import random

import pytest

from synth.rewards import compute_score, reward
from synth.rng import derive_rng
from synth.task import get_task


@pytest.fixture(scope="module")
def row():
    task = get_task("knights_knaves")
    inst = task.generate(derive_rng("rewards"), task.params_for("medium"))
    extra = {
        "task": "knights_knaves",
        "level": "medium",
        "seed": 1,
        "instance": inst.canonical_json(),
        "split": "rl",
        "index": 0,
    }
    return inst.answer, extra


def test_verl_signature(row):
    answer, extra = row
    assert (
        compute_score("synth/knights_knaves", f"<think>hmm</think><answer>{answer}</answer>", answer, extra)
        == 1.0
    )
    assert (
        compute_score(
            "synth/knights_knaves", f"<answer>{answer}</answer> <answer>Alice</answer>", answer, extra
        )
        == 0.0
    )
    assert (
        compute_score(
            "synth/knights_knaves", f"<answer>wrong</answer><answer>{answer}</answer>", answer, extra
        )
        == 1.0
    )


def test_trl_signature_plain_and_conversational(row):
    answer, extra = row
    completions = [
        f"<answer>{answer}</answer>",
        [{"role": "assistant", "content": f"<answer>{answer}</answer>"}],
        "no",
    ]
    assert reward(completions, extra_info=[extra] * 3, data_source=["synth/knights_knaves"] * 3) == [
        1.0,
        1.0,
        0.0,
    ]


def test_never_raises(row):
    answer, extra = row
    rng = random.Random(0)
    junk = [
        "",
        None,
        3,
        ["a"],
        {"x": 1},
        "<answer>" * 10_000,
        "<answer>" + "\x00" * 100 + "</answer>",
        "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(1_000_000)),
        f"<answer><answer>{answer}</answer></answer>",
    ]
    for text in junk:
        assert compute_score("synth/knights_knaves", text, answer, extra) == 0.0
    for bad_extra in [
        None,
        {},
        {"instance": "{not json"},
        {"instance": 5},
        {"task": "nope", "instance": "{}"},
        {"task": "knights_knaves", "instance": json.dumps({"names": []})},
    ]:
        assert compute_score("synth/knights_knaves", f"<answer>{answer}</answer>", answer, bad_extra) == 0.0
    assert compute_score("other/source", f"<answer>{answer}</answer>", answer, None) == 0.0
