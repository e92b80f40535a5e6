"""Grid families checked independently: every press set, every queen placement, a SAT encoding."""

from __future__ import annotations

import itertools
import statistics

import pycosat
import pytest

from generators.grids.futoshiki import Futoshiki
from generators.grids.lights_out import LightsOut, press
from generators.grids.n_queens import NQueens
from synth.rng import derive_rng
from synth.task import get_task


def gen(task, level, i, tag):
    return task.generate(derive_rng(tag, level, i), task.params_for(level))


def test_lights_out_accepts_exactly_the_clearing_press_sets():
    task = LightsOut()
    cells = [(r, c) for r in range(3) for c in range(3)]
    for i in range(6):
        p = gen(task, "easy", i, "lo").puzzle
        board = int(p["board"].replace("\n", "")[::-1], 2)
        for k in range(10):
            for subset in itertools.combinations(cells, k):
                text = ", ".join(f"({r + 1},{c + 1})" for r, c in subset) or "none"
                assert task.verify(p, text) == float(bool(subset) and press(board, 3, list(subset)) == 0)


def test_lights_out_constants_earn_nothing():
    task = LightsOut()
    scores = []
    for i in range(100):
        p = gen(task, "medium", i, "lo-c").puzzle
        n = p["size"]
        scores.append(task.verify(p, ", ".join(f"({r + 1},{c + 1})" for r in range(n) for c in range(n))))
        scores.append(task.verify(p, "(1,1)"))
    assert statistics.mean(scores) <= 0.05


def all_queens(n):
    return [
        perm
        for perm in itertools.permutations(range(n))
        if all(abs(perm[a] - perm[b]) != b - a for a in range(n) for b in range(a + 1, n))
    ]


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_n_queens_accepts_exactly_the_valid_completions(level):
    task = NQueens()
    for i in range(5):
        p = gen(task, level, i, "nq").puzzle
        n = p["n"]
        solutions = all_queens(n)
        fits = [s for s in solutions if all(s[r] == c for r, c in p["given"])]
        assert fits
        for s in solutions:
            text = ", ".join(f"({r + 1},{c + 1})" for r, c in enumerate(s))
            assert task.verify(p, text) == float(s in fits)
        broken = list(fits[0])
        broken[0], broken[1] = broken[1], broken[0]
        assert task.verify(p, ", ".join(f"({r + 1},{c + 1})" for r, c in enumerate(broken))) == 0.0


def futoshiki_sat(p, limit=2):
    n = p["size"]

    def v(i, d):
        return i * n + d + 1

    cl = []
    for i in range(n * n):
        cl.append([v(i, d) for d in range(n)])
        cl += [[-v(i, a), -v(i, b)] for a in range(n) for b in range(a + 1, n)]
    lines = [[r * n + c for c in range(n)] for r in range(n)] + [
        [r * n + c for r in range(n)] for c in range(n)
    ]
    for line in lines:
        for d in range(n):
            cl += [[-v(a, d), -v(b, d)] for x, a in enumerate(line) for b in line[x + 1 :]]
    for kind, a, b in p["clues"]:
        if kind == 0:
            cl.append([v(a, b - 1)])
        else:
            cl += [[-v(a, x), -v(b, y)] for x in range(n) for y in range(n) if not x < y]
    out = []
    for sol in itertools.islice(pycosat.itersolve(cl), limit):
        true = {x for x in sol if x > 0}
        out.append([next(d + 1 for d in range(n) if v(i, d) in true) for i in range(n * n)])
    return out


@pytest.mark.parametrize("level,count", [("easy", 20), ("medium", 15), ("hard", 8), ("expert", 2)])
def test_futoshiki_unique_by_sat(level, count):
    task = Futoshiki()
    for i in range(count):
        p = gen(task, level, i, "futo").puzzle
        assert futoshiki_sat(p) == [p["solution"]]


def latin_rows_matching(n, clues):
    """Every grid row by row (permutations), columns distinct, all clues checked at the end: plain search."""
    from generators.grids.skyscrapers import visible

    rows = [p for p in itertools.permutations(range(1, n + 1))]
    found = []

    def ok_row(r, p):
        return (not clues["left"][r] or visible(p) == clues["left"][r]) and (
            not clues["right"][r] or visible(p[::-1]) == clues["right"][r]
        )

    def place(r, grid):
        if r == n:
            cols = [tuple(g[c] for g in grid) for c in range(n)]
            if all(
                (not clues["top"][c] or visible(col) == clues["top"][c])
                and (not clues["bottom"][c] or visible(col[::-1]) == clues["bottom"][c])
                for c, col in enumerate(cols)
            ):
                found.append([v for g in grid for v in g])
            return
        for p in rows:
            if ok_row(r, p) and all(p[c] != g[c] for g in grid for c in range(n)):
                place(r + 1, grid + [p])

    place(0, [])
    return found


@pytest.mark.parametrize("level,count", [("easy", 15), ("medium", 2)])
def test_skyscrapers_unique_by_plain_search(level, count):
    from generators.grids.skyscrapers import Skyscrapers

    task = Skyscrapers()
    for i in range(count):
        p = gen(task, level, i, "sky").puzzle
        assert latin_rows_matching(p["size"], p["clues"]) == [p["solution"]]


def all_binairo_grids(n):
    """Every valid n x n binairo grid, built row by row from the valid rows (no propagation involved)."""

    def ok(line):
        return line.count(1) * 2 == len(line) and all(
            not (line[k] == line[k + 1] == line[k + 2]) for k in range(len(line) - 2)
        )

    rows = [r for r in itertools.product((0, 1), repeat=n) if ok(r)]
    grids = []

    def place(chosen):
        if len(chosen) == n:
            cols = list(zip(*chosen))
            if all(ok(c) for c in cols) and len(set(cols)) == n:
                grids.append([v for r in chosen for v in r])
            return
        for r in rows:
            if r in chosen:
                continue
            trial = chosen + [r]
            cols = list(zip(*trial))
            if all(
                c.count(1) * 2 <= n
                and c.count(0) * 2 <= n
                and all(not (c[k] == c[k + 1] == c[k + 2]) for k in range(len(c) - 2))
                for c in cols
            ):
                place(trial)

    place([])
    return grids


@pytest.mark.parametrize("level,count", [("easy", 20), ("medium", 10)])
def test_binairo_unique_by_enumerating_every_grid(level, count):
    from generators.grids.binairo import Binairo

    task = Binairo()
    grids = all_binairo_grids(task.params_for(level).size)
    for i in range(count):
        p = gen(task, level, i, "bin").puzzle
        matches = [g for g in grids if all(v == -1 or v == g[k] for k, v in enumerate(p["givens"]))]
        assert matches == [p["solution"]]
        flipped = list(p["solution"])
        flipped[0] = 1 - flipped[0]
        text = "\n".join(
            " ".join(map(str, flipped[r * p["size"] : (r + 1) * p["size"]])) for r in range(p["size"])
        )
        assert task.verify(p, text) == 0.0


# -- minesweeper ------------------------------------------------------------------------------------------


def brute_force_forced(puzzle: dict) -> set[tuple[int, int]]:
    """Every assignment of mines to every hidden cell, kept if it matches all numbers; cells mined in all."""
    rows, cols = puzzle["rows"], puzzle["cols"]
    shown = {(r, c): k for r, c, k in puzzle["shown"]}
    hidden = [(r, c) for r in range(rows) for c in range(cols) if (r, c) not in shown]
    always = None
    for bits in range(1 << len(hidden)):
        mines = {cell for i, cell in enumerate(hidden) if bits >> i & 1}
        ok = all(
            sum((r + dr, c + dc) in mines for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc) == k
            for (r, c), k in shown.items()
        )
        if ok:
            always = mines if always is None else always & mines
    return always or set()


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_minesweeper_answer_is_exactly_the_forced_mines_by_brute_force(level):
    task = get_task("minesweeper")
    p = task.params_for(level)
    checked = 0
    for i in range(40):
        inst = task.generate(derive_rng("mines", level, i), p)
        hidden = p.rows * p.cols - len(inst.puzzle["shown"])
        if hidden > 16:
            continue
        checked += 1
        forced = brute_force_forced(inst.puzzle)
        assert forced and inst.answer == ", ".join(f"({r + 1},{c + 1})" for r, c in sorted(forced))
        assert task.verify(inst.puzzle, inst.answer) == 1.0
        one_less = ", ".join(f"({r + 1},{c + 1})" for r, c in sorted(forced)[1:])
        assert task.verify(inst.puzzle, one_less or "(9,9)") == 0.0
        shown = {(r, c) for r, c, _ in inst.puzzle["shown"]}
        extra = next((r, c) for r in range(p.rows) for c in range(p.cols) if (r, c) not in shown | forced)
        assert task.verify(inst.puzzle, inst.answer + f", ({extra[0] + 1},{extra[1] + 1})") == 0.0
    assert checked >= 20


def test_minesweeper_constants_earn_nothing():
    task = get_task("minesweeper")
    p = task.params_for("medium")
    insts = [task.generate(derive_rng("mines-c", i), p) for i in range(60)]
    every = ", ".join(f"({r},{c})" for r in range(1, 6) for c in range(1, 6))
    for constant in ["", "none", "(1,1)", "(3,3)", every]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= 0.05


# -- nonogram ---------------------------------------------------------------------------------------------


def row_runs(bits: list[int]) -> list[int]:
    return [len(run) for run in "".join(map(str, bits)).split("0") if run]


def nonogram_solutions(puzzle: dict) -> list[tuple]:
    """Every grid: each row any bit pattern with the row's runs (all 2^C patterns filtered), columns checked."""
    R, C = len(puzzle["rows"]), len(puzzle["cols"])
    patterns = [
        [bits for bits in itertools.product((0, 1), repeat=C) if row_runs(list(bits)) == list(clue)]
        for clue in puzzle["rows"]
    ]
    return [
        grid
        for grid in itertools.product(*patterns)
        if all(row_runs([grid[r][c] for r in range(R)]) == list(puzzle["cols"][c]) for c in range(C))
    ]


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_nonogram_unique_by_enumerating_row_patterns(level):
    task = get_task("nonogram")
    for i in range(25):
        inst = gen(task, level, i, "nonogram")
        (only,) = nonogram_solutions(inst.puzzle)
        assert inst.answer == "\n".join("".join("#" if v else "." for v in row) for row in only)
        assert task.verify(inst.puzzle, inst.answer) == 1.0
        flipped = list(inst.answer)
        k = next(j for j, ch in enumerate(flipped) if ch in "#.")
        flipped[k] = "." if flipped[k] == "#" else "#"
        assert task.verify(inst.puzzle, "".join(flipped)) == 0.0


def test_nonogram_constants_earn_nothing():
    task = get_task("nonogram")
    insts = [gen(task, "medium", i, "nonogram-c") for i in range(60)]
    for constant in ["\n".join(["#####"] * 5), "\n".join(["....."] * 5), "\n".join(["#.#.#"] * 5), ""]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= 0.05


# -- kenken -----------------------------------------------------------------------------------------------


def latin_squares(n: int):
    rows = list(itertools.permutations(range(1, n + 1)))

    def extend(done):
        if len(done) == n:
            yield [v for row in done for v in row]
            return
        for row in rows:
            if all(row[c] != prev[c] for prev in done for c in range(n)):
                yield from extend([*done, row])

    yield from extend([])


def cage_ok(cage: dict, values: list[int]) -> bool:
    op, target = cage["op"], cage["target"]
    if op == "=":
        return values == [target]
    if op == "+":
        return sum(values) == target
    if op == "*":
        product = 1
        for v in values:
            product *= v
        return product == target
    a, b = max(values), min(values)
    return a - b == target if op == "-" else a == b * target


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_kenken_unique_among_all_latin_squares(level):
    task = get_task("kenken")
    squares = list(latin_squares(3 if level == "easy" else 4))
    for i in range(25):
        inst = gen(task, level, i, "kenken")
        cages = inst.puzzle["cages"]
        fits = [sq for sq in squares if all(cage_ok(c, [sq[j] for j in c["cells"]]) for c in cages)]
        assert len(fits) == 1
        n = inst.puzzle["size"]
        assert inst.answer == "\n".join(" ".join(map(str, fits[0][r * n : (r + 1) * n])) for r in range(n))
        rows = inst.answer.splitlines()
        swapped = rows[0].split()
        swapped[0], swapped[1] = swapped[1], swapped[0]
        assert task.verify(inst.puzzle, "\n".join([" ".join(swapped), *rows[1:]])) == 0.0


def test_kenken_constants_earn_nothing():
    task = get_task("kenken")
    insts = [gen(task, "medium", i, "kenken-c") for i in range(60)]
    for constant in ["1 2 3 4\n2 3 4 1\n3 4 1 2\n4 1 2 3", "1 1 1 1\n" * 4, ""]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= 0.05


# -- kakuro -----------------------------------------------------------------------------------------------


def kakuro_fillings(puzzle: dict) -> list[dict]:
    """Every filling: each across run any ordered choice of distinct digits with its sum, down runs checked."""
    given = {(a, b): d for a, b, d in puzzle["given"]}
    across = [r for r in puzzle["runs"] if r["dir"] == "across"]
    down = [r for r in puzzle["runs"] if r["dir"] == "down"]
    options = []
    for run in across:
        cells = [tuple(x) for x in run["cells"]]
        options.append(
            [
                dict(zip(cells, p))
                for p in itertools.permutations(range(1, 10), len(cells))
                if sum(p) == run["sum"] and all(given.get(c, d) == d for c, d in zip(cells, p))
            ]
        )
    out = []
    for choice in itertools.product(*options):
        value = {k: v for part in choice for k, v in part.items()}
        if all(
            len({value[tuple(x)] for x in r["cells"]}) == len(r["cells"])
            and sum(value[tuple(x)] for x in r["cells"]) == r["sum"]
            for r in down
        ):
            out.append(value)
    return out


@pytest.mark.parametrize("level", ["easy", "medium"])
def test_kakuro_unique_by_enumerating_across_runs(level):
    task = get_task("kakuro")
    for i in range(15):
        inst = gen(task, level, i, "kakuro")
        (only,) = kakuro_fillings(inst.puzzle)
        n = inst.puzzle["size"]
        assert inst.answer == "\n".join(
            " ".join(str(only[(r, c)]) if (r, c) in only else "#" for c in range(n)) for r in range(n)
        )
        assert task.verify(inst.puzzle, inst.answer) == 1.0
        tokens = inst.answer.split()
        k = next(j for j, t in enumerate(tokens) if t != "#")
        tokens[k] = str(int(tokens[k]) % 9 + 1)
        lines = [" ".join(tokens[r * n : (r + 1) * n]) for r in range(n)]
        assert task.verify(inst.puzzle, "\n".join(lines)) == 0.0


def test_kakuro_constants_earn_nothing():
    task = get_task("kakuro")
    insts = [gen(task, "medium", i, "kakuro-c") for i in range(40)]
    for constant in ["\n".join(["# 1 2 3 4"] * 5), "\n".join(["# # # # #"] * 5), ""]:
        assert statistics.mean(task.verify(i.puzzle, constant) for i in insts) <= 0.05
