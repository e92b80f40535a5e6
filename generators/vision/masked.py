"""Masked prediction: one object is hidden under a black box; say what it was.

Procedural scenes are laid out by a rule that makes the hidden object inferable from what is still visible:
* ``rows``: every row repeats one object (shape, colour, texture and size); rows differ.
* ``latin``: n distinct objects, each exactly once in every row and every column (a Latin square).
* ``mirror``: the right half mirrors the left half; the hidden object's twin is visible.
An instance is emitted only when the visible objects and the rule leave exactly one possibility (checked).

On COCO-style photos the question is multiple choice: the hidden object's category must be visible elsewhere
in the photo, and the distractors are categories that appear nowhere in it, so the context decides.

Answers come from a closed vocabulary with synonyms and are graded by normalised exact match: exactly one
colour word and/or one shape word, as asked; a hedge naming two scores 0. The multiple-choice variant lists
confusable options (same colour other shape, same shape other colour) and is answered with a letter.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from PIL import Image, ImageDraw, ImageFilter
from pydantic import Field, model_validator

from generators.common import answer_instruction, pick
from generators.vision import images, scenes
from generators.vision.sources import ImageParams, draw_photo
from synth.answers import normalize
from synth.task import Instance, Skip, SolverStats, Task, register

LETTERS = "ABCDEFGH"


class MaskedParams(ImageParams):
    rule: Literal["rows", "latin", "mirror"] = Field(
        "rows", description="layout rule that fixes the hidden object"
    )
    grid: int = Field(3, ge=3, le=6, description="objects per row and column")
    ask: Literal["shape", "colour", "object"] = Field(
        "object", description="what to name: shape, colour or both"
    )
    choices: int = Field(0, ge=0, le=8, description="0 for an open answer, else this many lettered options")
    blur: float = Field(0.0, ge=0.0, le=8.0, description="blur radius of the mask edge (0: hard edge)")

    @model_validator(mode="after")
    def _fits(self):
        if self.rule == "latin" and self.grid > len(scenes.SHAPES):
            raise ValueError(f"a latin layout needs grid <= {len(scenes.SHAPES)} (one shape per symbol)")
        if self.source == "coco" and self.choices < 2:
            raise ValueError("masked prediction on photos is multiple choice: set choices >= 2")
        if self.source in ("folder", "hf"):
            raise ValueError("masked prediction needs object boxes: use source scenes or coco")
        return self


def hide(img: Image.Image, box: list[int], blur: float) -> Image.Image:
    """A black box over ``box`` (2 px margin); with ``blur`` its edge fades out beyond the box."""
    x0, y0, x1, y1 = box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2
    img = img.copy()
    if blur <= 0:
        ImageDraw.Draw(img).rectangle((x0, y0, x1, y1), fill=(0, 0, 0))
        return img
    pad = int(blur * 2) + 1
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(blur))
    ImageDraw.Draw(mask).rectangle((x0, y0, x1, y1), fill=255)  # the box itself stays fully black
    img.paste((0, 0, 0), (0, 0, *img.size), mask)
    return img


def rule_scene(rng: random.Random, rule: str, n: int, px: int) -> dict[str, Any]:
    """A full n x n grid of objects laid out by the rule."""
    kinds = rng.sample([(s, c) for s in scenes.SHAPES for c in scenes.COLOURS], n)
    if rule == "latin":  # distinct shapes and distinct colours, so one attribute alone also identifies
        kinds = list(zip(rng.sample(scenes.SHAPES, n), rng.sample(list(scenes.COLOURS), n)))
    looks = [
        scenes.new_object(rng, shape=s, colour=c, size="large", texture=rng.choice(scenes.TEXTURES))
        for s, c in kinds
    ]
    if rule == "rows":
        grid = [[looks[r]] * n for r in range(n)]
    elif rule == "latin":
        shift = rng.sample(range(n), n)
        order = rng.sample(range(n), n)
        grid = [[looks[(shift[r] + order[c]) % n] for c in range(n)] for r in range(n)]
    else:  # mirror: random left half, reflected
        half = [[scenes.new_object(rng, size="large") for _ in range((n + 1) // 2)] for _ in range(n)]
        grid = [row + row[: n // 2][::-1] for row in half]
    cells = [(r, c) for r in range(n) for c in range(n)]
    objects = [dict(grid[r][c]) for r, c in cells]
    return scenes.layout(rng, cells, objects, n, n, px)


def inferred(scene: dict[str, Any], hidden: int, rule: str) -> tuple[str, str] | None:
    """What the visible objects and the rule say the hidden one is, or None if they do not say."""
    objs, n = scene["objects"], scene["rows"]
    h = objs[hidden]
    visible = [o for i, o in enumerate(objs) if i != hidden]
    look = lambda o: (o["shape"], o["colour"])  # noqa: E731
    if rule == "rows":
        mates = {look(o) for o in visible if o["row"] == h["row"]}
        return mates.pop() if len(mates) == 1 else None
    if rule == "latin":
        symbols = {look(o) for o in visible}
        row = {look(o) for o in visible if o["row"] == h["row"]}
        col = {look(o) for o in visible if o["col"] == h["col"]}
        missing = (symbols - row) & (symbols - col)
        return missing.pop() if len(symbols) == n and len(missing) == 1 else None
    twin_col = n - 1 - h["col"]
    if twin_col == h["col"]:
        return None  # the middle column has no twin
    twin = next(o for o in visible if o["row"] == h["row"] and o["col"] == twin_col)
    return look(twin)


PROMPTS = (
    "One object in this picture is covered by a black box. The objects are arranged by a regular pattern.",
    "A black rectangle hides one of the objects. The layout of the objects follows a rule.",
    "Something in the picture has been masked out with black. The visible objects follow a consistent pattern.",
)
ASK = {
    "shape": ("What is the shape of the hidden object?", "one shape word, e.g. {ex}"),
    "colour": ("What is the colour of the hidden object?", "one colour word, e.g. {ex}"),
    "object": ("What is the hidden object (colour and shape)?", "a colour and a shape, e.g. {ex}"),
}


@register
class Masked(Task):
    name = "masked"
    version = "1"
    modality = "image"
    description = "Name the object hidden under a black box, inferable from the scene's layout rule."
    Params = MaskedParams
    levels = {
        "easy": {"rule": "rows", "grid": 3},
        "medium": {"rule": "rows", "grid": 4},
        "hard": {"rule": "latin", "grid": 4},
        "expert": {"rule": "latin", "grid": 5},
    }
    effort_scale = 30.0

    def generate(self, rng: random.Random, params: MaskedParams) -> Instance:
        if params.source == "coco":
            return self._photo(rng, params)
        scene = rule_scene(rng, params.rule, params.grid, params.side)
        hidden = rng.randrange(len(scene["objects"]))
        if (
            params.rule == "mirror"
            and params.grid % 2
            and scene["objects"][hidden]["col"] == params.grid // 2
        ):
            hidden -= 1  # the middle column has no twin; its left neighbour has
        truth = inferred(scene, hidden, params.rule)
        h = scene["objects"][hidden]
        if truth != (h["shape"], h["colour"]):
            raise AssertionError("the rule must determine the hidden object")  # proven again in the tests
        img = hide(scenes.render(scene), h["box"], params.blur)
        answer = {"shape": h["shape"], "colour": h["colour"], "object": f"{h['colour']} {h['shape']}"}[
            params.ask
        ]
        puzzle: dict[str, Any] = {"rule": params.rule, "ask": params.ask, "hidden": hidden, "scene": scene}
        question, fmt = ASK[params.ask]
        example = {"shape": "pentagon", "colour": "brown", "object": "brown pentagon"}[params.ask]
        prompt = pick(rng, PROMPTS) + " " + question
        if params.choices:
            options = self._options(rng, h, params)
            puzzle["options"] = options
            prompt += "\n" + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))
            answer = LETTERS[options.index(answer)]
            prompt += "\n" + answer_instruction(f"one letter, e.g. {'B' if answer == 'A' else 'A'}")
        else:
            prompt += "\n" + answer_instruction(fmt.format(ex=example))
        n = params.grid
        steps = {"rows": n - 1, "latin": 3 * n - 2, "mirror": n}[params.rule]
        stats = SolverStats(nodes=n * n, steps=steps)
        return Instance(puzzle, answer, prompt, stats, images=[images.encode(img, params.image_format)])

    def _options(self, rng: random.Random, h: dict[str, Any], params: MaskedParams) -> list[str]:
        """The answer and confusable distractors: same colour other shape, same shape other colour, ..."""
        truth = {"shape": h["shape"], "colour": h["colour"], "object": f"{h['colour']} {h['shape']}"}[
            params.ask
        ]
        if params.ask == "shape":
            pool = [s for s in scenes.SHAPES if s != h["shape"]]
        elif params.ask == "colour":
            pool = [c for c in scenes.COLOURS if c != h["colour"]]
        else:
            near = [f"{h['colour']} {s}" for s in scenes.SHAPES if s != h["shape"]]
            near += [f"{c} {h['shape']}" for c in scenes.COLOURS if c != h["colour"]]
            pool = near
        options = rng.sample(pool, min(params.choices - 1, len(pool))) + [truth]
        rng.shuffle(options)
        return options

    def _photo(self, rng: random.Random, params: MaskedParams) -> Instance:
        src, pic = draw_photo(rng, params)
        present = {o["category"] for o in pic.objects}
        # a hidden object whose category is visible elsewhere in the photo (another object of it, not overlapping)
        candidates = [
            i
            for i, o in enumerate(pic.objects)
            if any(
                j != i and p["category"] == o["category"] and not _overlap(p["box"], o["box"])
                for j, p in enumerate(pic.objects)
            )
        ]
        absent = sorted(set(src.categories) - present)
        if not candidates or len(absent) < params.choices - 1:
            raise Skip("skipped: photo gives no context for a hidden object")
        hidden = rng.choice(candidates)
        h = pic.objects[hidden]
        img = hide(pic.image, h["box"], params.blur)
        options = rng.sample(absent, params.choices - 1) + [h["category"]]
        rng.shuffle(options)
        answer = LETTERS[options.index(h["category"])]
        prompt = "\n".join(
            [
                "One object in this photo is covered by a black box. Which of these is hidden under it?",
                *(f"{LETTERS[i]}. {o}" for i, o in enumerate(options)),
                answer_instruction(f"one letter, e.g. {'B' if answer == 'A' else 'A'}"),
            ]
        )
        puzzle = {
            "ask": "category",
            "options": options,
            "truth": h["category"],
            "hidden_box": h["box"],
            "origin": pic.origin,
        }
        stats = SolverStats(nodes=len(pic.objects), steps=len(options))
        return Instance(
            puzzle, answer, prompt, stats, images=[images.encode(img, params.image_format)], notes=pic.notes
        )

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        text = normalize(answer)
        if "options" in puzzle:
            truth = self._truth(puzzle)
            letters = re.findall(r"\b([a-h])\b", text.replace("option", " "))
            if len(letters) == 1 and letters[0] in LETTERS[: len(puzzle["options"])].lower():
                return float(puzzle["options"][LETTERS.lower().index(letters[0])] == truth)
            return float(not letters and normalize(truth) == text)
        words = [scenes.WORD[w] for w in re.findall(r"[a-z]+", text) if w in scenes.WORD]
        shapes = [w for w in words if w in scenes.SHAPES]
        colours = [w for w in words if w in scenes.COLOURS]
        h = puzzle["scene"]["objects"][puzzle["hidden"]]
        want_shape = puzzle["ask"] in ("shape", "object")
        want_colour = puzzle["ask"] in ("colour", "object")
        if want_shape != bool(shapes) or want_colour != bool(colours) or len(shapes) > 1 or len(colours) > 1:
            return 0.0  # missing, unasked-for or hedged attributes
        return float((not shapes or shapes[0] == h["shape"]) and (not colours or colours[0] == h["colour"]))

    @staticmethod
    def _truth(puzzle: dict[str, Any]) -> str:
        if puzzle["ask"] == "category":
            return puzzle["truth"]
        h = puzzle["scene"]["objects"][puzzle["hidden"]]
        return {"shape": h["shape"], "colour": h["colour"], "object": f"{h['colour']} {h['shape']}"}[
            puzzle["ask"]
        ]

    def scene_text(self, puzzle: dict[str, Any]) -> str | None:
        """The scene in words, the hidden object as a black box (None for photos: a describer VLM is needed)."""
        if "scene" not in puzzle:
            return None
        scene, hidden = puzzle["scene"], puzzle["hidden"]
        lines = [f"a grid of {scene['rows']} rows and {scene['cols']} columns of objects:"]
        for r in range(scene["rows"]):
            row = [
                "a black box" if i == hidden else scenes.describe(o)
                for i, o in enumerate(scene["objects"])
                if o["row"] == r
            ]
            lines.append(f"row {r + 1}: " + ", ".join(row))
        return "\n".join(lines)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        if puzzle["ask"] == "category":
            return [
                "The black box hides one object. I look for what else is in the photo.",
                f"Of the options, only '{puzzle['truth']}' appears elsewhere in the photo; the others appear "
                "nowhere in it, so the hidden object is most plausibly that.",
            ]
        scene, hidden, rule = puzzle["scene"], puzzle["hidden"], puzzle["rule"]
        h = scene["objects"][hidden]
        n = scene["rows"]
        where = f"row {h['row'] + 1}, column {h['col'] + 1}"
        steps = [f"The grid has {n} rows and {n} columns of objects; the black box is at {where}."]
        if rule == "rows":
            steps.append(
                f"Each row repeats a single object. The other objects in row {h['row'] + 1} are all "
                f"{scenes.describe(h, with_size=False)}s, so the hidden one is too."
            )
        elif rule == "latin":
            steps.append(
                f"There are {n} different objects, and each appears exactly once in every row and every column."
            )
            steps.append(
                f"Row {h['row'] + 1} and column {h['col'] + 1} already show every object except the "
                f"{h['colour']} {h['shape']}, so that is the hidden one."
            )
        else:
            steps.append(
                f"The right half mirrors the left half. The twin of {where} is at row {h['row'] + 1}, column "
                f"{n - h['col']}, which shows a {h['colour']} {h['shape']}."
            )
        steps.append(
            "So the hidden object is the "
            + {"shape": h["shape"], "colour": h["colour"], "object": f"{h['colour']} {h['shape']}"}[
                puzzle["ask"]
            ]
            + "."
        )
        return steps


def _overlap(a: list[int], b: list[int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
