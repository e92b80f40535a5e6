"""The ``synth`` command line.

Exit status: 0 on success, 2 on a user error (one line on stderr naming the problem and where), 1 on an
internal failure.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from synth.errors import SynthError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Manufacture verifiable reasoning datasets (cold-start SFT and RL).",
)
err = Console(stderr=True)
out = Console()


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def generate(
    recipe: Annotated[Path, typer.Option("--recipe", "-r", help="recipe YAML file")],
    out_dir: Annotated[str | None, typer.Option("--out", help="output folder (overrides output.dir)")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="seed (overrides the recipe's)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="worker processes")] = None,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="replace the dataset in the folder (model responses stay cached)"),
    ] = False,
    runner: Annotated[
        str | None,
        typer.Option(
            "--runner", help="local (threads + process pool) or dask (default: the recipe's runner)"
        ),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)"),
    ] = None,
) -> None:
    """Generate the dataset a recipe describes; rerunning the same command resumes an interrupted run."""
    if runner not in (None, "local", "dask"):
        fail(f"--runner: expected local or dask, got {runner!r}")
    from synth import pipeline
    from synth.recipe import load_recipe

    started = time.perf_counter()
    try:
        r = load_recipe(recipe, out=out_dir, seed=seed)
        if overwrite and Path(r.output.dir).exists():
            pipeline.clear_output(Path(r.output.dir))
        state = pipeline.check_output(r)
    except SynthError as exc:
        fail(str(exc))
    if state == "done":
        manifest = json.loads((Path(r.output.dir) / "manifest.json").read_text())
        err.print(f"{r.output.dir} already holds this dataset; nothing to do.")
        _summary(manifest, time.perf_counter() - started)
        return
    total = sum(p.rows for p in pipeline.parts(r))
    runner = runner or r.runner.kind
    address = address or (r.runner.address if runner == r.runner.kind else None)
    if address and runner != "dask":
        fail("--address is for the dask runner")
    manifest = _run_flow(str(recipe), out_dir, seed, workers, total, state == "resume", runner, address)
    _summary(manifest, time.perf_counter() - started)
    err.print(f"wrote {r.output.dir}")


def _run_flow(
    recipe: str,
    out_dir: str | None,
    seed: int | None,
    workers: int | None,
    total: int,
    resume: bool,
    runner: str = "local",
    address: str | None = None,
) -> dict[str, Any]:
    import multiprocessing as mp

    interactive = err.is_terminal
    if interactive:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows import generate as flow_module

    counter = mp.get_context("spawn").Value("q", 0)
    flow_module.progress_counter = counter
    stop = threading.Event()
    monitor = threading.Thread(
        target=_progress, args=(counter, total, stop, interactive, resume), daemon=True
    )
    monitor.start()
    try:
        return flow_module.run_generate(recipe, out_dir, seed, workers, runner, address)
    except SynthError as exc:
        stop.set()
        fail(str(exc))
    finally:
        stop.set()
        monitor.join()
    raise AssertionError("unreachable")


def _progress(counter, total: int, stop: threading.Event, interactive: bool, resume: bool) -> None:
    log = logging.getLogger("synth")
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("[bold]generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            job = bar.add_task("rows", total=total, rate="-")
            t0, start = time.perf_counter(), 0
            while not stop.wait(0.2):
                done = counter.value
                if not start and done:  # rate from the first row, not from Prefect's start-up
                    t0, start = time.perf_counter(), done
                rate = (done - start) / max(time.perf_counter() - t0, 1e-9) if start else 0.0
                bar.update(job, completed=done, rate=f"{rate:,.0f}")
        return
    if resume:
        log.info("resuming an interrupted run")
    last = -1
    t0 = time.perf_counter()
    while not stop.wait(5.0):
        done = counter.value
        if done != last:
            err.print(
                f"{done:,}/{total:,} rows ({done / max(time.perf_counter() - t0, 1e-9):,.0f} rows/s)",
                highlight=False,
            )
            last = done


def _summary(manifest: dict[str, Any], seconds: float) -> None:
    table = Table(title=f"{manifest['name']}: {seconds:.1f}s")
    table.add_column("config/split")
    table.add_column("task/level")
    table.add_column("rows", justify="right")
    total = 0
    for key, counts in manifest["counts"].items():
        for name, n in counts.items():
            table.add_row(key, name, f"{n:,}")
            total += n
    table.add_row("[bold]total", "", f"[bold]{total:,}")
    err.print(table)
    rejects = manifest.get("rejects") or {}
    err.print(
        "rejected or replaced: "
        + (", ".join(f"{k} {v:,}" for k, v in rejects.items()) or "none")
        + f"; {total / max(seconds, 1e-9):,.{0 if total >= 10 * seconds else 1}f} rows/s overall",
        highlight=False,
    )


@app.command()
def tasks(as_json: Annotated[bool, typer.Option("--json", help="machine-readable list")] = False) -> None:
    """List the registered tasks with their modality, levels and knobs."""
    from synth.task import registry

    described = [cls.describe() for cls in registry().values()]
    if as_json:
        out.print_json(json.dumps(described))
        return
    table = Table(title="synth tasks")
    for col in ("task", "modality", "levels", "knobs"):
        table.add_column(col)
    for d in described:
        table.add_row(d["name"], d["modality"], ", ".join(d["levels"]), ", ".join(d["params"]))
    out.print(table)


@app.command()
def inspect(
    folder: Annotated[Path, typer.Argument(help="a dataset folder written by synth generate")],
    samples: Annotated[int, typer.Option(help="sample rows shown per config")] = 2,
    images: Annotated[Path | None, typer.Option(help="folder for the sample rows' images")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable report")] = False,
) -> None:
    """Counts per config, task and level; rejects; difficulty; a few sample rows (images saved as files)."""
    from synth.inspect import inspect_folder

    try:
        report = inspect_folder(folder, samples, images)
    except SynthError as exc:
        fail(str(exc))
    if as_json:
        out.print_json(json.dumps(report))
        return
    out.print(
        f"[bold]{report['name']}[/]  " + ", ".join(f"{k}: {v:,} rows" for k, v in report["configs"].items())
    )
    table = Table(title="rows per config, task and level")
    for col in ("config/split", "task/level", "rows"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    for key, counts in report["counts"].items():
        for name, n in counts.items():
            table.add_row(key, name, f"{n:,}")
    out.print(table)
    diff = Table(title="difficulty (0 trivial .. 1 hard)")
    for col in ("config/split", "mean", "p25", "median", "p75"):
        diff.add_column(col)
    for key, d in report["difficulty"].items():
        diff.add_row(key, *(f"{d[k]:.3f}" for k in ("mean", "p25", "median", "p75")))
    out.print(diff)
    for title, items in (
        ("rejected or replaced", report["rejects"]),
        ("images converted", report["conversions"]),
    ):
        out.print(
            f"{title}: " + (", ".join(f"{k} {v:,}" for k, v in items.items()) or "none"), highlight=False
        )
    for s in report["samples"]:
        out.rule(f"{s['config']}  {s['task']} ({s['level']})  {s['id'][:12]}")
        out.print(s["problem"], markup=False, highlight=False)
        if s["reasoning"]:
            out.print("[dim]--- reasoning ---[/]")
            out.print(s["reasoning"][:1500], markup=False, highlight=False)
        out.print(f"[bold]answer:[/] {s['answer']}", highlight=False)
        for path in s["images"]:
            out.print(f"image: {path}", highlight=False)


@app.command()
def publish(
    folder: Annotated[Path, typer.Argument(help="a dataset folder written by synth generate")],
    repo_id: Annotated[str, typer.Option("--repo-id", help="dataset repo on the Hub, ORG/NAME")],
    private: Annotated[bool, typer.Option("--private", help="create the repo private")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the commit, send nothing")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="tag the commit, e.g. v2026.11.21")] = None,
) -> None:
    """Self-check the folder, then upload it to the Hub in one commit (token: HF_TOKEN or `hf auth login`)."""
    from synth.hub import publish as publish_folder

    try:
        done = publish_folder(folder, repo_id, private=private, dry_run=dry_run, tag=tag)
    except SynthError as exc:
        fail(str(exc))
    rows = ", ".join(f"{k}: {v:,} rows" for k, v in done["rows"].items())
    if not done["committed"]:
        out.print(f"dry run: one commit to {repo_id} ({rows}): {done['message']}", highlight=False)
        for op in done["operations"]:
            out.print(f"  add {op['add']} ({op['bytes']:,} bytes)", highlight=False)
        if tag:
            out.print(f"  then tag {tag}", highlight=False)
        return
    out.print(
        f"published {repo_id} in one commit {done['commit'][:12]} ({rows}): {done['url']}", highlight=False
    )


def main() -> None:
    # no Prefect telemetry: machines without internet print an error for every attempt
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("synth").setLevel(logging.INFO)
    try:
        app()
    except SynthError as exc:  # errors raised outside a command's own handling
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted; run the same command again to resume", highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
