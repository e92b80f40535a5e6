"""The CLI as a user runs it (through the Prefect flow): determinism, loading, crash and resume."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, write_recipe

pytestmark = pytest.mark.slow


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cli_runs_are_byte_identical_and_load_with_datasets(tmp_path):
    import datasets

    recipe = write_recipe(tmp_path / "r.yaml")
    one = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "one"), "--workers", "1")
    two = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "two"), "--workers", "2")
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    assert "total" in one.stderr and "150" in one.stderr  # the summary table
    rl = datasets.load_dataset(str(tmp_path / "one"), "rl")
    cold = datasets.load_dataset(str(tmp_path / "one"), "cold_start")
    assert rl["train"].num_rows == 100 and rl["test"].num_rows == 20 and cold["train"].num_rows == 30
    assert isinstance(rl["train"].features["images"].feature, datasets.Image)
    assert rl["train"][0]["reward_model"]["style"] == "rule"
    assert cold["train"][0]["messages"][2]["content"].startswith("<think>")
    again = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "one"))
    assert again.returncode == 0 and "nothing to do" in again.stderr
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_sigkill_at_any_moment_then_rerun_gives_the_uninterrupted_bytes(tmp_path):
    tasks = [
        {"task": "sudoku", "level": "medium"},
        {"task": "zebra", "level": "medium"},
        {"task": "knights_knaves", "level": "hard"},
    ]
    recipe = write_recipe(
        tmp_path / "r.yaml",
        tasks=tasks,
        splits={"rl": 900, "cold_start": 150},
        output={"dir": str(tmp_path / "crash"), "shard_rows": 150},
    )
    clean = run_cli("generate", "--recipe", str(recipe), "--out", str(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stderr

    work = tmp_path / "crash" / ".synth"
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    kills = 0
    # kill once while rows are being logged and once after some shards finished
    for moment in ("rows", "shard"):
        proc = subprocess.Popen(
            [sys.executable, "-m", "synth.cli", "generate", "--recipe", str(recipe)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            rows = [p for p in work.rglob("*.rows") if p.stat().st_size > 2000]
            shards = list(work.rglob("*.parquet"))
            if (moment == "rows" and rows) or (moment == "shard" and len(shards) >= 2 and rows):
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.05)
        proc.wait()
        time.sleep(0.7)  # orphaned workers notice their parent is gone and exit
    assert kills == 2
    assert not (tmp_path / "crash" / "manifest.json").exists()
    finish = run_cli("generate", "--recipe", str(recipe))
    assert finish.returncode == 0, finish.stderr
    assert digest(tmp_path / "crash") == digest(tmp_path / "clean")


def test_tasks_listing():
    text = run_cli("tasks")
    assert text.returncode == 0 and "knights_knaves" in text.stdout and "sudoku" in text.stdout
    listed = json.loads(run_cli("tasks", "--json").stdout)
    by_name = {t["name"]: t for t in listed}
    assert {"knights_knaves", "sudoku", "zebra", "shortest_path", "countdown"} <= set(by_name)
    for t in listed:
        assert set(t) >= {"name", "modality", "levels", "params"}
        assert len(t["levels"]) >= 3 and t["modality"] in ("text", "image")
    assert set(by_name["sudoku"]["params"]) == {"size", "givens", "technique"}
    assert by_name["sudoku"]["levels"]["hard"]["technique"] == "search"
