"""Empirical difficulty: how often a policy model solves each RL row (k samples, each verified).

Each row gets ``pass_rate`` (solved / k), ``n_samples`` and ``n_correct``; ``difficulty`` becomes the mean
of the intrinsic score and 1 - pass_rate. With a ``band`` [low, high], rows outside it are dropped and
counted (open-r1 keeps 0.1 to 0.9: always-solved rows teach nothing, never-solved rows give no signal).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from synth.distill import bridge
from synth.distill.engine import Engine, Request, Sampling
from synth.distill.rejection import images_of
from synth.rewards import score_completion
from synth.task import get_task


def score_rows(rows: list[dict[str, Any]], spec, engine: Engine) -> tuple[list[dict[str, Any]], Counter]:
    sampling = Sampling(spec.temperature, spec.top_p, spec.max_tokens)
    requests, puzzles = [], []
    for row in rows:
        task = get_task(row["task"])
        puzzle = json.loads(row["extra_info"]["instance"])
        mode = "describe" if has_scene_text(task, puzzle) else "direct"  # a policy VLM sees photos itself
        messages = bridge.chat(task, puzzle, row["problem"], images_of(row), mode)
        requests.append(Request(messages, spec.k, bridge.seed_of(row["id"], "pass_rate"), sampling))
        puzzles.append((task, puzzle))
    results = engine.complete(requests)
    kept, counts = [], Counter()
    for row, (task, puzzle), samples in zip(rows, puzzles, results):
        usable = [s for s in samples if s.finish != "error"]
        counts["pass_rate: engine_error"] += len(samples) - len(usable)
        correct = sum(score_completion(task, puzzle, s.text) == 1.0 for s in usable)
        rate = correct / len(usable) if usable else None
        row = {**row, "pass_rate": rate, "n_samples": len(usable), "n_correct": correct}
        if rate is not None:
            row["difficulty"] = round(0.5 * row["difficulty"] + 0.5 * (1.0 - rate), 6)
        if spec.band is not None and (rate is None or not spec.band[0] <= rate <= spec.band[1]):
            counts["pass_rate: outside band"] += 1
            continue
        kept.append(row)
    return kept, counts


def has_scene_text(task, puzzle: dict[str, Any]) -> bool:
    scene_text = getattr(task, "scene_text", None)
    return scene_text is not None and scene_text(puzzle) is not None
