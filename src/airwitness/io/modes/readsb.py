"""readsb / tar1090 trace files (``readsb``): ``trace_full_<hex>.json`` and ``trace_recent_…``.

One JSON object per aircraft, gzip-compressed or not (readsb writes gzip
under a ``.json`` name; gzip is recognised by content)::

    {"icao": "ac671b", "timestamp": 1738703622.619,
     "trace": [[0.0, 16.777359, -88.036868, 32000, 478.6, 327.8, 1, 0, null,
                "adsb_icao", 33825, 32, 280, 0.0], ...]}

Each trace point is ``[seconds after timestamp, lat, lon, altitude ft |
"ground" | null, ground speed kt, track deg, flags, vertical rate ft/min,
details object | null, source type, geometric altitude ft, geometric rate,
IAS, roll]`` (the last five only in files written since 2022). Every point is
a record, numbered by its 1-based index in ``trace``; at least the first seven
fields (through ``flags``) must be present.

How the values map (readsb's README-json, "trace jsons"):

- ``time`` = ``timestamp`` + offset, exact to the microsecond.
- ``track_id`` = ``icao`` in lower case; a leading ``~`` (readsb's mark of a
  non-ICAO address, e.g. TIS-B) is kept. Without ``icao`` the file name's
  stem stands in (``trace_full_`` / ``trace_recent_`` removed).
- Altitude in feet is barometric (``alt_kind`` ``baro``) unless flag bit 3
  says geometric (``geo``); when it is null, the geometric altitude of field
  10 is used (``geo``). ``"ground"`` means on the ground: ``alt_m`` 0 with
  ``alt_kind`` ``agl`` — the table has no on-ground column, and "0 m above
  ground" is exactly what readsb asserts. On the ground, field 5 is the true
  heading rather than the track; it is kept as ``track_deg``.
- ``vrate_mps`` is field 7, barometric or (flag bit 2) geometric.
- ``sensor`` (docs/fusion.md) from the point's source type, field 9: ``mlat``
  (multilateration: measured by the receivers, not reported by the aircraft),
  ``tisb`` for ``tisb_*`` (ATC surveillance rebroadcast: measured), else ``adsb``.
- ``callsign`` is ``flight`` from the latest details object of the same leg:
  readsb attaches details to only some points, so the callsign is carried
  forward until the next details, and cleared at the start of a new leg.
- ``pos_sigma_m`` comes from the newest details object at most
  ``ACCURACY_MAX_AGE_S`` (60 s) before the point (the same bound as the raw
  Mode S readers, readsb's own staleness of ``nac_p``; a new leg does not
  clear it, as it does the callsign: the time bound is what matters for the
  aircraft's navigation accuracy): the EPU of its
  ``nac_p`` (``uncertainty.sigma_from_nacp``); where that is absent, 0
  (unknown) or unusable, its ``rc`` (readsb's containment radius in metres,
  from NIC and its supplements, taken as a 95 % bound); else its ``nic``
  (``uncertainty.sigma_from_nic``, the largest radius of that NIC). Each
  details object is a snapshot: a field it lacks is not taken from an older
  one (readsb leaves ``nac_p`` out when it no longer holds one). Null before
  the first details, after 60 s without one, and where none of the three is
  usable; a malformed accuracy field never rejects a point.

Flags: bit 0 "stale" means no position had been received for ~15–20 s
*before* this point — the point itself is a fresh position, the path leading
to it is not observed. Such points are kept: rejecting them would discard
real positions and widen the gap; the gap itself is visible in the times and
the crossing rules already grade crossings by it (observed vs inferred).
Bit 1 "new leg" marks readsb's guess at a landing/take-off separation: the
point gets ``leg_start`` = True, and ``tracks`` starts a new segment there,
so no crossing is ever claimed across a leg boundary.

A point is rejected, with the first reason that applies, for: ``not a trace
point`` (not an array), ``wrong number of fields`` (fewer than 7), ``bad
time``, ``bad lat/lon``, ``lat/lon out of range``, ``bad flags``, ``bad
number in geometric altitude``, ``bad altitude``, ``bad number in ground
speed|track|vertical rate``. There are no benign reasons.

A damaged file is read as far as it goes. An element that does not parse is
``bad JSON``, and reading resumes at the next point (readsb starts each point
on a new line); a damaged header member is skipped up to the next member. A
trace that breaks off ends with one reject, ``truncated JSON`` (or ``truncated
gzip data`` / ``corrupt gzip data`` when the gzip stream is what broke), on
the point cut short or, after a whole point, on the record after it.
InputError when nothing is readable: not a JSON object, no ``trace`` array,
no usable ``timestamp``, or not one point that can be read. The file is read
into memory whole (a trace is one aircraft for at most a day: a few MB).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from airwitness import reasons, uncertainty
from airwitness.errors import InputError
from airwitness.io._convert import T_MAX_NS, T_MIN_NS, labels
from airwitness.io._source import Salvage, Source
from airwitness.io.options import ReadOptions
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult, Reject, make_table

NAME = "readsb"
STALE, NEW_LEG, VRATE_GEOM, ALT_GEOM = 1, 2, 4, 8
MIN_FIELDS = 7
#: a details object's accuracy holds for the points at most this long after it
ACCURACY_MAX_AGE_S = 60.0
MAX_SECONDS = 1e11  # |timestamp| and |offset| beyond this are no time (and would overflow)

_ICAO_RE = re.compile(rb'"icao"\s*:\s*"')
_TRACE_RE = re.compile(rb'"trace"\s*:\s*\[')
_POINT_START = re.compile(r"\n[ \t\r]*\[")
_MEMBER_START = re.compile(r'[\n,][ \t\r\n]*(?="[^"\n]*"[ \t]*:)')
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_KINDS = ["baro", "geo", "agl"]


def sniff(head: bytes, extension: str) -> bool:
    """True for a JSON object with an ``icao`` string and a ``trace`` array."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return (
        text.startswith(b"{")
        and _ICAO_RE.search(text) is not None
        and _TRACE_RE.search(text) is not None
    )


def read(
    path: str | Path, stream: BinaryIO | None = None, options: ReadOptions | None = None
) -> ReadResult:
    """Read a readsb / tar1090 trace file (see the module docs)."""
    src = Source(path, stream)
    blocks = Salvage(src)
    data = b"".join(blocks).removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        raise src.fail("empty file")
    doc = _parse(src, data)
    if "trace" not in doc.header:
        raise src.fail("not a readsb trace: no 'trace' array")
    if not isinstance(doc.header["trace"], list):
        raise src.fail("not a readsb trace: 'trace' is not an array")
    base = doc.header.get("timestamp")
    if not (_is_number(base) and abs(base) < MAX_SECONDS):
        raise src.fail("not a readsb trace: no numeric 'timestamp'")
    points, end = doc.points, doc.end
    if blocks.damage is not None:  # the gzip stream broke off (or failed its CRC)
        end = blocks.damage
    last = points[-1] if points else None
    if end is not None and isinstance(last, _Broken) and last.reason == reasons.TRUNCATED_JSON:
        points[-1], end = _Broken(end), None  # the point cut short carries the reason
    columns = _Columns(_track_id(src, doc.header.get("icao")), round(base * 1e6))
    for i, point in enumerate(points, start=1):
        columns.add(i, point)
    rejects = [Reject(src.name, r, why) for r, why in columns.rejects]
    if end is not None:
        rejects.append(Reject(src.name, len(points) + 1, end))
    if not columns.records and rejects:
        first = rejects[0]
        raise InputError(src.name, f"no readable trace point ({first.reason})", first.record)
    return ReadResult(columns.table(src.name), rejects, format=NAME)


@dataclass
class _Broken:
    """A trace element that could not be parsed."""

    reason: str


@dataclass
class _Doc:
    header: dict[str, Any] = field(default_factory=dict)
    points: list[Any] = field(default_factory=list)
    #: why the trace ends early (None when its closing bracket was read)
    end: str | None = None


def _parse(src: Source, data: bytes) -> _Doc:
    """The document; a damaged one is parsed element by element, as far as it goes."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return _salvage(src, data.decode("utf-8", errors="replace"))
    if not isinstance(doc, dict):
        raise src.fail("not a readsb trace: the JSON is not an object")
    points = doc.get("trace")
    return _Doc(doc, points if isinstance(points, list) else [], None)


def _salvage(src: Source, text: str) -> _Doc:
    """Parse the top-level object member by member, and the trace point by point.

    After a damaged member, parsing resumes at the next ``"key":`` that starts
    a member, so the members that follow it (and the trace) are still read.
    """
    doc = _Doc()
    pos = _skip_ws(text, 0)
    if not text.startswith("{", pos):
        raise src.fail("not a readsb trace: the JSON is not an object")
    pos += 1
    while (stop := _members(text, pos, doc)) is not None:
        resume = _MEMBER_START.search(text, stop + 1)
        if resume is None:
            break
        pos = resume.end()
    return doc


def _members(text: str, pos: int, doc: _Doc) -> int | None:
    """Members from ``pos`` into ``doc``: None at the closing brace, else where parsing failed."""
    while True:
        pos = _skip_ws(text, pos)
        if text.startswith("}", pos):
            return None
        try:
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if not isinstance(key, str) or not text.startswith(":", pos):
                return pos
            pos = _skip_ws(text, pos + 1)
            if key == "trace" and text.startswith("[", pos):
                doc.header["trace"] = doc.points
                pos = _trace(text, pos + 1, doc)
                if doc.end is not None:
                    return None  # the text ends inside the trace
            else:
                doc.header[key], pos = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            return pos  # a damaged member: the caller looks for the trace beyond it
        pos = _skip_ws(text, pos)
        if not text.startswith(",", pos):
            return pos
        pos += 1


def _trace(text: str, pos: int, doc: _Doc) -> int:
    """Points from just after ``[`` to just after ``]``; sets ``doc.end`` when cut short."""
    points = doc.points
    pos = _skip_ws(text, pos)
    if text.startswith("]", pos):
        return pos + 1
    while True:
        start = pos = _skip_ws(text, pos)
        if pos >= len(text):
            doc.end = reasons.TRUNCATED_JSON
            return pos
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            value = _Broken(reasons.BAD_JSON)
        else:
            pos = _skip_ws(text, pos)
            if text.startswith(",", pos):
                points.append(value)
                pos += 1
                continue
            if text.startswith("]", pos):
                points.append(value)
                return pos + 1
            if pos >= len(text):
                points.append(value)
                doc.end = reasons.TRUNCATED_JSON
                return pos
            value = _Broken(reasons.BAD_JSON)  # garbage after it: it may be part of the garbage
        nxt = _POINT_START.search(text, start + 1)
        if nxt is None:  # the last element: cut by the end of the text, or garbage
            if _runs_out(text):
                value, doc.end = _Broken(reasons.TRUNCATED_JSON), reasons.TRUNCATED_JSON
            points.append(value)
            return len(text)
        points.append(value)
        pos = nxt.end() - 1


def _runs_out(text: str) -> bool:
    """True when the text stops before the document's closing brace (it was cut short)."""
    return not text.rstrip().endswith("}")


def _skip_ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    return m.end() if m else pos


def _is_number(v: object) -> bool:
    """A finite JSON number (JSON integers can exceed the float range)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _track_id(src: Source, icao: object) -> str:
    if isinstance(icao, str) and icao.strip():
        return icao.strip().lower()
    stem = src.stem
    for prefix in ("trace_full_", "trace_recent_"):
        stem = stem.removeprefix(prefix)
    return stem.lower()


class _Columns:
    """Accepted points as columns, and (record, reason) of the rejected ones."""

    def __init__(self, track_id: str, base_us: int) -> None:
        self.track_id = track_id
        self.base_us = base_us
        self.callsign: str | None = None
        #: (σ or NaN, time in µs) of the newest details object
        self.accuracy: tuple[float, int] | None = None
        self.rejects: list[tuple[int, str]] = []
        self.records: list[int] = []
        self.time: list[int] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.alt: list[float] = []
        self.kind: list[int] = []
        self.gs: list[float] = []
        self.trk: list[float] = []
        self.vr: list[float] = []
        self.calls: list[str | None] = []
        self.legs: list[bool] = []
        self.sigma: list[float] = []
        self.sensors: list[str] = []  # per point: adsb, mlat or tisb

    def add(self, record: int, p: Any) -> None:
        reason = self._add(record, p)
        if reason is not None:
            self.rejects.append((record, reason))

    def _add(self, record: int, p: Any) -> str | None:
        if isinstance(p, _Broken):
            return p.reason
        if not isinstance(p, list):
            return reasons.NOT_A_TRACE_POINT
        if len(p) < MIN_FIELDS:
            return reasons.WRONG_NUMBER_OF_FIELDS
        offset = p[0]
        if not (_is_number(offset) and abs(offset) < MAX_SECONDS):
            return reasons.BAD_TIME
        t_us = self.base_us + round(offset * 1e6)
        if not T_MIN_NS <= t_us * 1000 < T_MAX_NS:
            return reasons.BAD_TIME
        lat, lon = p[1], p[2]
        if not (_is_number(lat) and _is_number(lon)):
            return reasons.BAD_LAT_LON
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return reasons.LAT_LON_OUT_OF_RANGE
        flags = p[6]
        if flags is None:
            flags = 0
        elif not isinstance(flags, int) or isinstance(flags, bool) or flags < 0:
            return reasons.BAD_FLAGS
        altitude = p[3]
        geo_alt = _field(p, 10)
        if geo_alt is _BAD:
            return reasons.bad_number_in("geometric altitude")
        if altitude == "ground":
            alt, kind = 0.0, 2
        elif altitude is None:
            alt, kind = (math.nan, -1) if geo_alt is None else (geo_alt * FT_TO_M, 1)
        elif _is_number(altitude):
            alt, kind = altitude * FT_TO_M, 1 if flags & ALT_GEOM else 0
        else:
            return reasons.BAD_ALTITUDE
        numbers = []
        for i, what in ((4, "ground speed"), (5, "track"), (7, "vertical rate")):
            v = _field(p, i)
            if v is _BAD:
                return reasons.bad_number_in(what)
            numbers.append(math.nan if v is None else v)
        if flags & NEW_LEG:
            self.callsign = None
        details = _field(p, 8, number=False)
        if isinstance(details, dict):
            flight = details.get("flight")
            if isinstance(flight, str):
                self.callsign = flight.strip() or None
            self.accuracy = (_details_sigma(details), t_us)
        self.records.append(record)
        self.time.append(t_us * 1000)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.alt.append(float(alt))
        self.kind.append(kind)
        self.gs.append(numbers[0] * KT_TO_MPS)
        self.trk.append(float(numbers[1]))
        self.vr.append(numbers[2] * FPM_TO_MPS)
        self.calls.append(self.callsign)
        self.legs.append(bool(flags & NEW_LEG))
        self.sigma.append(self._sigma_at(t_us))
        self.sensors.append(_sensor(_field(p, 9, number=False)))
        return None

    def _sigma_at(self, t_us: int) -> float:
        """σ of the newest details at most ACCURACY_MAX_AGE_S before ``t_us`` (NaN: none)."""
        if self.accuracy is None:
            return math.nan
        sigma, since_us = self.accuracy
        return sigma if 0 <= t_us - since_us <= ACCURACY_MAX_AGE_S * 1e6 else math.nan

    def table(self, name: str) -> pa.Table:
        n = len(self.records)
        track_id = pa.array([self.track_id] * n, pa.string())
        columns = {
            "track_id": track_id,
            "identity": track_id,  # the address ("~" for a non-ICAO one)
            "sensor": pa.array(self.sensors, pa.string()),
            "time": np.asarray(self.time, dtype=np.int64),
            "lon": np.asarray(self.lon, dtype=np.float64),
            "lat": np.asarray(self.lat, dtype=np.float64),
            "alt_m": np.asarray(self.alt, dtype=np.float64),
            "alt_kind": labels(np.asarray(self.kind, dtype=np.int8), _KINDS),
            "ground_speed_mps": np.asarray(self.gs, dtype=np.float64),
            "track_deg": np.asarray(self.trk, dtype=np.float64),
            "vrate_mps": np.asarray(self.vr, dtype=np.float64),
            "callsign": pa.array(self.calls, pa.string()),
            "source_record": np.asarray(self.records, dtype=np.int64),
            "leg_start": pa.array(self.legs, pa.bool_()),
            "pos_sigma_m": np.asarray(self.sigma, dtype=np.float64),
        }
        return make_table(columns, source=NAME, source_file=name)


def _details_sigma(details: dict) -> float:
    """σ stated by a details object: NACp, else ``rc``, else NIC (module docs); NaN if none."""
    sigma = uncertainty.sigma_from_nacp(_code(details.get("nac_p")))
    if sigma is None:
        rc = details.get("rc")
        if _is_number(rc) and rc > 0:
            sigma = uncertainty.sigma_from_r95(float(rc))
    if sigma is None:
        sigma = uncertainty.sigma_from_nic(_code(details.get("nic")))
    return math.nan if sigma is None else sigma


def _code(v: object) -> int | None:
    """A JSON integer code, else None (a bool, float or text is no NACp or NIC)."""
    return v if isinstance(v, int) and not isinstance(v, bool) else None


_BAD = object()


def _sensor(source_type: Any) -> str:
    """The schema's ``sensor`` of a trace point, from readsb's source type."""
    if source_type == "mlat":
        return "mlat"
    if isinstance(source_type, str) and source_type.startswith("tisb"):
        return "tisb"
    return "adsb"


def _field(p: list, i: int, number: bool = True) -> Any:
    """Field ``i`` (None when absent or null); _BAD for a non-number where one is due."""
    v = p[i] if i < len(p) else None
    if v is None or not number:
        return v
    return v if _is_number(v) else _BAD
