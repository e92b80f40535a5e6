"""The task protocol and the registry.

A task family is one module under ``generators/`` holding a ``Task`` subclass decorated with ``@register``:
its difficulty knobs (a pydantic ``Params``), named ``levels``, ``generate``, ``verify`` and ``trace``.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import random
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from synth.errors import TaskError


class Params(BaseModel):
    """Base of every task's knobs: frozen, and a misspelt knob is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class SolverStats:
    """What it cost an exact solver to solve the emitted puzzle; the intrinsic difficulty is read from it."""

    nodes: int = 0  # search states expanded (1 for a puzzle solved without branching)
    backtracks: int = 0  # dead ends the search had to undo
    steps: int = 0  # deduction / propagation steps

    def effort(self) -> float:
        return self.steps + self.nodes + 10.0 * self.backtracks


@dataclass
class Instance:
    """One puzzle with its proven answer.

    ``puzzle`` is JSON-serialisable and self-contained: ``verify`` and ``trace`` need nothing else, so any
    stored row can be re-verified from ``extra_info.instance`` without the generator.
    """

    puzzle: dict[str, Any]
    answer: str
    prompt: str
    stats: SolverStats
    images: list[bytes] = field(default_factory=list)
    # things worth counting in the manifest that are not failures, e.g. {"image_converted: cmyk": 1}
    notes: dict[str, int] = field(default_factory=dict)

    def canonical_json(self) -> str:
        return json.dumps(self.puzzle, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(task_name: str, instance: Instance) -> str:
    """The instance's identity: equal puzzles of one task hash equal, whatever the prompt wording."""
    h = hashlib.blake2b(digest_size=16)
    h.update(task_name.encode())
    h.update(b"\x00")
    h.update(instance.canonical_json().encode())
    for image in instance.images:
        h.update(hashlib.blake2b(image, digest_size=16).digest())
    return h.hexdigest()


class Skip(Exception):
    """Raised by ``generate`` when this draw cannot make an instance (a bad source image, say).

    The pipeline counts the reason in the manifest and draws again; it is never an error of the run.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Task:
    """Base class of a task family. Subclasses set the class variables and implement three methods."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    modality: ClassVar[str] = "text"
    description: ClassVar[str] = ""
    Params: ClassVar[type[Params]]
    levels: ClassVar[dict[str, dict[str, Any]]]
    # Solver effort (SolverStats.effort) at which the intrinsic difficulty reaches 0.5.
    effort_scale: ClassVar[float] = 100.0
    # Tasks whose instances come in matched sets (e.g. one question as positive, counterfactual and
    # random-mask rows) set this and implement ``generate_group``; the pipeline gives consecutive rows of the
    # task the members of one group, so a dataset holds whole sets.
    group_size: ClassVar[int] = 1

    def generate(self, rng: random.Random, params: Any) -> Instance:
        raise NotImplementedError

    def generate_group(self, rng: random.Random, params: Any) -> list[Instance]:
        """``group_size`` instances drawn together; the default is one ``generate``."""
        return [self.generate(rng, params)]

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        """1.0 only for a correct answer text (already extracted from the completion); never raises."""
        raise NotImplementedError

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        """The solver's own reasoning as readable steps, ending with the conclusion."""
        raise NotImplementedError

    # -- shared helpers -----------------------------------------------------------------------------------

    def params_for(self, level: str, overrides: dict[str, Any] | None = None) -> Any:
        if level not in self.levels:
            raise TaskError(
                f"task {self.name!r} has no level {level!r}{did_you_mean(level, self.levels)}; "
                f"levels: {', '.join(self.levels)}"
            )
        merged = {**self.levels[level], **(overrides or {})}
        try:
            return self.Params(**merged)
        except ValidationError as exc:
            raise TaskError(f"task {self.name!r}: {one_line(exc)}") from None

    @classmethod
    def describe(cls) -> dict[str, Any]:
        schema = cls.Params.model_json_schema()
        knobs = {
            name: {
                k: v
                for k, v in prop.items()
                if k in ("type", "minimum", "maximum", "enum", "description", "default")
            }
            for name, prop in schema.get("properties", {}).items()
        }
        return {
            "name": cls.name,
            "modality": cls.modality,
            "version": cls.version,
            "description": cls.description,
            "levels": {name: dict(values) for name, values in cls.levels.items()},
            "params": knobs,
        }


_REGISTRY: dict[str, type[Task]] = {}
_LOADED = False


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: check the family is complete and add it to the registry."""
    for attr in ("name", "Params", "levels"):
        if not hasattr(cls, attr):
            raise TypeError(f"task class {cls.__name__} lacks {attr}")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise TypeError(f"task name {cls.name!r} registered twice")
    if len(cls.levels) < 3:
        raise TypeError(f"task {cls.name!r} needs at least three levels")
    for level, values in cls.levels.items():
        cls.Params(**values)  # a broken level table fails at import, not mid-run
        del level
    _REGISTRY[cls.name] = cls
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    importlib.import_module("generators")
    for ep in entry_points(group="synth.tasks"):
        ep.load()
    _LOADED = True


def registry() -> dict[str, type[Task]]:
    _load()
    return dict(sorted(_REGISTRY.items()))


_INSTANCES: dict[str, Task] = {}


def get_task(name: str) -> Task:
    _load()
    if name not in _REGISTRY:
        raise TaskError(f"unknown task {name!r}{did_you_mean(name, _REGISTRY)}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _REGISTRY[name]()
    return _INSTANCES[name]


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)
