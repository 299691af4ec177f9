"""Crossings at scale: streaming in bounded memory, all local cores, or a Dask cluster.

Every engine runs the same per-partition function
(:func:`~airwitness.engine.partition.crossings_of_partition`) on whole tracks,
so all give byte-identical results (see docs/scale.md)::

    from airwitness.engine import run_crossings_scaled

    run = run_crossings_scaled(
        ["states/"],                 # files, folders (hive or not), globs, s3://… URIs
        engine="local",              # or "dask", or "memory" (everything at once)
        workers=None,                # local: os.cpu_count(); dask: 2 (LocalCluster)
        memory_bytes=2e9,            # budget for all processes together
        scheduler=None,              # dask: "tcp://host:8786" for an existing cluster
    )
    run.crossings                    # pyarrow.Table, as pipeline.run_crossings gives
    print("\\n".join(run.summary.lines()))
    run.plan, run.seconds            # partitions, batch sizes, time per pass

Which engine ``auto`` stands for (memory for small inputs, else local; dask
given a scheduler) is :func:`choose_engine`'s decision (:mod:`airwitness.engine.choice`).

The airspace is the built-in set unless ``airspace=("boundaries.geojson",
"code_field")`` (or an :class:`AirspaceSpec`) names a user set.

Worker processes are spawned, which re-imports the main module: a script
that calls this must guard its top level with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from airwitness.crossings import DEFAULT_OBSERVED_GAP_S, CrossingFilter
from airwitness.engine.choice import (
    AUTO_MEMORY_INPUT_BYTES,
    ENGINE_CHOICES,
    EngineChoice,
    choose_engine,
)
from airwitness.engine.partition import (
    AirspaceSpec,
    Counts,
    CrossingOptions,
    crossings_of_partition,
)
from airwitness.engine.run import Progress, ScaledRun, inspect, run_in_memory
from airwitness.engine.spill_codec import check_choice
from airwitness.errors import UsageError
from airwitness.io.options import ReadOptions
from airwitness.tracking import TrackerSettings
from airwitness.tracks import DEFAULT_MAX_GAP_S, OutlierRule

__all__ = [
    "AUTO_MEMORY_INPUT_BYTES",
    "ENGINES",
    "ENGINE_CHOICES",
    "AirspaceSpec",
    "Counts",
    "CrossingOptions",
    "EngineChoice",
    "Progress",
    "ScaledRun",
    "choose_engine",
    "crossings_of_partition",
    "run_crossings_scaled",
]

ENGINES = ("local", "dask", "memory")
DEFAULT_MEMORY_BYTES = 2e9


def run_crossings_scaled(
    inputs: str | Path | Sequence[str | Path],
    airspace: AirspaceSpec | tuple[str, str] | str | None = None,
    *,
    engine: str = "local",
    workers: int | None = None,
    memory_bytes: float = DEFAULT_MEMORY_BYTES,
    scheduler: str | None = None,
    format: str | None = None,
    read_options: ReadOptions | None = None,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    observed_gap_s: float = DEFAULT_OBSERVED_GAP_S,
    outliers: OutlierRule | None = None,
    where: CrossingFilter | None = None,
    keep_rejects: bool = False,
    spill_dir: str | None = None,
    progress: Progress | None = None,
    boundary_sigma_m: float | None = None,
    tracker: TrackerSettings | None = None,
    spill_compression: str = "auto",
) -> ScaledRun:
    """Every crossing in the inputs, on the chosen engine; results equal across engines.

    ``airspace`` is a built-in set's name (``osm``, ``ne10m``; None: the default),
    (boundary file, code field), or an :class:`AirspaceSpec`.

    ``memory_bytes`` bounds the memory of all processes together (local engine;
    see :mod:`airwitness.engine.plan`); with Dask on an existing cluster it is
    the budget of each worker. ``spill_dir`` holds the partitions between the
    passes (default: a temporary folder; it must be shared storage when Dask
    workers run on other machines); it is deleted in the background once the
    run has succeeded (:mod:`airwitness.engine.spill_removal`: the next run and
    the interpreter's exit wait for it). ``spill_compression``: ``auto``
    compresses the spill (about half of its 36 bytes a report, for CPU time)
    when a local spill folder's disk has too little room for it plain, ``lz4``
    always, ``none`` never (:mod:`airwitness.engine.spill_codec`); the results
    are the same. ``keep_rejects`` keeps every rejected
    record in the result (they are always counted). ``progress`` is told
    ``(stage, done, total)`` as the local and Dask engines finish work
    (:data:`airwitness.engine.run.Progress`). Radar plots and other detections are
    tracked with ``tracker`` (None: the defaults) on every engine: the partitioned
    ones gather them in pass 1 and track them here, in this process.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise UsageError("workers must be at least 1")
    if memory_bytes <= 0:
        raise UsageError("memory must be positive")
    if scheduler is not None and engine != "dask":
        raise UsageError("a scheduler address needs the dask engine")
    check_choice(spill_compression)
    spec = _spec(airspace)
    options = CrossingOptions(
        max_gap_s, observed_gap_s, outliers, where, keep_rejects, boundary_sigma_m, tracker
    )
    files, rows = inspect(inputs, format)
    if engine == "memory":
        return run_in_memory(files, spec, options, read_options)
    _check(spec)
    if engine == "local":
        from airwitness.engine.local import run_local

        cores = workers or os.cpu_count() or 1
        return run_local(
            files, rows, spec, options, read_options, cores, memory_bytes, spill_dir, progress,
            spill_compression,
        )  # fmt: skip
    from airwitness.engine.dask_engine import run_dask

    return run_dask(
        files,
        rows,
        spec,
        options,
        read_options,
        workers,
        memory_bytes,
        scheduler,
        spill_dir,
        progress,
        spill_compression,
    )


def _spec(airspace: AirspaceSpec | tuple[str, str] | str | None) -> AirspaceSpec:
    if airspace is None:
        return AirspaceSpec.builtin()
    if isinstance(airspace, AirspaceSpec):
        return airspace
    if isinstance(airspace, str):
        from airwitness.airspace import BUILTIN_SETS, DEFAULT_SET

        name = DEFAULT_SET if airspace == "countries" else airspace
        if name not in BUILTIN_SETS:
            raise UsageError(f"unknown built-in boundary set {airspace!r}")
        return AirspaceSpec.builtin(name)
    path, code_field = airspace
    return AirspaceSpec.file(os.path.abspath(path), code_field)  # the same file from any cwd


def _check(spec: AirspaceSpec) -> None:
    """A bad boundary file fails here, with its InputError, not inside every worker."""
    if spec.path is not None:
        from airwitness.airspace.boundaries import load_file

        load_file(spec.path, spec.code_field or "")
