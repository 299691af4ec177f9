"""Shared by the framed binary drone-log readers (ULog, MAVLink tlog, DataFlash).

These logs are sequences of small frames. The readers walk them frame by frame
through a :class:`Window`, and on damage scan forward for the next frame that
looks valid. The window keeps at most about two chunks in memory, however large
the file, and knows the absolute byte offset of every frame, so rejects can
point into the file. :class:`Rows` collects decoded positions compactly (typed
arrays, not Python objects per row) until the table is built.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from airwitness.io._convert import T_MAX_NS, T_MIN_NS
from airwitness.schema import ReadResult, Reject, concat, empty_table, make_table

CHUNK = 1 << 20


class Window:
    """``buf[pos:]`` is the unread part; ``offset`` is its position in the file."""

    def __init__(self, f: BinaryIO, chunk: int = CHUNK) -> None:
        self._f = f
        self._chunk = chunk
        self.buf = b""
        self.pos = 0
        self._base = 0  # file offset of buf[0]
        self.eof = False

    @property
    def offset(self) -> int:
        return self._base + self.pos

    def available(self) -> int:
        return len(self.buf) - self.pos

    def fill(self, n: int) -> bool:
        """Make ``n`` bytes from ``pos`` available; False if the file ends first."""
        while len(self.buf) - self.pos < n and not self.eof:
            data = self._f.read(max(self._chunk, n))
            if not data:
                self.eof = True
                break
            self.buf = self.buf[self.pos :] + data
            self._base += self.pos
            self.pos = 0
        return len(self.buf) - self.pos >= n

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes (fewer at the end of the file), consumed."""
        self.fill(n)
        data = self.buf[self.pos : self.pos + n]
        self.pos += len(data)
        return data

    def skip(self, n: int) -> None:
        self.fill(n)
        self.pos = min(self.pos + n, len(self.buf))

    def at_end(self) -> bool:
        return not self.fill(1)

    def seek_marker(self, marker: re.Pattern[bytes], width: int, lead: int = 0) -> bool:
        """Skip to ``lead`` bytes before the next ``marker`` found past ``pos + lead``.

        Used to resynchronise after damage: the caller then checks whether a frame
        really starts there. False (and everything consumed) if no marker is left.
        """
        if not self.fill(lead + 1 + width):
            self.pos = len(self.buf)
            return False
        start = self.pos + lead + 1
        while True:
            found = marker.search(self.buf, start)
            if found:
                self.pos = found.start() - lead
                return True
            # no match starts before nstart; keep the lead bytes in front of it
            nstart = max(start, len(self.buf) - width + 1)
            self.pos = nstart - lead
            if self.eof or not self.fill(self.available() + 1):
                self.pos = len(self.buf)
                return False
            start = self.pos + lead


NAN = math.nan
_FLOATS = ("lat", "lon", "alt_m", "ground_speed_mps", "track_deg", "vrate_mps")


def plausible_time(ns: int) -> bool:
    """Inside the accepted 1990–2100 window (as for every other reader)."""
    return T_MIN_NS <= ns < T_MAX_NS


def position_problem(lat: float, lon: float) -> str | None:
    """The standard reject reason for a decoded lat/lon, or None if it is fine."""
    if math.isnan(lat) or math.isnan(lon):
        return "no position"
    if not (abs(lat) <= 90.0 and abs(lon) <= 180.0):
        return "lat/lon out of range"
    return None


class Rows:
    """Decoded positions of one track from one message kind, plus their rejects."""

    def __init__(self, alt_kind: str = "geo") -> None:
        self.alt_kind = alt_kind
        self.record = array("q")
        self.time = array("q")
        self.cols = {name: array("d") for name in _FLOATS}
        self.rejects: list[Reject] = []

    def add(
        self,
        record: int,
        time_ns: int,
        lat: float,
        lon: float,
        alt_m: float | None = None,
        ground_speed_mps: float | None = None,
        track_deg: float | None = None,
        vrate_mps: float | None = None,
    ) -> None:
        self.record.append(record)
        self.time.append(time_ns)
        values = (lat, lon, alt_m, ground_speed_mps, track_deg, vrate_mps)
        for name, v in zip(_FLOATS, values, strict=True):
            self.cols[name].append(NAN if v is None else v)

    def __len__(self) -> int:
        return len(self.record)


def build(
    file: str,
    source: str,
    tracks: Sequence[tuple[str, Rows]],
    rejects: Sequence[Reject] = (),
) -> ReadResult:
    """The canonical table of every track (rows in file order) and all rejects, sorted."""
    tables = []
    all_rejects = list(rejects)
    for track_id, rows in tracks:
        all_rejects.extend(rows.rejects)
        if not len(rows):
            continue
        n = len(rows)
        columns: dict = {name: np.frombuffer(rows.cols[name], dtype=np.float64) for name in _FLOATS}
        alt = columns["alt_m"]
        columns["alt_kind"] = pa.array(np.where(np.isnan(alt), None, rows.alt_kind), pa.string())
        columns["track_id"] = pa.array([track_id] * n, pa.string())
        columns["time"] = np.frombuffer(rows.time, dtype=np.int64)
        columns["source_record"] = np.frombuffer(rows.record, dtype=np.int64)
        tables.append(make_table(columns, source=source, source_file=file))
    table = concat(tables) if tables else empty_table()
    if len(tables) > 1:
        order = np.argsort(table["source_record"].to_numpy(), kind="stable")
        table = table.take(pa.array(order))
    return ReadResult(table, sorted(all_rejects), format=source)
