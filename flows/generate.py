"""The Prefect flow behind ``synth generate``: one task per shard, CPU work in a local process pool.

Prefect tasks run on its thread runner and hand the CPU-bound shard to a pool of spawned worker processes that
never import Prefect (Prefect's own process runner starts a temporary API server in every worker, which
cost tens of seconds here). Shards are independent and resumable, so a failed or killed run is finished by
running the same command again.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from synth.pipeline import STATE_DIR, ShardJob, build_shard, finalize, plan
from synth.recipe import load_recipe
from synth.workers import process_pool

_pool: Executor | None = None
progress_counter = None  # set by the CLI to a multiprocessing Value it polls for the progress bar


@contextmanager
def local_workers(n: int):
    global _pool
    with process_pool(n, progress_counter) as pool:
        _pool = pool
        try:
            yield pool
        finally:
            _pool = None


@contextmanager
def output_lock(out: Path):
    """One run per output folder at a time."""
    import fcntl

    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from synth.errors import OutputError

            raise OutputError(f"output.dir: another synth run is writing to {out}") from None
        yield


@task(name="generate-shard", task_run_name="{job.stem}", cache_policy=NO_CACHE)
def generate_shard(job: ShardJob) -> dict[str, Any]:
    summary = _pool.submit(build_shard, job).result() if _pool is not None else build_shard(job)
    get_run_logger().info("%s: %d rows", job.stem, summary["rows"])
    return summary


@task(name="finalize-dataset", cache_policy=NO_CACHE)
def finalize_dataset(recipe, jobs: list[ShardJob]) -> dict[str, Any]:
    return finalize(recipe, jobs)


def task_runner(kind: str = "local", address: str | None = None, workers: int | None = None):
    """Threads handing shards to the local process pool, or Dask: a scheduler address, or a local cluster.

    With Dask every shard task runs ``build_shard`` on a Dask worker; workers on other machines need the
    output folder on a shared filesystem. Rows are pure functions of the recipe, so the files are the same
    bytes whichever runner made them.
    """
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            from synth.errors import SynthError

            raise SynthError("runner: dask needs prefect-dask: pip install 'synth[dask]'") from None
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers or os.cpu_count() or 1, "threads_per_worker": 1}
        )
    return ThreadPoolTaskRunner(max_workers=64)


@flow(name="generate-dataset", task_runner=ThreadPoolTaskRunner(max_workers=64), log_prints=True)
def generate_dataset(
    recipe: str,
    out: str | None = None,
    seed: int | None = None,
    workers: int | None = None,
    runner: str = "local",
) -> dict[str, Any]:
    """Generate the dataset a recipe describes into its output folder (resuming any earlier partial run)."""
    r = load_recipe(recipe, out=out, seed=seed)
    n = workers or r.workers or os.cpu_count() or 1
    jobs = plan(r)
    pool = local_workers(n) if runner == "local" else nullcontext()
    with output_lock(Path(r.output.dir)), pool:
        futures = [generate_shard.submit(job) for job in jobs]
        for f in futures:
            f.result()
        manifest = (
            finalize_dataset.submit(r, jobs).result() if runner != "local" else finalize_dataset(r, jobs)
        )
    return manifest


def run_generate(
    recipe: str,
    out: str | None = None,
    seed: int | None = None,
    workers: int | None = None,
    runner: str = "local",
    address: str | None = None,
) -> dict[str, Any]:
    """``generate_dataset`` on the chosen task runner."""
    flow_fn = generate_dataset.with_options(task_runner=task_runner(runner, address, workers))
    return flow_fn(recipe=recipe, out=out, seed=seed, workers=workers, runner=runner)
