"""Trainer-facing reward functions (the reward contract).

* verl: ``compute_score(data_source, solution_str, ground_truth, extra_info=None) -> float``; point verl's
  ``custom_reward_function.path`` at this file and ``name`` at ``compute_score``.
* TRL: ``reward(completions, **columns) -> list[float]``; pass ``synth.rewards.reward`` as a reward function
  to ``GRPOTrainer``; it reads the ``extra_info`` (and ``data_source`` or ``task``) columns of the batch.

Both dispatch to the task's verifier with the instance stored in ``extra_info["instance"]``. They never raise
and never evaluate model text.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from synth.answers import extract_answer
from synth.task import Task, get_task

log = logging.getLogger(__name__)


def score_completion(task: Task, puzzle: dict[str, Any], completion: object) -> float:
    answer = extract_answer(completion)
    if answer is None:
        return 0.0
    try:
        value = float(task.verify(puzzle, answer))
    except Exception:  # a verifier bug must not kill a training run; it is logged and scores 0
        log.exception("verifier of %s raised", task.name)
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0


@lru_cache(maxsize=4096)
def _puzzle(instance_json: str) -> dict[str, Any]:
    return json.loads(instance_json)


def _task_name(data_source: object, extra_info: object) -> str | None:
    if isinstance(extra_info, dict) and isinstance(extra_info.get("task"), str):
        return extra_info["task"]
    if isinstance(data_source, str) and data_source.startswith("synth/"):
        return data_source.removeprefix("synth/")
    return None


def compute_score(
    data_source: str, solution_str: str, ground_truth: str, extra_info: dict | None = None
) -> float:
    try:
        name = _task_name(data_source, extra_info)
        if (
            name is None
            or not isinstance(extra_info, dict)
            or not isinstance(extra_info.get("instance"), str)
        ):
            return 0.0
        return score_completion(get_task(name), _puzzle(extra_info["instance"]), solution_str)
    except Exception:
        log.exception("compute_score failed for %r", data_source)
        return 0.0


def _text(completion: object) -> object:
    """TRL passes plain strings, or for conversational data a list of messages ending with the reply."""
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return completion[-1].get("content")
    return completion


def reward(completions: list[Any], **columns: Any) -> list[float]:
    n = len(completions)
    extra = columns.get("extra_info") or [None] * n
    sources = columns.get("data_source") or [None] * n
    truths = columns.get("answer") or [None] * n
    return [compute_score(sources[i], _text(completions[i]), truths[i], extra[i]) for i in range(n)]


def box_reward(completions: list[Any], **columns: Any) -> list[float]:
    """Optional region term for TRL (DeFacto style) on tasks with evidence boxes, in [-1, 1]; 0 elsewhere.

    Boxes are read from ``<box>[x1, y1, x2, y2]</box>`` (or ``<bbox>``) anywhere in the completion; see
    ``generators.vision.counterfactual.box_reward``.
    """
    n = len(completions)
    extra = columns.get("extra_info") or [None] * n
    sources = columns.get("data_source") or [None] * n
    out = []
    for i in range(n):
        try:
            name = _task_name(sources[i], extra[i])
            task = get_task(name) if name else None
            region = getattr(task, "region_reward", None)
            out.append(float(region(_puzzle(extra[i]["instance"]), _text(completions[i]))) if region else 0.0)
        except Exception:
            log.exception("box_reward failed")
            out.append(0.0)
    return out
