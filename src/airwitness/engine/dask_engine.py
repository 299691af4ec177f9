"""The Dask engine: the same tasks as the local engine, on a Dask cluster.

``LocalCluster(n_workers=2, threads_per_worker=1)`` by default, or the
cluster behind ``scheduler`` (``tcp://HOST:PORT``). Partitions are cut by
track before pass 2, so no track is ever split across workers. Workers need
airwitness installed, the inputs at the same paths or URIs, and the spill
folder on storage they all reach (see docs/scale.md).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from airwitness.engine.partition import AirspaceSpec, CrossingOptions
from airwitness.engine.plan import DASK_BASE, make_plan
from airwitness.engine.run import Progress, ScaledRun, run_partitioned
from airwitness.engine.sources import InputFile
from airwitness.errors import UsageError
from airwitness.io.options import ReadOptions

DEFAULT_WORKERS = 2


def run_dask(
    files: list[InputFile],
    rows: int,
    airspace: AirspaceSpec,
    options: CrossingOptions,
    read_options: ReadOptions | None,
    workers: int | None,
    memory_bytes: float,
    scheduler: str | None,
    spill_dir: str | None,
    progress: Progress | None = None,
    spill_compression: str = "auto",
) -> ScaledRun:
    """Both passes on a LocalCluster (the budget covers it all, as locally) or on
    the cluster behind ``scheduler`` (the budget is each worker's)."""
    if scheduler is None:
        n = workers or DEFAULT_WORKERS
        plan = make_plan(memory_bytes, rows, n, per_worker_extra=DASK_BASE, in_process=False)
        runner = DaskRunner(plan.workers, None)
    else:
        runner = DaskRunner(0, scheduler)
        plan = replace(make_plan(memory_bytes, rows, 1), workers=runner.workers)
    try:
        check_spill(runner, spill_dir)
        runner.warm_up(airspace)
        return run_partitioned(
            files, airspace, options, read_options, plan, runner, spill_dir, "dask", progress,
            spill_compression,
        )  # fmt: skip
    finally:
        runner.close()


class DaskRunner:
    """One Dask client for the whole run (both passes use the same workers)."""

    def __init__(self, workers: int, scheduler: str | None) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def hosts(self) -> set[str]:
        """Hosts the workers run on."""
        info = self.client.scheduler_info()["workers"]
        return {w["host"] for w in info.values()}

    def all_local(self) -> bool:
        local = {"127.0.0.1", "localhost", socket.gethostname(), _own_address()}
        return self.hosts() <= local

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed

        if not items:
            return
        futures = self.client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut, result in as_completed(futures, with_results=True):
                yield index[fut.key], result
        finally:
            self.client.cancel(futures)

    def warm_up(self, airspace: AirspaceSpec) -> None:
        """Open the airspace on every worker at once (see partition.warm_up)."""
        from airwitness.engine.partition import warm_up

        self.client.run(warm_up, airspace)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _own_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:  # no resolvable host name: only loopback counts as local
        return "127.0.0.1"


def check_spill(runner: DaskRunner, spill_dir: str | None) -> None:
    """Workers on other machines need a spill folder they can all reach."""
    if spill_dir is None and not runner.all_local():
        raise UsageError(
            "the Dask workers run on other machines: give a spill folder they all reach "
            "(shared storage or a URI such as s3://bucket/tmp)"
        )
