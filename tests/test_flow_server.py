"""The generate flow against a real `prefect server start` (SQLite), reached through PREFECT_API_URL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT, write_recipe

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def prefect_server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",  # the API is what the test needs; the UI only costs start-up time
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("prefect server did not start within 120 s")
    yield url, env
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_generate_runs_as_a_flow_on_a_real_server(tmp_path, prefect_server):
    url, env = prefect_server
    recipe = write_recipe(
        tmp_path / "r.yaml",
        splits={"rl": 60, "cold_start": 20},
        output={"dir": str(tmp_path / "out"), "shard_rows": 20},
    )
    run_env = {**env, "PREFECT_API_URL": url, "PREFECT_LOGGING_LEVEL": "WARNING"}
    result = subprocess.run(
        [sys.executable, "-m", "synth.cli", "generate", "--recipe", str(recipe)],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "manifest.json").exists()

    probe = (
        "import json\n"
        "from prefect.client.orchestration import get_client\n"
        "with get_client(sync_client=True) as c:\n"
        "    runs = c.read_flow_runs()\n"
        "    tasks = c.read_task_runs()\n"
        "    print(json.dumps([r.state.type.value for r in runs]))\n"
        "    print(json.dumps(sorted(t.name for t in tasks)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=run_env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    flow_line, task_line = out.stdout.strip().splitlines()[-2:]
    assert json.loads(flow_line) == ["COMPLETED"]
    names = json.loads(task_line)
    assert sum(n.startswith("finalize-dataset") for n in names) == 1
    assert sorted(n for n in names if not n.startswith("finalize")) == [
        "cold_start-train-00000",
        "rl-train-00000",
        "rl-train-00001",
        "rl-train-00002",
    ]
