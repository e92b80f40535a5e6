"""The README's deployment sequence for real: a local `prefect server start`, `python -m flows.serve`, then
`prefect deployment run 'refresh-dataset/<name>' --param ...` twice; the refresh publishes to the loopback Hub."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, write_recipe
from tests.fake_hub import FakeHub
from tests.test_flow_server import prefect_server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
TOKEN = "hf_deployTestToken0987654321"


def run_deployment(env: dict, name: str, *params: str) -> subprocess.CompletedProcess:
    """`prefect deployment run` (with --watch), retried while the served deployment is still registering."""
    args = [sys.executable, "-m", "prefect", "deployment", "run", name, "--watch", "--watch-timeout", "600"]
    for p in params:
        args += ["--param", p]
    deadline = time.time() + 120
    while True:
        done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=700)
        if (
            done.returncode == 0
            or "not found" not in (done.stdout + done.stderr).lower()
            or time.time() > deadline
        ):
            return done
        time.sleep(2)


def test_refresh_deployment_runs_twice_compares_and_publishes(tmp_path, prefect_server):  # noqa: F811
    url, env = prefect_server
    recipe = write_recipe(tmp_path / "recipe.yaml", splits={"rl": 40, "cold_start": 10})
    base = tmp_path / "out"
    with FakeHub(TOKEN) as hub:
        env = {
            **env,
            "PREFECT_API_URL": url,
            "HF_ENDPOINT": hub.url,
            "HF_TOKEN": TOKEN,
            "HF_HUB_DISABLE_XET": "1",
            "HF_HOME": str(tmp_path / "hf-home"),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "flows.serve", "--name", "nightly", "--cron", "0 4 * * 1"],
            env=env,
            cwd=ROOT,
            stdout=(tmp_path / "serve.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            first = run_deployment(
                env, "refresh-dataset/nightly", f"recipe={recipe}", "seed=11", "repo_id=org/refreshed"
            )
            assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
            second = run_deployment(env, "refresh-dataset/nightly", f"recipe={recipe}", "seed=12")
            assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    for seed in (11, 12):
        manifest = json.loads((base / "versions" / str(seed) / "manifest.json").read_text())
        assert manifest["seed"] == seed and manifest["configs"]["rl/train"]["rows"] == 40
    assert (base / "LATEST").read_text().strip() == "12"
    # the first refresh published its version in one commit, tagged with the date and seed
    assert len(hub.commits) == 1 and hub.commits[0]["repo"] == "org/refreshed"
    assert "manifest.json" in hub.commits[0]["files"]
    assert len(hub.tags) == 1 and hub.tags[0]["tag"].endswith("-11")
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert '"previous": "11"' in log and "shared_instances" in log  # the second run compared with the first
    assert TOKEN not in log
