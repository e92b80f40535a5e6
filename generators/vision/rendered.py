"""Text puzzles drawn as pictures: sudoku, futoshiki, maze and graph colouring, as an image plus a short question.

Each task here wraps its text family: the same generator, the same proven answer, the same verifier and the
same solver trace; only the puzzle moves from the prompt into a picture drawn with Pillow. The knobs are the
text family's plus the image knobs (``max_pixels``, ``image_format``).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any, ClassVar, Literal

from PIL import Image, ImageDraw, ImageFont
from pydantic import Field

from generators.graphs.graph_coloring import GraphColoring
from generators.grids.futoshiki import Futoshiki, render
from generators.logic.sudoku import Sudoku, grid_text
from generators.search.maze import Maze
from generators.vision import images
from synth.task import Instance, Task, register

INK, PAPER, GRID = (20, 20, 20), (255, 255, 255), (150, 150, 150)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class RenderedTask(Task):
    """A text family's puzzle as a picture; subclasses name the family, the question and the drawing."""

    base: ClassVar[type[Task]]
    modality = "image"
    question: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The family's knobs (plus the image knobs), levels and effort scale come with ``base``."""
        super().__init_subclass__(**kwargs)
        cls.Params = _params(cls.base)
        cls.levels = cls.base.levels
        cls.effort_scale = cls.base.effort_scale

    def __init__(self) -> None:
        self.text_task = self.base()

    def draw(self, puzzle: dict[str, Any], side: int) -> Image.Image:
        raise NotImplementedError

    def generate(self, rng: random.Random, params: Any) -> Instance:
        base_params = self.base.Params(**params.model_dump(exclude={"max_pixels", "image_format"}))
        inst = self.text_task.generate(rng, base_params)
        picture = self.draw(inst.puzzle, math.isqrt(params.max_pixels))
        instruction = inst.prompt.splitlines()[-1]  # the family's answer format line
        prompt = self.question.format(**inst.puzzle) + "\n" + instruction
        data = images.encode(picture, params.image_format)
        return Instance(inst.puzzle, inst.answer, prompt, inst.stats, images=[data])

    def verify(self, puzzle: dict[str, Any], answer: str) -> float:
        return self.text_task.verify(puzzle, answer)

    def trace(self, puzzle: dict[str, Any]) -> list[str]:
        return self.text_task.trace(puzzle)


def _params(base: type[Task]) -> type:
    """The text family's knobs plus the image knobs."""

    class RenderedParams(base.Params):
        max_pixels: int = Field(
            448 * 448, ge=64 * 64, le=4096 * 4096, description="pixel budget of the image"
        )
        image_format: Literal["png", "webp"] = Field("png", description="encoding of the stored image")

    RenderedParams.__name__ = f"{base.__name__}ImageParams"
    return RenderedParams


def _grid_lines(
    draw: ImageDraw.ImageDraw, n: int, cell: int, pad: int, thick_every: tuple[int, int] | None
) -> None:
    for k in range(n + 1):
        heavy_r = thick_every is not None and k % thick_every[0] == 0
        heavy_c = thick_every is not None and k % thick_every[1] == 0
        y, x = pad + k * cell, pad + k * cell
        draw.line(
            (pad, y, pad + n * cell, y),
            fill=INK if heavy_r or k in (0, n) else GRID,
            width=3 if heavy_r else 1,
        )
        draw.line(
            (x, pad, x, pad + n * cell),
            fill=INK if heavy_c or k in (0, n) else GRID,
            width=3 if heavy_c else 1,
        )


@register
class SudokuImage(RenderedTask):
    name = "sudoku_image"
    description = "Sudoku drawn as a picture; same generator, answer and verifier as sudoku."
    base = Sudoku
    question = (
        "Solve the {size}x{size} Sudoku in the picture: every row, column and box holds each digit once."
    )

    def scene_text(self, puzzle: dict[str, Any]) -> str:
        givens = json.loads(puzzle["givens"]) if isinstance(puzzle["givens"], str) else puzzle["givens"]
        n = puzzle["size"]
        return f"a {n}x{n} Sudoku grid; row by row, with . for an empty cell:\n" + grid_text(givens, n)

    def draw(self, puzzle: dict[str, Any], side: int) -> Image.Image:
        n = puzzle["size"]
        givens = json.loads(puzzle["givens"]) if isinstance(puzzle["givens"], str) else puzzle["givens"]
        box_r = math.isqrt(n) if math.isqrt(n) ** 2 == n else 2
        pad = side // 40 + 2
        cell = (side - 2 * pad) // n
        img = Image.new("RGB", (side, side), PAPER)
        draw = ImageDraw.Draw(img)
        _grid_lines(draw, n, cell, pad, (box_r, n // box_r))
        f = font(int(cell * 0.6))
        for i, v in enumerate(givens):
            if v:
                r, c = divmod(i, n)
                draw.text(
                    (pad + (c + 0.5) * cell, pad + (r + 0.5) * cell), str(v), fill=INK, font=f, anchor="mm"
                )
        return img


@register
class FutoshikiImage(RenderedTask):
    name = "futoshiki_image"
    description = "Futoshiki drawn as a picture (inequality chevrons between cells); verified as futoshiki."
    base = Futoshiki
    question = (
        "Solve the {size}x{size} Futoshiki in the picture: each row and column holds the digits 1 to {size} once, "
        "and every inequality sign between two cells holds (the sign's point is at the smaller cell)."
    )

    def scene_text(self, puzzle: dict[str, Any]) -> str:
        n = puzzle["size"]
        return (
            f"a {n}x{n} Futoshiki grid ('_' empty; '<' and '>' between horizontal neighbours; '^' under a cell: it "
            "is smaller than the cell below, 'v': larger):\n" + render(n, puzzle["clues"])
        )

    def draw(self, puzzle: dict[str, Any], side: int) -> Image.Image:
        n = puzzle["size"]
        pad = side // 20
        cell = (side - 2 * pad) // n
        box = int(cell * 0.6)  # each cell's square; the gaps between squares hold the signs
        img = Image.new("RGB", (side, side), PAPER)
        draw = ImageDraw.Draw(img)
        f = font(int(box * 0.7))

        def centre(i: int) -> tuple[float, float]:
            r, c = divmod(i, n)
            return pad + (c + 0.5) * cell, pad + (r + 0.5) * cell

        for i in range(n * n):
            x, y = centre(i)
            draw.rectangle((x - box / 2, y - box / 2, x + box / 2, y + box / 2), outline=INK, width=2)
        s = (cell - box) / 4
        for kind, a, b in puzzle["clues"]:
            if kind == 0:
                draw.text(centre(a), str(b), fill=INK, font=f, anchor="mm")
                continue
            (xa, ya), (xb, yb) = centre(a), centre(b)
            mx, my = (xa + xb) / 2, (ya + yb) / 2
            if ya == yb:  # horizontal: the point faces the smaller cell a
                d = -1 if xa < xb else 1
                pts = [(mx - d * s, my - s), (mx + d * s, my), (mx - d * s, my + s)]
            else:  # vertical: the point faces up when the upper cell a is the smaller
                d = 1 if ya < yb else -1
                pts = [(mx - s, my + d * s), (mx, my - d * s), (mx + s, my + d * s)]
            draw.line(pts, fill=INK, width=3)
        return img


@register
class MazeImage(RenderedTask):
    name = "maze_image"
    description = "Grid maze drawn as a picture (walls dark, S start, G goal); route verified by walking it."
    base = Maze
    question = (
        "The picture shows a maze: dark squares are walls, S is the start and G the goal. Moving up, down, left "
        "or right, give a shortest route from S to G."
    )

    def scene_text(self, puzzle: dict[str, Any]) -> str:
        return "a maze, row by row (# wall, . open, S start, G goal):\n" + "\n".join(puzzle["grid"])

    def draw(self, puzzle: dict[str, Any], side: int) -> Image.Image:
        grid = puzzle["grid"]
        n = max(len(grid), len(grid[0]))
        cell = side // n
        img = Image.new("RGB", (cell * len(grid[0]), cell * len(grid)), PAPER)
        draw = ImageDraw.Draw(img)
        f = font(int(cell * 0.7))
        for r, row in enumerate(grid):
            for c, ch in enumerate(row):
                box = (c * cell, r * cell, (c + 1) * cell - 1, (r + 1) * cell - 1)
                if ch == "#":
                    draw.rectangle(box, fill=(40, 40, 60))
                elif ch in "SG":
                    draw.rectangle(box, fill=(60, 170, 80) if ch == "S" else (220, 60, 60))
                    draw.text(((c + 0.5) * cell, (r + 0.5) * cell), ch, fill=PAPER, font=f, anchor="mm")
        return img


@register
class GraphColoringImage(RenderedTask):
    name = "graph_coloring_image"
    description = "Graph drawn as a picture (nodes on a circle); colour it with the fewest colours."
    base = GraphColoring
    question = (
        "Colour the nodes of the graph in the picture with colour numbers 1, 2, ... so that nodes joined by a line "
        "get different numbers, using as few colours as possible."
    )

    def scene_text(self, puzzle: dict[str, Any]) -> str:
        edges = "\n".join(f"{u} - {v}" for u, v in puzzle["edges"])
        return f"a graph with nodes {', '.join(puzzle['nodes'])} and these lines between nodes:\n{edges}"

    def draw(self, puzzle: dict[str, Any], side: int) -> Image.Image:
        nodes = puzzle["nodes"]
        r_node = max(10, side // (2 * len(nodes) + 6))
        radius = side / 2 - r_node - 4
        at = {
            v: (
                side / 2 + radius * math.sin(2 * math.pi * k / len(nodes)),
                side / 2 - radius * math.cos(2 * math.pi * k / len(nodes)),
            )
            for k, v in enumerate(nodes)
        }
        img = Image.new("RGB", (side, side), PAPER)
        draw = ImageDraw.Draw(img)
        for u, v in puzzle["edges"]:
            draw.line((*at[u], *at[v]), fill=INK, width=2)
        f = font(int(r_node * 1.1))
        for v, (x, y) in at.items():
            draw.ellipse(
                (x - r_node, y - r_node, x + r_node, y + r_node), fill=(250, 235, 180), outline=INK, width=2
            )
            draw.text((x, y), v, fill=INK, font=f, anchor="mm")
        return img
