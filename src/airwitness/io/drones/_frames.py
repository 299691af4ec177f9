"""Shared by the framed binary drone-log readers (ULog, MAVLink tlog, DataFlash).

These logs are sequences of small frames. A :class:`FrameWalk` takes them one
by one through a :class:`Window`, and on damage has the reader scan forward for
the next frame that looks valid, so that every damaged stretch becomes one
reject and the rest of the file is still read. The window keeps at most about
two chunks in memory, however large the file, and knows the absolute byte
offset of every frame, so rejects can point into the file. :class:`Rows`
collects decoded positions compactly (typed arrays, not Python objects per
row) until the table is built.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Generic, TypeVar

import numpy as np
import pyarrow as pa

from airwitness import reasons
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


@dataclass(frozen=True)
class Damage:
    """What a frame reader gives instead of a frame: the reject reason.

    ``skipped`` says the damaged bytes are consumed already, so the walk does
    not resynchronise (ULog: a message the logger cut to append data after it).
    """

    reason: str
    skipped: bool = False


Frame = TypeVar("Frame")


class FrameWalk(Generic[Frame]):
    """The frames of a log in file order, and one reject per damaged stretch.

    ``read_frame(window)`` decodes and consumes the frame at the window's
    position, or returns a :class:`Damage` and consumes nothing; the walk then
    calls ``resync(window)``, which skips to the next plausible frame and says
    whether there is one. A frame cut short is ``truncated message`` at the end
    of the file; when a frame follows after all, its length field was damaged
    instead: the stretch is reported as ``damaged_length``. ``at_tail``, when
    given, is asked before each frame whether the rest of the file is padding
    (it consumes it and the walk ends).

    Iterating yields ``(index, offset, frame)``: the 1-based index of the
    frame in the file (frames and damaged stretches are counted alike) and its
    byte offset. Afterwards ``damage`` holds the rejects, ``count`` the frames
    and damaged stretches seen, and ``decoded`` the frames read.
    """

    def __init__(
        self,
        file: str,
        window: Window,
        read_frame: Callable[[Window], Frame | Damage],
        resync: Callable[[Window], bool],
        damaged_length: str,
        at_tail: Callable[[Window], bool] | None = None,
    ) -> None:
        self.file = file
        self.window = window
        self._read_frame = read_frame
        self._resync = resync
        self._damaged_length = damaged_length
        self._at_tail = at_tail
        self.damage: list[Reject] = []
        self.count = 0
        self.decoded = 0

    def __iter__(self) -> Iterator[tuple[int, int, Frame]]:
        w = self.window
        while not w.at_end():
            if self._at_tail is not None and self._at_tail(w):
                break
            self.count += 1
            start = w.offset
            got = self._read_frame(w)
            if isinstance(got, Damage):
                reason = got.reason
                resynced = not got.skipped and self._resync(w)
                if resynced and reason == reasons.TRUNCATED_MESSAGE:
                    reason = self._damaged_length  # not the end of the file
                self.damage.append(Reject(self.file, self.count, reason, offset=start))
                continue
            self.decoded += 1
            yield self.count, start, got


NAN = float("nan")
_FLOATS = ("lat", "lon", "alt_m", "ground_speed_mps", "track_deg", "vrate_mps", "pos_sigma_m")


def plausible_time(ns: int) -> bool:
    """Inside the accepted 1990–2100 window (as for every other reader)."""
    return T_MIN_NS <= ns < T_MAX_NS


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
        pos_sigma_m: float | None = None,
    ) -> None:
        self.record.append(record)
        self.time.append(time_ns)
        values = (lat, lon, alt_m, ground_speed_mps, track_deg, vrate_mps, pos_sigma_m)
        for name, v in zip(_FLOATS, values, strict=True):
            self.cols[name].append(NAN if v is None else v)

    def __len__(self) -> int:
        return len(self.record)


def build(
    file: str,
    source: str,
    tracks: Sequence[tuple[str, Rows]],
    rejects: Sequence[Reject] = (),
    *,
    sensor: str = "log",
    identity: Callable[[str], str | None] | None = None,
) -> ReadResult:
    """The canonical table of every track (rows in file order) and all rejects, sorted.

    ``sensor`` is the schema's (``log``: the vehicle's own record of where it was);
    ``identity`` gives a track's broadcast identity, if it has one."""
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
        columns["sensor"] = sensor
        if identity is not None:
            columns["identity"] = pa.array([identity(track_id)] * n, pa.string())
        columns["time"] = np.frombuffer(rows.time, dtype=np.int64)
        columns["source_record"] = np.frombuffer(rows.record, dtype=np.int64)
        tables.append(make_table(columns, source=source, source_file=file))
    table = concat(tables) if tables else empty_table()
    if len(tables) > 1:
        order = np.argsort(table["source_record"].to_numpy(), kind="stable")
        table = table.take(pa.array(order))
    return ReadResult(table, sorted(all_rejects), format=source)
