"""A store that a watch appends to as reports come (``airwitness watch --store``).

Each source of a watch is one row of ``files`` (its ``path`` is the source as
given, e.g. ``sbs://127.0.0.1:30003``; its ``format`` the reader's), created
when the watch starts, whose counts grow with every commit. What a batch of
the watch adds — the sources' reports and rejects, the alerts, and the new
counts — goes in one transaction, so the store is consistent after every
commit: a crash or a kill loses at most the batches not yet committed, never
half of one, and ``records = reports + rejects`` holds for every source in it.
Batch commands read it like any store (``crossings --store``).

A live source has no file to hash: its ``sha256`` is ``live:`` and a random
identifier (the column is unique), and the SHA-256 of the bytes received so far
is in ``options_json`` as ``received_sha256``.

Alerts go to the ``alerts`` table, added to the store by the first watch that
writes to it (readers that do not know it ignore it): ``seq`` (order of the
alert in its watch), ``watch`` (an identifier of the watch), ``received_ns``,
``status``, ``track_id``, ``time`` (the crossing's, ISO-8601 as in the alert),
``before``, ``after``, and ``alert``, the alert's JSON line.

DuckDB lets one process open a file; readers in the same process (the web app
of ``serve --watch``) read through :meth:`LiveStore.cursor`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import __version__
from airwitness.errors import InputError
from airwitness.schema import ReadResult
from airwitness.store.connection import connect
from airwitness.store.ingestion import append_rows, reject_rows, report_rows

ALERTS_DDL = """CREATE TABLE IF NOT EXISTS alerts (
    seq BIGINT NOT NULL,
    watch VARCHAR NOT NULL,
    received_ns BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    track_id VARCHAR NOT NULL,
    time VARCHAR NOT NULL,
    before VARCHAR NOT NULL,
    after VARCHAR NOT NULL,
    alert VARCHAR NOT NULL
)"""


@dataclass
class _Source:
    """A source's row of ``files`` and what it has added so far."""

    file_id: int
    records: int = 0
    reports: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    first_ns: int | None = None
    last_ns: int | None = None
    bbox: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])


@dataclass
class LiveBatch:
    """What one commit adds: per source ``(name, format, decoded, bytes, sha256)``, and
    the alerts as ``(received_ns, status, fields, JSON line)``."""

    sources: list[tuple[str, str, ReadResult, int, str]]
    alerts: list[tuple[int, str, dict, str]]


class LiveStore:
    """The one writer of a store while a watch runs."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.con = connect(path, write=True)
        self.con.execute(ALERTS_DDL)
        self.watch_id = uuid.uuid4().hex
        self._sources: dict[str, _Source] = {}
        self._seq = 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection for reading in another thread of this process."""
        return self.con.cursor()

    def add(self, batch: LiveBatch) -> None:
        """Everything in ``batch``, in one transaction (rolled back on any error)."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for name, fmt, result, size, digest in batch.sources:
                src = self._sources.get(name) or self._register(name, fmt)
                table = result.table
                append_rows(con, "reports", report_rows(table, src.file_id))
                append_rows(con, "rejects", reject_rows(result.rejects, src.file_id))
                _count(src, result)
                self._update(src, size, digest)
            self._alerts(batch.alerts)
            con.execute("COMMIT")
        except BaseException:
            with suppress(duckdb.TransactionException):
                con.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Count each source's tracks, checkpoint and close."""
        for src in self._sources.values():
            self.con.execute(
                """UPDATE files SET tracks = (SELECT count(DISTINCT track_id) FROM reports
                   WHERE file_id = ?) WHERE file_id = ?""",
                [src.file_id, src.file_id],
            )
        self.con.execute("CHECKPOINT")
        self.con.close()

    def _register(self, name: str, fmt: str) -> _Source:
        file_id = self.con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchone()[0]
        self.con.execute(
            """INSERT INTO files VALUES (?, ?, 0, ?, ?, ?, ?, '{}', 0, 0, 0, '{}', 0,
                                         NULL, NULL, NULL, NULL, NULL, NULL, current_timestamp)""",
            [file_id, name, f"live:{uuid.uuid4().hex}", fmt, fmt, __version__],
        )
        src = self._sources[name] = _Source(file_id)
        return src

    def _update(self, src: _Source, size: int, digest: str) -> None:
        box = [None if math.isinf(v) else v for v in src.bbox]
        self.con.execute(
            """UPDATE files SET size = ?, options_json = ?, records = ?, reports = ?,
                   rejects = ?, rejects_json = ?, first_ns = ?, last_ns = ?,
                   min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?
               WHERE file_id = ?""",
            [
                size,
                json.dumps({"live": True, "received_sha256": digest}, sort_keys=True),
                src.records,
                src.reports,
                sum(src.rejects.values()),
                json.dumps(dict(src.rejects), sort_keys=True),
                src.first_ns,
                src.last_ns,
                *box,
                src.file_id,
            ],
        )

    def _alerts(self, alerts: Sequence[tuple[int, str, dict, str]]) -> None:
        if not alerts:
            return
        seq = list(range(self._seq + 1, self._seq + len(alerts) + 1))
        self._seq += len(alerts)
        rows = pa.table(
            {
                "seq": pa.array(seq, pa.int64()),
                "watch": pa.array([self.watch_id] * len(alerts), pa.string()),
                "received_ns": pa.array([a[0] for a in alerts], pa.int64()),
                "status": pa.array([a[1] for a in alerts], pa.string()),
                "track_id": pa.array([a[2]["track_id"] for a in alerts], pa.string()),
                "time": pa.array([a[2]["time"] for a in alerts], pa.string()),
                "before": pa.array([a[2]["before"] for a in alerts], pa.string()),
                "after": pa.array([a[2]["after"] for a in alerts], pa.string()),
                "alert": pa.array([a[3] for a in alerts], pa.string()),
            }
        )
        append_rows(self.con, "alerts", rows)


def _count(src: _Source, result: ReadResult) -> None:
    table = result.table
    src.records += table.num_rows + len(result.rejects)
    src.reports += table.num_rows
    src.rejects.update(r.reason for r in result.rejects)
    if table.num_rows == 0:
        return
    times = pc.min_max(table["time"].cast(pa.int64()))
    lon, lat = pc.min_max(table["lon"]), pc.min_max(table["lat"])
    lo, hi = times["min"].as_py(), times["max"].as_py()
    src.first_ns = lo if src.first_ns is None else min(src.first_ns, lo)
    src.last_ns = hi if src.last_ns is None else max(src.last_ns, hi)
    b = src.bbox
    b[0], b[1] = min(b[0], lon["min"].as_py()), min(b[1], lat["min"].as_py())
    b[2], b[3] = max(b[2], lon["max"].as_py()), max(b[3], lat["max"].as_py())


def open_live(path: str | Path) -> LiveStore:
    """The store at ``path`` (created if missing) for a watch; InputError if it cannot be."""
    try:
        return LiveStore(path)
    except duckdb.Error as exc:
        raise InputError(str(path), f"cannot write the store: {exc}") from None
