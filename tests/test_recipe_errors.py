"""Bad recipes: exit 2, one line naming the file, the key and the problem, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli, write_recipe


def edit(path: Path, change) -> Path:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))
    return path


CASES = {
    "unknown task": (
        lambda d: d["tasks"][1].update(task="sudoko"),
        ["tasks[1]", "unknown task 'sudoko'", "did you mean 'sudoku'"],
    ),
    "unknown level": (
        lambda d: d["tasks"][0].update(level="medum"),
        ["tasks[0]", "no level 'medum'", "did you mean 'medium'"],
    ),
    "negative count": (
        lambda d: d["splits"].update(rl=-5),
        ["splits.rl", "greater than or equal to 0", "-5"],
    ),
    "misspelt key": (
        lambda d: d.update(seeed=d.pop("seed")),
        ["seeed", "unknown key", "did you mean 'seed'"],
    ),
    "misspelt nested key": (
        lambda d: d["output"].update(shard_row=10),
        ["output.shard_row", "did you mean 'shard_rows'"],
    ),
    "wrong type": (lambda d: d.update(seed="seven"), ["seed", "valid integer", "'seven'"]),
    "bad knob": (lambda d: d["tasks"][1].update(params={"size": 7}), ["tasks[1]", "size"]),
    "knob out of range": (
        lambda d: d["tasks"][0].update(params={"n_people": 40}),
        ["tasks[0]", "n_people", "less than or equal to 8"],
    ),
    "no rows": (lambda d: d.update(splits={"rl": 0}), ["splits", "at least one"]),
    "missing key": (lambda d: d.pop("tasks"), ["tasks", "required"]),
    "output is a file": (
        lambda d: d["output"].update(dir="/etc/hostname/sub"),
        ["output.dir", "not a folder"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_recipe_is_one_clear_line(tmp_path, case):
    change, expected = CASES[case]
    recipe = edit(write_recipe(tmp_path / "recipe.yaml"), change)
    result = run_cli("generate", "--recipe", str(recipe))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(recipe) in lines[0]
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_yaml(tmp_path):
    result = run_cli("generate", "--recipe", str(tmp_path / "nope.yaml"))
    assert (
        result.returncode == 2
        and "recipe file not found" in result.stderr
        and "Traceback" not in result.stderr
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntasks: [unclosed\n")
    result = run_cli("generate", "--recipe", str(bad))
    assert result.returncode == 2
    assert f"{bad}:3:1: invalid YAML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_foreign_output_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    recipe = write_recipe(tmp_path / "recipe.yaml")
    result = run_cli("generate", "--recipe", str(recipe))
    assert result.returncode == 2 and "not empty" in result.stderr
    assert (out / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]


def test_brackets_in_an_error_are_printed_as_written(tmp_path):
    recipe = write_recipe(tmp_path / "r.yaml", scorer={"kind": "pass_rate", "model": "m", "band": [0.9, 0.1]})
    done = run_cli("generate", "--recipe", str(recipe))
    assert done.returncode == 2 and "band is [low, high]" in done.stderr
