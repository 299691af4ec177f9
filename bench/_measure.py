"""What the end-to-end benchmarks measure of a run besides its wall time: the CPU
time of its processes (in all, and per pass of the engines) and the resident memory of
its process tree."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def cpu_s() -> float:
    """CPU seconds (user and system) of this process and of its children that ended
    (the engines' worker processes, reaped when their pool shut down)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


class PassCpu:
    """CPU seconds of this process and its live workers when each pass ends, told by
    the engine's progress callback (``crossing`` 0 of N: pass 1 is over; N of N: pass 2
    is): ``seconds`` holds ``read`` and ``cross``. Needs psutil (else empty) and an
    engine with ``progress`` (issue 5's)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        try:
            import psutil
        except ImportError:
            self._me = None
            return
        self._me = psutil.Process()
        self._start = self._tree()

    def argument(self) -> dict:
        import inspect

        from airwitness.engine import run_crossings_scaled

        takes = "progress" in inspect.signature(run_crossings_scaled).parameters
        return {"progress": self._told} if takes and self._me is not None else {}

    def _tree(self) -> float:
        import psutil

        total = 0.0
        for p in [self._me, *self._me.children(recursive=True)]:
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue  # ended between listing and reading
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def _told(self, stage: str, done: int, total: int) -> None:
        if stage != "crossing" or done not in (0, total) or "cross" in self.seconds:
            return
        now = self._tree()
        if done == 0 and "read" not in self.seconds:
            self.seconds["read"] = now - self._start
            self._read_end = now
        elif done == total and "read" in self.seconds:
            self.seconds["cross"] = now - self._read_end


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    try:
        import psutil
    except ImportError:
        return _proc_tree_rss(pid)
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue  # ended between listing and reading
    return total


def _proc_tree_rss(pid: int) -> int:
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parent[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue  # ended while we looked
    keep, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        for child, par in parent.items():
            if par == p and child not in keep:
                keep.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in keep)
