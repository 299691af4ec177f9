"""Shared helpers for the reader tests (imported by the test modules)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from airwitness.schema import DETECTION_SCHEMA, POSITION_SCHEMA, ReadResult

DATA = Path(__file__).resolve().parents[1] / "data"
TRAFFIC = DATA / "traffic"


def reconcile(result: ReadResult, expected: Iterable[int]) -> None:
    """Every input record is either a row, a detection or a reject, exactly once."""
    assert result.table.schema == POSITION_SCHEMA
    assert result.detections.schema == DETECTION_SCHEMA
    seen = (
        result.table["source_record"].to_pylist()
        + result.detections["source_record"].to_pylist()
        + [r.record for r in result.rejects]
    )
    assert sorted(seen) == sorted(expected)
    assert result.records == len(seen)


def by_record(result: ReadResult) -> dict[int, str]:
    return {r.record: r.reason for r in result.rejects}


def utc_ns(iso: str) -> int:
    """ISO-8601 UTC (``...Z``) -> integer ns since the epoch, for exact comparisons."""
    return int(np.datetime64(iso.replace("Z", ""), "ns").astype("int64"))


def rows_of(table) -> list[dict]:
    """Rows as dicts with every time as int ns: pyarrow cannot make datetimes of every ns."""
    from airwitness.times import rows_ns

    return rows_ns(table)


def stream_read(decoder, data: bytes, receive_ns: int, seed: int = 1):
    """What a live ``StreamDecoder`` makes of ``data`` arriving in random pieces of 1 to
    400 bytes, taken every third piece: (rows, rejects) of all the takes together."""
    import random

    from airwitness.schema import concat

    rng = random.Random(seed)
    parts, i, n = [], 0, 0
    while i < len(data):
        k = rng.randint(1, 400)
        decoder.feed(data[i : i + k], receive_ns)
        i, n = i + k, n + 1
        if n % 3 == 0:
            parts.append(decoder.take())
    decoder.end(broken=False)
    parts.append(decoder.take())
    return concat([p.table for p in parts]), [r for p in parts for r in p.rejects]


def same_as_batch(stream: tuple, batch: ReadResult) -> None:
    """The stream's rows equal the batch read's but for the source name; the same rejects."""
    table, rejects = stream
    drop = ["source", "source_file"]
    assert table.drop_columns(drop).equals(batch.table.drop_columns(drop))
    assert [(r.record, r.reason) for r in sorted(rejects)] == [
        (r.record, r.reason) for r in sorted(batch.rejects)
    ]
