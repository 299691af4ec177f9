"""Progress bars on stderr, drawn only when it is a terminal and the command is not quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def bar(quiet: bool) -> Iterator[Any]:
    """Rich progress bars on stderr, or None when quiet or stderr is no terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        yield progress


@contextmanager
def file_progress(total: int, quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over input files on stderr, only when stderr is a terminal."""
    with bar(quiet) as progress:
        if progress is None:
            yield None
            return
        task = progress.add_task("reading", total=total)

        def advance(name: str) -> None:
            progress.update(task, description=f"reading {Path(name).name}", advance=1)

        yield advance


@contextmanager
def stages(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar per stage of the engines (units read, partitions crossed)
    on stderr, only when stderr is a terminal."""
    with bar(quiet) as progress:
        if progress is None:
            yield None
            return
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update
