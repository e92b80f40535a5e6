"""End-to-end: `synth generate` on recipes/bench-text.yaml, rows/s and peak RSS of the whole process tree.

    python bench/end_to_end.py [--rows 100000 10000]

Peak RSS is the largest sum of resident memory over the CLI process and all its workers, sampled every
0.1 s from /proc; running it at two row counts shows whether memory grows with the number of rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(stat[1])
            rss[int(entry)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += [p for p, pp in parents.items() if pp == pid]
    return total


def run(rows: int, workdir: Path) -> tuple[float, int]:
    recipe = yaml.safe_load((ROOT / "recipes" / "bench-text.yaml").read_text())
    recipe["splits"] = {"rl": rows}
    recipe["output"]["dir"] = str(workdir / f"out-{rows}")
    path = workdir / f"bench-{rows}.yaml"
    path.write_text(yaml.safe_dump(recipe))
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth.cli", "generate", "--recipe", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.read())
    return seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 10_000])
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        print(f"{'rows':>9} {'seconds':>8} {'rows/s':>8} {'peak RSS (MiB)':>15}   cores: {os.cpu_count()}")
        for rows in args.rows:
            seconds, peak = run(rows, workdir)
            print(f"{rows:9,} {seconds:8.1f} {rows / seconds:8,.0f} {peak / 2**20:15,.0f}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
