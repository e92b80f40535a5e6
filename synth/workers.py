"""The local pool of worker processes that does the CPU-bound shard work.

Workers are spawned (not forked: the parent runs Prefect's threads) and import only the engine, never
Prefect, so they start fast and stay small. A worker whose parent dies exits on its own, so a killed run
never leaves processes writing into the output folder.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from synth.pipeline import set_progress_counter


def _init(counter: Any, parent: int) -> None:
    set_progress_counter(counter)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


@contextmanager
def process_pool(n: int, counter: Any = None):
    ctx = mp.get_context("spawn")
    counter = counter if counter is not None else ctx.Value("q", 0)
    pool = ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=_init, initargs=(counter, os.getpid())
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
