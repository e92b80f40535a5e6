"""Publishing to a loopback Hub stand-in that speaks the huggingface_hub protocol (see tests/fake_hub.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, write_recipe
from tests.fake_hub import FakeHub

TOKEN = "hf_secretTestToken1234567890"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hub")
    recipe = write_recipe(
        tmp / "recipe.yaml", splits={"rl": 60, "cold_start": 20, "eval": 10}, license="apache-2.0"
    )
    done = run_cli("generate", "--recipe", str(recipe))
    assert done.returncode == 0, done.stderr[-2000:]
    return tmp / "out"


def publish(
    folder: Path, hub: FakeHub | None, *args: str, token: str | None = TOKEN
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT")}
    env.update({"HF_HUB_DISABLE_XET": "1", "HF_HOME": str(folder.parent / "hf-home"), "HF_HUB_OFFLINE": "0"})
    if hub:
        env["HF_ENDPOINT"] = hub.url
    if token:
        env["HF_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "synth.cli", "publish", str(folder), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_card_is_true_to_the_files(dataset):
    import re

    card = (dataset / "README.md").read_text()
    manifest = json.loads((dataset / "manifest.json").read_text())
    table = dict(
        ((m[0], m[1]), int(m[2])) for m in re.findall(r"^\| (\S+/\S+) \| (\S+/\S+) \| (\d+) \|$", card, re.M)
    )
    assert table == {
        (key, name): n for key, counts in manifest["counts"].items() for name, n in counts.items()
    }
    for shard in (s for c in manifest["configs"].values() for s in c["shards"]):
        assert f"`{shard['file']}` ({shard['rows']} rows): `{shard['sha256']}`" in card
    for asset in manifest["assets"]:
        assert f"]({asset['file']})" in card and (dataset / asset["file"]).stat().st_size > 100
    assert (
        "from synth.rewards import reward" in card
        and "compute_score" in card
        and "License: apache-2.0" in card
    )


def test_publish_is_one_commit_with_every_file_and_a_tag(dataset):
    with FakeHub(TOKEN) as hub:
        done = publish(dataset, hub, "--repo-id", "org/puzzles", "--tag", "v1")
        assert done.returncode == 0, done.stderr[-2000:]
    assert len(hub.commits) == 1
    commit = hub.commits[0]
    manifest = json.loads((dataset / "manifest.json").read_text())
    shards = [s["file"] for c in manifest["configs"].values() for s in c["shards"]]
    assets = [a["file"] for a in manifest["assets"]]
    assert assets and all(a.endswith(".png") for a in assets)
    assert sorted(commit["files"]) == sorted([*shards, *assets, "README.md", "manifest.json"])
    for name, data in commit["files"].items():
        assert data == (dataset / name).read_bytes()  # byte for byte
    assert hub.tags == [
        {"repo": "org/puzzles", "revision": commit["oid"], "tag": "v1", "message": commit["summary"]}
    ]
    assert hub.auth_seen == {f"Bearer {TOKEN}"}
    assert TOKEN not in done.stdout + done.stderr
    for path in dataset.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_failure_midway_commits_nothing_and_commits_are_retried_on_429(dataset):
    with FakeHub(TOKEN) as hub:
        hub.fail_uploads_after = 1  # the second Parquet upload fails, again and again
        done = publish(dataset, hub, "--repo-id", "org/puzzles")
        assert done.returncode == 2 and "nothing was committed" in done.stderr
        assert "Traceback" not in done.stderr and hub.commits == []
        hub.fail_uploads_after = None
        hub.commit_429s = 2
        again = publish(dataset, hub, "--repo-id", "org/puzzles")
        assert again.returncode == 0, again.stderr[-2000:]
        assert len(hub.commits) == 1 and hub.commit_429s == 0


def test_refusals_are_one_line(dataset, tmp_path):
    with FakeHub(TOKEN) as hub:
        no_token = publish(dataset, hub, "--repo-id", "org/puzzles", token=None)
        assert no_token.returncode == 2 and "no Hugging Face token" in no_token.stderr
        bad_id = publish(dataset, hub, "--repo-id", "not a repo/@@")
        assert bad_id.returncode == 2 and "--repo-id" in bad_id.stderr
        wrong_token = publish(dataset, hub, "--repo-id", "org/puzzles", token="hf_wrong")
        assert (
            wrong_token.returncode == 2
            and "401" in wrong_token.stderr
            and "hf_wrong" not in wrong_token.stderr
        )
        # a folder whose files do not match the manifest fails the self-check before anything is sent
        broken = tmp_path / "broken"
        subprocess.run(["cp", "-r", str(dataset), str(broken)], check=True)
        victim = next((broken / "data" / "rl").glob("train-*.parquet"))
        victim.write_bytes(victim.read_bytes()[:100])
        refused = publish(broken, hub, "--repo-id", "org/puzzles")
        assert refused.returncode == 2 and "checksum" in refused.stderr
        assert hub.commits == [] and all(
            "Traceback" not in p.stderr for p in (no_token, bad_id, wrong_token, refused)
        )


def test_dry_run_prints_the_commit_and_sends_nothing(dataset):
    with FakeHub(TOKEN) as hub:
        done = publish(dataset, hub, "--repo-id", "org/puzzles", "--dry-run", "--tag", "v2")
        assert done.returncode == 0, done.stderr[-2000:]
        assert "dry run: one commit to org/puzzles" in done.stdout and "add manifest.json" in done.stdout
        assert "then tag v2" in done.stdout
        assert hub.commits == [] and hub.auth_seen == set()
