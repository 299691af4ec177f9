"""Shared core of the raw Mode S / ADS-B readers (``modes_raw``, ``beast``, ``avr``).

A reader hands over timed messages (:class:`Messages`: time, the message
bytes, record number, byte offset) and gets back the canonical table. Every
message becomes exactly one row or one reject.

How a message is judged, in order:

1. Structure and CRC (numpy, all messages at once): the downlink format (DF)
   must be a known one and the message long enough for it (``undecodable
   message``); DF 17/18 must have a zero CRC residual and DF 11 a residual
   that is only the interrogator code (``bad CRC``). DF 0/4/5/16/20/21 carry
   their address in the parity, so they cannot be checked without a list of
   known aircraft: they, DF 11, DF 19, DF 24+ and Mode A/C replies are valid
   messages without a position (``no position``, benign).
2. ADS-B messages that matter (DF 17/18, type codes 1–22) are decoded by
   ``rs1090`` (Rust), in chunks so memory stays bounded: identification
   (callsign), surface position (TC 5–8), airborne position (TC 9–18
   barometric, 20–22 GNSS height) and airborne velocity (TC 19). Other type
   codes (status, intent, test) are ``no position``. DF 18 with control field
   3 (coarse TIS-B, a different layout that rs1090 does not distinguish) is
   ``unsupported message``; CF 4 (TIS-B management) is ``no position``; CF 7
   (reserved) is ``undecodable message``.
3. Positions are resolved from the CPR fields by :func:`_resolve` (numba),
   aircraft by aircraft in time order, because neither decoder package does
   what evidence needs in batch: rs1090's batch decoder forgets an aircraft's
   position whenever two frames of the same parity follow each other and
   never uses a receiver reference for airborne frames; pyModeS's
   ``PipeDecoder`` is pure Python. The rules (DO-260B §A.1.7, as dump1090 and
   readsb apply them):

   - airborne, global: an even and an odd frame of the same aircraft at most
     ``PAIR_MAX_S`` (10 s) apart; both latitudes must lie in the same
     longitude-zone band (NL equal), as pyModeS checks; rs1090 does not;
   - airborne, local: one frame decoded against the aircraft's own last
     position when that is at most ``LOCAL_MAX_AGE_S`` (120 s) old — the
     frame is unambiguous within half a zone (≥ 180 NM), farther than any
     aircraft flies in that time — else against the user's reference
     (``ReadOptions.reference``, the receiver). As every aircraft is assumed
     within ``MAX_RANGE_M`` (600 km, 324 NM) of the receiver, a wrong
     decoding lands at least 360 NM − 600 km = 66.7 km away from it
     (dump1090's rule), so only results closer than ``REF_LOCAL_MAX_M``
     are trusted; the others wait for a pair;
   - surface (TC 5–8; 90° zones, so always a reference is needed): a pair at
     most ``SURFACE_PAIR_MAX_S`` (25 s) apart resolved against the own last
     position or the reference (any distance up to thousands of km picks the
     right quadrant), else one frame against the own position (≤ 120 s old)
     or the reference (trusted within 45 NM of it);
   - a global pair is preferred whenever there is one; a position from it
     re-seeds the local chain.

   A position frame none of this resolves is ``CPR unresolved`` (benign: the
   first frames of every aircraft before its first pair are normal data).
   With a reference, a position more than ``MAX_RANGE_M`` (600 km) from it is
   ``position out of receiver range`` and does not seed later frames.

Each position row carries the newest velocity (TC 19, same aircraft) seen at
most ``VELOCITY_MAX_AGE_S`` (10 s) before it and the newest callsign seen at
most ``CALLSIGN_MAX_AGE_S`` (30 s) before it (identification is broadcast
only every 5–10 s, and a callsign rarely changes, so 10 s would leave many
rows without one). Surface rows take ground speed and track from the
surface message itself and have ``alt_m = 0`` with ``alt_kind = 'agl'``
(the aircraft says it is on the ground). GNSS height (TC 20–22) is ``geo``
and decoded as rs1090 decodes it (the 12-bit altitude code, feet; pyModeS
reads it as metres — readsb and dump1090 agree with rs1090).

Track ids are the 24-bit address as 6 lower-case hex digits. DF 18 frames
with a non-ICAO address (CF 1 and 5, and CF 2/6 with the IMF bit set in a
position or velocity frame) get a ``~`` prefix, as readsb and tar1090 write
them, so they never merge with the aircraft that owns that ICAO address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rs1090

from airwitness.errors import InputError
from airwitness.io._convert import Checks, labels
from airwitness.io.options import ReadOptions
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult, Reject, make_table

NO_POSITION = "no position"
CPR_UNRESOLVED = "CPR unresolved"
BAD_CRC = "bad CRC"
UNDECODABLE = "undecodable message"
UNSUPPORTED = "unsupported message"
OUT_OF_RANGE = "position out of receiver range"

PAIR_MAX_S = 10.0
SURFACE_PAIR_MAX_S = 25.0
LOCAL_MAX_AGE_S = 120.0
VELOCITY_MAX_AGE_S = 10.0
CALLSIGN_MAX_AGE_S = 30.0
MAX_RANGE_M = 600_000.0
_NM = 1852.0
#: A frame decoded against the receiver is trusted only this close to it: an aircraft
#: truly up to MAX_RANGE_M away aliases to at least (360 NM - MAX_RANGE_M) (dump1090's rule).
REF_LOCAL_MAX_M = 360 * _NM - MAX_RANGE_M
#: Surface frames against the receiver: valid within 45 NM (90 NM zones).
SURFACE_REF_MAX_M = 45 * _NM

#: Messages handed to rs1090 at once (bounds the memory of its Python dicts).
DECODE_CHUNK = 100_000

_NS = 1_000_000_000
_LONG = 14  # bytes of a long (112-bit) Mode S message

# Kinds of ADS-B messages the resolver looks at.
_AIR, _SURFACE, _VELOCITY, _IDENT = 0, 1, 2, 3
# Resolver verdicts per position message.
_OK, _UNRESOLVED, _FAR = 0, 1, 2


@dataclass
class Messages:
    """Timed raw messages from a reader, one entry per record.

    ``frames`` holds the message bytes left-aligned in 14 columns; ``nbytes``
    is 2 (Mode A/C), 7 (short), 14 (long) or 0 (not a message: the reader
    has flagged it in ``checks``). ``checks`` carries the reader's own
    rejects (bad time, bad hex, ...); entries it flagged are left alone.
    """

    record: np.ndarray  # int64, 1-based record number
    time_ns: np.ndarray  # int64
    frames: np.ndarray  # uint8 (n, 14)
    nbytes: np.ndarray  # int8
    checks: Checks
    offset: np.ndarray | None = None  # int64 byte offset of each record

    def __len__(self) -> int:
        return len(self.record)


# --- hex text -------------------------------------------------------------

_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX[_c] = 10 + _i


def hex_frames(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Hex text -> ``(frames uint8[n, 14], nbytes int8[n])``, vectorised.

    ``values`` is a string or binary array, already trimmed. Accepted lengths
    are 4 (Mode A/C), 14 and 28 hex digits; anything else, any non-hex
    character or a null gives ``nbytes = 0``.
    """
    n = len(values)
    frames = np.zeros((n, _LONG), dtype=np.uint8)
    nbytes = np.zeros(n, dtype=np.int8)
    for digits in (4, 14, 28):
        got, ok = hex_fixed(values, digits)
        frames[ok, : digits // 2] = got[ok]
        nbytes[ok] = digits // 2
    return frames, nbytes


def hex_fixed(values: pa.Array, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """Values of exactly ``digits`` hex digits -> ``(bytes uint8[n, digits/2], ok mask)``."""
    arr = values if pa.types.is_large_binary(values.type) else values.cast(pa.large_binary())
    n = len(arr)
    out = np.zeros((n, digits // 2), dtype=np.uint8)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return out, ok
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    sel = np.flatnonzero(valid & (np.diff(offsets) == digits))
    if len(sel) == 0:
        return out, ok
    nib = _HEX[data[offsets[sel, None] + np.arange(digits)[None, :]]]
    good = ~(nib == 255).any(axis=1)
    sel, nib = sel[good], nib[good]
    out[sel] = (nib[:, 0::2] << 4) | nib[:, 1::2]
    ok[sel] = True
    return out, ok


# --- CRC ------------------------------------------------------------------


def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i << 16
        for _ in range(8):
            c = ((c << 1) ^ 0xFFF409) if c & 0x800000 else (c << 1)
        table[i] = c & 0xFFFFFF
    return table


_CRC = _crc_table()


def crc_residual(frames: np.ndarray, nbytes: int) -> np.ndarray:
    """Mode S CRC-24 residual of the first ``nbytes`` of every frame (0 = intact)."""
    crc = np.zeros(len(frames), dtype=np.uint32)
    for k in range(nbytes - 3):
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC[((crc >> 16) ^ frames[:, k]) & 0xFF]
    parity = (
        (frames[:, nbytes - 3].astype(np.uint32) << 16)
        | (frames[:, nbytes - 2].astype(np.uint32) << 8)
        | frames[:, nbytes - 1]
    )
    return crc ^ parity


# --- decoding -------------------------------------------------------------


@dataclass
class _Adsb:
    """Fields of the ADS-B messages worth resolving (index = position in ``which``)."""

    which: np.ndarray  # message indices
    kind: np.ndarray  # _AIR, _SURFACE, _VELOCITY, _IDENT, or -1 (not decoded)
    parity: np.ndarray
    lat_cpr: np.ndarray
    lon_cpr: np.ndarray
    alt_ft: np.ndarray
    gnss: np.ndarray  # bool: TC 20-22
    speed_kt: np.ndarray
    track_deg: np.ndarray
    vrate_fpm: np.ndarray
    callsign: list[str | None]


def decode(src_name: str, source: str, msgs: Messages, options: ReadOptions | None) -> ReadResult:
    """Judge every message and build the canonical table (see the module docs)."""
    with _gc_paused():  # millions of short-lived dicts and Rejects: no point scanning them
        return _decode(src_name, source, msgs, options or ReadOptions())


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _decode(src_name: str, source: str, msgs: Messages, options: ReadOptions) -> ReadResult:
    checks = msgs.checks
    frames, nbytes = msgs.frames, msgs.nbytes
    checks.flag(nbytes == 0, UNDECODABLE)  # readers flag these themselves; never lose one
    todo = checks.ok
    checks.flag(todo & (nbytes == 2), NO_POSITION)  # Mode A/C reply
    df = (frames[:, 0] >> 3).astype(np.int16)
    long_df = df >= 16
    checks.flag(todo & long_df & (nbytes == 7), UNDECODABLE)  # long format cut short
    known = np.isin(df, (0, 4, 5, 11, 16, 17, 18, 19, 20, 21)) | (df >= 24)
    checks.flag(todo & ~known, UNDECODABLE)

    es = checks.ok & (nbytes == _LONG) & ((df == 17) | (df == 18))
    dl = checks.ok & (nbytes >= 7) & (df == 11)
    bad = np.zeros(len(msgs), dtype=bool)
    if es.any():
        bad[es] = crc_residual(frames[es], _LONG) != 0
    if dl.any():
        bad[dl] = (crc_residual(frames[dl], 7) & 0xFFFF80) != 0
    checks.flag(bad, BAD_CRC)
    checks.flag(checks.ok & (nbytes > 2) & ~((df == 17) | (df == 18)), NO_POSITION)

    # DF 17/18 from here on.
    cf = (frames[:, 0] & 7).astype(np.int16)
    is18 = df == 18
    checks.flag(is18 & (cf == 3), UNSUPPORTED)
    checks.flag(is18 & (cf == 4), NO_POSITION)
    checks.flag(is18 & (cf == 7), UNDECODABLE)
    tc = (frames[:, 4] >> 3).astype(np.int16)
    checks.flag(checks.ok & ((tc < 1) | (tc > 22)), NO_POSITION)

    which = np.flatnonzero(checks.ok)
    adsb = _decode_adsb(frames, which, tc)
    checks.flag(_mask(len(msgs), which[adsb.kind < 0]), UNDECODABLE)
    keep = adsb.kind >= 0
    adsb = _select(adsb, keep)
    which = adsb.which
    checks.flag(
        _mask(len(msgs), which[(adsb.kind == _VELOCITY) | (adsb.kind == _IDENT)]), NO_POSITION
    )

    key = _track_keys(frames[which], tc[which], cf[which], is18[which])
    lat, lon, status, vel, ident = _resolve_all(adsb, key, msgs.time_ns[which], options)
    is_pos = (adsb.kind == _AIR) | (adsb.kind == _SURFACE)
    checks.flag(_mask(len(msgs), which[is_pos & (status == _UNRESOLVED)]), CPR_UNRESOLVED)
    checks.flag(_mask(len(msgs), which[is_pos & (status == _FAR)]), OUT_OF_RANGE)

    rows = is_pos & (status == _OK)
    table = _table(src_name, source, msgs, adsb, key, rows, lat, lon, vel, ident)
    rejects = _rejects(src_name, checks, msgs)
    return ReadResult(table, rejects, format=source)


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return m


def _decode_adsb(frames: np.ndarray, which: np.ndarray, tc: np.ndarray) -> _Adsb:
    """Decode the selected DF 17/18 messages with rs1090, each distinct frame once.

    Captures repeat frames a lot (an identification is the same all flight,
    a cruising aircraft's velocity for minutes; about a third to a half of
    real DF 17 traffic): without timestamps rs1090's result depends on the
    frame alone, so duplicates are decoded once and the fields copied.
    """
    first, inverse = _distinct(frames[which])
    n = len(first)
    out = _Adsb(
        which=which[first],
        kind=np.full(n, -1, dtype=np.int8),
        parity=np.zeros(n, dtype=np.int8),
        lat_cpr=np.zeros(n, dtype=np.int32),
        lon_cpr=np.zeros(n, dtype=np.int32),
        alt_ft=np.full(n, np.nan),
        gnss=(tc[which[first]] >= 20),
        speed_kt=np.full(n, np.nan),
        track_deg=np.full(n, np.nan),
        vrate_fpm=np.full(n, np.nan),
        callsign=[None] * n,
    )
    for start in range(0, n, DECODE_CHUNK):
        stop = min(n, start + DECODE_CHUNK)
        hexes = _hex_list(frames[out.which[start:stop]])
        decoded = _aligned(hexes, rs1090.decode(hexes))
        _fields(decoded, out, start)
    expanded = _select(out, inverse)
    expanded.which = which
    return expanded


def _distinct(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, inverse)``: index of one frame per distinct value, and each frame's value."""
    m = len(frames)
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    padded = np.zeros((m, 16), dtype=np.uint8)
    padded[:, :_LONG] = frames
    words = padded.view(np.uint64)  # (m, 2)
    order = np.lexsort((words[:, 1], words[:, 0]))
    ordered = words[order]
    new = np.ones(m, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(m, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return order[new], inverse


_HEX_CHARS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_list(frames: np.ndarray) -> list[str]:
    """Long frames as lower-case hex strings (vectorised; rs1090 takes text)."""
    chars = np.empty((len(frames), 2 * _LONG), dtype=np.uint8)
    chars[:, 0::2] = _HEX_CHARS[frames >> 4]
    chars[:, 1::2] = _HEX_CHARS[frames & 15]
    return chars.view(f"S{2 * _LONG}").ravel().astype(f"U{2 * _LONG}").tolist()


def _aligned(hexes: list[str], decoded: list[dict]) -> list[dict | None]:
    """rs1090's batch output, one entry per input (it silently drops failures)."""
    if len(decoded) == len(hexes):
        return decoded  # type: ignore[return-value]
    out: list[dict | None] = [None] * len(hexes)
    j = 0
    for i, h in enumerate(hexes):
        if j < len(decoded) and decoded[j].get("frame") == h:
            out[i] = decoded[j]
            j += 1
    return out


_KIND = {"05": _AIR, "06": _SURFACE, "09": _VELOCITY, "08": _IDENT}


def _fields(decoded: Sequence[dict | None], out: _Adsb, start: int) -> None:
    """Copy the fields the resolver needs out of rs1090's dicts (a few C-speed passes)."""
    kind = np.array([_KIND.get(d.get("bds"), -1) if d else -1 for d in decoded], dtype=np.int8)
    base = start + np.arange(len(decoded))
    pos = np.flatnonzero((kind == _AIR) | (kind == _SURFACE))
    pos_d = [decoded[i] for i in pos.tolist()]
    lat_cpr, bad_lat = _column(pos_d, "lat_cpr", pa.int64())
    lon_cpr, bad_lon = _column(pos_d, "lon_cpr", pa.int64())
    bad = bad_lat | bad_lon
    kind[pos[bad]] = -1
    at = base[pos]
    out.lat_cpr[at] = np.nan_to_num(lat_cpr).astype(np.int32)
    out.lon_cpr[at] = np.nan_to_num(lon_cpr).astype(np.int32)
    out.parity[at] = [d.get("parity") == "odd" for d in pos_d]
    air = kind[pos] == _AIR
    out.alt_ft[at[air]] = _column(pos_d, "altitude", pa.float64())[0][air]
    moving = np.flatnonzero(kind == _SURFACE).tolist() + np.flatnonzero(kind == _VELOCITY).tolist()
    mov_d = [decoded[i] for i in moving]
    at = base[moving]
    out.speed_kt[at] = _column(mov_d, "groundspeed", pa.float64())[0]
    out.track_deg[at] = _column(mov_d, "track", pa.float64())[0]
    vel = np.flatnonzero(kind == _VELOCITY)
    vel_d = [decoded[i] for i in vel.tolist()]
    out.vrate_fpm[base[vel]] = _column(vel_d, "vertical_rate", pa.float64())[0]
    for i in np.flatnonzero(kind == _IDENT).tolist():
        cs = decoded[i].get("callsign")  # type: ignore[union-attr]
        out.callsign[start + i] = (cs.strip(" _#") or None) if isinstance(cs, str) else None
    out.kind[base] = kind


def _column(dicts: list[dict], name: str, typ: pa.DataType) -> tuple[np.ndarray, np.ndarray]:
    """One field of many dicts as float64 (NaN where missing) and a mask of missing values."""
    values = [d.get(name) for d in dicts]
    try:
        arr = pa.array(values, type=typ, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        arr = pa.array(
            [v if isinstance(v, int | float) and not isinstance(v, bool) else None for v in values],
            type=pa.float64(),
        )
    out = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return out, np.isnan(out)


def _select(a: _Adsb, keep: np.ndarray) -> _Adsb:
    """The entries chosen by a boolean mask or an index array (which may repeat)."""
    idx = np.flatnonzero(keep) if keep.dtype == bool else keep
    if keep.dtype == bool and keep.all():
        return a
    return _Adsb(
        which=a.which[idx],
        kind=a.kind[idx],
        parity=a.parity[idx],
        lat_cpr=a.lat_cpr[idx],
        lon_cpr=a.lon_cpr[idx],
        alt_ft=a.alt_ft[idx],
        gnss=a.gnss[idx],
        speed_kt=a.speed_kt[idx],
        track_deg=a.track_deg[idx],
        vrate_fpm=a.vrate_fpm[idx],
        callsign=[a.callsign[i] for i in idx.tolist()],
    )


def _track_keys(frames: np.ndarray, tc: np.ndarray, cf: np.ndarray, is18: np.ndarray) -> np.ndarray:
    """24-bit address, plus bit 24 set for non-ICAO addresses (DF 18)."""
    addr = (
        (frames[:, 1].astype(np.int64) << 16)
        | (frames[:, 2].astype(np.int64) << 8)
        | frames[:, 3].astype(np.int64)
    )
    # IMF bit of TIS-B fine / ADS-R frames: ME bit 8 in airborne positions,
    # ME bit 21 in surface positions, ME bit 9 in velocities.
    imf = np.zeros(len(frames), dtype=bool)
    air = (tc >= 9) & (tc != 19)
    imf[air] = (frames[air, 4] & 0x01) != 0
    surf = (tc >= 5) & (tc <= 8)
    imf[surf] = (frames[surf, 6] & 0x08) != 0
    vel = tc == 19
    imf[vel] = (frames[vel, 5] & 0x80) != 0
    non_icao = is18 & ((cf == 1) | (cf == 5) | (((cf == 2) | (cf == 6)) & imf))
    return addr | (non_icao.astype(np.int64) << 24)


def _resolve_all(
    a: _Adsb, key: np.ndarray, time_ns: np.ndarray, options: ReadOptions
) -> tuple[np.ndarray, ...]:
    n = len(key)
    order = np.lexsort((np.arange(n), time_ns, key)).astype(np.int64)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    status = np.full(n, _UNRESOLVED, dtype=np.int8)
    vel = np.full(n, -1, dtype=np.int64)
    ident = np.full(n, -1, dtype=np.int64)
    ref = options.reference
    has_ref = ref is not None
    ref_lat, ref_lon = (float(ref[0]), float(ref[1])) if ref is not None else (0.0, 0.0)
    if n:
        _resolve(
            order, key, time_ns, a.kind, a.parity, a.lat_cpr, a.lon_cpr,
            has_ref, ref_lat, ref_lon, lat, lon, status, vel, ident,
        )  # fmt: skip
    return lat, lon, status, vel, ident


# --- CPR (numba) ----------------------------------------------------------


def _nl_boundaries() -> np.ndarray:
    """Latitudes where the number of longitude zones NL steps down (DO-260B A.1.7.2, NZ=15)."""
    a = 1.0 - math.cos(math.pi / 30.0)
    out = [
        math.degrees(math.acos(math.sqrt(a / (1.0 - math.cos(2.0 * math.pi / k)))))
        for k in range(59, 1, -1)
    ]
    out[-1] = 87.0  # NL = 2 up to 87°, 1 beyond (the closed form is exact only in the limit)
    return np.array(out)


_NL_LAT = _nl_boundaries()
_CPR_MAX = 131072.0
_EARTH_M = 6_371_008.8


@nb.njit(cache=True, nogil=True)
def _nl(lat: float) -> int:
    x = abs(lat)
    if x > 87.0:
        return 1
    if x == 87.0:
        return 2
    return 59 - np.searchsorted(_NL_LAT, x, side="right")


@nb.njit(cache=True, nogil=True)
def _fmod(a: float, b: float) -> float:
    return a - b * math.floor(a / b)


@nb.njit(cache=True, nogil=True)
def _wrap(lon: float) -> float:
    return _fmod(lon + 180.0, 360.0) - 180.0


@nb.njit(cache=True, nogil=True)
def _local(odd: int, ylat: int, xlon: int, ref_lat: float, ref_lon: float, span: float):
    """One frame against a reference within half a zone: DO-260B A.1.7.5 / A.1.7.6."""
    cpr_lat = ylat / _CPR_MAX
    cpr_lon = xlon / _CPR_MAX
    dlat = span / (59.0 if odd else 60.0)
    j = math.floor(ref_lat / dlat) + math.floor(0.5 + _fmod(ref_lat, dlat) / dlat - cpr_lat)
    lat = dlat * (j + cpr_lat)
    ni = _nl(lat) - odd
    dlon = span / ni if ni > 0 else span
    m = math.floor(ref_lon / dlon) + math.floor(0.5 + _fmod(ref_lon, dlon) / dlon - cpr_lon)
    return lat, _wrap(dlon * (m + cpr_lon))


@nb.njit(cache=True, nogil=True)
def _pair_lats(ye: int, yo: int, span: float):
    lat_e_cpr = ye / _CPR_MAX
    lat_o_cpr = yo / _CPR_MAX
    j = math.floor(59.0 * lat_e_cpr - 60.0 * lat_o_cpr + 0.5)
    lat_e = span / 60.0 * (_fmod(j, 60.0) + lat_e_cpr)
    lat_o = span / 59.0 * (_fmod(j, 59.0) + lat_o_cpr)
    return lat_e, lat_o


@nb.njit(cache=True, nogil=True)
def _pair_lon(lat: float, xe: int, xo: int, newer_odd: int, span: float) -> float:
    nl = _nl(lat)
    ni = max(nl - newer_odd, 1)
    m = math.floor(xe / _CPR_MAX * (nl - 1) - xo / _CPR_MAX * nl + 0.5)
    c = (xo if newer_odd else xe) / _CPR_MAX
    return span / ni * (_fmod(m, ni) + c)


@nb.njit(cache=True, nogil=True)
def _global_air(ye: int, xe: int, yo: int, xo: int, newer_odd: int):
    """Even/odd airborne pair: DO-260B A.1.7.3, with the NL consistency check."""
    lat_e, lat_o = _pair_lats(ye, yo, 360.0)
    if lat_e >= 270.0:
        lat_e -= 360.0
    if lat_o >= 270.0:
        lat_o -= 360.0
    if abs(lat_e) > 90.0 or abs(lat_o) > 90.0 or _nl(lat_e) != _nl(lat_o):
        return False, 0.0, 0.0
    lat = lat_o if newer_odd else lat_e
    return True, lat, _wrap(_pair_lon(lat, xe, xo, newer_odd, 360.0))


@nb.njit(cache=True, nogil=True)
def _global_surface(ye: int, xe: int, yo: int, xo: int, newer_odd: int, rlat: float, rlon: float):
    """Even/odd surface pair (A.1.7.4): the reference picks hemisphere and quadrant."""
    lat_e, lat_o = _pair_lats(ye, yo, 90.0)
    newer = lat_o if newer_odd else lat_e
    if abs(rlat - (newer - 90.0)) < abs(rlat - newer):
        lat_e -= 90.0
        lat_o -= 90.0
    if _nl(lat_e) != _nl(lat_o):
        return False, 0.0, 0.0
    lat = lat_o if newer_odd else lat_e
    base = _pair_lon(lat, xe, xo, newer_odd, 90.0)
    best, best_d = 0.0, 1e9
    for q in range(4):
        cand = _wrap(base + 90.0 * q)
        d = abs(_wrap(cand - rlon))
        if d < best_d:
            best, best_d = cand, d
    return True, lat, best


@nb.njit(cache=True, nogil=True)
def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))


@nb.njit(cache=True, nogil=True)
def _resolve(
    order, key, t, kind, parity, ylat, xlon, has_ref, ref_lat, ref_lon,
    lat_out, lon_out, status, vel_out, ident_out,
):  # fmt: skip
    """Walk each aircraft's messages in time order, resolving CPR positions."""
    pair_ns = np.int64(PAIR_MAX_S * 1e9)
    spair_ns = np.int64(SURFACE_PAIR_MAX_S * 1e9)
    local_ns = np.int64(LOCAL_MAX_AGE_S * 1e9)
    vel_ns = np.int64(VELOCITY_MAX_AGE_S * 1e9)
    id_ns = np.int64(CALLSIGN_MAX_AGE_S * 1e9)
    n = len(order)
    i = 0
    while i < n:
        k = key[order[i]]
        # per aircraft: last frame of each (surface?, parity): message index, -1 = none
        last = np.full(4, -1, dtype=np.int64)
        have_pos = False
        pos_t = np.int64(0)
        pos_lat = 0.0
        pos_lon = 0.0
        last_vel = -1
        last_id = -1
        while i < n and key[order[i]] == k:
            r = order[i]
            i += 1
            kd = kind[r]
            if kd == 2:
                last_vel = r
                continue
            if kd == 3:
                last_id = r
                continue
            tr = t[r]
            odd = parity[r]
            surface = kd == 1
            slot = 2 * kd + odd
            other = last[2 * kd + 1 - odd]
            ok = False
            la = 0.0
            lo = 0.0
            recent = have_pos and tr - pos_t <= local_ns
            if not surface:
                if other >= 0 and tr - t[other] <= pair_ns:
                    e = other if odd else r
                    o = r if odd else other
                    ok, la, lo = _global_air(ylat[e], xlon[e], ylat[o], xlon[o], odd)
                if not ok and recent:
                    la, lo = _local(odd, ylat[r], xlon[r], pos_lat, pos_lon, 360.0)
                    ok = True
                if not ok and has_ref:
                    la, lo = _local(odd, ylat[r], xlon[r], ref_lat, ref_lon, 360.0)
                    ok = _distance_m(la, lo, ref_lat, ref_lon) <= REF_LOCAL_MAX_M
            else:
                if other >= 0 and tr - t[other] <= spair_ns and (have_pos or has_ref):
                    e = other if odd else r
                    o = r if odd else other
                    qlat = pos_lat if have_pos else ref_lat
                    qlon = pos_lon if have_pos else ref_lon
                    ok, la, lo = _global_surface(
                        ylat[e], xlon[e], ylat[o], xlon[o], odd, qlat, qlon
                    )
                if not ok and recent:
                    la, lo = _local(odd, ylat[r], xlon[r], pos_lat, pos_lon, 90.0)
                    ok = True
                if not ok and has_ref:
                    la, lo = _local(odd, ylat[r], xlon[r], ref_lat, ref_lon, 90.0)
                    ok = _distance_m(la, lo, ref_lat, ref_lon) <= SURFACE_REF_MAX_M
            last[slot] = r
            if not ok:
                continue
            if has_ref and _distance_m(la, lo, ref_lat, ref_lon) > MAX_RANGE_M:
                status[r] = 2
                continue
            status[r] = 0
            lat_out[r] = la
            lon_out[r] = lo
            have_pos = True
            pos_t = tr
            pos_lat = la
            pos_lon = lo
            if last_vel >= 0 and tr - t[last_vel] <= vel_ns:
                vel_out[r] = last_vel
            if last_id >= 0 and tr - t[last_id] <= id_ns:
                ident_out[r] = last_id


# --- output ---------------------------------------------------------------


def _table(
    src_name: str,
    source: str,
    msgs: Messages,
    a: _Adsb,
    key: np.ndarray,
    rows: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    vel: np.ndarray,
    ident: np.ndarray,
) -> pa.Table:
    idx = np.flatnonzero(rows)
    idx = idx[np.argsort(a.which[idx], kind="stable")]  # input order
    surface = a.kind[idx] == _SURFACE
    v = vel[idx]
    has_v = v >= 0
    vi = np.where(has_v, v, 0)
    speed = np.where(surface, a.speed_kt[idx], np.where(has_v, a.speed_kt[vi], np.nan))
    track = np.where(surface, a.track_deg[idx], np.where(has_v, a.track_deg[vi], np.nan))
    vrate = np.where(surface | ~has_v, np.nan, a.vrate_fpm[vi])
    alt_m = np.where(surface, 0.0, a.alt_ft[idx] * FT_TO_M)
    kind_code = np.where(surface, 2, np.where(a.gnss[idx], 1, 0))
    kind_code = np.where(np.isnan(alt_m), -1, kind_code)
    ids = ident[idx]
    callsign = pa.array([a.callsign[j] if j >= 0 else None for j in ids.tolist()], pa.string())
    which = a.which[idx]
    columns = {
        "track_id": _track_ids(key[idx]),
        "time": msgs.time_ns[which],
        "lon": lon[idx],
        "lat": lat[idx],
        "alt_m": alt_m,
        "alt_kind": labels(kind_code, ["baro", "geo", "agl"]),
        "ground_speed_mps": speed * KT_TO_MPS,
        "track_deg": track,
        "vrate_mps": vrate * FPM_TO_MPS,
        "callsign": callsign,
        "source_record": msgs.record[which],
    }
    return make_table(columns, source=source, source_file=src_name)


def _track_ids(keys: np.ndarray) -> pa.Array:
    """Keys -> ``'4ca2d4'`` or ``'~4ca2d4'`` strings, formatting each distinct key once."""
    if len(keys) == 0:
        return pa.array([], pa.string())
    order = np.argsort(keys, kind="stable")  # sort-based: np.unique is slow on many ints
    ordered = keys[order]
    new = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    uniq = ordered[new]
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    names = pa.array(
        [("~" if k >> 24 else "") + format(k & 0xFFFFFF, "06x") for k in uniq.tolist()],
        pa.string(),
    )
    return pc.take(names, pa.array(inverse.astype(np.int32)))


def _rejects(src_name: str, checks: Checks, msgs: Messages) -> list[Reject]:
    idx = np.flatnonzero(checks.code)
    reasons = checks.reasons
    records = msgs.record[idx].tolist()
    codes = checks.code[idx].tolist()
    if msgs.offset is None:
        return [Reject(src_name, r, reasons[c]) for r, c in zip(records, codes, strict=True)]
    offsets = msgs.offset[idx].tolist()
    return [
        Reject(src_name, r, reasons[c], o) for r, c, o in zip(records, codes, offsets, strict=True)
    ]


# --- damaged gzip streams -------------------------------------------------


# --- relative clocks (Beast, AVR with MLAT timestamps) ---------------------

MLAT_HZ = 12_000_000
#: readsb marks synthetic messages built from multilateration results with this value
MAGIC_MLAT = 0xFF004D4C4154
NO_TIMESTAMP = "no timestamp"
BAD_TIMESTAMP = "bad timestamp"
CLOCK_RESET = "receiver clock reset"


def counter_times(
    src_name: str,
    counter: np.ndarray,
    usable: np.ndarray,
    options: ReadOptions | None,
    what: str,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Absolute times from 48-bit receiver timestamps: ``(time_ns, {reason: mask})``.

    ``usable`` marks the records that carry a message. Two clocks exist:

    - a free-running 12 MHz counter (dump1090, readsb, Beast hardware):
      ``time = options.start_time_ns + (counter - first counter) / 12 MHz``,
      exact to the nanosecond; without a start time the times are unknown and
      InputError is raised;
    - GPS time of day (Radarcape, OpenSky sensors): the upper 18 bits are
      seconds since midnight UTC, the lower 30 bits nanoseconds. Used when
      the user gives a date (``options.date``) and no start time; midnight
      rollovers add a day. Timestamps that do not fit the layout are ``bad
      timestamp``; if none fits, InputError.

    The masks name records whose time cannot be known: ``no timestamp`` (zero:
    no clock, or readsb's synthetic-MLAT marker), ``bad timestamp`` (a damaged
    value, see :func:`_spikes`: it would otherwise shift or cut the capture),
    ``receiver clock reset`` (from the first sustained jump back by more than a
    second on: the receiver restarted, a new capture needs its own start time).
    """
    options = options or ReadOptions()
    n = len(counter)
    counter = counter.astype(np.int64)
    untimed = usable & ((counter == 0) | (counter == MAGIC_MLAT))
    bad = np.zeros(n, dtype=bool)
    reset = np.zeros(n, dtype=bool)
    masks = {NO_TIMESTAMP: untimed, BAD_TIMESTAMP: bad, CLOCK_RESET: reset}
    time_ns = np.zeros(n, dtype=np.int64)
    timed = np.flatnonzero(usable & ~untimed)
    if len(timed) == 0:
        return time_ns, masks
    c = counter[timed]
    secs, frac = c >> 30, c & 0x3FFFFFFF
    fits = (secs < 86_400) & (frac < _NS)
    gps = options.start_time_ns is None and options.date is not None
    if options.start_time_ns is None and not (gps and fits.any()):
        hint = (
            "; or the date (--date) if they are GPS time of day (Radarcape)"
            if fits.all() and options.date is None
            else ""
        )
        raise InputError(
            src_name,
            f"{what} has only relative timestamps: give the start time (--start-time){hint}",
        )
    if gps:
        values, unit, period = secs * _NS + frac, _NS, 86_400 * _NS
        bad[timed[~fits]] = True
        keep = np.flatnonzero(fits)
    else:
        values, unit, period = c, MLAT_HZ, None
        keep = np.arange(len(c))
    spike = _spikes(values[keep], unit, 3600 * unit, period)
    bad[timed[keep[spike]]] = True
    keep = keep[~spike]
    if len(keep) == 0:
        return time_ns, masks
    v = values[keep]
    if gps:
        time_ns[timed[keep]] = _gps_times(v, options)
        return time_ns, masks
    back = np.flatnonzero(v < np.maximum.accumulate(v) - MLAT_HZ)
    if len(back):  # from the first jump back on, the clock no longer tells the time
        reset[timed[keep[back[0] :]]] = True
    # exact integer ns: delta * 1e9 / 12e6 = delta * 250 / 3
    time_ns[timed[keep]] = options.start_time_ns + ((v - v[0]) * 250) // 3
    return time_ns, masks


def _spikes(v: np.ndarray, tol: int, end_tol: int, period: int | None = None) -> np.ndarray:
    """Damaged values in a clock sequence: inside, a value more than ``tol`` from both
    neighbours, which agree within ``tol`` (a monotonic clock cannot do that); at
    either end, one more than ``end_tol`` from its neighbour, whose own neighbour
    agrees with it (a real gap that long at the very start or end is unlikely).
    With ``period`` the differences are taken around the clock (time of day).
    """
    n = len(v)
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    d = np.diff(v)
    if period is not None:
        d = (d + period // 2) % period - period // 2
    big = np.abs(d) > tol
    out[1:-1] = big[:-1] & big[1:] & (np.abs(d[:-1] + d[1:]) <= tol)
    out[0] = abs(d[0]) > end_tol and not big[1]
    out[-1] = abs(d[-1]) > end_tol and not big[-2]
    return out


def _gps_times(tod: np.ndarray, options: ReadOptions) -> np.ndarray:
    assert options.date is not None
    midnight = dt.datetime.combine(options.date, dt.time(), tzinfo=dt.UTC)
    base = int(midnight.timestamp()) * _NS
    rollover = np.concatenate(([0], np.cumsum(np.diff(tod) < -12 * 3600 * _NS)))
    return base + tod + rollover * 86_400 * _NS
