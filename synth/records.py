"""Arrow schemas and row builders of the output configs (the record contract of DESIGN.md section 4).

Column names follow what the trainers read, so one file feeds them all: verl (``data_source``, ``prompt``,
``reward_model``, ``extra_info``), TRL (``prompt`` / ``messages``), EasyR1 (``problem``, ``answer``,
``images``) and LLaMA-Factory (``messages``, ``images``). ``images`` carries the Hugging Face ``Image``
feature in the schema metadata, so ``datasets`` decodes it.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

SYSTEM_PROMPT = (
    "You are a careful problem solver. First reason step by step inside <think> </think> tags, then give "
    "only the final answer inside <answer> </answer> tags."
)

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
EXTRA_INFO = pa.struct(
    [
        ("task", pa.string()),
        ("level", pa.string()),
        ("seed", pa.int64()),
        ("instance", pa.string()),
        ("split", pa.string()),
        ("index", pa.int64()),
    ]
)
DISTILL_INFO = pa.struct(
    [("model", pa.string()), ("sampling", pa.string()), ("attempts", pa.int64()), ("passes", pa.int64())]
)
SOLVER_STATS = pa.struct([("nodes", pa.int64()), ("backtracks", pa.int64()), ("steps", pa.int64())])

RL_FIELDS = [
    ("id", pa.string()),
    ("task", pa.string()),
    ("task_version", pa.string()),
    ("data_source", pa.string()),
    ("prompt", pa.list_(MESSAGE)),
    ("problem", pa.string()),
    ("images", pa.list_(IMAGE)),
    ("answer", pa.string()),
    ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
    ("extra_info", EXTRA_INFO),
    ("difficulty", pa.float64()),
    ("level", pa.string()),
    ("difficulty_level", pa.string()),
    ("solver_stats", SOLVER_STATS),
    # filled by the pass-rate scorer (null otherwise): samples of the policy model and how many verified
    ("pass_rate", pa.float64()),
    ("n_samples", pa.int64()),
    ("n_correct", pa.int64()),
]
COLD_START_FIELDS = [
    ("id", pa.string()),
    ("task", pa.string()),
    ("messages", pa.list_(MESSAGE)),
    ("images", pa.list_(IMAGE)),
    ("answer", pa.string()),
    ("difficulty", pa.float64()),
    ("level", pa.string()),
    ("difficulty_level", pa.string()),
    ("cot_source", pa.string()),
    ("extra_info", EXTRA_INFO),
    # model-written traces (null for solver traces): which model, how it sampled, attempts and verified ones
    ("distill", DISTILL_INFO),
]
PREFERENCE_FIELDS = [
    ("id", pa.string()),
    ("task", pa.string()),
    ("prompt", pa.list_(MESSAGE)),
    ("chosen", pa.list_(MESSAGE)),
    ("rejected", pa.list_(MESSAGE)),
    ("images", pa.list_(IMAGE)),
    ("answer", pa.string()),
    ("level", pa.string()),
    ("extra_info", EXTRA_INFO),
]


def _feature(t: pa.DataType) -> dict[str, Any]:
    """The ``datasets`` feature JSON of an Arrow type, with struct<bytes, path> lists as Image lists."""
    if pa.types.is_list(t):
        if t.value_type == IMAGE:
            return {"feature": {"_type": "Image"}, "_type": "List"}
        return {"feature": _feature(t.value_type), "_type": "List"}
    if pa.types.is_struct(t):
        return {f.name: _feature(f.type) for f in t}
    dtype = {pa.string(): "string", pa.int64(): "int64", pa.float64(): "float64", pa.binary(): "binary"}[t]
    return {"dtype": dtype, "_type": "Value"}


def _schema(fields: list[tuple[str, pa.DataType]]) -> pa.Schema:
    features = {name: _feature(t) for name, t in fields}
    meta = {b"huggingface": json.dumps({"info": {"features": features}}).encode()}
    return pa.schema(fields, metadata=meta)


SCHEMAS = {
    "rl": _schema(RL_FIELDS),
    "cold_start": _schema(COLD_START_FIELDS),
    "preference": _schema(PREFERENCE_FIELDS),
}


def user_content(problem: str, n_images: int) -> str:
    """The user turn: one ``<image>`` marker per image, first, then the text (EasyR1 / LLaMA-Factory style)."""
    return "<image>" * n_images + problem


def rl_row(
    *,
    id: str,
    task: str,
    task_version: str,
    problem: str,
    images: list[bytes],
    answer: str,
    extra_info: dict[str, Any],
    difficulty: float,
    level: str,
    difficulty_level: str,
    stats: dict[str, int],
) -> dict[str, Any]:
    content = user_content(problem, len(images))
    return {
        "id": id,
        "task": task,
        "task_version": task_version,
        "data_source": f"synth/{task}",
        "prompt": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}],
        "problem": content,
        "images": [{"bytes": b, "path": None} for b in images],
        "answer": answer,
        "reward_model": {"style": "rule", "ground_truth": answer},
        "extra_info": extra_info,
        "difficulty": difficulty,
        "level": level,
        "difficulty_level": difficulty_level,
        "solver_stats": stats,
        "pass_rate": None,
        "n_samples": None,
        "n_correct": None,
    }


def cold_start_row(
    *,
    id: str,
    task: str,
    problem: str,
    images: list[bytes],
    answer: str,
    completion: str | None,
    extra_info: dict[str, Any],
    difficulty: float,
    level: str,
    difficulty_level: str,
    cot_source: str,
) -> dict[str, Any]:
    return {
        "id": id,
        "task": task,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_content(problem, len(images))},
            *([{"role": "assistant", "content": completion}] if completion is not None else []),
        ],
        "images": [{"bytes": b, "path": None} for b in images],
        "answer": answer,
        "difficulty": difficulty,
        "level": level,
        "difficulty_level": difficulty_level,
        "cot_source": cot_source,
        "extra_info": extra_info,
        "distill": None,
    }


def to_table(rows: list[dict[str, Any]], config: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMAS[config])
