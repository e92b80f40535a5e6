"""Image tasks: rows/s on 2 cores at 448 px against the raw Pillow limit measured in the same run.

    python bench/vision.py [--seconds 8] [--workers 2]

The raw limit is the pixel work a row cannot avoid, with the same drawing, sizes and encoder settings and
nothing else (no checks, no prompt, no records):
* jigsaw: draw the scene, cut it into tiles, paste them shuffled, encode;
* masked: draw the rule grid, black out one box, encode;
* counterfactual: draw the scene, make the two masked copies, encode all three (a row is a third of that);
* drawn puzzles: draw the board of an already generated puzzle with the task's own drawing, encode (so the
  ratio is what generating the puzzle costs on top of drawing it).
Both sides run in the same number of worker processes for the same wall time. Reported: rows/s of each, the
ratio, and the image bytes per row.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time

# (label, task, level, params, raw kind)
CASES = [
    ("jigsaw 2x2, one image", "jigsaw", "medium", {}, "jigsaw"),
    ("jigsaw 3x3, one image", "jigsaw", "hard", {}, "jigsaw"),
    ("jigsaw 3x3, separate tiles", "jigsaw", "hard", {"layout": "tiles"}, "jigsaw_tiles"),
    ("masked 4x4 latin", "masked", "hard", {}, "masked"),
    ("counterfactual, 7 objects", "counterfactual", "medium", {}, "counterfactual"),
    ("sudoku_image 9x9", "sudoku_image", "easy", {}, "board"),
    ("futoshiki_image 5x5", "futoshiki_image", "medium", {}, "board"),
    ("maze_image 5x5 rooms", "maze_image", "medium", {}, "board"),
    ("graph_coloring_image 10 nodes", "graph_coloring_image", "hard", {}, "board"),
]


def raw_rows(kind: str, level_params: dict, rng: random.Random) -> tuple[int, int]:
    """The unavoidable Pillow work of one row (of a group of three for counterfactual): (rows, bytes)."""
    from PIL import ImageDraw

    from generators.vision import images, scenes
    from generators.vision.jigsaw import assemble, cut
    from generators.vision.masked import rule_scene

    if kind in ("jigsaw", "jigsaw_tiles"):
        rows, cols, objects = level_params["rows"], level_params["cols"], level_params.get("objects", 8)
        img = scenes.render(scenes.random_scene(rng, objects))
        _, tiles = cut(img, rows, cols)
        rng.shuffle(tiles)
        if kind == "jigsaw_tiles":
            return 1, sum(len(images.encode(t)) for t in tiles)
        return 1, len(images.encode(assemble(tiles, rows, cols)))
    if kind == "masked":
        scene = rule_scene(rng, "latin", 4, 448)
        img = scenes.render(scene)
        ImageDraw.Draw(img).rectangle(scene["objects"][0]["box"], fill=(0, 0, 0))
        return 1, len(images.encode(img))
    if kind == "counterfactual":
        scene = scenes.random_scene(rng, 7, labels=True)
        img = scenes.render(scene)
        out = len(images.encode(img))
        for box in (scene["objects"][0]["box"], scene["objects"][1]["box"]):
            copy = img.copy()
            ImageDraw.Draw(copy).rectangle(box, fill=(0, 0, 0))
            out += len(images.encode(copy))
        return 3, out
    raise ValueError(kind)


def worker(args: tuple) -> tuple[int, int]:
    side, name, level, params, kind, seconds, wid = args
    from synth.rng import derive_rng
    from synth.task import get_task

    task = get_task(name)
    p = task.params_for(level, params)
    n = size = 0
    rng = random.Random(wid)
    if kind == "board":  # puzzles made before the clock starts: the raw side only draws and encodes
        from generators.vision import images

        puzzles = [task.generate(derive_rng("bench-raw", wid, i), p).puzzle for i in range(16)]
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if side == "raw" and kind == "board":
            picture = task.draw(puzzles[n % len(puzzles)], 448)
            rows, nbytes = 1, len(images.encode(picture))
        elif side == "raw":
            rows, nbytes = raw_rows(kind, p.model_dump(), rng)
        else:  # a grouped task's rows come from one draw, as in the pipeline
            made = task.generate_group(derive_rng("bench", wid, n), p)
            rows, nbytes = len(made), sum(len(b) for inst in made for b in inst.images)
        n += rows
        size += nbytes
    return n, size


def rate(side: str, case: tuple, seconds: float, workers: int) -> tuple[float, float]:
    _, name, level, params, kind = case
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(worker, [(side, name, level, params, kind, 0.5, w) for w in range(workers)])  # warm up
        start = time.perf_counter()
        done = pool.map(worker, [(side, name, level, params, kind, seconds, w) for w in range(workers)])
        elapsed = time.perf_counter() - start
    rows = sum(n for n, _ in done)
    return rows / elapsed, sum(s for _, s in done) / max(rows, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(
        f"{'task (448 px, png level 1)':32} {'raw Pillow rows/s':>18} {'synth rows/s':>13} {'ratio':>7} {'KB/row':>8}"
    )
    for case in CASES:
        raw, _ = rate("raw", case, args.seconds, args.workers)
        ours, size = rate("synth", case, args.seconds, args.workers)
        print(f"{case[0]:32} {raw:18.1f} {ours:13.1f} {ours / raw:6.0%} {size / 1024:8.1f}", flush=True)


if __name__ == "__main__":
    main()
