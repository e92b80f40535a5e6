"""Distill-stage throughput against the bare engines, in one run, on the same prompts and sampling.

    pip install -e ".[test]" && python bench/distill.py [--prompts 128] [--n 4] [--max-tokens 128]

* vllm: ``distill_rows`` (chat building, the engine, the response cache, verification, selection) on the
  in-process engine, against a bare ``vllm.LLM.chat`` call of the same requests on the same engine object.
* openai: the same stage through ``OpenAIEngine`` against a ``vllm serve`` process on loopback, against a
  bare ``openai.AsyncOpenAI`` client sending the same requests with the same concurrency.
Reported: generated tokens/s of each and the ratio. The model is the tiny random-weight one the tests build.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
ENGINE_ARGS = {"dtype": "bfloat16", "max_model_len": 1024, "enforce_eager": True}


def rows_and_spec(prompts: int, n: int, max_tokens: int, model: str):
    from synth.pipeline import Part, RowMaker
    from synth.recipe import Recipe

    recipe = Recipe.model_validate(
        {
            "name": "bench",
            "output": {"dir": "/tmp/unused"},
            "tasks": [{"task": "knights_knaves", "level": "easy"}, {"task": "zebra", "level": "easy"}],
            "splits": {"cold_start": prompts},
            "distiller": {
                "kind": "vllm",
                "model": model,
                "engine_args": ENGINE_ARGS,
                "attempts": n,
                "max_tokens": max_tokens,
                "temperature": 1.0,
                "top_p": 1.0,
            },
        }
    )
    maker = RowMaker(recipe)
    part = Part("cold_start", "cold_start", "train", prompts)
    return [maker.make(part, i, i % 2, set(), Counter()) for i in range(prompts)], recipe.distiller


def requests_of(rows, spec):
    from synth.distill.rejection import distill_requests

    return [request for _, _, request in distill_requests(rows, spec)]


def counting(engine):
    """The engine wrapped so that it counts the tokens it generated."""
    from synth.distill.engine import Engine

    class Counting(Engine):
        def __init__(self) -> None:
            self.engine, self.model, self.tokens = engine, engine.model, 0

        def complete(self, requests, on_done=None):
            out = self.engine.complete(requests, on_done)
            self.tokens += sum(s.tokens for r in out for s in r)
            return out

    return Counting()


def bench_vllm(rows, spec, repeats: int) -> tuple[float, float]:
    import vllm

    from synth.distill.engine import CachedEngine, ResponseCache
    from synth.distill.rejection import distill_rows
    from synth.distill.vllm_engine import VLLMEngine

    engine = VLLMEngine(spec.model, spec.engine_args)
    reqs = requests_of(rows, spec)
    bare_rates, ours_rates = [], []
    for _ in range(repeats):
        params = [
            vllm.SamplingParams(
                n=r.n,
                seed=r.seed,
                temperature=r.sampling.temperature,
                top_p=r.sampling.top_p,
                max_tokens=r.sampling.max_tokens,
            )
            for r in reqs
        ]
        t = time.perf_counter()
        res = engine.llm.chat([r.messages for r in reqs], params, use_tqdm=False)
        bare_rates.append(sum(len(o.token_ids) for r in res for o in r.outputs) / (time.perf_counter() - t))
        with tempfile.TemporaryDirectory() as tmp:
            count = counting(engine)
            stage = CachedEngine(count, ResponseCache(Path(tmp) / "c.sqlite"), spec.model)
            t = time.perf_counter()
            distill_rows(rows, spec, stage)
            ours_rates.append(count.tokens / (time.perf_counter() - t))
    return max(bare_rates), max(ours_rates)


def bench_openai(rows, spec, concurrency: int, repeats: int) -> tuple[float, float]:
    import openai

    from synth.distill.engine import CachedEngine, ResponseCache
    from synth.distill.openai_endpoint import OpenAIEngine
    from synth.distill.rejection import distill_rows

    port = 8931
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        spec.model,
        "--port",
        str(port),
    ]
    cmd += [
        "--host",
        "127.0.0.1",
        "--served-model-name",
        "tiny",
        "--dtype",
        "bfloat16",
        "--max-model-len",
        "1024",
    ]
    cmd += ["--enforce-eager", "--no-enable-chunked-prefill"]  # see synth/distill/vllm_engine.py
    server = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                time.sleep(1)
        url = f"http://127.0.0.1:{port}/v1"
        reqs = requests_of(rows, spec)

        async def bare() -> int:
            client = openai.AsyncOpenAI(base_url=url, api_key="EMPTY", max_retries=0)
            gate = asyncio.Semaphore(concurrency)

            async def one(r) -> int:
                async with gate:
                    resp = await client.chat.completions.create(
                        model="tiny",
                        messages=r.messages,
                        n=r.n,
                        seed=r.seed,
                        temperature=r.sampling.temperature,
                        top_p=r.sampling.top_p,
                        max_tokens=r.sampling.max_tokens,
                    )
                    return resp.usage.completion_tokens

            total = sum(await asyncio.gather(*(one(r) for r in reqs)))
            await client.close()
            return total

        bare_rates, ours_rates = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            tokens = asyncio.run(bare())
            bare_rates.append(tokens / (time.perf_counter() - t))
            with tempfile.TemporaryDirectory() as tmp:
                count = counting(OpenAIEngine("tiny", [url], concurrency=concurrency))
                stage = CachedEngine(count, ResponseCache(Path(tmp) / "c.sqlite"), "tiny")
                t = time.perf_counter()
                distill_rows(rows, spec, stage)
                ours_rates.append(count.tokens / (time.perf_counter() - t))
        return max(bare_rates), max(ours_rates)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=128)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from synth.distill.tiny_model import build

    model = str(build(Path(tempfile.gettempdir()) / "synth-bench-tiny-model"))
    rows, spec = rows_and_spec(args.prompts, args.n, args.max_tokens, model)
    print(f"{args.prompts} prompts x {args.n} samples, up to {args.max_tokens} tokens, tiny model on the CPU")
    print(f"{'engine':10} {'bare tokens/s':>14} {'distill stage tokens/s':>23} {'ratio':>7}")
    bare, ours = bench_vllm(rows, spec, args.repeats)
    print(f"{'vllm':10} {bare:14,.0f} {ours:23,.0f} {ours / bare:7.2f}", flush=True)
    bare, ours = bench_openai(rows, spec, args.concurrency, args.repeats)
    print(f"{'openai':10} {bare:14,.0f} {ours:23,.0f} {ours / bare:7.2f}", flush=True)


if __name__ == "__main__":
    main()
