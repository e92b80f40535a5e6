"""Jigsaw: a picture cut into a rows x cols grid and shuffled; restore it, or answer about one or two tiles.

The picture is a procedural scene or one of the user's images. It is cut into tiles (tile borders optionally
blacked out, so edges cannot simply be matched pixel to pixel), and the tiles are shuffled by a random
permutation other than the identity. A puzzle is emitted only when every two tiles differ clearly (mean
absolute difference of 16x16 grey thumbnails), so the answer is unique.

Questions:
* ``full``: for each position of the shuffled picture, the original position of the tile there.
* ``single``: the original position of one tile.
* ``pair``: where one tile lies relative to another in the original picture (multiple choice).
* ``choice``: which of several distinct arrangements restores the picture (multiple choice).

Positions are numbered 1 (top left) to rows*cols (bottom right), row by row. The full answer earns partial
credit only when it is a valid permutation and the grid has at least ``partial_min_tiles`` tiles (0.2 x the
share of correct positions, as Visual Jigsaw); anything else that is not exact scores 0.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw
from pydantic import Field, model_validator

from generators.common import answer_instruction, pick
from generators.vision import images
from generators.vision.sources import ImageParams, draw_picture
from synth.answers import normalize
from synth.task import Instance, Skip, SolverStats, Task, register

LETTERS = "ABCDEFGH"
DIRECTIONS = ["above", "below", "left", "right", "above-left", "above-right", "below-left", "below-right"]


class JigsawParams(ImageParams):
    rows: int = Field(2, ge=1, le=4, description="tile rows")
    cols: int = Field(2, ge=1, le=4, description="tile columns")
    question: Literal["full", "single", "pair", "choice"] = Field("full", description="what is asked")
    layout: Literal["image", "tiles"] = Field(
        "image", description="one shuffled picture, or each tile as its own image"
    )
    mask_borders: float = Field(
        0.0, ge=0.0, le=0.2, description="share of each tile side blacked out per edge"
    )
    choices: int = Field(4, ge=2, le=8, description="options of the choice question")
    partial_min_tiles: int = Field(5, ge=2, le=17, description="fewest tiles for partial credit (17 = never)")
    min_tile_difference: float = Field(
        6.0, ge=0.0, le=64.0, description="least mean grey difference of tiles"
    )
    objects: int = Field(8, ge=1, le=24, description="objects in a procedural scene")

    @model_validator(mode="after")
    def _grid(self):
        if self.rows * self.cols < 2:
            raise ValueError("rows x cols must be at least 2 tiles")
        return self


def cut(img: Image.Image, rows: int, cols: int) -> tuple[Image.Image, list[Image.Image]]:
    """The picture cropped to a multiple of the grid, and its tiles in raster order."""
    tw, th = img.width // cols, img.height // rows
    img = img.crop((0, 0, tw * cols, th * rows))
    return img, [
        img.crop((c * tw, r * th, (c + 1) * tw, (r + 1) * th)) for r in range(rows) for c in range(cols)
    ]


def blackout_borders(tile: Image.Image, share: float) -> Image.Image:
    if share <= 0:
        return tile
    w, h = tile.size
    bx, by = max(1, round(w * share)), max(1, round(h * share))
    tile = tile.copy()
    draw = ImageDraw.Draw(tile)
    for box in ((0, 0, w, by), (0, h - by, w, h), (0, 0, bx, h), (w - bx, 0, w, h)):
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=(0, 0, 0))
    return tile


def assemble(tiles: list[Image.Image], rows: int, cols: int) -> Image.Image:
    tw, th = tiles[0].size
    out = Image.new("RGB", (tw * cols, th * rows))
    for k, tile in enumerate(tiles):
        out.paste(tile, ((k % cols) * tw, (k // cols) * th))
    return out


def least_difference(tiles: list[Image.Image]) -> float:
    """Smallest mean absolute difference (0-255) between the 16x16 colour thumbnails of two tiles."""
    thumbs = np.stack([np.asarray(t.resize((16, 16), Image.Resampling.BOX), dtype=np.float32) for t in tiles])
    diffs = np.abs(thumbs[:, None] - thumbs[None, :]).mean(axis=(2, 3, 4))
    np.fill_diagonal(diffs, np.inf)
    return float(diffs.min())


def direction(a: int, b: int, cols: int) -> str:
    """Where original position a lies relative to original position b (0-based raster indices)."""
    dr, dc = a // cols - b // cols, a % cols - b % cols
    vertical = "above" if dr < 0 else "below" if dr > 0 else ""
    horizontal = "left" if dc < 0 else "right" if dc > 0 else ""
    return "-".join(w for w in (vertical, horizontal) if w)


def legend(rows: int, cols: int) -> str:
    return "\n".join(" ".join(f"{r * cols + c + 1:>2}" for c in range(cols)) for r in range(rows))


PROMPTS = (
    "A picture was cut into a {rows}x{cols} grid of tiles and the tiles were shuffled.",
    "The tiles of a {rows}x{cols} jigsaw were shuffled; each tile is a piece of one original picture.",
    "This is a scrambled {rows}x{cols} jigsaw puzzle made from a single picture.",
)


@register
class Jigsaw(Task):
    name = "jigsaw"
    version = "1"
    modality = "image"
    description = (
        "Restore a shuffled grid of picture tiles (full order, one tile, a pair, or pick the arrangement)."
    )
    Params = JigsawParams
    levels = {
        "easy": {"rows": 1, "cols": 2},
        "medium": {"rows": 2, "cols": 2},
        "hard": {"rows": 3, "cols": 3},
        "expert": {"rows": 4, "cols": 4, "mask_borders": 0.06, "objects": 14},
    }
    effort_scale = 60.0

    def generate(self, rng: random.Random, params: JigsawParams) -> Instance:
        rows, cols, k = params.rows, params.cols, params.rows * params.cols
        for _ in range(50):
            pic = draw_picture(rng, params, params.objects)
            _, tiles = cut(pic.image, rows, cols)
            tiles = [blackout_borders(t, params.mask_borders) for t in tiles]
            if least_difference(tiles) >= params.min_tile_difference:
                break
            if params.source != "scenes":  # the pipeline counts it and draws another photo
                raise Skip("skipped: tiles not distinct")
        else:
            raise Skip("skipped: tiles not distinct")
        perm = list(range(k))
        while perm == sorted(perm):
            rng.shuffle(perm)
        shuffled = [tiles[p] for p in perm]  # position x of the shuffled picture shows original tile perm[x]
        puzzle: dict[str, Any] = {
            "rows": rows,
            "cols": cols,
            "question": params.question,
            "layout": params.layout,
            "mask_borders": params.mask_borders,
            "partial_min_tiles": params.partial_min_tiles,
            "perm": [p + 1 for p in perm],
            "origin": pic.origin,
        }
        if pic.scene is not None:
            puzzle["scene"] = pic.scene
        where = (
            "They are shown as separate images, tile 1 first, in the order of the positions below"
            if params.layout == "tiles"
            else "Positions in the shuffled picture are numbered row by row"
        )
        intro = pick(rng, PROMPTS).format(rows=rows, cols=cols) + f" {where}:\n{legend(rows, cols)}\n"
        question, answer = self._question(rng, params, puzzle)
        if params.layout == "tiles":
            pixels = [images.encode(t, params.image_format) for t in shuffled]
        else:
            pixels = [images.encode(assemble(shuffled, rows, cols), params.image_format)]
        stats = SolverStats(nodes=k, steps=k * (k - 1), backtracks=0)
        return Instance(
            puzzle=puzzle, answer=answer, prompt=intro + question, stats=stats, images=pixels, notes=pic.notes
        )

    def _question(self, rng: random.Random, params: JigsawParams, puzzle: dict[str, Any]) -> tuple[str, str]:
        k, cols, perm = params.rows * params.cols, params.cols, [p - 1 for p in puzzle["perm"]]
        if params.question == "full":
            answer = ", ".join(str(p + 1) for p in perm)
            example = list(range(k, 0, -1))
            if ", ".join(map(str, example)) == answer:
                example = example[1:] + example[:1]
            return (
                "For each position of the shuffled picture, give the original position of the tile now there."
                + "\n"
                + answer_instruction(f"{k} numbers separated by commas, e.g. {', '.join(map(str, example))}"),
                answer,
            )
        if params.question == "single":
            x = rng.randrange(k)
            puzzle["x"] = x + 1
            return (
                f"In which position of the original picture was the tile now at position {x + 1}?\n"
                + answer_instruction(f"one position number, e.g. {k if perm[x] + 1 != k else 1}"),
                str(perm[x] + 1),
            )
        if params.question == "pair":
            x, y = rng.sample(range(k), 2)
            options = [d for d in DIRECTIONS if _possible(d, params.rows, cols)]
            correct = direction(perm[x], perm[y], cols)
            puzzle.update(x=x + 1, y=y + 1, options=options)
            lines = [f"{LETTERS[i]}. {d}" for i, d in enumerate(options)]
            return (
                f"In the original picture, where is the tile now at position {x + 1} relative to the tile now at "
                f'position {y + 1}? ("left" means same row, further left; "above-left" means higher and '
                "further left.)\n"
                + "\n".join(lines)
                + "\n"
                + answer_instruction(f"one letter, e.g. {_other_letter(options.index(correct))}"),
                LETTERS[options.index(correct)],
            )
        # choice: distinct arrangements, one of them right
        n = min(params.choices, math.factorial(k))
        wrong: set[tuple[int, ...]] = set()
        truth = tuple(p + 1 for p in perm)
        while len(wrong) < n - 1:
            cand = list(truth)
            if k <= 4 and rng.random() < 0.5:
                cand = list(rng.choice(list(itertools.permutations(truth))))
            else:
                i, j = rng.sample(range(k), 2)
                cand[i], cand[j] = cand[j], cand[i]
            if tuple(cand) != truth:
                wrong.add(tuple(cand))
        options = sorted(wrong) + [truth]
        rng.shuffle(options)
        puzzle["options"] = [list(o) for o in options]
        lines = [f"{LETTERS[i]}. {', '.join(map(str, o))}" for i, o in enumerate(options)]
        return (
            "Each option lists, for positions 1 to "
            f"{k} of the shuffled picture, the original position of the tile there. Which option is right?\n"
            + "\n".join(lines)
            + "\n"
            + answer_instruction(f"one letter, e.g. {_other_letter(options.index(truth))}"),
            LETTERS[options.index(truth)],
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        perm, question = puzzle["perm"], puzzle["question"]
        text = normalize(answer)
        if question == "full":
            found = [int(t) for t in re.findall(r"\d+", text)]
            k = len(perm)
            if sorted(found) != list(range(1, k + 1)):
                return 0.0  # not a permutation: no credit at all
            if found == perm:
                return 1.0
            if k >= puzzle["partial_min_tiles"]:
                return 0.2 * sum(a == b for a, b in zip(found, perm)) / k
            return 0.0
        if question == "single":
            found = re.findall(r"\d+", text)
            return float(len(found) == 1 and int(found[0]) == perm[puzzle["x"] - 1])
        options = puzzle["options"]
        truth = (
            direction(perm[puzzle["x"] - 1] - 1, perm[puzzle["y"] - 1] - 1, puzzle["cols"])
            if question == "pair"
            else perm
        )
        letter = LETTERS[options.index(truth)].lower()
        got = _choice(text, len(options))
        if got is None and question == "pair":  # the direction words themselves are fine too
            words = text.replace(" ", "-").removeprefix("it-is-").removesuffix("-of")
            return float(words == truth)
        return float(got == letter)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        rows, cols, perm = puzzle["rows"], puzzle["cols"], puzzle["perm"]
        k = rows * cols
        at = {orig: x + 1 for x, orig in enumerate(perm)}  # original position -> current position
        steps = [
            f"There are {k} tiles in a {rows}x{cols} grid. I match tiles whose touching edges continue each other "
            "(lines, colours and shapes running across the cut) and place the corner pieces first."
        ]
        scene = puzzle.get("scene")
        for orig in range(1, k + 1):
            r, c = (orig - 1) // cols, (orig - 1) % cols
            where = []
            if c + 1 < cols:
                where.append(f"its right edge continues into the tile at position {at[orig + 1]}")
            if r + 1 < rows:
                where.append(f"its bottom edge continues into the tile at position {at[orig + cols]}")
            content = _tile_content(scene, r, c, rows, cols) if scene else ""
            steps.append(
                f"The tile at position {at[orig]}{content} belongs at row {r + 1}, column {c + 1} (original "
                f"position {orig})"
                + (": " + "; ".join(where) if where else ": it is the bottom-right corner")
                + "."
            )
        steps.append("Reading the shuffled positions in order gives: " + ", ".join(map(str, perm)) + ".")
        return steps


def _tile_content(scene: dict[str, Any], r: int, c: int, rows: int, cols: int) -> str:
    tw, th = scene["width"] / cols, scene["height"] / rows
    inside = [
        f"{o['colour']} {o['shape']}"
        for o in scene["objects"]
        if c * tw <= (o["box"][0] + o["box"][2]) / 2 < (c + 1) * tw
        and r * th <= (o["box"][1] + o["box"][3]) / 2 < (r + 1) * th
    ]
    return f" (with the {' and the '.join(inside[:3])})" if inside else ""


def _other_letter(answer_index: int) -> str:
    """An example letter for the format line that is not the answer."""
    return LETTERS[1] if answer_index == 0 else LETTERS[0]


def _possible(d: str, rows: int, cols: int) -> bool:
    return not (rows == 1 and ("above" in d or "below" in d)) and not (
        cols == 1 and ("left" in d or "right" in d)
    )


def _choice(text: str, n: int) -> str | None:
    found = re.findall(r"\b([a-h])\b", text.replace("option", " "))
    valid = set(LETTERS[:n].lower())
    return found[0] if len(found) == 1 and found[0] in valid else None
