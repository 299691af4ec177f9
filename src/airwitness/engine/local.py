"""The local engine: both passes on one pool of processes (all cores by default).

Workers are ``spawn``-ed (never forked from a process running Arrow threads)
and open the airspace once, as they start (see partition.warm_up). With
one worker, everything runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from airwitness.engine.partition import AirspaceSpec, CrossingOptions, warm_up
from airwitness.engine.plan import make_plan
from airwitness.engine.run import ScaledRun, run_partitioned
from airwitness.engine.sources import InputFile
from airwitness.engine.tasks import keep_freed_memory
from airwitness.io.options import ReadOptions


class InProcess:
    """Tasks one after the other, here."""

    workers = 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            yield i, fn(item)

    def close(self) -> None:
        return


class Pool:
    """Tasks on ``workers`` processes; results as they finish, with their index."""

    def __init__(self, workers: int, airspace: AirspaceSpec) -> None:
        self.workers = workers
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_start_worker, initargs=(airspace,)
        )

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if not items:
            return
        futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(airspace: AirspaceSpec) -> None:
    """One thread of Arrow work per worker process: the workers already fill the
    cores, and more threads than cores only contend (measured: pass 1 at 100M
    reports on 2 cores). What the worker holds for good (modules, compiled
    kernels, the airspace) is set aside from garbage collection, which
    otherwise walks it again and again while the tasks allocate."""
    import gc

    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    keep_freed_memory()
    warm_up(airspace)
    gc.freeze()


def run_local(
    files: list[InputFile],
    rows: int,
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
    workers: int,
    memory_bytes: float,
    spill_dir: str | None,
) -> ScaledRun:
    """Both passes on up to ``workers`` processes, as many as ``memory_bytes`` allows."""
    plan = make_plan(memory_bytes, rows, workers)
    runner = InProcess() if plan.workers <= 1 else Pool(plan.workers, airspace)
    try:
        return run_partitioned(
            files, airspace, options, read_options, plan, runner, spill_dir, "local"
        )
    finally:
        runner.close()
