"""The generate flow on Dask (prefect-dask) against a real distributed.LocalCluster: the same bytes as locally."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_recipe

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")


def shard_hashes(out) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {s["file"]: s["sha256"] for c in manifest["configs"].values() for s in c["shards"]}


def test_dask_local_cluster_writes_the_same_bytes_as_the_local_runner(tmp_path):
    recipe = write_recipe(tmp_path / "recipe.yaml", splits={"rl": 90, "cold_start": 30, "eval": 10})
    local = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr[-2000:]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        done = run_cli(
            "generate",
            "--recipe",
            str(recipe),
            "--out",
            str(tmp_path / "dask"),
            "--runner",
            "dask",
            "--address",
            cluster.scheduler_address,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        with distributed.Client(cluster) as client:  # the shard tasks really ran on the cluster
            prefixes = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        assert prefixes
    assert shard_hashes(tmp_path / "dask") == shard_hashes(tmp_path / "local")
    for name in ("manifest.json", "README.md"):  # the whole dataset, card included, is the same bytes
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    bad = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "x"), "--runner", "ray")
    assert bad.returncode == 2 and "--runner" in bad.stderr
