"""``synth inspect DIR``: what a dataset folder holds, read from its manifest and Parquet files.

Counts per config, task and level; rejects by reason; a difficulty summary per config; and a few sample rows
rendered readably, with their images saved as files next to nothing else (a folder the caller names, or a
temporary one) and the paths printed.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from synth.errors import SynthError


def load(folder: Path) -> dict[str, Any]:
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise SynthError(f"{folder}: no manifest.json here; is it a synth dataset folder?")
    try:
        return json.loads(manifest.read_text())
    except json.JSONDecodeError as exc:
        raise SynthError(f"{manifest}: unreadable ({exc.msg} at line {exc.lineno})") from None


def difficulty_summary(folder: Path, manifest: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for key, config in manifest["configs"].items():
        values: list[float] = []
        for shard in config["shards"]:
            values += pq.read_table(folder / shard["file"], columns=["difficulty"])["difficulty"].to_pylist()
        values = [v for v in values if v is not None]
        if values:
            q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
            out[key] = {"mean": statistics.fmean(values), "p25": q[0], "median": q[1], "p75": q[2]}
    return out


def samples(folder: Path, manifest: dict[str, Any], n: int, image_dir: Path) -> list[dict[str, Any]]:
    """The first ``n`` rows of each config, with image bytes written to files."""
    out = []
    for key, config in manifest["configs"].items():
        if not config["shards"]:
            continue
        first = next(
            pq.ParquetFile(folder / config["shards"][0]["file"]).iter_batches(batch_size=max(n, 1)), None
        )
        for row in first.to_pylist()[:n] if first is not None else []:
            paths = []
            for k, image in enumerate(row.get("images") or []):
                data = image["bytes"]
                ext = "webp" if data[8:12] == b"WEBP" else "png"
                path = image_dir / f"{row['id'][:12]}-{k}.{ext}"
                path.write_bytes(data)
                paths.append(str(path))
            if "messages" in row:
                text = row["messages"][1]["content"]
                reply = row["messages"][2]["content"] if len(row["messages"]) > 2 else ""
            elif "problem" in row:
                text, reply = row["problem"], ""
            else:
                text, reply = row["prompt"][-1]["content"], row["chosen"][0]["content"]
            out.append(
                {
                    "config": key,
                    "id": row["id"],
                    "task": row["task"],
                    "level": row.get("level"),
                    "problem": text,
                    "answer": row.get("answer"),
                    "reasoning": reply,
                    "images": paths,
                }
            )
    return out


def inspect_folder(folder: Path, n_samples: int = 2, image_dir: Path | None = None) -> dict[str, Any]:
    manifest = load(folder)
    image_dir = image_dir or Path(tempfile.mkdtemp(prefix="synth-inspect-"))
    image_dir.mkdir(parents=True, exist_ok=True)
    return {
        "name": manifest["name"],
        "configs": {k: v["rows"] for k, v in manifest["configs"].items()},
        "counts": manifest["counts"],
        "rejects": manifest.get("rejects", {}),
        "conversions": manifest.get("conversions", {}),
        "difficulty": difficulty_summary(folder, manifest),
        "samples": samples(folder, manifest, n_samples, image_dir),
    }
