"""The solver-trace distiller: the cold-start reasoning is the exact solver's own search, no model needed.

The assistant message is ``<think>`` + the solver's steps (with its dead ends and backtracking) +
``</think>`` + ``<answer>`` + the answer + ``</answer>``; it is kept only if the same reward function a trainer
would call scores it 1.
"""

from __future__ import annotations

from synth.rewards import score_completion
from synth.task import Instance, Task


def distill(task: Task, instance: Instance) -> str | None:
    steps = task.trace(instance.puzzle)
    completion = f"<think>\n{chr(10).join(steps)}\n</think>\n<answer>\n{instance.answer}\n</answer>"
    if score_completion(task, instance.puzzle, completion) != 1.0:
        return None
    return completion
