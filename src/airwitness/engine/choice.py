"""Which engine runs a crossings job: ``auto`` keeps small inputs in memory, streams big ones.

The choice is made here, once, so the CLI only passes its options on
(docs/scale.md describes the engines). The usage errors name the command-line
options, as the CLI prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from airwitness.errors import UsageError

__all__ = [
    "AUTO_MEMORY_INPUT_BYTES",
    "ENGINE_CHOICES",
    "EngineChoice",
    "choose_engine",
]

#: What may be asked for: ``auto`` or one of the engines.
ENGINE_CHOICES = ("auto", "memory", "local", "dask")
#: ``auto`` streams (the local engine) inputs whose files add up to more than this.
AUTO_MEMORY_INPUT_BYTES = 200e6


@dataclass(frozen=True)
class EngineChoice:
    """The engine a crossings job runs on, and who reads its inputs."""

    engine: str  # "memory", "local" or "dask": an engine of run_crossings_scaled
    #: True: the inputs are plain files or a store, read and crossed in this process by
    #: :func:`airwitness.pipeline.crossings_of_inputs`. False: :func:`run_crossings_scaled`
    #: runs (it expands folders, globs and URIs, and is the only way to local or dask).
    by_pipeline: bool


def choose_engine(
    engine: str,
    inputs: Sequence[str | Path] | None,
    *,
    store: str | Path | None = None,
    scheduler: str | None = None,
    memory_input_bytes: float = AUTO_MEMORY_INPUT_BYTES,
) -> EngineChoice:
    """The engine ``engine`` (one of :data:`ENGINE_CHOICES`) stands for with these inputs.

    A store is read in memory. A Dask ``scheduler`` makes ``auto`` mean dask.
    Otherwise ``auto`` is memory, unless an input is a folder, a glob or a URI
    (anything but an existing file) or the files add up to more than
    ``memory_input_bytes``: then it is local. Raises UsageError for an unknown engine, or
    local/dask asked of a store.

    >>> choose_engine("auto", [], scheduler="tcp://host:8786")
    EngineChoice(engine='dask', by_pipeline=False)
    """
    if engine not in ENGINE_CHOICES:
        raise UsageError(f"--engine: one of auto, memory, local, dask (not {engine!r})")
    if store is not None:
        if engine in ("local", "dask"):
            raise UsageError("--store runs in memory; --engine local/dask read files")
        return EngineChoice("memory", by_pipeline=True)
    paths = [Path(p) for p in inputs or []]
    if scheduler is not None and engine == "auto":
        chosen = "dask"
    elif engine != "auto":
        chosen = engine
    else:
        total = sum(p.stat().st_size for p in paths if p.is_file())
        folders = any(p.is_dir() or not p.exists() for p in paths)
        chosen = "local" if folders or total > memory_input_bytes else "memory"
    plain_files = all(p.is_file() for p in paths)
    return EngineChoice(chosen, by_pipeline=chosen == "memory" and plain_files)
