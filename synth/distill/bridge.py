"""The chat a model sees for a row, including the modality bridge for image tasks.

Text tasks: the R1 system prompt and the task's template (Jinja) around the problem. Image tasks, as in
Vision-R1, either
* ``describe``: the picture becomes text: the generator's exact description when the task has one
  (``task.scene_text(puzzle)``), otherwise a description written by the describer VLM; then a text model
  reasons from description plus question; or
* ``direct``: the images go into the chat request (OpenAI ``image_url`` parts with data URLs) for a VLM.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib.resources import files
from typing import Any

from jinja2 import Environment, StrictUndefined

from synth.distill.engine import Engine, Request, Sampling
from synth.records import SYSTEM_PROMPT
from synth.task import Task

DESCRIBE_PROMPT = (
    "Describe this picture completely and precisely: every object or mark, with its shape, colour, size, any "
    "text or digits on it, and its position (row and column, or left/right/top/bottom). Do not solve anything."
)


@functools.cache
def template(source: str | None) -> Any:
    text = source if source is not None else files("synth.distill").joinpath("templates/user.j2").read_text()
    return Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False).from_string(
        text
    )


def seed_of(row_id: str, stage: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{stage}/{row_id}".encode(), digest_size=4).digest(), "big")


def data_url(image: bytes) -> str:
    kind = "webp" if image[8:12] == b"WEBP" else "png" if image[:4] == b"\x89PNG" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(image).decode()}"


def chat(
    task: Task,
    puzzle: dict[str, Any],
    problem: str,
    images: list[bytes],
    mode: str = "describe",
    describer: Engine | None = None,
) -> list[dict[str, Any]]:
    """System + user messages for one instance; ``problem`` may carry ``<image>`` markers (they are dropped)."""
    text = problem.replace("<image>", "").strip()
    description = None
    if images and mode == "describe":
        describe = getattr(task, "scene_text", None)
        description = describe(puzzle) if describe else None
        if description is None:
            if describer is None:
                raise ValueError(
                    f"task {task.name!r} has no scene description: set distiller.describer to a VLM, or images: direct"
                )
            description = describe_images(describer, images)
    user = template(getattr(task, "distill_template", None)).render(
        problem=text, description=description, task=task.name, n_images=len(images)
    )
    if images and mode == "direct":
        parts: list[dict[str, Any]] = [
            {"type": "image_url", "image_url": {"url": data_url(b)}} for b in images
        ]
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": [*parts, {"type": "text", "text": user}]},
        ]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def describe_images(describer: Engine, images: list[bytes]) -> str:
    """The describer VLM's account of the images (greedy, cached like every other request)."""
    parts = [{"type": "image_url", "image_url": {"url": data_url(b)}} for b in images]
    messages = [{"role": "user", "content": [*parts, {"type": "text", "text": DESCRIBE_PROMPT}]}]
    digest = hashlib.blake2b(b"".join(images), digest_size=8).hexdigest()
    request = Request(messages, n=1, seed=seed_of(digest, "describe"), sampling=Sampling(0.0, 1.0, 1024))
    (sample,) = describer.complete([request])[0]
    return sample.text.strip()
