"""The dataset card (README.md of the output), rendered from the manifest so it is always true to the files."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, StrictUndefined


def render_card(manifest: dict[str, Any], template: str = "dataset_card.md.j2") -> str:
    source = files("data_cards").joinpath(template).read_text(encoding="utf-8")
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    configs: dict[str, list[str]] = {}
    for key in manifest["configs"]:
        config, split = key.split("/")
        configs.setdefault(config, []).append(split)
    fields = {k: v for k, v in manifest.items() if k != "configs"}
    return env.from_string(source).render(**fields, configs=configs, license=manifest.get("license"))
