"""The pipeline in process (no Prefect): disjointness, de-duplication, seeds, manifest, row log."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import tests.tiny_task  # noqa: F401  (registers the 'tiny' task)
from synth import pipeline
from synth.recipe import load_recipe
from synth.shards import RowLog, sha256
from tests.conftest import write_recipe


def run_in_process(recipe_path: Path, **over) -> Path:
    r = load_recipe(recipe_path, **over)
    jobs = pipeline.plan(r)
    for job in jobs:
        pipeline.build_shard(job)
    pipeline.finalize(r, jobs)
    return Path(r.output.dir)


def all_rows(out: Path) -> dict[str, list[dict]]:
    return {
        str(p.relative_to(out)): pq.read_table(p).to_pylist()
        for p in sorted((out / "data").rglob("*.parquet"))
    }


def test_counts_manifest_and_disjoint_configs(tmp_path):
    out = run_in_process(write_recipe(tmp_path / "r.yaml"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert {k: v["rows"] for k, v in manifest["configs"].items()} == {
        "rl/test": 20,
        "rl/train": 100,
        "cold_start/train": 30,
    }
    for config in manifest["configs"].values():
        for shard in config["shards"]:
            assert sha256(out / shard["file"]) == shard["sha256"]
            assert pq.read_metadata(out / shard["file"]).num_rows == shard["rows"]
    ids = [row["id"] for rows in all_rows(out).values() for row in rows]
    assert len(ids) == len(set(ids)) == 150
    mix = manifest["counts"]["rl/train"]
    # weights 2:1:1:1:1 of 100 rows: exact shares, the 3 leftover rows to the largest remainders
    assert mix["knights_knaves/easy"] == 33
    assert sorted(v for k, v in mix.items() if not k.startswith("knights")) == [16, 17, 17, 17]
    assert not (out / ".synth").exists()


def test_duplicates_are_replaced_across_shards_and_configs(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        tasks=[{"task": "tiny", "level": "a"}],
        splits={"rl": 30, "cold_start": 15, "eval": 5},
        output={"dir": str(tmp_path / "o"), "shard_rows": 7},
    )
    out = run_in_process(recipe)
    rows = [row for rows in all_rows(out).values() for row in rows]
    assert sorted(int(r["answer"]) for r in rows) == list(range(50))  # all 50 instances, each once
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rejects"]["duplicate"] > 0
    for row in rows:
        assert json.loads(row["extra_info"]["instance"])["k"] == int(row["answer"])


def test_exhausted_instance_space_is_counted_not_hidden(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        tasks=[{"task": "tiny", "level": "a", "params": {"space": 10}}],
        splits={"rl": 14},
        output={"dir": str(tmp_path / "o"), "shard_rows": 5},
    )
    out = run_in_process(recipe)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["configs"]["rl/train"]["rows"] == 10
    assert manifest["rejects"]["instance_space_exhausted"] == 4


def test_neighbouring_seeds_share_no_instance(tmp_path):
    a = run_in_process(
        write_recipe(tmp_path / "a.yaml", seed=1, output={"dir": str(tmp_path / "a"), "shard_rows": 50})
    )
    b = run_in_process(
        write_recipe(tmp_path / "b.yaml", seed=2, output={"dir": str(tmp_path / "b"), "shard_rows": 50})
    )
    ids_a = {r["id"] for rows in all_rows(a).values() for r in rows}
    ids_b = {r["id"] for rows in all_rows(b).values() for r in rows}
    assert len(ids_a) == len(ids_b) == 150
    assert len(ids_a & ids_b) <= 3  # only coincidences of the smallest puzzles, never a shifted copy


def test_shard_size_does_not_change_the_rows(tmp_path):
    a = run_in_process(
        write_recipe(tmp_path / "a.yaml", output={"dir": str(tmp_path / "a"), "shard_rows": 7})
    )
    b = run_in_process(
        write_recipe(tmp_path / "b.yaml", output={"dir": str(tmp_path / "b"), "shard_rows": 1000})
    )

    def rows(out, prefix):
        return [r for name, rs in all_rows(out).items() if name.startswith(prefix) for r in rs]

    for prefix in ("data/rl/train", "data/rl/test", "data/cold_start"):
        assert rows(a, prefix) == rows(b, prefix)


def test_row_log_drops_a_torn_tail(tmp_path):
    log = RowLog(tmp_path / "x.rows")
    for i in range(3):
        log.append({"i": i})
    log.close()
    with open(tmp_path / "x.rows", "ab") as fh:
        fh.write(b"\x40\x00\x00\x00garbage")  # a record header promising more bytes than were written
    assert [r["i"] for r in RowLog(tmp_path / "x.rows").read()] == [0, 1, 2]
    log = RowLog(tmp_path / "x.rows")
    log.append({"i": 3})
    log.close()
    assert [r["i"] for r in RowLog(tmp_path / "x.rows").read()] == [0, 1, 2, 3]


@pytest.mark.parametrize("config", ["rl", "cold_start"])
def test_rows_reverify_from_their_own_columns(tmp_path, config):
    from synth.rewards import compute_score, reward

    out = run_in_process(write_recipe(tmp_path / "r.yaml"))
    rows = [r for name, rs in all_rows(out).items() if f"/{config}/" in f"/{name}" for r in rs]
    assert rows
    for r in rows:
        if config == "rl":
            assert (
                compute_score(
                    r["data_source"], f"<answer>{r['answer']}</answer>", r["answer"], r["extra_info"]
                )
                == 1.0
            )
            assert r["problem"] == r["prompt"][-1]["content"]
        else:
            assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
            completion = r["messages"][-1]["content"]
            assert completion.startswith("<think>") and "</think>" in completion
            assert reward([[{"role": "assistant", "content": completion}]], extra_info=[r["extra_info"]]) == [
                1.0
            ]
