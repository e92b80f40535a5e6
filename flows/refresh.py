"""The scheduled refresh: a new version of a dataset with a fresh seed, compared with the last one, published.

Versions live side by side under ``<output.dir>/versions/<seed>/``; ``<output.dir>/LATEST`` names the newest.
The seed is drawn fresh (or given), recorded in the version's manifest and in the flow's result, so any
version can be made again with ``synth generate --recipe R --seed N``.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.generate import generate_dataset
from synth.recipe import load_recipe


def compare(previous: Path | None, current: Path) -> dict[str, Any]:
    """Rows per config before and after, and how many instances the two versions share."""
    import pyarrow.parquet as pq

    def ids(folder: Path) -> set[str]:
        manifest = json.loads((folder / "manifest.json").read_text())
        out: set[str] = set()
        for config in manifest["configs"].values():
            for shard in config["shards"]:
                out.update(pq.read_table(folder / shard["file"], columns=["id"])["id"].to_pylist())
        return out

    def rows(folder: Path) -> dict[str, int]:
        manifest = json.loads((folder / "manifest.json").read_text())
        return {k: v["rows"] for k, v in manifest["configs"].items()}

    if previous is None or not (previous / "manifest.json").exists():
        return {"previous": None, "rows": rows(current)}
    return {
        "previous": previous.name,
        "rows_before": rows(previous),
        "rows": rows(current),
        "shared_instances": len(ids(previous) & ids(current)),
    }


@task(name="publish-version", cache_policy=NO_CACHE)
def publish_version(folder: str, repo_id: str, tag: str) -> dict[str, Any]:
    from synth.hub import publish

    return publish(Path(folder), repo_id, tag=tag)


@flow(name="refresh-dataset", log_prints=True)
def refresh_dataset(
    recipe: str, seed: int | None = None, repo_id: str | None = None, workers: int | None = None
) -> dict[str, Any]:
    """Generate a new version with a fresh seed, compare it with the previous one, publish it if repo_id."""
    log = get_run_logger()
    r = load_recipe(recipe)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    base = Path(r.output.dir)
    version = base / "versions" / str(seed)
    latest = base / "LATEST"
    previous = base / "versions" / latest.read_text().strip() if latest.exists() else None
    generate_dataset(recipe=recipe, out=str(version), seed=seed, workers=workers)
    comparison = compare(previous, version)
    log.info("version %s: %s", seed, json.dumps(comparison))
    published = None
    if repo_id:
        tag = f"v{datetime.now(UTC):%Y%m%d}-{seed}"
        published = publish_version(str(version), repo_id, tag)
        log.info("published %s as %s", repo_id, tag)
    (base / "LATEST.tmp").write_text(f"{seed}\n")
    (base / "LATEST.tmp").replace(latest)
    return {
        "seed": seed,
        "version": str(version),
        "comparison": comparison,
        "published": published is not None,
    }
