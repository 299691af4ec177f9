"""engine.local: the calling process works beside the spawned workers, and is given back."""

from __future__ import annotations

import gc
import math
import os

import pyarrow as pa
import pytest

from airwitness.engine.local import Pool, _working_here
from airwitness.engine.partition import AirspaceSpec
from airwitness.errors import InputError


@pytest.fixture(scope="module")
def pool():
    runner = Pool(2, AirspaceSpec.builtin())
    yield runner
    runner.close()


def test_every_task_runs_once_with_its_index(pool):
    items = list(range(-25, 0))
    got = dict(pool.map(abs, items))
    assert got == {i: abs(v) for i, v in enumerate(items)}
    assert dict(pool.map(abs, [])) == {}


def test_the_caller_takes_the_first_task_the_longest(pool):
    """The spawned worker is still starting when the work begins: the task at
    the front (the engines put their longest there) runs here."""
    pids = dict(pool.map(os.readlink, ["/proc/self"] * 5))  # "/proc/self" names the process
    assert pids[0] == str(os.getpid())
    assert pids[1] != str(os.getpid())  # the next ones go to the other process


@pytest.mark.parametrize("where", [1, 0])  # the spawned worker's first task, the caller's
def test_a_task_failing_anywhere_raises_in_the_caller(pool, where):
    items = [4.0, 9.0, 16.0, 25.0, 36.0]
    items[where] = -1.0  # math.sqrt: ValueError
    with pytest.raises(ValueError, match="math domain error"):
        list(pool.map(math.sqrt, items))
    assert dict(pool.map(math.sqrt, [4.0, 9.0])) == {0: 2.0, 1: 3.0}  # still usable


@pytest.mark.parametrize("alone", [True, False])
def test_the_calling_process_gets_its_settings_back(alone):
    threads, io_threads = pa.cpu_count(), pa.io_thread_count()
    with _working_here(AirspaceSpec.builtin(), alone):
        assert pa.cpu_count() == (threads if alone else 1)
        assert gc.get_freeze_count() > 0
    assert (pa.cpu_count(), pa.io_thread_count()) == (threads, io_threads)
    assert gc.get_freeze_count() == 0


def test_settings_come_back_when_the_airspace_fails_to_open(tmp_path):
    threads = pa.cpu_count()
    missing = AirspaceSpec.file(str(tmp_path / "no-such-boundaries.geojson"), "code")
    with pytest.raises(InputError, match="no such file"), _working_here(missing, alone=False):
        pass
    assert pa.cpu_count() == threads
    assert gc.get_freeze_count() == 0


def test_a_caller_that_froze_objects_itself_keeps_them_frozen(monkeypatch):
    """The worker settings leave a caller's own gc.freeze alone: no unfreeze, and the
    frozen objects stay frozen (objects the run frees may leave the count)."""
    unfrozen = []
    real_unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: unfrozen.append(1) or real_unfreeze())
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _working_here(AirspaceSpec.builtin(), alone=True):
            pass
        assert unfrozen == []
        assert gc.get_freeze_count() > frozen * 0.99
    finally:
        real_unfreeze()


def test_the_workers_are_gone_before_the_merge(monkeypatch):
    """The merge's memory does not come on top of the workers': they are
    stopped once every partition is crossed, and the crossings are the same."""
    from pathlib import Path

    from airwitness.engine import run as run_module
    from airwitness.engine import run_crossings_scaled

    examples = Path(__file__).resolve().parents[2] / "examples" / "caucasus"
    inputs = sorted(str(p) for p in examples.glob("*.csv"))
    assert inputs
    events = []
    real_merge, real_close = run_module.merge, Pool.close

    def merge(parts):
        events.append("merge")
        return real_merge(parts)

    def close(self):
        events.append("close")
        real_close(self)

    monkeypatch.setattr(run_module, "merge", merge)
    monkeypatch.setattr(Pool, "close", close)
    run = run_crossings_scaled(inputs, engine="local", workers=2, memory_bytes=1.9e9)
    assert run.plan.workers == 2 and events[:2] == ["close", "merge"]
    reference = run_crossings_scaled(inputs, engine="memory")
    assert run.crossings.equals(reference.crossings) and run.crossings.num_rows > 0
