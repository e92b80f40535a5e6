"""Any OpenAI-compatible chat endpoint (``vllm serve`` on this or other hosts, or a hosted API).

Async with bounded concurrency; each request has a timeout and is retried with exponential backoff and
jitter on 429, 5xx, timeouts and dropped connections, moving to the next base URL (round-robin) each time.
A request that still fails comes back as ``finish="error"`` samples, which are counted and never cached, so
running the command again asks for them again. The API key is read from the environment variable the recipe
names; it is never logged or written anywhere.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random

from synth.distill.engine import Engine, Request, Sample
from synth.errors import SynthError

log = logging.getLogger("synth")


class OpenAIEngine(Engine):
    def __init__(
        self,
        model: str,
        base_urls: list[str],
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 64,
        timeout: float = 600.0,
        retries: int = 8,
        backoff: float = 1.0,
    ) -> None:
        try:
            import openai
        except ImportError:
            raise SynthError(
                "distiller: the openai engine needs the openai client: pip install 'synth[openai]'"
            ) from None
        if not base_urls:
            raise SynthError(
                "distiller.base_urls: give at least one server address, e.g. http://127.0.0.1:8000/v1"
            )
        self.model, self.base_urls = model, base_urls
        self.api_key = os.environ.get(api_key_env) or "EMPTY"  # local servers accept any key
        self.concurrency, self.timeout, self.retries, self.backoff = concurrency, timeout, retries, backoff
        self._openai = openai
        self.errors = 0

    def complete(self, requests: list[Request], on_done=None) -> list[list[Sample]]:
        return asyncio.run(self._run(requests, on_done))

    async def _run(self, requests: list[Request], on_done) -> list[list[Sample]]:
        clients = [
            self._openai.AsyncOpenAI(base_url=url, api_key=self.api_key, timeout=self.timeout, max_retries=0)
            for url in self.base_urls
        ]
        turn = itertools.count()
        gate = asyncio.Semaphore(self.concurrency)
        out: list[list[Sample]] = [[] for _ in requests]

        async def one(i: int, r: Request) -> None:
            async with gate:
                samples = await self._ask(clients, turn, r)
            out[i] = samples
            if on_done:
                on_done(i, samples)

        try:
            await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
        finally:
            for c in clients:
                await c.close()
        return out

    async def _ask(self, clients, turn, r: Request) -> list[Sample]:
        o = self._openai
        retryable = (o.RateLimitError, o.InternalServerError, o.APIConnectionError, o.APITimeoutError)
        for attempt in range(self.retries + 1):
            client = clients[next(turn) % len(clients)]
            try:
                resp = await client.chat.completions.create(
                    model=self.model,
                    messages=r.messages,
                    n=r.n,
                    seed=r.seed,
                    temperature=r.sampling.temperature,
                    top_p=r.sampling.top_p,
                    max_tokens=r.sampling.max_tokens,
                )
                choices = sorted(resp.choices, key=lambda c: c.index)
                tokens = resp.usage.completion_tokens // max(1, len(choices)) if resp.usage else 0
                return [
                    Sample(
                        c.message.content or "", "length" if c.finish_reason == "length" else "stop", tokens
                    )
                    for c in choices
                ]
            except retryable as exc:
                if attempt == self.retries:
                    log.warning("request failed after %d attempts: %s", attempt + 1, type(exc).__name__)
                    break
                delay = min(60.0, self.backoff * 2**attempt) * random.uniform(0.5, 1.5)
                await asyncio.sleep(delay)
            except o.APIStatusError as exc:  # 4xx other than 429: asking again will not help
                log.warning("request refused (%s): %s", exc.status_code, str(exc)[:200])
                break
        self.errors += 1
        return [Sample("", "error") for _ in range(r.n)]
