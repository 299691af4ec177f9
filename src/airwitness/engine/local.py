"""The local engine: both passes on one pool of processes (all cores by default).

The calling process is one of the workers: it starts on the first task at
once, while the other workers start (``spawn``-ed, never forked from a
process running Arrow threads; each opens the airspace as it starts, see
partition.warm_up). With one worker, everything runs in the calling process.
While it works, the calling process takes the settings of a worker (one Arrow
thread, freed memory kept for the next task, long-lived objects set aside
from the garbage collector), and gets its own back at the end.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from airwitness.engine.partition import AirspaceSpec, CrossingOptions, warm_up
from airwitness.engine.plan import make_plan
from airwitness.engine.run import Progress, ScaledRun, run_partitioned
from airwitness.engine.sources import InputFile
from airwitness.engine.tasks import hand_back_freed_memory, keep_freed_memory
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
    """Tasks on the calling process and ``workers - 1`` others; results as
    they finish, with their index."""

    def __init__(self, workers: int, airspace: AirspaceSpec) -> None:
        self.workers = workers
        self._others = workers - 1
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            self._others, mp_context=ctx, initializer=_start_worker, initargs=(airspace,)
        )
        self._pool.submit(int)  # start them now, while this process gets ready

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """The first task waiting here, two in flight per other process (one
        running, one waiting), and so on until all are done.

        This process is ready first (the others are still starting), so it
        takes the task at the front: the engines put their longest first.
        """
        waiting = deque(enumerate(items))
        running: dict[Future, int] = {}
        try:
            while waiting or running:
                mine = waiting.popleft() if waiting else None
                while waiting and len(running) < 2 * self._others:
                    i, item = waiting.popleft()
                    running[self._pool.submit(fn, item)] = i
                if mine is not None:
                    yield mine[0], fn(mine[1])
                elif running:
                    wait(running, return_when=FIRST_COMPLETED)
                for fut in [f for f in running if f.done()]:
                    yield running.pop(fut), fut.result()
        finally:
            for fut in running:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(airspace: AirspaceSpec) -> None:
    """One thread of Arrow work per worker process: the workers already fill the
    cores, and more threads than cores only contend (measured: pass 1 at 100M
    reports on 2 cores). What the worker holds for good (modules, compiled
    kernels, the airspace) is set aside from garbage collection, which
    otherwise walks it again and again while the tasks allocate."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    keep_freed_memory()
    warm_up(airspace)
    gc.freeze()


@contextmanager
def _working_here(airspace: AirspaceSpec, alone: bool) -> Iterator[None]:
    """The calling process set up as a worker (see :func:`_start_worker`),
    and restored afterwards. ``alone``, it keeps Arrow's threads: no other
    worker uses the other cores."""
    threads, io_threads = pa.cpu_count(), pa.io_thread_count()
    freeze = gc.get_freeze_count() == 0  # not when the caller manages it
    try:
        if not alone:
            pa.set_cpu_count(1)
            pa.set_io_thread_count(1)
        keep_freed_memory()
        warm_up(airspace)
        if freeze:
            gc.freeze()
        yield
    finally:
        if freeze:
            gc.unfreeze()
        hand_back_freed_memory()
        pa.set_cpu_count(threads)
        pa.set_io_thread_count(io_threads)


def run_local(
    files: list[InputFile],
    rows: int,
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
    workers: int,
    memory_bytes: float,
    spill_dir: str | None,
    progress: Progress | None = None,
    spill_compression: str = "auto",
) -> ScaledRun:
    """Both passes on up to ``workers`` processes, as many as ``memory_bytes`` allows."""
    plan = make_plan(memory_bytes, rows, workers)
    alone = plan.workers <= 1
    runner = InProcess() if alone else Pool(plan.workers, airspace)

    def let_go() -> None:
        """Before the merge: the workers stopped, the kept memory handed back."""
        runner.close()
        hand_back_freed_memory()

    try:
        with _working_here(airspace, alone):
            return run_partitioned(
                files, airspace, options, read_options, plan, runner, spill_dir, "local",
                progress, spill_compression, let_go,
            )  # fmt: skip
    finally:
        runner.close()
