"""Shared by the watch tests: real flights as feeds, and a watch run until a condition."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from airwitness.io import read
from airwitness.schema import concat
from airwitness.watch.runner import Watch

from ..io.helpers import TRAFFIC

#: a run that has not finished by then has failed
LIMIT_S = 60.0


def flights(*names: str) -> pa.Table:
    """Recorded flights of the traffic sample (tests/data/traffic), in time order."""
    table = concat([read(TRAFFIC / f"{name}.json.gz").table for name in names])
    return table.take(pc.sort_indices(table["time"].cast(pa.int64())))


def run_until(watch: Watch, done: Callable[[], bool], limit_s: float = LIMIT_S) -> None:
    """Run ``watch`` until ``done()`` (checked every 20 ms), then stop it as SIGTERM does."""

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(watch.run(stop))
        deadline = time.monotonic() + limit_s
        while not done() and not task.done():
            if time.monotonic() > deadline:
                stop.set()
                await task
                raise AssertionError(f"not done within {limit_s} s")
            await asyncio.sleep(0.02)
        stop.set()
        await task

    asyncio.run(main())


def alerts_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def crossing_key(alert: dict) -> str:
    """An alert's crossing fields (without status and received), as sortable text."""
    fields = {k: v for k, v in alert.items() if k not in ("status", "received")}
    return json.dumps(fields, sort_keys=True)
