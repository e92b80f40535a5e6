"""One interface over the model engines, and the response cache that makes model stages resumable.

An engine takes chat requests (messages, n samples, a seed each) and returns, per request, n samples of
(text, finish reason, tokens). Two engines implement it: ``vllm_engine.VLLMEngine`` (the in-process
``vllm.LLM``) and ``openai_endpoint.OpenAIEngine`` (any OpenAI-compatible server). ``CachedEngine`` sits in
front of either: every raw sample is stored in SQLite under (model, prompt hash, sampling parameters, sample
index) as soon as its request returns, so a crash loses only the requests in flight, and a changed parser or
verifier re-scores from the cache without generating again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 2048

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Request:
    messages: list[dict[str, Any]]
    n: int
    seed: int
    sampling: Sampling = field(default_factory=Sampling)


@dataclass
class Sample:
    text: str
    finish: str  # "stop", "length" (cut at max_tokens) or "error" (the engine failed; never cached)
    tokens: int = 0


class Engine:
    """Base of the engines: ``model`` names what produced the text; ``complete`` does the work."""

    model: str = ""

    def complete(
        self, requests: list[Request], on_done: Callable[[int, list[Sample]], None] | None = None
    ) -> list[list[Sample]]:
        """n samples per request, in request order; ``on_done(i, samples)`` as each request finishes."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def prompt_key(model: str, request: Request) -> str:
    payload = json.dumps(
        {"model": model, "messages": request.messages, "seed": request.seed, **request.sampling.as_dict()},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseCache:
    """Raw samples in SQLite (WAL), one row per (prompt key, sample index); safe across threads."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS samples (key TEXT, idx INTEGER, model TEXT, text TEXT, finish TEXT, "
            "tokens INTEGER, PRIMARY KEY (key, idx))"
        )
        self.lock = threading.Lock()

    def get(self, key: str, n: int) -> list[Sample] | None:
        with self.lock:
            rows = self.db.execute(
                "SELECT idx, text, finish, tokens FROM samples WHERE key = ? AND idx < ? ORDER BY idx",
                (key, n),
            ).fetchall()
        if len(rows) < n:
            return None
        return [Sample(text, finish, tokens) for _, text, finish, tokens in rows]

    def put(self, key: str, model: str, samples: list[Sample]) -> None:
        rows = [
            (key, i, model, s.text, s.finish, s.tokens) for i, s in enumerate(samples) if s.finish != "error"
        ]
        if len(rows) != len(samples):
            return  # a request that failed is asked again next time
        with self.lock:
            self.db.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()


class CachedEngine(Engine):
    """Serves what the cache has; sends the rest to the engine and stores each answer as it arrives.

    ``engine`` may be a zero-argument factory: the engine (and its model) is then loaded only on the first
    request the cache cannot answer, so re-scoring a finished run never loads a model.
    """

    def __init__(self, engine: Engine | Callable[[], Engine], cache: ResponseCache, model: str = "") -> None:
        self._engine = engine if isinstance(engine, Engine) else None
        self._factory = None if isinstance(engine, Engine) else engine
        self.cache = cache
        self.model = model or (self._engine.model if self._engine else "")
        self.hits = self.misses = 0

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._factory()
        return self._engine

    def complete(self, requests, on_done=None):
        keys = [prompt_key(self.model, r) for r in requests]
        out: list[list[Sample] | None] = [self.cache.get(k, r.n) for k, r in zip(keys, requests)]
        todo = [i for i, got in enumerate(out) if got is None]
        self.hits += len(requests) - len(todo)
        self.misses += len(todo)
        for i, got in enumerate(out):
            if got is not None and on_done:
                on_done(i, got)

        def store(j: int, samples: list[Sample]) -> None:
            i = todo[j]
            self.cache.put(keys[i], self.model, samples)
            out[i] = samples
            if on_done:
                on_done(i, samples)

        if todo:
            self.engine.complete([requests[i] for i in todo], store)
        return [o or [] for o in out]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
