"""SBS-1 / BaseStation text (``sbs``): the port-30003 feed of dump1090, readsb, BaseStation.

One message per line, comma-separated, no header, no quoting::

    MSG,3,1,1,4CA2D6,1,2015/02/24,10:41:58.430,2015/02/24,10:41:58.430,,37000,,,51.47438,-0.96126,,,0,0,0,0

``MSG`` lines have 22 fields: message type (1–8), session, aircraft and
flight ids, hex ident, date and time generated, date and time logged,
callsign, altitude (ft), ground speed (kt), track (deg), lat, lon, vertical
rate (ft/min), squawk, alert, emergency, spi, is-on-ground. Lines of the other
record kinds (``SEL``, ``ID``, ``AIR``, ``STA``, ``CLK``) carry no position.

Position reports come from ``MSG,3`` (airborne: barometric altitude) and
``MSG,2`` (surface: the aircraft is on the ground, so ``alt_m`` is 0 with
``alt_kind`` ``agl``). A decoder sends identity (``MSG,1``) and velocity
(``MSG,4``) in messages of their own, so a position row takes the callsign of
the latest ``MSG,1`` and the ground speed, track and vertical rate of the
latest ``MSG,4`` of the same hex ident, when that message is at most
:data:`HOLD_S` seconds away from the position; values on the position line
itself win. Units are converted to SI at the edge. Squawk, alert,
emergency, SPI and the on-ground flag are not read.

``pos_sigma_m`` is null on every row: the format states nothing about
accuracy (no type code, NIC or NACp; the decoder behind it drops them), so
the documented default of ``sbs`` applies (``uncertainty.DEFAULT_SIGMA_M``).

Time is the date and time *generated* (``YYYY/MM/DD``, ``HH:MM:SS.fff``),
else the date and time logged when the generated pair is empty. The format has
no time zone: it is **taken as UTC**. BaseStation and some feeders log local
time; shift such logs to UTC before reading (there is no option for it yet).

``track_id`` is the hex ident in lower case (a leading ``~``, which readsb
uses for non-ICAO addresses, is kept). Records are physical line numbers;
blank lines are not records. Every other line is a row or a reject, with the
first reason that applies:

- ``no position`` (benign): ``SEL``/``ID``/``AIR``/``STA``/``CLK`` lines,
  ``MSG`` types 1 and 4–8, and ``MSG,2``/``MSG,3`` without lat/lon;
- ``not an SBS message`` (unknown first field), ``unknown message type``
  (``MSG`` type other than 1–8), ``wrong number of fields``, ``line too long``;
- ``bad hex ident``, ``bad time``, ``bad lat/lon``, ``lat/lon out of range``,
  ``bad number in altitude|ground speed|track|vertical rate``, ``bad text in
  callsign``;
- ``truncated gzip data`` / ``corrupt gzip data``: the line where a damaged
  gzip stream breaks off (a partial line is never parsed).

The file is read in blocks, so memory grows with the rows kept, not the file.
A file with no SBS message at all raises :class:`~airwitness.errors.InputError`.
"""

from __future__ import annotations

import array
import datetime as dt
import math
import re
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from airwitness import reasons
from airwitness.errors import InputError
from airwitness.io._convert import T_MAX_NS, T_MIN_NS, labels
from airwitness.io._source import CHUNK, Salvage, Source
from airwitness.io.options import ReadOptions
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult, Reject, make_table

NAME = "sbs"
N_FIELDS = 22
#: seconds within which a MSG,1 callsign or MSG,4 velocity is carried to a position
HOLD_S = 10.0
#: longer lines are rejected without being split (SBS lines are ~100 bytes)
MAX_LINE = 4096

OTHER_KINDS = frozenset({b"SEL", b"ID", b"AIR", b"STA", b"CLK"})
_NO_POSITION_TYPES = frozenset({b"5", b"6", b"7", b"8"})
_NS = 1_000_000_000
_HOLD_NS = int(HOLD_S * _NS)
_HEX_RE = re.compile(rb"~?[0-9a-f]{6}")
_DATE_RE = re.compile(rb"(\d{4})[/-](\d{2})[/-](\d{2})")
_TOD_RE = re.compile(rb"(\d{2}):(\d{2}):(\d{2})")
_SNIFF_RE = re.compile(rb"(?:MSG,[1-8]|SEL|ID|AIR|STA|CLK),")
_POSITION = ((11, "altitude"), (12, "ground speed"), (13, "track"), (16, "vertical rate"))
_VELOCITY = _POSITION[1:]
_CACHE_MAX = 100_000


def sniff(head: bytes, extension: str) -> bool:
    """True when the first line is an SBS record and a 22-field MSG line follows soon."""
    pieces = head.split(b"\n")
    if len(head) >= CHUNK:  # the head was cut: its last piece may be a partial line
        pieces.pop()
    lines = [ln.rstrip(b"\r") for ln in pieces if ln.strip()][:20]
    if not lines or not _SNIFF_RE.match(lines[0]):
        return False
    return any(ln.startswith(b"MSG,") and ln.count(b",") == N_FIELDS - 1 for ln in lines)


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read an SBS-1 / BaseStation log (optionally gzip-compressed); see the module docs."""
    src = Source(path, stream)
    parser = _Parser(src.name)
    lines = _Lines(parser)
    blocks = Salvage(src)
    for block in blocks:
        lines.feed(block)
    if blocks.damage is not None:
        # the stream broke off: a partial last line is not trusted, and even a
        # clean cut means lines are missing; either way one record says so
        parser.broken(blocks.damage)
    else:
        lines.flush()
    return parser.result()


class StreamDecoder:
    """An SBS feed as it arrives (``airwitness watch``): the same line splitting and
    parsing as :func:`read`, a chunk at a time, with the carried callsigns and
    velocities kept between chunks. Records are line numbers counted from the
    first chunk on, across :meth:`end` (a reconnection goes on counting)."""

    def __init__(self, name: str, options: ReadOptions | None = None) -> None:
        self._parser = _Parser(name)
        self._lines = _Lines(self._parser)

    def feed(self, data: bytes, receive_ns: int) -> None:
        """Parse the complete lines in ``data`` (a partial last line waits for more)."""
        self._lines.feed(data)

    def end(self, broken: bool) -> None:
        """The input ended: a partial last line is a line (a file that ends) or, when the
        connection ``broken`` off, one ``truncated message`` record."""
        if not broken:
            self._lines.flush()
        elif self._lines.reset():
            self._parser.broken(reasons.TRUNCATED_MESSAGE)

    def take(self) -> ReadResult:
        """The rows and rejects of the lines parsed since the last call."""
        return self._parser.take()

    def forget_before(self, time_ns: int) -> None:
        """Drop carried callsigns and velocities older than ``time_ns`` minus
        :data:`HOLD_S` (no later line can take them: bounded memory)."""
        self._parser.forget_before(time_ns - _HOLD_NS)


class _Lines:
    """Cuts blocks of bytes into lines for a parser; an overlong line is cut and
    rejected as one record, and the bytes after it up to the next newline dropped."""

    def __init__(self, parser: _Parser) -> None:
        self.parser = parser
        self.pending = b""
        self.skipping = False  # inside an overlong line: drop bytes up to the next newline

    def feed(self, block: bytes) -> None:
        if self.skipping:
            nl = block.find(b"\n")
            if nl < 0:
                return
            self.parser.lines([self.pending])  # the overlong line, cut: rejected as such
            self.pending, block, self.skipping = b"", block[nl + 1 :], False
        data = self.pending + block if self.pending else block
        cut = data.rfind(b"\n")
        if cut < 0:
            self.pending = data
        else:
            self.parser.lines(data[:cut].split(b"\n"))
            self.pending = data[cut + 1 :]
        if len(self.pending) > MAX_LINE:
            self.pending, self.skipping = self.pending[: MAX_LINE + 1], True

    def flush(self) -> None:
        """The input ended cleanly: a last line without a newline is still a line."""
        if self.pending:
            self.parser.lines([self.pending])
        self.pending, self.skipping = b"", False

    def reset(self) -> bool:
        """Forget a partial line; True if there was one."""
        had = bool(self.pending) or self.skipping
        self.pending, self.skipping = b"", False
        return had


class _Parser:
    """Line-by-line state: the rows so far, rejects, and per-aircraft carried values."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.line = 0
        self.rejects: list[Reject] = []
        self.benign = 0
        # per track id: (time, value) of the latest MSG,1 callsign and MSG,4 velocity
        self.callsign: dict[str, tuple[int, str]] = {}
        self.velocity: dict[str, tuple[int, float, float, float]] = {}
        self.ids: dict[bytes, str | None] = {}  # raw hex field -> track id (None: bad)
        self.days: dict[bytes, int | None] = {}
        self.seconds: dict[bytes, int | None] = {}
        # columns of the accepted rows
        self.track: list[str] = []
        self.time = array.array("q")
        self.lat = array.array("d")
        self.lon = array.array("d")
        self.alt = array.array("d")
        self.kind = array.array("b")  # 0 baro, 2 agl, -1 none
        self.gs = array.array("d")
        self.trk = array.array("d")
        self.vr = array.array("d")
        self.calls: list[str | None] = []
        self.records = array.array("q")

    def reject(self, reason: str) -> None:
        self.rejects.append(Reject(self.name, self.line, reason))

    def skip(self) -> None:
        self.benign += 1
        self.rejects.append(Reject(self.name, self.line, reasons.NO_POSITION))

    def broken(self, reason: str) -> None:
        self.line += 1
        self.reject(reason)

    def lines(self, lines: list[bytes]) -> None:
        for raw in lines:
            self.line += 1
            if not raw or raw.isspace():
                continue
            if len(raw) > MAX_LINE:
                self.reject(reasons.LINE_TOO_LONG)
                continue
            f = raw.rstrip(b"\r\n").split(b",")
            kind = f[0]
            if kind != b"MSG":
                if kind.strip() in OTHER_KINDS:
                    self.skip()
                else:
                    self.reject(reasons.NOT_AN_SBS_MESSAGE)
                continue
            if len(f) != N_FIELDS:
                self.reject(reasons.WRONG_NUMBER_OF_FIELDS)
                continue
            typ = f[1].strip()
            if typ == b"3" or typ == b"2":
                self.position(f, typ == b"2")
            elif typ in _NO_POSITION_TYPES:
                self.skip()
            elif typ == b"1":
                self.identity(f)
            elif typ == b"4":
                self.motion(f)
            else:
                self.reject(reasons.UNKNOWN_MESSAGE_TYPE)

    def _hex_time(self, f: list[bytes]) -> tuple[str, int] | None:
        """The track id and time of a MSG line, or None after rejecting it."""
        hexid = self.ids.get(f[4], "")
        if hexid == "":
            if len(self.ids) > _CACHE_MAX:
                self.ids.clear()
            h = f[4].strip().lower()
            hexid = self.ids[f[4]] = h.decode("ascii") if _HEX_RE.fullmatch(h) else None
        if hexid is None:
            self.reject(reasons.BAD_HEX_IDENT)
            return None
        date, tod = f[6], f[7]
        if not date.strip() and not tod.strip():
            date, tod = f[8], f[9]  # logged, when generated is missing
        t = self._time(date, tod)
        if t is None:
            self.reject(reasons.BAD_TIME)
            return None
        return hexid, t

    def _time(self, date: bytes, tod: bytes) -> int | None:
        day = self.days.get(date, -1)
        if day == -1:
            if len(self.days) > _CACHE_MAX:
                self.days.clear()
            day = self.days[date] = _day_ns(date)
        if day is None:
            return None
        key = tod[:8]
        sec = self.seconds.get(key, -1)
        if sec == -1:
            if len(self.seconds) > _CACHE_MAX:
                self.seconds.clear()
            sec = self.seconds[key] = _second_ns(key)
        if sec is None:
            return None
        frac = tod[8:].rstrip()
        if frac:
            digits = frac[1:]
            if frac[:1] != b"." or not digits.isdigit() or len(digits) > 9:
                return None
            sec += int(digits.ljust(9, b"0"))
        t = day + sec
        return t if T_MIN_NS <= t < T_MAX_NS else None

    def _numbers(self, f: list[bytes], fields: tuple[tuple[int, str], ...]) -> list[float] | None:
        """The numbers of ``fields`` (NaN when empty), or None after rejecting the line."""
        out = []
        for i, what in fields:
            try:
                out.append(_number(f[i]))
            except _Bad:
                self.reject(reasons.bad_number_in(what))
                return None
        return out

    def identity(self, f: list[bytes]) -> None:
        ht = self._hex_time(f)
        if ht is None:
            return
        try:
            callsign = _text(f[10])
        except _Bad:
            self.reject(reasons.BAD_CALLSIGN_TEXT)
            return
        if callsign is not None:
            self.callsign[ht[0]] = (ht[1], callsign)
        self.skip()

    def motion(self, f: list[bytes]) -> None:
        ht = self._hex_time(f)
        if ht is None:
            return
        v = self._numbers(f, _VELOCITY)
        if v is None:
            return
        self.velocity[ht[0]] = (ht[1], v[0], v[1], v[2])
        self.skip()

    def position(self, f: list[bytes], surface: bool) -> None:
        ht = self._hex_time(f)
        if ht is None:
            return
        hexid, t = ht
        try:
            lat, lon = _number(f[14]), _number(f[15])
        except _Bad:
            self.reject(reasons.BAD_LAT_LON)
            return
        if math.isnan(lat) and math.isnan(lon):
            self.skip()
            return
        if math.isnan(lat) or math.isnan(lon):
            self.reject(reasons.BAD_LAT_LON)
            return
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            self.reject(reasons.LAT_LON_OUT_OF_RANGE)
            return
        own = self._numbers(f, _POSITION)
        if own is None:
            return
        try:
            callsign = _text(f[10])
        except _Bad:
            self.reject(reasons.BAD_CALLSIGN_TEXT)
            return
        alt, gs, trk, vr = own
        if callsign is None:
            held = self.callsign.get(hexid)
            if held is not None and abs(t - held[0]) <= _HOLD_NS:
                callsign = held[1]
        if math.isnan(gs) or math.isnan(trk) or math.isnan(vr):
            v4 = self.velocity.get(hexid)
            if v4 is not None and abs(t - v4[0]) <= _HOLD_NS:
                gs = v4[1] if math.isnan(gs) else gs
                trk = v4[2] if math.isnan(trk) else trk
                vr = v4[3] if math.isnan(vr) else vr
        self.track.append(hexid)
        self.time.append(t)
        self.lat.append(lat)
        self.lon.append(lon)
        if surface:
            self.alt.append(0.0)
            self.kind.append(2)
        else:
            self.alt.append(alt * FT_TO_M)
            self.kind.append(-1 if math.isnan(alt) else 0)
        self.gs.append(gs * KT_TO_MPS)
        self.trk.append(trk)
        self.vr.append(vr * FPM_TO_MPS)
        self.calls.append(callsign)
        self.records.append(self.line)

    def result(self) -> ReadResult:
        if not self.records and not self.benign:
            if not self.rejects:
                raise InputError(self.name, "empty file")
            first = self.rejects[0]
            raise InputError(self.name, f"no SBS message ({first.reason})", first.record)
        return self._build()

    def take(self) -> ReadResult:
        """The rows and rejects so far, and a fresh start for the next ones (the line
        count and the carried values stay)."""
        result = self._build()
        self.rejects = []
        for name in ("time", "records", "lat", "lon", "alt", "gs", "trk", "vr", "kind"):
            column = getattr(self, name)
            setattr(self, name, array.array(column.typecode))
        self.track, self.calls = [], []
        return result

    def forget_before(self, time_ns: int) -> None:
        """Drop carried values stated before ``time_ns``."""
        for held in (self.callsign, self.velocity):
            old = [k for k, v in held.items() if v[0] < time_ns]
            for k in old:
                del held[k]

    def _build(self) -> ReadResult:
        track_id = pa.array(self.track, pa.string())
        columns = {
            "track_id": track_id,
            "identity": track_id,  # the Mode S address
            "sensor": "adsb",
            "time": np.frombuffer(self.time, dtype=np.int64),
            "lon": np.frombuffer(self.lon, dtype=np.float64),
            "lat": np.frombuffer(self.lat, dtype=np.float64),
            "alt_m": np.frombuffer(self.alt, dtype=np.float64),
            "alt_kind": labels(np.frombuffer(self.kind, dtype=np.int8), ["baro", "geo", "agl"]),
            "ground_speed_mps": np.frombuffer(self.gs, dtype=np.float64),
            "track_deg": np.frombuffer(self.trk, dtype=np.float64),
            "vrate_mps": np.frombuffer(self.vr, dtype=np.float64),
            "callsign": pa.array(self.calls, pa.string()),
            "source_record": np.frombuffer(self.records, dtype=np.int64),
        }
        table = make_table(columns, source=NAME, source_file=self.name)
        return ReadResult(table, self.rejects, format=NAME)


class _Bad(Exception):
    """A value that does not parse."""


def _number(value: bytes) -> float:
    """A finite float, NaN when empty; _Bad otherwise."""
    if not value or value.isspace():
        return math.nan
    try:
        v = float(value)
    except ValueError:
        raise _Bad from None
    if not math.isfinite(v):
        raise _Bad
    return v


def _text(value: bytes) -> str | None:
    """Trimmed ASCII text, None when empty; _Bad otherwise."""
    try:
        s = value.decode("ascii").strip()
    except UnicodeDecodeError:
        raise _Bad from None
    return s or None


def _day_ns(date: bytes) -> int | None:
    m = _DATE_RE.fullmatch(date.strip())
    if m is None:
        return None
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return (day - dt.date(1970, 1, 1)).days * 86_400 * _NS


def _second_ns(tod: bytes) -> int | None:
    m = _TOD_RE.fullmatch(tod)
    if m is None:
        return None
    h, mi, s = int(m[1]), int(m[2]), int(m[3])
    if h > 23 or mi > 59 or s > 59:
        return None
    return (h * 3600 + mi * 60 + s) * _NS
