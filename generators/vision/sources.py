"""Where pictures come from: procedural scenes, or the user's own images.

* ``scenes``: drawn by ``scenes.py``; objects carry shape, colour, size, texture, label and box.
* ``folder``: every image file under a folder (sorted, recursive).
* ``hf``: a local Hugging Face image dataset: a ``save_to_disk`` folder, or Parquet files, with an Image column.
* ``coco``: a COCO-style annotation JSON; images are found next to it (or under ``images_dir``) and objects
  carry ``category`` and ``box``.

A photo is drawn by index from the seeded RNG. Bad files are converted or skipped (``images.open_image``),
with the reason counted in the manifest. Sources are opened once per process and cached.
"""

from __future__ import annotations

import functools
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image
from pydantic import Field, model_validator

from generators.vision import images, scenes
from synth.task import Params

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


@dataclass
class Picture:
    image: Image.Image
    objects: list[dict[str, Any]]  # each with "box" [x0, y0, x1, y1] and "category" (and, for scenes, more)
    origin: str  # "scene" or the file / dataset row it came from
    notes: dict[str, int] = field(default_factory=dict)
    scene: dict[str, Any] | None = None


class FolderSource:
    def __init__(self, path: Path) -> None:
        self.files = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        self.root = path

    def __len__(self) -> int:
        return len(self.files)

    def get(self, i: int) -> Picture:
        img, notes = images.open_image(self.files[i].read_bytes())
        return Picture(img, [], str(self.files[i].relative_to(self.root)), notes)


class HFSource:
    """A local datasets folder (``save_to_disk``) or Parquet file(s); images read as raw bytes, then opened."""

    def __init__(self, path: Path, column: str | None) -> None:
        import datasets

        if path.is_dir() and (path / "dataset_info.json").exists():
            ds = datasets.load_from_disk(str(path))
        else:
            files = [str(path)] if path.is_file() else sorted(str(p) for p in path.rglob("*.parquet"))
            if not files:
                raise ValueError(f"{path}: no Parquet files and no save_to_disk dataset")
            ds = datasets.Dataset.from_parquet(files)
        if isinstance(ds, datasets.DatasetDict):
            ds = ds[next(iter(ds))]
        image_columns = [k for k, f in ds.features.items() if isinstance(f, datasets.Image)]
        if column is None:
            if not image_columns:
                raise ValueError(f"{path}: no Image column (columns: {', '.join(ds.column_names)})")
            column = image_columns[0]
        elif column not in ds.column_names:
            raise ValueError(f"{path}: no column {column!r} (columns: {', '.join(ds.column_names)})")
        if column in image_columns:
            ds = ds.cast_column(column, datasets.Image(decode=False))
        self.ds, self.column, self.root = ds.select_columns([column]), column, path

    def __len__(self) -> int:
        return len(self.ds)

    def get(self, i: int) -> Picture:
        value = self.ds[i][self.column]
        data = value.get("bytes") if isinstance(value, dict) else value
        if not data and isinstance(value, dict) and value.get("path"):
            p = Path(value["path"])
            p = p if p.is_absolute() else self.root / p
            data = p.read_bytes() if p.exists() else b""
        img, notes = images.open_image(data or b"")
        return Picture(img, [], f"{self.root.name}[{i}]", notes)


class CocoSource:
    def __init__(self, path: Path, images_dir: Path | None) -> None:
        data = json.loads(path.read_text())
        cats = {c["id"]: c["name"] for c in data.get("categories", [])}
        by_image: dict[Any, list[dict[str, Any]]] = {}
        for a in data.get("annotations", []):
            if a.get("iscrowd"):
                continue
            x, y, w, h = a["bbox"]
            if w >= 1 and h >= 1 and a.get("category_id") in cats:
                box = [int(x), int(y), int(x + w + 0.999), int(y + h + 0.999)]
                by_image.setdefault(a["image_id"], []).append(
                    {"category": cats[a["category_id"]], "box": box}
                )
        self.root = images_dir or path.parent
        self.categories = sorted(set(cats.values()))
        self.images = [(im["file_name"], by_image.get(im["id"], [])) for im in data.get("images", [])]

    def __len__(self) -> int:
        return len(self.images)

    def get(self, i: int) -> Picture:
        name, objects = self.images[i]
        p = self.root / name
        img, notes = images.open_image(p.read_bytes() if p.exists() else b"")
        return Picture(img, [dict(o) for o in objects], name, notes)


@functools.lru_cache(maxsize=16)
def open_source(kind: str, path: str, column: str | None = None, images_dir: str | None = None):
    """The source object for params (cached per process); ValueError with the reason if it is unusable."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ValueError(f"{path}: no such file or folder")
    if kind == "folder":
        if not p.is_dir():
            raise ValueError(f"{path}: not a folder")
        src: Any = FolderSource(p)
    elif kind == "hf":
        src = HFSource(p, column)
    elif kind == "coco":
        if not p.is_file():
            raise ValueError(f"{path}: expected a COCO annotation JSON file")
        try:
            src = CocoSource(p, Path(images_dir) if images_dir else None)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a COCO annotation file ({exc})") from None
    else:
        raise ValueError(f"unknown image source {kind!r}")
    if len(src) == 0:
        raise ValueError(f"{path}: holds no images")
    return src


class ImageParams(Params):
    """Knobs every image task has: where pictures come from, how large, how encoded."""

    source: Literal["scenes", "folder", "hf", "coco"] = Field(
        "scenes", description="where pictures come from"
    )
    path: str | None = Field(None, description="folder, dataset or COCO JSON for the non-scene sources")
    image_column: str | None = Field(None, description="Image column of an hf source (default: the first)")
    images_dir: str | None = Field(None, description="image folder of a coco source (default: the JSON's)")
    max_pixels: int = Field(448 * 448, ge=64 * 64, le=4096 * 4096, description="pixel budget of each image")
    image_format: Literal["png", "webp"] = Field("png", description="encoding of the stored images")

    @model_validator(mode="after")
    def _source_usable(self):
        if self.source == "scenes":
            if self.path is not None:
                raise ValueError("path is only for the folder, hf and coco sources")
            return self
        if self.path is None:
            raise ValueError(f"source {self.source!r} needs a path")
        open_source(
            self.source, self.path, self.image_column, self.images_dir
        )  # ValueError names the problem
        return self

    @property
    def side(self) -> int:
        return math.isqrt(self.max_pixels)


def draw_picture(rng: random.Random, params: Any, n_objects: int, labels: bool = False) -> Picture:
    """A picture for the task: a fresh scene, or a photo from the user's source fitted to the pixel budget."""
    if params.source == "scenes":
        scene = scenes.random_scene(rng, n_objects, px=params.side, labels=labels)
        return Picture(scenes.render(scene), scene["objects"], "scene", scene=scene)
    return draw_photo(rng, params)[1]


def draw_photo(rng: random.Random, params: Any) -> tuple[Any, Picture]:
    """The user's source and one of its photos, drawn by the RNG and fitted to the pixel budget."""
    src = open_source(params.source, params.path, params.image_column, params.images_dir)
    return src, scale(src.get(rng.randrange(len(src))), params.max_pixels)


def scale(pic: Picture, max_pixels: int) -> Picture:
    w, h = pic.image.size
    img = images.fit(pic.image, max_pixels)
    if img.size != (w, h):
        fx, fy = img.size[0] / w, img.size[1] / h
        for o in pic.objects:
            x0, y0, x1, y1 = o["box"]
            o["box"] = [int(x0 * fx), int(y0 * fy), int(x1 * fx + 0.999), int(y1 * fy + 0.999)]
        pic.image = img
    return pic
