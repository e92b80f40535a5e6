"""Procedural scenes drawn with Pillow, with their scene graph: every object's box and attributes.

A scene is plain data (JSON): a textured background and objects laid out on a grid of cells, each with a
shape, colour, size, texture and optional letter label. ``render`` draws it the same way every time, so a
question about a scene has a known answer and known evidence boxes. Colours are far apart and shapes are
distinct at a glance, so no attribute is ambiguous in the picture.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

from PIL import Image, ImageDraw, ImageFont

SHAPES = ("circle", "square", "triangle", "star", "hexagon", "diamond")
COLOURS = {
    "red": (214, 39, 40),
    "green": (44, 160, 44),
    "blue": (31, 90, 220),
    "yellow": (240, 200, 20),
    "purple": (148, 60, 189),
    "orange": (255, 127, 14),
}
TEXTURES = ("solid", "striped", "dotted")
SIZES = {"small": 0.55, "large": 0.9}  # share of the cell the object spans
LABELS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
SYNONYMS = {
    "circle": ("circle", "circles", "round", "disc", "disk", "dot", "ellipse", "oval"),
    "square": ("square", "squares", "box", "rectangle"),
    "triangle": ("triangle", "triangles", "triangular"),
    "star": ("star", "stars"),
    "hexagon": ("hexagon", "hexagons", "hexagonal"),
    "diamond": ("diamond", "diamonds", "rhombus", "lozenge"),
    "red": ("red", "crimson", "scarlet"),
    "green": ("green",),
    "blue": ("blue",),
    "yellow": ("yellow", "gold", "golden"),
    "purple": ("purple", "violet", "magenta"),
    "orange": ("orange",),
}
WORD = {syn: canon for canon, syns in SYNONYMS.items() for syn in syns}  # answer word -> canonical word
BACKGROUNDS = [(236, 230, 214), (214, 228, 236), (226, 236, 214), (236, 216, 226), (220, 220, 220)]


def new_object(rng: random.Random, labels: bool = False, **fixed: Any) -> dict[str, Any]:
    obj = {
        "shape": rng.choice(SHAPES),
        "colour": rng.choice(list(COLOURS)),
        "size": rng.choice(list(SIZES)),
        "texture": rng.choice(TEXTURES),
        "label": None,
    }
    if labels:
        obj["label"] = rng.choice(LABELS)
    obj.update(fixed)
    return obj


def layout(
    rng: random.Random, cells: list[tuple[int, int]], objects: list[dict], rows: int, cols: int, px: int
) -> dict[str, Any]:
    """Place objects in grid cells (row, col), with a little jitter; fills in each object's box."""
    cw, ch = px / cols, px / rows
    placed = []
    for (r, c), obj in zip(cells, objects):
        side = min(cw, ch) * SIZES[obj["size"]]
        jx, jy = (cw - side) * rng.uniform(0.15, 0.85), (ch - side) * rng.uniform(0.15, 0.85)
        x0, y0 = int(c * cw + jx), int(r * ch + jy)
        placed.append({**obj, "row": r, "col": c, "box": [x0, y0, x0 + int(side), y0 + int(side)]})
    background = {
        "colours": rng.sample(range(len(BACKGROUNDS)), 2),
        "angle": rng.randrange(360),
        "seed": rng.getrandbits(31),
    }
    return {
        "width": px,
        "height": px,
        "rows": rows,
        "cols": cols,
        "background": background,
        "objects": placed,
    }


def random_scene(rng: random.Random, n_objects: int, px: int = 448, labels: bool = False) -> dict[str, Any]:
    """n objects in distinct cells of the smallest square-ish grid that holds them with room to spare."""
    side = 2
    while side * side < n_objects * 1.5:
        side += 1
    cells = rng.sample([(r, c) for r in range(side) for c in range(side)], n_objects)
    objects = [new_object(rng, labels) for _ in range(n_objects)]
    if labels:  # every label names one object
        for obj, label in zip(objects, rng.sample(LABELS, n_objects)):
            obj["label"] = label
    return layout(rng, cells, objects, side, side, px)


# -- drawing --------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)  # a scene drawn again (its variants, a test) reuses it; each is ~0.6 MB
def _background(px_w: int, px_h: int, c1: int, c2: int, angle: int, seed: int) -> Image.Image:
    """Two soft colours blended along a rotated gradient, with faint rings: no two tiles of it look alike."""
    ramp = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
    ramp = ramp.resize((px_w, px_h), Image.Resampling.BILINEAR)
    base = Image.composite(
        Image.new("RGB", (px_w, px_h), BACKGROUNDS[c1]), Image.new("RGB", (px_w, px_h), BACKGROUNDS[c2]), ramp
    )
    rng = random.Random(seed)
    draw = ImageDraw.Draw(base)
    for _ in range(36):  # soft patches and faint rings give every region of the picture its own look
        x, y, r = rng.randrange(px_w), rng.randrange(px_h), rng.randrange(px_w // 24, px_w // 7)
        tint = (rng.randrange(170, 250), rng.randrange(170, 250), rng.randrange(170, 250))
        if rng.random() < 0.6:
            draw.ellipse((x - r, y - r * 0.7, x + r, y + r * 0.7), fill=tint)
        else:
            draw.ellipse((x - r, y - r, x + r, y + r), outline=tuple(v - 40 for v in tint), width=3)
    return base


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _outline(shape: str, box: list[int]) -> tuple[str, Any]:
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    if shape == "circle":
        return "ellipse", box
    if shape == "square":
        return "rectangle", box
    sides, rotation = {"triangle": (3, 0), "hexagon": (6, 0), "diamond": (4, 45), "star": (5, 0)}[shape]
    if shape == "star":
        pts = []
        for k in range(10):
            rad = r if k % 2 == 0 else r * 0.45
            a = math.pi / 2 + k * math.pi / 5
            pts.append((cx + rad * math.cos(a), cy - rad * math.sin(a)))
        return "polygon", pts
    return "regular", ((cx, cy, r), sides, rotation)


def _paint(draw: ImageDraw.ImageDraw, kind: str, geom: Any, fill: Any, outline: Any) -> None:
    if kind == "ellipse":
        draw.ellipse(geom, fill=fill, outline=outline, width=2)
    elif kind == "rectangle":
        draw.rectangle(geom, fill=fill, outline=outline, width=2)
    elif kind == "polygon":
        draw.polygon(geom, fill=fill, outline=outline, width=2)
    else:
        draw.regular_polygon(geom[0], geom[1], rotation=geom[2], fill=fill, outline=outline, width=2)


def draw_object(img: Image.Image, obj: dict[str, Any]) -> None:
    draw = ImageDraw.Draw(img)
    colour = COLOURS[obj["colour"]]
    dark = tuple(int(v * 0.45) for v in colour)
    _paint(draw, *_outline(obj["shape"], obj["box"]), colour, dark)
    x0, y0, x1, y1 = obj["box"]
    w, h = x1 - x0, y1 - y0
    if obj["texture"] != "solid" and w > 2 and h > 2:
        # the pattern is drawn inside the object's box, through a mask of its shape
        mask = Image.new("L", (w, h), 0)
        _paint(ImageDraw.Draw(mask), *_outline(obj["shape"], [2, 2, w - 3, h - 3]), 255, None)
        pattern = Image.new("RGB", (w, h), colour)
        pd = ImageDraw.Draw(pattern)
        step = max(6, w // 6)
        if obj["texture"] == "striped":
            for x in range(-h, w, step):
                pd.line((x, h, x + h, 0), fill=dark, width=max(2, step // 3))
        else:
            for y in range(step // 2, h, step):
                for x in range(step // 2, w, step):
                    pd.ellipse((x - 2, y - 2, x + 2, y + 2), fill=dark)
        img.paste(pattern, (x0, y0), mask)
    if obj.get("label"):
        size = max(10, (x1 - x0) // 3)
        draw.text(
            ((x0 + x1) / 2, (y0 + y1) / 2 + size * 0.1),
            obj["label"],
            fill=(255, 255, 255),
            font=_font(size),
            anchor="mm",
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )


def render(scene: dict[str, Any]) -> Image.Image:
    bg = scene["background"]
    img = _background(scene["width"], scene["height"], *bg["colours"], bg["angle"], bg["seed"]).copy()
    for obj in scene["objects"]:
        draw_object(img, obj)
    return img


def describe(obj: dict[str, Any], with_size: bool = True) -> str:
    words = [obj["size"]] if with_size else []
    words += [obj["colour"]] + ([obj["texture"]] if obj["texture"] != "solid" else []) + [obj["shape"]]
    return " ".join(words) + (f" labelled {obj['label']}" if obj.get("label") else "")
