"""The dataset card (README.md of the output), rendered from the manifest so it is always true to the files.

Besides the text, the card embeds PNG files written next to it under ``assets/``: a difficulty histogram per
config, and a few sample images when the dataset has image tasks. They are listed in the manifest with
their checksums, so they are published with the data.
"""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from jinja2 import Environment, StrictUndefined

from synth.records import SCHEMAS

# the published work each task family or stage follows (what a user would cite or compare with)
REFERENCES = {
    "knights_knaves": "Smullyan, What Is the Name of This Book? (1978); K&K logic benchmark (Xie et al., 2024)",
    "zebra": "Einstein's puzzle; ZebraLogic (Lin et al., 2025)",
    "sudoku": "Sudoku; reasoning-gym (Stojanovski et al., 2025)",
    "countdown": "Countdown numbers game; TinyZero / reasoning-gym",
    "jigsaw": "Jigsaw-R1 (Wang et al., 2025); Visual Jigsaw (Wu et al., 2025)",
    "masked": "MPCC masked prediction (AAAI 2026)",
    "counterfactual": "DeFacto counterfactual masking (2025)",
    "distiller": "DeepSeek-R1 cold start (2025); Vision-R1 modality bridging (2025)",
    "pass_rate": "open-r1 pass-rate filtering",
}


def _histogram_png(values: list[float], title: str) -> bytes:
    from PIL import Image, ImageDraw

    bins = [0] * 10
    for v in values:
        bins[min(9, int(v * 10))] += 1
    w, h, pad = 420, 180, 24
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    top = max(bins) or 1
    bar = (w - 2 * pad) / 10
    for k, n in enumerate(bins):
        x0 = pad + k * bar
        y0 = h - pad - (h - 2 * pad - 14) * n / top
        draw.rectangle((x0 + 2, y0, x0 + bar - 2, h - pad), fill=(70, 110, 200))
        draw.text((x0 + bar / 2, h - pad + 2), f"{k / 10:.1f}", fill="black", anchor="ma")
    draw.text((pad, 4), title, fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_assets(out: Path, manifest: dict[str, Any], n_images: int = 3) -> list[dict[str, str]]:
    """Histogram and sample PNGs under out/assets; returns [{file, alt}] for the card."""
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    for old in assets.iterdir():  # a previous run's pictures
        old.unlink()
    made: list[dict[str, str]] = []
    samples: list[bytes] = []
    for key, config in manifest["configs"].items():
        values: list[float] = []
        for shard in config["shards"]:
            path = out / shard["file"]
            values += [
                v
                for v in pq.read_table(path, columns=["difficulty"])["difficulty"].to_pylist()
                if v is not None
            ]
            # sample pictures: read image batches only until enough are found, never a whole dataset of images
            for batch in pq.ParquetFile(path).iter_batches(batch_size=16, columns=["images"]):
                if len(samples) >= n_images:
                    break
                samples += [images[0]["bytes"] for images in batch.column(0).to_pylist() if images]
                del samples[n_images:]
        if values:
            name = f"assets/difficulty-{key.replace('/', '-')}.png"
            (out / name).write_bytes(_histogram_png(values, f"difficulty of {key} ({len(values):,} rows)"))
            made.append({"file": name, "alt": f"difficulty histogram of {key}", "kind": "histogram"})
    for k, data in enumerate(samples):
        name = f"assets/sample-{k}.{'webp' if data[8:12] == b'WEBP' else 'png'}"
        (out / name).write_bytes(data)
        made.append({"file": name, "alt": f"sample image {k + 1}", "kind": "sample"})
    return made


def schema_rows() -> dict[str, list[tuple[str, str]]]:
    return {
        config: [(f.name, str(f.type).replace("<", "&lt;")) for f in schema]
        for config, schema in SCHEMAS.items()
    }


def render_card(manifest: dict[str, Any], template: str = "dataset_card.md.j2") -> str:
    source = files("data_cards").joinpath(template).read_text(encoding="utf-8")
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    configs: dict[str, list[str]] = {}
    for key in manifest["configs"]:
        config, split = key.split("/")
        configs.setdefault(config, []).append(split)
    tasks = sorted({name.split("/")[0] for counts in manifest["counts"].values() for name in counts})
    stages = manifest.get("model_stages", {})
    refs = {t: REFERENCES[t] for t in tasks if t in REFERENCES}
    if "distiller" in stages:
        refs["model-written reasoning"] = REFERENCES["distiller"]
    if "scorer" in stages:
        refs["pass-rate difficulty"] = REFERENCES["pass_rate"]
    fields = {k: v for k, v in manifest.items() if k not in ("configs", "assets", "license")}
    return env.from_string(source).render(
        **fields,
        configs=configs,
        shards=manifest["configs"],
        assets=manifest.get("assets", []),
        license=manifest.get("license"),
        schema={c: rows for c, rows in schema_rows().items() if c in configs},
        references=refs,
    )
