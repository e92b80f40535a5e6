"""The work of a run, as plain functions the Prefect flow orchestrates.

``plan``: recipe -> shard jobs. ``build_shard``: one job -> one work Parquet file (resumable row by row).
``finalize``: global de-duplication across all configs, the final shard files, manifest and card.

Every row is a pure function of (recipe data key, config, split, row index, attempt): the per-row RNG is
derived by hashing those, so the same recipe and seed give the same bytes whatever the number of workers,
the order shards finish in, or how often the run was killed and resumed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from synth import __version__, records
from synth.distill import trace as trace_distiller
from synth.errors import OutputError
from synth.recipe import CONFIG_SPLITS, Recipe
from synth.rng import derive_seed
from synth.scoring import intrinsic
from synth.shards import RowLog, iter_ids, sha256, shard_name, write_parquet_atomic, write_text_atomic
from synth.stages import ModelStages
from synth.task import Instance, Skip, content_hash, get_task

log = logging.getLogger("synth")

MAX_ATTEMPTS = 64  # draws per row before a row is given up (only reachable for tiny instance spaces)
TOPUP_ATTEMPT_BASE = (
    1_000_000  # attempts used to replace cross-shard duplicates never collide with the first draws
)
STATE_DIR = ".synth"


@dataclass(frozen=True)
class Part:
    """One (config, split) of the output, e.g. rl/train; ``name`` is the recipe's word for it."""

    name: str  # rl | cold_start | eval
    config: str
    split: str
    rows: int

    @property
    def key(self) -> str:
        return f"{self.config}/{self.split}"


@dataclass(frozen=True)
class ShardJob:
    recipe_json: str
    part: Part
    shard: int
    n_shards: int
    start: int  # index of the shard's first row within its part
    entries: tuple[int, ...]  # recipe.tasks index of each row
    ordinals: tuple[int, ...]  # each row's rank among the part's rows of the same entry (for grouped tasks)
    work_dir: str

    @property
    def stem(self) -> str:
        return f"{self.part.config}-{self.part.split}-{self.shard:05d}"

    @property
    def work_file(self) -> Path:
        return Path(self.work_dir) / f"{self.stem}.parquet"


@dataclass
class ShardSummary:
    rows: int = 0
    rejects: Counter = field(default_factory=Counter)


def parts(recipe: Recipe) -> list[Part]:
    """Configs in canonical order; on a duplicate across configs the earlier one keeps the instance."""
    out = []
    for name in ("eval", "rl", "cold_start"):
        rows = getattr(recipe.splits, name)
        if rows:
            config, split = CONFIG_SPLITS[name]
            out.append(Part(name, config, split, rows))
    return out


def mixture(recipe: Recipe, part: Part) -> list[int]:
    """Task entry of every row: exact shares by weight (largest remainder), in a seeded random order."""
    weights = [t.weight for t in recipe.tasks]
    total = sum(weights)
    quotas = [part.rows * w / total for w in weights]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[: part.rows - sum(counts)]:
        counts[i] += 1
    order = [i for i, c in enumerate(counts) for _ in range(c)]
    random.Random(derive_seed(recipe.data_key(), "mixture", part.key)).shuffle(order)
    return order


def work_dir(recipe: Recipe) -> Path:
    return Path(recipe.output.dir) / STATE_DIR / recipe.run_key()


def plan(recipe: Recipe) -> list[ShardJob]:
    jobs = []
    recipe_json = recipe.model_dump_json()
    size = recipe.output.shard_rows
    for part in parts(recipe):
        entries = mixture(recipe, part)
        seen_of: Counter = Counter()
        ordinals = []
        for e in entries:
            ordinals.append(seen_of[e])
            seen_of[e] += 1
        n = math.ceil(part.rows / size)
        for k in range(n):
            start = k * size
            jobs.append(
                ShardJob(
                    recipe_json,
                    part,
                    k,
                    n,
                    start,
                    tuple(entries[start : start + size]),
                    tuple(ordinals[start : start + size]),
                    str(work_dir(recipe)),
                )
            )
    return jobs


# -- rows ---------------------------------------------------------------------------------------------------


class RowMaker:
    """Builds the row at one position of one part; caches tasks and resolved params per recipe entry."""

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.key = recipe.data_key()
        self.tasks = [get_task(t.task) for t in recipe.tasks]
        self.params = [task.params_for(t.level, t.params) for task, t in zip(self.tasks, recipe.tasks)]
        self._groups: dict[int, list[Instance]] = {}  # recent groups of grouped tasks, by seed

    def make(
        self,
        part: Part,
        index: int,
        entry: int,
        seen: set[str],
        rejects: Counter,
        attempt_base: int = 0,
        ordinal: int = 0,
    ) -> dict[str, Any] | None:
        task, params, spec = self.tasks[entry], self.params[entry], self.recipe.tasks[entry]
        for attempt in range(attempt_base, attempt_base + MAX_ATTEMPTS):
            try:
                seed, instance = self._draw(task, params, part, index, entry, ordinal, attempt)
            except Skip as skip:
                rejects[skip.reason] += 1
                continue
            row_id = content_hash(task.name, instance)
            if row_id in seen:
                rejects["duplicate"] += 1
                continue
            row = self._row(part, index, spec.level, seed, row_id, task, instance)
            if row is None:
                rejects["trace_unverified"] += 1
                continue
            seen.add(row_id)
            rejects.update(instance.notes)
            return row
        rejects["instance_space_exhausted"] += 1
        return None

    def _draw(
        self, task, params, part: Part, index: int, entry: int, ordinal: int, attempt: int
    ) -> tuple[int, Instance]:
        if task.group_size == 1:
            seed = derive_seed(self.key, part.key, index, attempt)
            return seed, task.generate(random.Random(seed), params)
        # the k-th row of a grouped task takes member k % size of group k // size, so groups stay whole
        group, member = divmod(ordinal, task.group_size)
        seed = derive_seed(self.key, part.key, "group", entry, group, attempt)
        if seed not in self._groups:
            if len(self._groups) > 256:
                self._groups.clear()
            self._groups[seed] = task.generate_group(random.Random(seed), params)
        return seed, self._groups[seed][member]

    def _row(
        self, part: Part, index: int, level: str, seed: int, row_id: str, task, instance: Instance
    ) -> dict[str, Any] | None:
        difficulty, difficulty_level = intrinsic.score(instance.stats, task.effort_scale)
        extra = {
            "task": task.name,
            "level": level,
            "seed": seed,
            "instance": instance.canonical_json(),
            "split": part.name,
            "index": index,
        }
        common = {
            "id": row_id,
            "task": task.name,
            "problem": instance.prompt,
            "images": instance.images,
            "answer": instance.answer,
            "extra_info": extra,
            "difficulty": difficulty,
            "level": level,
            "difficulty_level": difficulty_level,
        }
        if part.config == "cold_start":
            if self.recipe.distiller.kind != "trace":  # a model writes the reasoning in the finalize step
                return records.cold_start_row(**common, completion=None, cot_source="pending")
            completion = trace_distiller.distill(task, instance)
            if completion is None:
                return None
            return records.cold_start_row(**common, completion=completion, cot_source="trace")
        stats = {
            "nodes": instance.stats.nodes,
            "backtracks": instance.stats.backtracks,
            "steps": instance.stats.steps,
        }
        return records.rl_row(**common, task_version=task.version, stats=stats)


_MAKERS: dict[str, RowMaker] = {}
_progress = None  # a multiprocessing.Value shared with the parent for the progress bar, set per worker


def set_progress_counter(counter) -> None:
    global _progress
    _progress = counter


def _maker(recipe_json: str) -> RowMaker:
    if recipe_json not in _MAKERS:
        _MAKERS[recipe_json] = RowMaker(Recipe.model_validate_json(recipe_json))
    return _MAKERS[recipe_json]


def build_shard(job: ShardJob) -> dict[str, Any]:
    """Produce the job's work file; resumes from its row log. Returns a small summary."""
    summary_file = job.work_file.with_suffix(".json")
    if job.work_file.exists():
        return json.loads(summary_file.read_text())
    maker = _maker(job.recipe_json)
    job.work_file.parent.mkdir(parents=True, exist_ok=True)
    row_log = RowLog(job.work_file.with_suffix(".rows"))
    done = row_log.read()
    rows = [r for r, _ in done]
    rejects: Counter = Counter()
    for _, rej in done:
        rejects.update(rej)
    _bump(len(done))
    seen = {r["id"] for r in rows if r is not None}
    for k in range(len(done), len(job.entries)):
        row_rejects: Counter = Counter()
        row = maker.make(job.part, job.start + k, job.entries[k], seen, row_rejects, ordinal=job.ordinals[k])
        row_log.append((row, dict(row_rejects)))
        rows.append(row)
        rejects.update(row_rejects)
        _bump(1)
    kept = [r for r in rows if r is not None]
    summary = {
        "part": job.part.key,
        "shard": job.shard,
        "rows": len(kept),
        "rejects": dict(sorted(rejects.items())),
    }
    write_text_atomic(json.dumps(summary), summary_file)
    write_parquet_atomic(records.to_table(kept, job.part.config), job.work_file)
    row_log.remove()
    return summary


def _bump(n: int) -> None:
    if _progress is not None and n:
        with _progress.get_lock():
            _progress.value += n


# -- finishing ----------------------------------------------------------------------------------------------


def finalize(recipe: Recipe, jobs: list[ShardJob]) -> dict[str, Any]:
    """De-duplicate across configs, write the final shards, then the card and (last) the manifest."""
    out = Path(recipe.output.dir)
    maker = RowMaker(recipe)
    stages = ModelStages(recipe)
    seen: set[str] = set()
    rejects: Counter = Counter()
    shards_meta: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, Counter] = {}
    for job in jobs:
        summary = json.loads(job.work_file.with_suffix(".json").read_text())
        rejects.update(summary["rejects"])
        ids = list(iter_ids(job.work_file))
        dup_rows = []
        for k, row_id in enumerate(ids):
            if row_id in seen:
                dup_rows.append(k)
            else:
                seen.add(row_id)
        final = out / "data" / job.part.config / shard_name(job.part.split, job.shard, job.n_shards)
        written = [(job.part.key, final)]
        if stages.applies(job.part.config):
            table = (
                _replace_duplicates(maker, job, ids, dup_rows, seen, rejects)
                if dup_rows
                else pq.read_table(job.work_file)
            )
            rows, pairs, stage_counts = stages.apply(job.part.config, table.to_pylist())
            rejects.update({k: v for k, v in stage_counts.items() if v})
            written = []  # a shard the model stages emptied is not written: datasets cannot read 0-row files
            if rows:
                write_parquet_atomic(records.to_table(rows, job.part.config), final)
                written.append((job.part.key, final))
            if pairs:
                pref = out / "data" / "preference" / shard_name("train", job.shard, job.n_shards)
                write_parquet_atomic(records.to_table(pairs, "preference"), pref)
                written.append(("preference/train", pref))
        elif dup_rows:
            write_parquet_atomic(_replace_duplicates(maker, job, ids, dup_rows, seen, rejects), final)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
            shutil.copyfile(job.work_file, tmp)
            os.replace(tmp, final)
        for key, path in written:
            meta = pq.read_table(path, columns=["task", "level"])
            c = counts.setdefault(key, Counter())
            for task, level in zip(meta.column("task").to_pylist(), meta.column("level").to_pylist()):
                c[f"{task}/{level}"] += 1
            shards_meta.setdefault(key, []).append(
                {"file": str(path.relative_to(out)), "rows": meta.num_rows, "sha256": sha256(path)}
            )
    stage_summary = stages.summary() if stages.distiller or stages.scorer else None
    stages.close()
    _remove_stale_shards(out, shards_meta)
    manifest = {
        "name": recipe.name,
        "synth_version": __version__,
        "pyarrow_version": pa.__version__,
        "task_versions": {t.task: get_task(t.task).version for t in recipe.tasks},
        "seed": recipe.seed,
        "data_key": recipe.data_key(),
        "run_key": recipe.run_key(),
        "planned_rows": {p.key: p.rows for p in parts(recipe)},
        "recipe": json.loads(
            recipe.model_dump_json(exclude={"output": {"dir"}, "workers": True, "runner": True})
        ),
        "license": recipe.license,
        "configs": {
            key: {"rows": sum(s["rows"] for s in shards), "shards": shards}
            for key, shards in shards_meta.items()
        },
        "counts": {key: dict(sorted(c.items())) for key, c in counts.items()},
        # draws thrown away, by reason (duplicates, unreadable source images, ...)
        "rejects": {k: v for k, v in sorted(rejects.items()) if not k.startswith("converted:")},
        # inputs repaired on the way in (e.g. CMYK or 16-bit source images), by what was done
        "conversions": {k: v for k, v in sorted(rejects.items()) if k.startswith("converted:")},
    }
    if stage_summary:
        manifest["model_stages"] = stage_summary
    from synth.card import render_card, write_assets

    manifest["assets"] = [{**a, "sha256": sha256(out / a["file"])} for a in write_assets(out, manifest)]
    write_text_atomic(render_card(manifest), out / "README.md")
    write_text_atomic(json.dumps(manifest, indent=2, sort_keys=True) + "\n", out / "manifest.json")
    shutil.rmtree(work_dir(recipe), ignore_errors=True)  # the response cache beside it stays
    with contextlib.suppress(OSError):
        (out / STATE_DIR).rmdir()  # gone unless a response cache is kept there
    return manifest


def _replace_duplicates(
    maker: RowMaker, job: ShardJob, ids: list[str], dup_rows: list[int], seen: set[str], rejects: Counter
) -> pa.Table:
    """Swap rows whose instance an earlier shard or config already holds for fresh draws at the same index."""
    table = pq.read_table(job.work_file)
    rows = table.to_pylist()
    # the work file holds kept rows only; map each back to its planned index through extra_info.index
    for k in dup_rows:
        index = rows[k]["extra_info"]["index"]
        entry, ordinal = job.entries[index - job.start], job.ordinals[index - job.start]
        rejects["duplicate"] += 1
        rows[k] = maker.make(
            job.part, index, entry, seen, rejects, attempt_base=TOPUP_ATTEMPT_BASE, ordinal=ordinal
        )
    return records.to_table([r for r in rows if r is not None], job.part.config)


def _remove_stale_shards(out: Path, shards_meta: dict[str, list[dict[str, Any]]]) -> None:
    """Drop data files a previous, differently sized run left behind (their names differ in '-of-N')."""
    keep = {s["file"] for shards in shards_meta.values() for s in shards}
    data = out / "data"
    if data.exists():
        for path in data.rglob("*.parquet"):
            if str(path.relative_to(out)) not in keep:
                path.unlink()


# -- run state ----------------------------------------------------------------------------------------------


def clear_output(out: Path) -> None:
    """Empty the folder for a new run, keeping the model response cache (content-addressed, so always valid)."""
    for entry in out.iterdir():
        if entry.name == STATE_DIR:
            for sub in entry.iterdir():
                if sub.name != "cache":
                    shutil.rmtree(sub) if sub.is_dir() else sub.unlink()
        elif entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def check_output(recipe: Recipe) -> str:
    """'done' if the folder already holds this dataset, 'resume' / 'new' otherwise; OutputError if foreign."""
    out = Path(recipe.output.dir)
    manifest = out / "manifest.json"
    if manifest.exists():
        try:
            existing = json.loads(manifest.read_text())
        except (OSError, json.JSONDecodeError):
            raise OutputError(
                f"{manifest}: unreadable manifest; remove the folder or choose another --out"
            ) from None
        files_there = all(
            (out / s["file"]).exists() for c in existing.get("configs", {}).values() for s in c["shards"]
        )
        if files_there and existing.get("run_key") == recipe.run_key():  # same rows, same shard layout
            return "done"
        if existing.get("data_key") != recipe.data_key():
            raise OutputError(
                f"output.dir: {out} already holds a different dataset (manifest data_key "
                f"{existing.get('data_key')}); pass --overwrite or choose another --out"
            )
    elif out.exists() and any(p.name != STATE_DIR for p in out.iterdir()) and not (out / STATE_DIR).exists():
        raise OutputError(f"output.dir: {out} is not empty and holds no synth dataset; choose another --out")
    return "resume" if work_dir(recipe).exists() else "new"
