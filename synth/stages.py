"""Model stages of a run: distillation of the cold-start config and pass-rate scoring of the rl config.

They run in the finalize step, shard by shard, after de-duplication, with one engine per model shared by both
stages (loaded on first use). Every raw response goes through the response cache in ``<output>/.synth/cache``
(kept after the run), so a killed run resumes without asking again, and a changed verifier re-scores from it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from synth.distill.engine import CachedEngine, Engine, ResponseCache
from synth.recipe import ModelEngine, Recipe

CACHE_DIR = Path(".synth") / "cache"


class ModelStages:
    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.distiller = recipe.distiller if recipe.distiller.kind != "trace" else None
        self.scorer = recipe.scorer if recipe.scorer.kind == "pass_rate" else None
        self._engines: dict[tuple, CachedEngine] = {}
        self.stats: Counter = Counter()

    def applies(self, config: str) -> bool:
        return (config == "cold_start" and self.distiller is not None) or (
            config == "rl" and self.scorer is not None
        )

    def engine(self, spec: ModelEngine, kind: str, model: str | None = None) -> CachedEngine:
        model = model or spec.model
        key = (kind, model, tuple(sorted(spec.engine_args.items())), tuple(spec.base_urls))
        if key not in self._engines:
            self._engines[key] = CachedEngine(
                lambda: self._build(spec, kind, model), ResponseCache(self._cache_file(spec, model)), model
            )
        return self._engines[key]

    def _cache_file(self, spec: ModelEngine, model: str) -> Path:
        root = Path(spec.cache_dir) if spec.cache_dir else Path(self.recipe.output.dir) / CACHE_DIR
        return root / (re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")[-100:] + ".sqlite")

    @staticmethod
    def _build(spec: ModelEngine, kind: str, model: str) -> Engine:
        if kind == "vllm":
            from synth.distill.vllm_engine import VLLMEngine

            return VLLMEngine(model, spec.engine_args)
        from synth.distill.openai_endpoint import OpenAIEngine

        return OpenAIEngine(
            model, spec.base_urls, spec.api_key_env, spec.concurrency, spec.timeout, spec.retries
        )

    def apply(self, config: str, rows: list[dict[str, Any]]) -> tuple[list[dict], list[dict], Counter]:
        """(rows to write, preference rows, counts by reason) for one shard of ``config``."""
        if config == "cold_start":
            from synth.distill.rejection import distill_rows

            spec = self.distiller
            engine = self.engine(spec, spec.kind)
            describer = self.engine(spec, spec.kind, spec.describer) if spec.describer else None
            kept, pairs, counts = distill_rows(rows, spec, engine, describer)
            return kept, pairs, counts
        from synth.scoring.pass_rate import score_rows

        kept, counts = score_rows(rows, self.scorer, self.engine(self.scorer, self.scorer.engine))
        return kept, [], counts

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, spec in (("distiller", self.distiller), ("scorer", self.scorer)):
            if spec is not None:
                out[name] = {"kind": spec.kind, "model": spec.model}
        out["responses"] = {
            "from_cache": sum(e.hits for e in self._engines.values()),
            "generated": sum(e.misses for e in self._engines.values()),
        }
        return out

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
            engine.cache.close()
        self._engines.clear()
