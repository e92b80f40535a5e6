"""Model-written reasoning with rejection sampling: k attempts per instance, each verified, one kept.

A sample is kept only if it has the R1 format (``<think>…</think>`` then ``<answer>…</answer>``, nothing
after) and the task's verifier scores its answer 1. Failures are counted by reason: ``format``,
``wrong_answer``, ``length_cut`` (stopped at max_tokens) and ``engine_error``. An instance with no verified
sample is dropped (counted as ``no_verified_trace``). With both a verified and a rejected sample, the row
also yields a preference pair (chosen = the kept trace, rejected = a wrong answer if there is one).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from synth.distill import bridge
from synth.distill.engine import Engine, Request, Sample, Sampling
from synth.rewards import score_completion
from synth.task import get_task

R1_FORMAT = re.compile(r"\s*<think>.*?</think>\s*<answer>.*?</answer>\s*", re.S)


def classify(task, puzzle: dict[str, Any], sample: Sample) -> str | None:
    """None for a verified sample, else why it was rejected."""
    if sample.finish == "error":
        return "engine_error"
    if sample.finish == "length":
        return "length_cut"
    if not R1_FORMAT.fullmatch(sample.text):
        return "format"
    return None if score_completion(task, puzzle, sample.text) == 1.0 else "wrong_answer"


def images_of(row: dict[str, Any]) -> list[bytes]:
    return [img["bytes"] for img in row.get("images") or []]


def distill_requests(
    rows: list[dict[str, Any]], spec, describer: Engine | None = None
) -> list[tuple[Any, dict[str, Any], Request]]:
    """(task, puzzle, request) per pending cold-start row: k samples of the row's chat, seeded by its id."""
    sampling = Sampling(spec.temperature, spec.top_p, spec.max_tokens)
    out = []
    for row in rows:
        task = get_task(row["task"])
        puzzle = json.loads(row["extra_info"]["instance"])
        messages = bridge.chat(
            task, puzzle, row["messages"][1]["content"], images_of(row), spec.images, describer
        )
        out.append(
            (task, puzzle, Request(messages, spec.attempts, bridge.seed_of(row["id"], "distill"), sampling))
        )
    return out


def distill_rows(
    rows: list[dict[str, Any]], spec, engine: Engine, describer: Engine | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter]:
    """Cold-start rows with model reasoning (the unverified dropped), preference rows, and counts by reason."""
    counts: Counter = Counter()
    prepared = distill_requests(rows, spec, describer)
    results = engine.complete([r for _, _, r in prepared])
    kept, pairs = [], []
    for row, (task, puzzle, request), samples in zip(rows, prepared, results):
        reasons = [classify(task, puzzle, s) for s in samples]
        counts.update(f"distill: {r}" for r in reasons if r)
        good = [s for s, r in zip(samples, reasons) if r is None]
        if not good:
            counts["distill: no_verified_trace"] += 1
            continue
        chosen = (
            good[0] if spec.keep == "first" else min(good, key=lambda s: (s.tokens or len(s.text), s.text))
        )
        info = {
            "model": engine.model,
            "sampling": json.dumps({**request.sampling.as_dict(), "n": request.n}, sort_keys=True),
            "attempts": len(samples),
            "passes": len(good),
        }
        row = {**row, "cot_source": "model", "distill": info}
        row["messages"] = [*row["messages"][:2], {"role": "assistant", "content": chosen.text}]
        kept.append(row)
        bad = [s for s, r in zip(samples, reasons) if r == "wrong_answer"] or [
            s for s, r in zip(samples, reasons) if r == "format"
        ]
        if spec.preference and bad:
            pairs.append(
                {
                    "id": row["id"],
                    "task": row["task"],
                    "prompt": row["messages"][:2],
                    "chosen": [{"role": "assistant", "content": chosen.text}],
                    "rejected": [{"role": "assistant", "content": bad[0].text}],
                    "images": row["images"],
                    "answer": row["answer"],
                    "level": row["level"],
                    "extra_info": row["extra_info"],
                }
            )
    return kept, pairs, counts
