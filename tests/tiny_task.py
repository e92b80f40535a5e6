"""A test-only task with a deliberately tiny instance space (50 puzzles), to exercise de-duplication."""

from __future__ import annotations

from pydantic import Field

from synth.task import Instance, Params, SolverStats, Task, register


class TinyParams(Params):
    space: int = Field(50, ge=1, le=1000)


@register
class Tiny(Task):
    name = "tiny"
    Params = TinyParams
    levels = {"a": {}, "b": {}, "c": {}}

    def generate(self, rng, params):
        k = rng.randrange(params.space)
        return Instance(puzzle={"k": k}, answer=str(k), prompt=f"Say {k}.", stats=SolverStats(steps=1))

    def verify(self, puzzle, answer):
        return float(answer.strip() == str(puzzle["k"]))

    def trace(self, puzzle):
        return ["Read the number.", f"It is {puzzle['k']}."]
