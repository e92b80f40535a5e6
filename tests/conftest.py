from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def write_recipe(path: Path, **overrides) -> Path:
    recipe = {
        "name": "test",
        "seed": 7,
        "output": {"dir": str(path.parent / "out"), "shard_rows": 40},
        "tasks": [
            {"task": "knights_knaves", "level": "easy", "weight": 2},
            {"task": "sudoku", "level": "easy", "params": {"size": 4, "givens": 7}},
            {"task": "zebra", "level": "easy"},
            {"task": "shortest_path", "level": "easy"},
            {"task": "countdown", "level": "easy"},
        ],
        "splits": {"rl": 100, "cold_start": 30, "eval": 20},
    }
    recipe.update(overrides)
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "synth.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=kwargs.get("cwd", ROOT),
    )


@pytest.fixture
def recipe_file(tmp_path: Path) -> Path:
    return write_recipe(tmp_path / "recipe.yaml")
