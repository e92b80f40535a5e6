"""Image tasks: each property checked on the emitted pixels with code independent of the generators."""

from __future__ import annotations

import io
import json
import random
import statistics
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators.vision import images, scenes
from generators.vision.counterfactual import box_reward
from synth.rewards import score_completion
from synth.rng import derive_rng
from synth.task import Skip, get_task

N = 25


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def draw(name: str, level: str, n: int = N, **params):
    task = get_task(name)
    p = task.params_for(level, params)
    return task, [
        task.generate(derive_rng("vision-tests", name, level, json.dumps(params), i), p) for i in range(n)
    ]


# -- jigsaw ---------------------------------------------------------------------------------------------------


def reference(puzzle: dict) -> np.ndarray:
    """The source picture as the puzzle was cut from it: re-rendered, cropped to the grid, borders blacked."""
    a = np.asarray(scenes.render(puzzle["scene"]), dtype=np.int16)
    rows, cols = puzzle["rows"], puzzle["cols"]
    th, tw = a.shape[0] // rows, a.shape[1] // cols
    a = a[: th * rows, : tw * cols].copy()
    share = puzzle["mask_borders"]
    if share:
        bx, by = max(1, round(tw * share)), max(1, round(th * share))
        for r in range(rows):
            for c in range(cols):
                t = a[r * th : (r + 1) * th, c * tw : (c + 1) * tw]
                t[:by], t[-by:], t[:, :bx], t[:, -bx:] = 0, 0, 0, 0
    return a


def tiles_of(inst, puzzle) -> list[np.ndarray]:
    rows, cols = puzzle["rows"], puzzle["cols"]
    if puzzle["layout"] == "tiles":
        return [pixels(b) for b in inst.images]
    a = pixels(inst.images[0])
    th, tw = a.shape[0] // rows, a.shape[1] // cols
    return [a[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(rows) for c in range(cols)]


@pytest.mark.parametrize(
    "level,params",
    [
        ("easy", {}),
        ("medium", {}),
        ("hard", {"layout": "tiles"}),
        ("expert", {}),
        ("hard", {"mask_borders": 0.1}),
    ],
)
def test_jigsaw_answer_reconstructs_the_source_pixel_for_pixel(level, params):
    task, insts = draw("jigsaw", level, 10, **params)
    for inst in insts:
        puzzle = inst.puzzle
        rows, cols = puzzle["rows"], puzzle["cols"]
        answer = [int(x) for x in inst.answer.split(",")]
        assert sorted(answer) != answer  # never the identity
        tiles = tiles_of(inst, puzzle)
        th, tw = tiles[0].shape[:2]
        canvas = np.zeros((th * rows, tw * cols, 3), dtype=np.int16)
        for x, orig in enumerate(answer):  # the tile at shuffled position x goes back to position orig
            r, c = divmod(orig - 1, cols)
            canvas[r * th : (r + 1) * th, c * tw : (c + 1) * tw] = tiles[x]
        assert np.array_equal(canvas, reference(puzzle))
        assert len(inst.images) == (rows * cols if puzzle["layout"] == "tiles" else 1)


def test_jigsaw_tiles_are_never_near_identical():
    for level in ("medium", "hard", "expert"):
        _, insts = draw("jigsaw", level, 15)
        for inst in insts:
            tiles = tiles_of(inst, inst.puzzle)
            th, tw = tiles[0].shape[:2]
            # 8x8 block means of each tile, compared pairwise
            small = [
                t[: th // 8 * 8, : tw // 8 * 8].reshape(8, th // 8, 8, tw // 8, 3).mean(axis=(1, 3))
                for t in tiles
            ]
            for i in range(len(small)):
                for j in range(i):
                    assert np.abs(small[i] - small[j]).mean() > 2.0


def test_jigsaw_reward_partial_credit_only_for_valid_permutations_above_the_threshold():
    task = get_task("jigsaw")
    big = {"question": "full", "perm": [2, 1, 3, 4, 5, 6, 7, 8, 9], "partial_min_tiles": 5}
    assert task.verify(big, "2, 1, 3, 4, 5, 6, 7, 8, 9") == 1.0
    assert task.verify(big, "1, 2, 3, 4, 5, 6, 7, 8, 9") == pytest.approx(0.2 * 7 / 9)
    assert task.verify(big, "2, 2, 3, 4, 5, 6, 7, 8, 9") == 0.0  # not a permutation
    assert task.verify(big, "1 1 1 1 1 1 1 1 1") == 0.0
    assert task.verify(big, "2, 1, 3, 4, 5, 6, 7, 8") == 0.0
    assert task.verify(big, "2, 1, 3, 4, 5, 6, 7, 8, 9, 10") == 0.0
    small = {"question": "full", "perm": [2, 1, 4, 3], "partial_min_tiles": 5}
    assert task.verify(small, "2, 1, 3, 4") == 0.0  # right in half the positions, but only 4 tiles
    assert task.verify(small, "2 1 4 3") == 1.0


@pytest.mark.parametrize("question", ["full", "single", "pair", "choice"])
def test_jigsaw_questions_gold_scores_one_and_constants_do_not(question):
    task, insts = draw("jigsaw", "hard", 40, question=question)
    for inst in insts:
        assert task.verify(inst.puzzle, inst.answer) == 1.0
        assert len(set(map(str, inst.puzzle.get("options") or []))) == len(inst.puzzle.get("options") or [])
    k = 9
    constants = {
        "full": ["1, 2, 3, 4, 5, 6, 7, 8, 9", "9, 8, 7, 6, 5, 4, 3, 2, 1"],
        "single": ["1", "5"],
        "pair": ["A", "E", "left"],
        "choice": ["A", "B"],
    }[question]
    limit = {"full": 0.05, "single": 2 / k, "pair": 0.35, "choice": 0.4}[question]
    for constant in constants:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= limit


# -- masked prediction -------------------------------------------------------------------------------------------


def determined_by_rule(puzzle: dict) -> tuple[str, str]:
    """The hidden object's look, worked out from the visible objects alone (independent of the generator)."""
    objs, rule, hidden = puzzle["scene"]["objects"], puzzle["rule"], puzzle["hidden"]
    n = puzzle["scene"]["rows"]
    grid = {(o["row"], o["col"]): (o["shape"], o["colour"]) for i, o in enumerate(objs) if i != hidden}
    hr, hc = objs[hidden]["row"], objs[hidden]["col"]
    if rule == "rows":
        looks = {grid[(hr, c)] for c in range(n) if c != hc}
        assert len(looks) == 1
        return looks.pop()
    if rule == "mirror":
        return grid[(hr, n - 1 - hc)]
    every = set(grid.values())
    assert len(every) == n
    for r in range(n):  # a Latin square: no look twice in a row or a column
        row = [grid[(r, c)] for c in range(n) if (r, c) in grid]
        col = [grid[(c, r)] for c in range(n) if (c, r) in grid]
        assert len(row) == len(set(row)) and len(col) == len(set(col))
    (look,) = (
        every - {grid[(hr, c)] for c in range(n) if c != hc} - {grid[(r, hc)] for r in range(n) if r != hr}
    )
    return look


@pytest.mark.parametrize(
    "level,params",
    [("easy", {}), ("medium", {}), ("hard", {}), ("expert", {}), ("medium", {"rule": "mirror", "grid": 5})],
)
def test_masked_answer_is_determined_by_the_rule_and_hidden_by_the_mask(level, params):
    task, insts = draw("masked", level, **params)
    for inst in insts:
        shape, colour = determined_by_rule(inst.puzzle)
        assert inst.answer == f"{colour} {shape}"
        x0, y0, x1, y1 = inst.puzzle["scene"]["objects"][inst.puzzle["hidden"]]["box"]
        assert (pixels(inst.images[0])[y0 : y1 + 1, x0 : x1 + 1] == 0).all()


def test_masked_grading_takes_synonyms_and_rejects_hedges():
    task = get_task("masked")
    puzzle = {
        "ask": "object",
        "hidden": 0,
        "scene": {"objects": [{"shape": "circle", "colour": "purple", "label": None}]},
    }
    for good in [
        "purple circle",
        "A violet disc.",
        "It is a purple circle",
        "**Purple** round",
        "PURPLE CIRCLE",
    ]:
        assert task.verify(puzzle, good) == 1.0, good
    for bad in [
        "purple",
        "circle",
        "purple or red circle",
        "purple circle or square",
        "red circle",
        "",
        "unknown",
    ]:
        assert task.verify(puzzle, bad) == 0.0, bad
    shape_only = {**puzzle, "ask": "shape"}
    assert task.verify(shape_only, "disk") == 1.0
    assert task.verify(shape_only, "purple circle") == 0.0  # a colour was not asked: a hedge on what is asked


def test_masked_constant_answers_score_low():
    task, insts = draw("masked", "hard", 60)
    for constant in ["red circle", "blue square", "yellow star"]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= 0.15


# -- counterfactual ------------------------------------------------------------------------------------------------


def groups(level: str, n: int = N, **params):
    task = get_task("counterfactual")
    p = task.params_for(level, params)
    return task, [task.generate_group(derive_rng("cf-tests", level, i), p) for i in range(n)]


@pytest.mark.parametrize("level", ["easy", "medium", "hard", "expert"])
def test_counterfactual_masks_remove_exactly_the_evidence(level):
    task, gs = groups(level)
    for pos, cf, rnd in gs:
        assert [g.puzzle["variant"] for g in (pos, cf, rnd)] == ["positive", "counterfactual", "random_mask"]
        assert pos.prompt == cf.prompt == rnd.prompt
        assert cf.answer == "unknown" and pos.answer == rnd.answer != "unknown"
        a, b, c = pixels(pos.images[0]), pixels(cf.images[0]), pixels(rnd.images[0])
        for x0, y0, x1, y1 in pos.puzzle["evidence_boxes"]:
            assert (b[y0 : y1 + 1, x0 : x1 + 1] == 0).all()  # no evidence pixel survives
            assert np.array_equal(c[y0 : y1 + 1, x0 : x1 + 1], a[y0 : y1 + 1, x0 : x1 + 1])  # every one does
        assert not np.array_equal(a, c)  # the random mask did hide something


def test_counterfactual_no_other_visible_object_answers():
    for level in ("easy", "hard", "expert"):
        _, gs = groups(level, 40)
        for pos, _, _ in gs:
            objs = pos.puzzle["scene"]["objects"]
            q = pos.puzzle["question"]
            evidence = [o for o in objs if o["box"] in pos.puzzle["evidence_boxes"]]
            if "labelled" in q:  # label questions: each label is on exactly one object, the evidence
                for label in {w for w in q.replace("?", "").split() if len(w) == 1 and w.isupper()}:
                    holders = [o for o in objs if o["label"] == label]
                    assert len(holders) == 1 and holders[0] in evidence
            else:  # "Which letter is written on the <colour> <shape>?"
                colour, shape = q.removesuffix("?").split()[-2:]
                assert [o for o in objs if (o["colour"], o["shape"]) == (colour, shape)] == evidence


def test_counterfactual_rewards_abstention_by_whole_words_in_the_answer_only():
    task, gs = groups("medium", 5)
    pos, cf, rnd = gs[0]
    truth = pos.answer
    assert score_completion(task, cf.puzzle, "<think>hmm</think><answer>unknown</answer>") == 1.0
    assert score_completion(task, cf.puzzle, "<answer>It cannot be determined.</answer>") == 1.0
    assert score_completion(task, cf.puzzle, f"<answer>{truth}</answer>") == 0.0
    for not_abstaining in ["no", "snow", "I know", "known", "nothing"]:
        assert task.verify(cf.puzzle, not_abstaining) == 0.0
    # "unknown" in the reasoning does not count; the answer block decides
    assert (
        score_completion(task, pos.puzzle, f"<think>unknown at first</think><answer>{truth}</answer>") == 1.0
    )
    assert score_completion(task, pos.puzzle, "<answer>unknown</answer>") == 0.0
    assert score_completion(task, rnd.puzzle, f"<answer>{truth}</answer>") == 1.0


def test_counterfactual_box_reward():
    _, gs = groups("medium", 3)
    pos, cf, _ = gs[0]
    e = pos.puzzle["evidence_boxes"][0]
    assert box_reward(pos.puzzle, f"<think><box>[{e[0]}, {e[1]}, {e[2]}, {e[3]}]</box></think>") == 1.0
    other = pos.puzzle["other_boxes"][0]
    assert box_reward(pos.puzzle, f"<box>{other}</box>") == -1.0
    assert box_reward(pos.puzzle, "<answer>x</answer>") == -0.5
    assert box_reward(cf.puzzle, "<answer>unknown</answer>") == 1.0
    assert box_reward(cf.puzzle, f"<bbox>{e}</bbox>") == -1.0
    from synth.rewards import box_reward as trl_box_reward

    extra = [{"task": "counterfactual", "instance": json.dumps(g.puzzle)} for g in (pos, cf)]
    completions = [f"<box>{e}</box><answer>x</answer>", "<answer>unknown</answer>"]
    assert trl_box_reward(completions, extra_info=extra) == [1.0, 1.0]
    assert trl_box_reward(["<box>[1, 2, 3, 4]</box>"], extra_info=[{"task": "sudoku", "instance": "{}"}]) == [
        0.0
    ]


def test_counterfactual_constant_answers_score_low_over_whole_groups():
    task, gs = groups("hard", 40)
    rows = [inst for g in gs for inst in g]
    for constant in ["left", "red", "A", "circle"]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in rows) <= 0.15
    assert statistics.mean(task.verify(i.puzzle, "unknown") for i in rows) == pytest.approx(1 / 3)


# -- rendered puzzles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sudoku_image", "futoshiki_image", "maze_image", "graph_coloring_image"])
def test_rendered_puzzles_share_the_text_family_answer_and_verifier(name):
    task, insts = draw(name, "easy", 5)
    text = get_task(name.removesuffix("_image"))
    for inst in insts:
        assert len(inst.images) == 1 and pixels(inst.images[0]).std() > 10  # a real picture
        assert text.verify(inst.puzzle, inst.answer) == task.verify(inst.puzzle, inst.answer) == 1.0
    p = text.params_for("easy")
    plain = text.generate(derive_rng("vision-tests", name, "easy", json.dumps({}), 0), p)
    assert plain.puzzle == insts[0].puzzle and plain.answer == insts[0].answer


def test_sudoku_picture_shows_the_givens_and_nothing_else():
    task, insts = draw("sudoku_image", "easy", 3)
    for inst in insts:
        a = pixels(inst.images[0]).mean(axis=2)
        n, side = inst.puzzle["size"], a.shape[0]
        pad = side // 40 + 2
        cell = (side - 2 * pad) // n
        for i, v in enumerate(inst.puzzle["givens"]):
            r, c = divmod(i, n)
            inner = a[
                pad + r * cell + cell // 5 : pad + (r + 1) * cell - cell // 5,
                pad + c * cell + cell // 5 : pad + (c + 1) * cell - cell // 5,
            ]
            assert (inner.min() < 128) == bool(v), (i, v)  # ink in exactly the given cells


# -- image input ----------------------------------------------------------------------------------------------------


def scene_png(seed: int) -> Image.Image:
    return scenes.render(scenes.random_scene(random.Random(seed), 8))


def bad_corpus(folder):
    """One file of each kind of trouble, plus good pictures; returns {file name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    expect = {}

    def save(name, img, reason, **kw):
        img.save(folder / name, **kw)
        expect[name] = reason

    for k in range(4):
        save(f"good{k}.png", scene_png(k), None)
    save("cmyk.jpg", scene_png(10).convert("CMYK"), "converted: cmyk")
    grey16 = (np.asarray(scene_png(11).convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    save("deep.png", Image.fromarray(grey16), "converted: 16-bit")
    frames = [scene_png(12), scene_png(13)]
    frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:])
    expect["anim.gif"] = "converted: animated, first frame kept"
    pal = scene_png(14).convert("P", palette=Image.Palette.ADAPTIVE)
    pal.info["transparency"] = 0
    save("palette.png", pal, "converted: transparency flattened on white", transparency=0)
    full = io.BytesIO()
    scene_png(15).save(full, format="JPEG")
    (folder / "truncated.jpg").write_bytes(full.getvalue()[: len(full.getvalue()) // 2])
    expect["truncated.jpg"] = "skipped: truncated"
    (folder / "empty.png").write_bytes(b"")
    expect["empty.png"] = "skipped: empty file"
    (folder / "notes.jpg").write_text("not a picture")
    expect["notes.jpg"] = "skipped: not an image"
    Image.new("1", (8200, 8200)).save(folder / "bomb.png")
    expect["bomb.png"] = "skipped: decompression bomb"
    return expect


def test_bad_images_are_converted_or_skipped_with_a_reason(tmp_path):
    expect = bad_corpus(tmp_path / "imgs")
    for name, reason in expect.items():
        data = (tmp_path / "imgs" / name).read_bytes()
        if reason is None or reason.startswith("converted"):
            img, notes = images.open_image(data)
            assert img.mode == "RGB" and img.size[0] > 0
            assert list(notes) == ([reason] if reason else []), name
        else:
            with pytest.raises(Skip) as info:
                images.open_image(data)
            assert info.value.reason == reason, name


def test_hf_and_coco_sources(tmp_path):
    import datasets

    pics = [scene_png(k) for k in range(6)]
    ds = datasets.Dataset.from_dict({"picture": pics, "caption": [str(k) for k in range(6)]})
    ds = ds.cast_column("picture", datasets.Image())
    ds.save_to_disk(str(tmp_path / "disk"))
    ds.to_parquet(str(tmp_path / "pq" / "train.parquet"))
    jig = get_task("jigsaw")
    for path in (tmp_path / "disk", tmp_path / "pq"):
        p = jig.params_for("medium", {"source": "hf", "path": str(path)})
        inst = jig.generate(derive_rng("hf", str(path)), p)
        assert jig.verify(inst.puzzle, inst.answer) == 1.0 and inst.puzzle["origin"].endswith("]")

    # a COCO file whose annotations are the scene objects (category = colour and shape)
    (tmp_path / "coco").mkdir()
    names = [f"{c} {s}" for c in scenes.COLOURS for s in scenes.SHAPES]
    coco = {
        "images": [],
        "annotations": [],
        "categories": [{"id": i, "name": n} for i, n in enumerate(names)],
    }
    for k in range(8):
        scene = scenes.random_scene(random.Random(100 + k), 12)
        scenes.render(scene).save(tmp_path / "coco" / f"{k}.png")
        coco["images"].append({"id": k, "file_name": f"{k}.png", "width": 448, "height": 448})
        for o in scene["objects"]:
            x0, y0, x1, y1 = o["box"]
            coco["annotations"].append(
                {
                    "image_id": k,
                    "bbox": [x0, y0, x1 - x0, y1 - y0],
                    "category_id": scenes.SHAPES.index(o["shape"]),
                }
            )
    (tmp_path / "coco" / "ann.json").write_text(json.dumps(coco))
    masked = get_task("masked")
    p = masked.params_for(
        "easy", {"source": "coco", "path": str(tmp_path / "coco" / "ann.json"), "choices": 3}
    )
    made = 0
    for i in range(20):
        try:
            inst = masked.generate(derive_rng("coco", i), p)
        except Skip:
            continue
        made += 1
        assert masked.verify(inst.puzzle, inst.answer) == 1.0
        x0, y0, x1, y1 = inst.puzzle["hidden_box"]
        assert (pixels(inst.images[0])[y0 : y1 + 1, x0 : x1 + 1] == 0).all()
    assert made >= 10
    cf = get_task("counterfactual")
    p = cf.params_for("easy", {"source": "coco", "path": str(tmp_path / "coco" / "ann.json"), "choices": 3})
    pos, neg, rnd = cf.generate_group(derive_rng("coco-cf"), p)
    assert neg.answer == "unknown" and pos.answer == rnd.answer and cf.verify(pos.puzzle, pos.answer) == 1.0
    b = pixels(neg.images[0])
    for x0, y0, x1, y1 in neg.puzzle["evidence_boxes"]:
        assert (b[y0 : y1 + 1, x0 : x1 + 1] == 0).all()


def test_unusable_sources_are_one_line_errors(tmp_path):
    from synth.errors import TaskError

    jig = get_task("jigsaw")
    with pytest.raises(TaskError, match="no such file or folder"):
        jig.params_for("easy", {"source": "folder", "path": str(tmp_path / "nope")})
    (tmp_path / "empty").mkdir()
    with pytest.raises(TaskError, match="holds no images"):
        jig.params_for("easy", {"source": "folder", "path": str(tmp_path / "empty")})
    with pytest.raises(TaskError, match="needs a path"):
        jig.params_for("easy", {"source": "coco"})
    (tmp_path / "one").mkdir()
    scene_png(0).save(tmp_path / "one" / "a.png")
    with pytest.raises(TaskError, match="needs object boxes"):
        get_task("masked").params_for("easy", {"source": "folder", "path": str(tmp_path / "one")})


# -- through the pipeline --------------------------------------------------------------------------------------------


def test_vision_recipe_end_to_end_with_a_folder_of_bad_images(tmp_path):
    import datasets

    from tests.conftest import run_cli, write_recipe

    expect = bad_corpus(tmp_path / "imgs")
    recipe = write_recipe(
        tmp_path / "recipe.yaml",
        tasks=[
            {
                "task": "jigsaw",
                "level": "medium",
                "weight": 2,
                "params": {"source": "folder", "path": str(tmp_path / "imgs")},
            },
            {"task": "jigsaw", "level": "easy", "params": {"layout": "tiles"}},
            {"task": "counterfactual", "level": "easy", "weight": 2},
            {"task": "masked", "level": "easy"},
            {"task": "sudoku_image", "level": "easy", "params": {"size": 4, "givens": 7}},
        ],
        splits={"rl": 84, "cold_start": 21},
    )
    done = run_cli("generate", "--recipe", str(recipe))
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    skipped = {k for k in manifest["rejects"] if k.startswith("skipped:")}
    assert skipped and skipped <= {r for r in expect.values() if r and r.startswith("skipped")}
    assert set(manifest["conversions"]) <= {r for r in expect.values() if r and r.startswith("converted")}
    assert manifest["configs"]["rl/train"]["rows"] == 84
    for config, key in (("rl", "problem"), ("cold_start", "messages")):
        ds = datasets.load_dataset(str(out), config)["train"]
        groups: dict[int, list[str]] = {}
        for row in ds:
            text = row["problem"] if key == "problem" else row["messages"][1]["content"]
            assert text.count("<image>") == len(row["images"]) >= 1
            assert all(img.convert("RGB").size[0] > 0 for img in row["images"])  # they decode
            puzzle = json.loads(row["extra_info"]["instance"])
            if row["task"] == "counterfactual":
                groups.setdefault(row["extra_info"]["seed"], []).append(puzzle["variant"])
            if row["task"] == "jigsaw" and puzzle["layout"] == "tiles":
                assert len(row["images"]) == puzzle["rows"] * puzzle["cols"]
        assert groups and all(
            sorted(v) == ["counterfactual", "positive", "random_mask"] for v in groups.values()
        )
    # synth inspect reads the same folder: counts as the manifest, sample images written as files
    shown = run_cli("inspect", str(out), "--json", "--samples", "1", "--images", str(tmp_path / "shown"))
    assert shown.returncode == 0, shown.stderr[-2000:]
    report = json.loads(shown.stdout)
    assert report["counts"] == manifest["counts"] and report["rejects"] == manifest["rejects"]
    assert set(report["difficulty"]) == set(manifest["configs"])
    pictures = [Path(p) for s in report["samples"] for p in s["images"]]
    assert pictures and all(p.is_file() and p.parent == tmp_path / "shown" for p in pictures)
    bad = run_cli("inspect", str(tmp_path / "imgs"))
    assert bad.returncode == 2 and "no manifest.json" in bad.stderr and "Traceback" not in bad.stderr
