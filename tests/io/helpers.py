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
