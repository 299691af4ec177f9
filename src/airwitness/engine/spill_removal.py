"""Spill folders deleted in the background, after the run has returned.

Deleting gigabytes of spill is the kernel's work, not ours, and it can be
slow: on a disk mounted with online ``discard`` every freed extent is
discarded as the files go (2.7 s for the 3.4 GB of a 100 M-report run on
this project's VM, with nothing else to do meanwhile). So a run that
succeeded hands its spill folder to one background thread and returns its
results at once; the caller writes its reports while the disk forgets.

Nothing is left behind: the next run in the process waits for the folders
still being deleted before it spills (they would compete for the disk and
its room), and so does the interpreter at exit (:mod:`concurrent.futures`
joins its threads). A folder that could not be deleted is a warning naming
it, when the next run starts or at exit: it holds temporary copies of the
inputs, never results.
"""

from __future__ import annotations

import atexit
import shutil
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor

from airwitness.engine.sources import filesystem, is_uri

_lock = threading.Lock()
_pending: list[tuple[str, Future[None]]] = []
_remover: ThreadPoolExecutor | None = None


def remove(folder: str) -> None:
    """Delete the run's spill folder now (temporary copies of the inputs, never results)."""
    if is_uri(folder):
        fs, path = filesystem(folder)
        fs.delete_dir(path)
    else:
        shutil.rmtree(folder)


def remove_later(folder: str) -> None:
    """Delete ``folder`` on the background thread; see :func:`wait_for_removals`."""
    global _remover
    with _lock:
        if _remover is None:
            _remover = ThreadPoolExecutor(1, thread_name_prefix="airwitness-spill-removal")
        _pending.append((folder, _remover.submit(remove, folder)))


def wait_for_removals() -> None:
    """Return once every folder handed to :func:`remove_later` is gone; a folder
    that could not be deleted is a :class:`RuntimeWarning` naming it (Python hides
    a ``ResourceWarning`` unless asked)."""
    with _lock:
        pending = list(_pending)
        _pending.clear()
    for folder, removing in pending:
        problem = removing.exception()
        if problem is not None:
            warnings.warn(
                f"could not delete the spill folder {folder}: {problem}",
                RuntimeWarning,
                stacklevel=2,
            )


atexit.register(wait_for_removals)
