"""Counterfactual masking (DeFacto style): one question, three pictures, three answers.

For a question whose evidence is a known set of boxes, a group of three rows is emitted:
* ``positive``: the original picture; the true answer.
* ``counterfactual``: every evidence box blacked out; the answer is "unknown". The question is chosen so that
  no other visible object can answer it (the described object is the only one with that label, colour and
  shape), so masking truly removes the information.
* ``random_mask``: as many boxes blacked out, none touching the evidence; the true answer is unchanged, so a
  model cannot learn "any black box means unknown".

Questions on procedural scenes: an attribute of a described object (its colour, shape or letter) and the
spatial relation of two described objects (left / right, above / below). On COCO-style photos: which of
several categories is in the photo (the others appear nowhere in its annotations); the evidence is every
object of that category.

Reward: 1 for the right answer on positive and random-mask rows and for an abstention on counterfactual rows,
where an abstention is a whole word or phrase ("unknown", "cannot be determined", ...) in the answer block
only. ``box_reward`` adds the optional DeFacto box term when a model outputs boxes.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from PIL import Image, ImageDraw
from pydantic import Field, model_validator

from generators.common import answer_instruction
from generators.vision import images, scenes
from generators.vision.sources import ImageParams, draw_photo
from synth.answers import normalize
from synth.task import Instance, Skip, SolverStats, Task, register

VARIANTS = ("positive", "counterfactual", "random_mask")
LETTERS = "ABCDEFGH"
ABSTAIN = re.compile(
    r"\b(unknown|unanswerable|undeterminable|indeterminable|cannot (?:be )?(?:determined?|told|seen|known|tell|see|"
    r"know|say)|can ?not (?:determine|tell|see|know|say)|can't (?:determine|tell|see|know|say)|not (?:visible|"
    r"determinable|enough information|shown)|insufficient information|no way to (?:tell|know))\b"
)
FILLER = {"the", "it", "is", "its", "a", "an", "colour", "color", "shape", "letter", "object", "of", "to"}
MARGIN = 2  # pixels a mask extends beyond the box it covers


class CounterfactualParams(ImageParams):
    objects: int = Field(6, ge=2, le=20, description="objects in a procedural scene")
    question: Literal["attribute", "relation", "any"] = Field("any", description="kind of question (scenes)")
    choices: int = Field(4, ge=2, le=8, description="options of the photo question")

    @model_validator(mode="after")
    def _boxes(self):
        if self.source in ("folder", "hf"):
            raise ValueError("counterfactual masking needs object boxes: use source scenes or coco")
        return self


def mask_boxes(img: Image.Image, boxes: list[list[int]]) -> Image.Image:
    img = img.copy()
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN), fill=(0, 0, 0))
    return img


def grow(box: list[int], by: int) -> list[int]:
    return [box[0] - by, box[1] - by, box[2] + by, box[3] + by]


def overlaps(a: list[int], b: list[int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def is_abstention(text: str) -> bool:
    return ABSTAIN.search(normalize(text).replace("’", "'")) is not None


def scene_question(rng: random.Random, scene: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """A question about the scene, its answer and evidence objects; None when this scene has none to ask."""
    objs = scene["objects"]
    look = [(o["colour"], o["shape"]) for o in objs]
    unique = [i for i, lk in enumerate(look) if look.count(lk) == 1]
    if kind == "any":
        kind = rng.choice(["attribute", "relation"])
    if kind == "attribute":
        if rng.random() < 0.5 or not unique:  # described by its label, asked colour or shape
            i = rng.randrange(len(objs))
            what = rng.choice(["colour", "shape"])
            text = f"What {what} is the object labelled {objs[i]['label']}?"
            return {"kind": "attribute", "text": text, "answer": objs[i][what], "evidence": [i], "ask": what}
        i = rng.choice(unique)  # described by colour and shape, asked its label
        text = f"Which letter is written on the {objs[i]['colour']} {objs[i]['shape']}?"
        return {
            "kind": "attribute",
            "text": text,
            "answer": objs[i]["label"],
            "evidence": [i],
            "ask": "label",
        }
    for _ in range(10):
        i, j = rng.sample(range(len(objs)), 2)
        a, b = objs[i]["box"], objs[j]["box"]
        dx = (a[0] + a[2] - b[0] - b[2]) / 2
        dy = (a[1] + a[3] - b[1] - b[3]) / 2
        side = (a[2] - a[0] + b[2] - b[0]) / 2
        if abs(dx) >= side and abs(dx) >= abs(dy):  # clearly apart left-right
            text = (
                f"Is the object labelled {objs[i]['label']} to the left or to the right of the object labelled "
                f"{objs[j]['label']}?"
            )
            return {
                "kind": "relation",
                "text": text,
                "answer": "left" if dx < 0 else "right",
                "evidence": [i, j],
            }
        if abs(dy) >= side:
            text = f"Is the object labelled {objs[i]['label']} above or below the object labelled {objs[j]['label']}?"
            return {
                "kind": "relation",
                "text": text,
                "answer": "above" if dy < 0 else "below",
                "evidence": [i, j],
            }
    return None


@register
class Counterfactual(Task):
    name = "counterfactual"
    version = "1"
    modality = "image"
    description = (
        "One question as positive, counterfactual (evidence masked: 'unknown') and random-mask rows."
    )
    Params = CounterfactualParams
    levels = {
        "easy": {"objects": 4},
        "medium": {"objects": 7},
        "hard": {"objects": 11},
        "expert": {"objects": 16},
    }
    effort_scale = 20.0
    group_size = 3

    def generate(self, rng: random.Random, params: CounterfactualParams) -> Instance:
        group = self.generate_group(rng, params)
        return group[rng.randrange(len(group))]

    def generate_group(self, rng: random.Random, params: CounterfactualParams) -> list[Instance]:
        if params.source == "coco":
            img, boxes, q, origin, notes = self._photo(rng, params)
        else:
            for _ in range(20):
                scene = scenes.random_scene(rng, params.objects, px=params.side, labels=True)
                q = scene_question(rng, scene, params.question)
                if q is not None:
                    break
            else:
                raise Skip("skipped: no question fits the scene")
            img, boxes, origin, notes = (
                scenes.render(scene),
                [o["box"] for o in scene["objects"]],
                "scene",
                {},
            )
            q["scene"] = scene
        evidence = [boxes[i] for i in q["evidence"]]
        # random-mask boxes: other objects whose masks keep clear of every evidence box
        clear = [
            b
            for i, b in enumerate(boxes)
            if i not in q["evidence"] and not any(overlaps(grow(b, MARGIN), e) for e in evidence)
        ]
        decoys = rng.sample(clear, min(len(evidence), len(clear))) or self._free_boxes(
            rng, img.size, evidence
        )
        if not decoys:
            raise Skip("skipped: no room for a random mask")
        pictures = {
            "positive": img,
            "counterfactual": mask_boxes(img, evidence),
            "random_mask": mask_boxes(img, decoys),
        }
        answers = {"positive": q["answer"], "counterfactual": "unknown", "random_mask": q["answer"]}
        masked_boxes = {"positive": [], "counterfactual": evidence, "random_mask": decoys}
        group = []
        for variant in VARIANTS:
            puzzle = {
                "variant": variant,
                "question": q["text"],
                "kind": q["kind"],
                "ask": q.get("ask"),
                "truth": q["answer"],
                "options": q.get("options"),
                "evidence_boxes": evidence,
                "other_boxes": [b for i, b in enumerate(boxes) if i not in q["evidence"]],
                "masked_boxes": masked_boxes[variant],
                "size": list(img.size),
                "origin": origin,
            }
            if "scene" in q:  # the scene graph, so the question can be re-checked against every object
                puzzle["scene"] = q["scene"]
            prompt = "\n".join(
                [
                    q["text"],
                    *(f"{LETTERS[i]}. {o}" for i, o in enumerate(q.get("options") or [])),
                    "Black boxes cover parts of the picture, if any. If what you need to answer is not visible, "
                    "answer unknown.",
                    answer_instruction(_format(q)),
                ]
            )
            answer = answers[variant]
            if q.get("options") and variant != "counterfactual":
                answer = LETTERS[q["options"].index(q["answer"])]
            stats = SolverStats(nodes=len(boxes), steps=len(boxes) + len(evidence))
            png = images.encode(pictures[variant], params.image_format)
            group.append(Instance(puzzle, answer, prompt, stats, images=[png], notes=notes))
        return group

    def _photo(self, rng: random.Random, params: CounterfactualParams):
        src, pic = draw_photo(rng, params)
        present = sorted({o["category"] for o in pic.objects})
        absent = sorted(set(src.categories) - set(present))
        if not present or len(absent) < params.choices - 1:
            raise Skip("skipped: photo has no category to ask about")
        category = rng.choice(present)
        options = rng.sample(absent, params.choices - 1) + [category]
        rng.shuffle(options)
        q = {
            "kind": "presence",
            "text": "Which of these can be seen in the photo?",
            "answer": category,
            "options": options,
            "evidence": [i for i, o in enumerate(pic.objects) if o["category"] == category],
        }
        return pic.image, [o["box"] for o in pic.objects], q, pic.origin, pic.notes

    @staticmethod
    def _free_boxes(rng: random.Random, size: tuple[int, int], evidence: list[list[int]]) -> list[list[int]]:
        """A random box of empty background, away from the evidence (when no other object can be masked)."""
        w, h = size
        for _ in range(100):
            bw, bh = rng.randrange(w // 10, w // 4), rng.randrange(h // 10, h // 4)
            x, y = rng.randrange(MARGIN, w - bw - MARGIN), rng.randrange(MARGIN, h - bh - MARGIN)
            box = [x, y, x + bw, y + bh]
            if not any(overlaps(grow(box, MARGIN), e) for e in evidence):
                return [box]
        return []

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        abstained = is_abstention(answer)
        if puzzle["variant"] == "counterfactual":
            return float(abstained)
        if abstained:
            return 0.0
        text = normalize(answer)
        truth = puzzle["truth"].lower()
        if puzzle.get("options"):
            letters = re.findall(r"\b([a-h])\b", text.replace("option", " "))
            if len(letters) == 1:
                return float(letters[0].upper() == LETTERS[puzzle["options"].index(puzzle["truth"])])
            return float(text == truth)
        if puzzle.get("ask") == "label":  # one letter, possibly as "the letter K" / "it is K"
            text = re.sub(r"^(?:it is |it's )?(?:the )?(?:letter )?(?:is )?", "", text)
            return float(text == truth)
        words = [scenes.WORD.get(w, w) for w in re.findall(r"[a-z]+", text) if w not in FILLER]
        return float(words == [truth])

    def scene_text(self, puzzle: dict[str, Any]) -> str | None:
        """Every visible object with its box, and the black boxes (None for photos: a describer VLM is needed)."""
        if "scene" not in puzzle:
            return None
        masked = puzzle["masked_boxes"]
        lines = [
            f"a {puzzle['size'][0]}x{puzzle['size'][1]} picture (boxes are [x0, y0, x1, y1] in pixels) with:"
        ]
        for o in puzzle["scene"]["objects"]:
            if not any(overlaps(o["box"], m) for m in masked):
                lines.append(f"- a {scenes.describe(o)} at {o['box']}")
        lines += [
            f"- a black box at {[b - MARGIN if k < 2 else b + MARGIN for k, b in enumerate(m)]}"
            for m in masked
        ]
        return "\n".join(lines)

    def region_reward(self, puzzle: dict[str, Any], completion: str) -> float:
        return box_reward(puzzle, completion)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        q, variant, n_masked = puzzle["question"], puzzle["variant"], len(puzzle["masked_boxes"])
        steps = [f"The question: {q}"]
        boxes = ", ".join(f"[{', '.join(map(str, b))}]" for b in puzzle["evidence_boxes"])
        what = "object" if len(puzzle["evidence_boxes"]) == 1 else "objects"
        if variant == "positive":
            steps.append(f"Nothing is masked. The {what} the question is about are at {boxes}.")
        elif variant == "random_mask":
            steps.append(
                f"{n_masked} black box{'es' if n_masked > 1 else ''} hide part of the picture, but the {what} "
                f"the question is about, at {boxes}, {'are' if len(puzzle['evidence_boxes']) > 1 else 'is'} "
                "fully visible, so the masks do not matter."
            )
        else:
            steps.append(
                f"The {what} the question is about would be at {boxes}, and {'they are' if what == 'objects' else 'it is'}"
                " covered by black boxes. No other visible object answers the question."
            )
            steps.append("The picture does not show what is needed, so the answer is unknown.")
            return steps
        steps.append(f"Reading the picture there, the answer is {puzzle['truth']}.")
        return steps


_BOX = re.compile(
    r"\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]"
)


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def box_reward(puzzle: dict[str, Any], completion: str) -> float:
    """DeFacto's region term in [-1, 1]: boxes given inside <box>/<bbox> tags, in pixels of the image.

    Counterfactual rows: +1 for no box, -1 for any. Other rows: the mean over predicted boxes of
    (best IoU with an evidence box - best IoU with any other object), and -0.5 when no box is given.
    """
    if not isinstance(completion, str):
        return 0.0
    blocks = re.findall(r"<b?box>(.*?)</b?box>", completion, flags=re.S | re.I)
    boxes = [[float(v) for v in m.groups()] for block in blocks for m in _BOX.finditer(block)][
        :32
    ]  # a flood of boxes is not rewarded more
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
    if puzzle["variant"] == "counterfactual":
        return 1.0 if not boxes else -1.0
    if not boxes:
        return -0.5
    good, bad = puzzle["evidence_boxes"], puzzle["other_boxes"]
    score = sum(
        max((iou(b, e) for e in good), default=0.0) - max((iou(b, o) for o in bad), default=0.0)
        for b in boxes
    )
    return max(-1.0, min(1.0, score / len(boxes)))


def _format(q: dict[str, Any]) -> str:
    if q.get("options"):
        return "one letter, or unknown; e.g. " + ("B" if q["answer"] == q["options"][0] else "A")
    ask = q.get("ask")
    if ask == "colour":
        return "one colour word, or unknown; e.g. brown"
    if ask == "shape":
        return "one shape word, or unknown; e.g. pentagon"
    if ask == "label":
        return "one letter, or unknown; e.g. " + ("Q" if q["answer"] != "Q" else "Z")
    other = {"left": "right", "right": "left", "above": "below", "below": "above"}[q["answer"]]
    return f"one word, or unknown; e.g. {other}"
