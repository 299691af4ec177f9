"""Decoding, shared by the raw Mode S / ADS-B readers (``modes_raw``, ``beast``, ``avr``).

A reader hands over timed messages (:class:`~airwitness.io.modes._messages.Messages`:
time, the message bytes, record number, byte offset) and gets back the
canonical table from :func:`decode`. Every
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
   barometric, 20–22 GNSS height) and airborne velocity (TC 19). The NACp
   of operational status (TC 31) and target state (TC 29) messages is read
   from their bits (:func:`_nacp`); they, and the other type codes (other
   status, intent, test), are ``no position``. DF 18 with control field
   3 (coarse TIS-B, a different layout that rs1090 does not distinguish) is
   ``unsupported message``; CF 4 (TIS-B management) is ``no position``; CF 7
   (reserved) is ``undecodable message``.
3. Positions are resolved from the CPR fields, aircraft by aircraft in time
   order, by :mod:`airwitness.io.modes._cpr` (which states the rules). A
   position frame they do not resolve is ``CPR unresolved`` (benign: the
   first frames of every aircraft before its first pair are normal data).
   With a reference, a position more than ``MAX_RANGE_M`` (600 km) from it is
   ``position out of receiver range`` and does not seed later frames.

Each position row carries the newest velocity (TC 19, same aircraft) seen at
most ``VELOCITY_MAX_AGE_S`` (10 s) before it and the newest callsign seen at
most ``CALLSIGN_MAX_AGE_S`` (30 s) before it (identification is broadcast
only every 5–10 s, and a callsign rarely changes, so 10 s would leave many
rows without one). Surface rows take ground speed and track from the
surface message itself and have ``alt_m = 0`` with ``alt_kind = 'agl'``
(the aircraft says it is on the ground).

``pos_sigma_m`` is the EPU of the newest NACp the aircraft stated at most
``ACCURACY_MAX_AGE_S`` (60 s) before the position
(``uncertainty.sigma_from_nacp``): NACp is the accuracy of the position, the
best model the messages give. Where there is none, or it is 0 (unknown) or a
reserved value (12–15), it is the containment radius of the position
message's type code (``uncertainty.sigma_from_typecode``: NIC, an integrity
bound, larger); null for TC 8, 18 and 22 (Rc unknown) without a NACp. A
missing or unusable NACp never costs a position.

GNSS height (TC 20–22) is ``geo`` and decoded as rs1090 decodes it (the
12-bit altitude code, feet; pyModeS reads it as metres — readsb and dump1090
agree with rs1090).

Track ids are the 24-bit address as 6 lower-case hex digits. DF 18 frames
with a non-ICAO address (CF 1 and 5, and CF 2/6 with the IMF bit set in a
position, velocity, target state or operational status frame) get a ``~``
prefix, as readsb and tar1090 write them, so they never merge with the
aircraft that owns that ICAO address.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rs1090

from airwitness import reasons, uncertainty
from airwitness.io._convert import Checks, labels
from airwitness.io.modes._cpr import (
    ACCURACY,
    ACCURACY_MAX_AGE_S,
    AIR,
    CALLSIGN_MAX_AGE_S,
    FAR,
    IDENT,
    OK,
    PAIR_MAX_S,
    SURFACE,
    SURFACE_PAIR_MAX_S,
    UNRESOLVED,
    VELOCITY,
    VELOCITY_MAX_AGE_S,
    Seeds,
    last_positions,
    resolve,
)
from airwitness.io.modes._messages import LONG, Messages, crc_residual
from airwitness.io.options import ReadOptions
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult, Reject, make_table

#: Messages handed to rs1090 at once (bounds the memory of its Python dicts).
DECODE_CHUNK = 100_000


@dataclass
class _Adsb:
    """Fields of the ADS-B messages worth resolving (index = position in ``which``)."""

    which: np.ndarray  # message indices
    kind: np.ndarray  # AIR, SURFACE, VELOCITY, IDENT, ACCURACY, or -1 (not decoded)
    tc: np.ndarray  # type code
    nacp: np.ndarray  # int8: the NACp of an ACCURACY message, else -1
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
        return _decode(src_name, source, msgs, options or ReadOptions()).result


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Carry:
    """What decoding a stream carries from one batch of messages to the next, per
    aircraft: the messages the CPR walk remembers (the last frame of each kind and
    parity, the last velocity, identification and NACp statement) and the last
    resolved position. Everything older than the rules can use is dropped, so it
    stays small (:func:`decode_stream`)."""

    frames: np.ndarray = field(default_factory=lambda: np.zeros((0, LONG), dtype=np.uint8))
    time_ns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    seeds: Seeds = field(default_factory=Seeds.empty)

    def __len__(self) -> int:
        return len(self.time_ns) + len(self.seeds.key)


#: how long each kind of remembered message can still be used (ns): older ones are
#: dropped (a receiver's messages come in time order, so no later one could use them)
_KEEP_NS = np.array(
    [
        int(PAIR_MAX_S * 1e9),  # AIR: the other half of a pair
        int(SURFACE_PAIR_MAX_S * 1e9),  # SURFACE
        int(VELOCITY_MAX_AGE_S * 1e9),
        int(CALLSIGN_MAX_AGE_S * 1e9),
        int(ACCURACY_MAX_AGE_S * 1e9),
    ],
    dtype=np.int64,
)
#: an aircraft's last position is kept this long (ns): local decoding uses it for
#: LOCAL_MAX_AGE_S, a surface pair picks its quadrant by it whatever its age
SEED_KEEP_NS = 24 * 3600 * 1_000_000_000


def decode_stream(
    src_name: str, source: str, msgs: Messages, options: ReadOptions | None, carry: Carry
) -> tuple[ReadResult, Carry]:
    """:func:`decode` for a stream, a batch at a time: the same judging and decoding,
    with the CPR walk continued from ``carry`` (the previous batch's); returns the
    batch's rows and rejects and the carry for the next one. Each aircraft's
    messages must come in time order across batches (they do from one receiver)."""
    options = options or ReadOptions()
    m = len(carry.time_ns)
    if m:
        frames = np.concatenate([carry.frames, msgs.frames])
        nbytes = np.concatenate([np.full(m, LONG, dtype=np.int8), msgs.nbytes])
        checks = Checks(m + len(msgs))
        checks.code[m:] = msgs.checks.code
        checks.reasons = list(msgs.checks.reasons)
        offset = (
            None if msgs.offset is None else np.concatenate([np.zeros(m, np.int64), msgs.offset])
        )
        both = Messages(
            record=np.concatenate([np.zeros(m, dtype=np.int64), msgs.record]),
            time_ns=np.concatenate([carry.time_ns, msgs.time_ns]),
            frames=frames,
            nbytes=nbytes,
            checks=checks,
            offset=offset,
        )
    else:
        both = msgs
    context = np.zeros(len(both), dtype=bool)
    context[:m] = True
    with _gc_paused():
        done = _decode(src_name, source, both, options, context, carry.seeds)
    return done.result, _next_carry(both, done, carry.seeds)


@dataclass
class _Decoded:
    """A decoding's result, and what the stream decoding carries on from it."""

    result: ReadResult
    adsb: _Adsb
    key: np.ndarray
    status: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


def _decode(
    src_name: str,
    source: str,
    msgs: Messages,
    options: ReadOptions,
    context: np.ndarray | None = None,
    seeds: Seeds | None = None,
) -> _Decoded:
    checks = msgs.checks
    frames, nbytes = msgs.frames, msgs.nbytes
    # readers flag these themselves; never lose one
    checks.flag(nbytes == 0, reasons.UNDECODABLE_MESSAGE)
    todo = checks.ok
    checks.flag(todo & (nbytes == 2), reasons.NO_POSITION)  # Mode A/C reply
    df = (frames[:, 0] >> 3).astype(np.int16)
    long_df = df >= 16
    # long format cut short
    checks.flag(todo & long_df & (nbytes == 7), reasons.UNDECODABLE_MESSAGE)
    known = np.isin(df, (0, 4, 5, 11, 16, 17, 18, 19, 20, 21)) | (df >= 24)
    checks.flag(todo & ~known, reasons.UNDECODABLE_MESSAGE)

    es = checks.ok & (nbytes == LONG) & ((df == 17) | (df == 18))
    dl = checks.ok & (nbytes >= 7) & (df == 11)
    bad = np.zeros(len(msgs), dtype=bool)
    if es.any():
        bad[es] = crc_residual(frames[es], LONG) != 0
    if dl.any():
        bad[dl] = (crc_residual(frames[dl], 7) & 0xFFFF80) != 0
    checks.flag(bad, reasons.BAD_CRC)
    checks.flag(checks.ok & (nbytes > 2) & ~((df == 17) | (df == 18)), reasons.NO_POSITION)

    # DF 17/18 from here on.
    cf = (frames[:, 0] & 7).astype(np.int16)
    is18 = df == 18
    checks.flag(is18 & (cf == 3), reasons.UNSUPPORTED_MESSAGE)
    checks.flag(is18 & (cf == 4), reasons.NO_POSITION)
    checks.flag(is18 & (cf == 7), reasons.UNDECODABLE_MESSAGE)
    tc = (frames[:, 4] >> 3).astype(np.int16)
    nacp = _nacp(frames, tc)
    checks.flag(checks.ok & (nacp < 0) & ((tc < 1) | (tc > 22)), reasons.NO_POSITION)

    which = np.flatnonzero(checks.ok)
    adsb = _decode_adsb(frames, which, tc, nacp)
    checks.flag(_mask(len(msgs), which[adsb.kind < 0]), reasons.UNDECODABLE_MESSAGE)
    keep = adsb.kind >= 0
    adsb = _select(adsb, keep)
    which = adsb.which
    no_pos = (adsb.kind == VELOCITY) | (adsb.kind == IDENT) | (adsb.kind == ACCURACY)
    checks.flag(_mask(len(msgs), which[no_pos]), reasons.NO_POSITION)

    key = _track_keys(frames[which], tc[which], cf[which], is18[which])
    lat, lon, status, vel, ident, acc = resolve(
        key,
        msgs.time_ns[which],
        adsb.kind,
        adsb.parity,
        adsb.lat_cpr,
        adsb.lon_cpr,
        options,
        None if context is None else context[which],
        seeds,
    )
    is_pos = (adsb.kind == AIR) | (adsb.kind == SURFACE)
    if context is not None:  # remembered messages were judged in their own batch
        is_pos &= ~context[which]
    checks.flag(_mask(len(msgs), which[is_pos & (status == UNRESOLVED)]), reasons.CPR_UNRESOLVED)
    checks.flag(_mask(len(msgs), which[is_pos & (status == FAR)]), reasons.OUT_OF_RECEIVER_RANGE)

    rows = is_pos & (status == OK)
    table = _table(src_name, source, msgs, adsb, key, rows, lat, lon, (vel, ident, acc))
    rejects = _rejects(src_name, checks, msgs, context)
    return _Decoded(ReadResult(table, rejects, format=source), adsb, key, status, lat, lon)


def _next_carry(msgs: Messages, done: _Decoded, seeds: Seeds) -> Carry:
    """The messages and positions the next batch needs (see :class:`Carry`)."""
    a, key = done.adsb, done.key
    time_ns = msgs.time_ns[a.which]
    newest = int(msgs.time_ns.max()) if len(msgs) else 0
    slot = np.where(a.kind <= SURFACE, 2 * a.kind.astype(np.int64) + a.parity, 4 + a.kind)
    order = np.lexsort((np.arange(len(key)), time_ns, slot, key))  # the walk's order per slot
    last = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        last[:-1] = (key[order[1:]] != key[order[:-1]]) | (slot[order[1:]] != slot[order[:-1]])
    pick = order[last]
    pick = np.sort(pick[time_ns[pick] >= newest - _KEEP_NS[a.kind[pick]]])
    positions = (done.status == OK) & ((a.kind == AIR) | (a.kind == SURFACE))
    merged = last_positions(
        np.concatenate([seeds.key, key]),
        np.concatenate([seeds.time_ns, time_ns]),
        np.concatenate([seeds.lat, done.lat]),
        np.concatenate([seeds.lon, done.lon]),
        np.concatenate([np.ones(len(seeds.key), dtype=bool), positions]),
    )
    alive = merged.time_ns >= newest - SEED_KEEP_NS
    return Carry(
        frames=msgs.frames[a.which[pick]],
        time_ns=time_ns[pick],
        seeds=Seeds(merged.key[alive], merged.time_ns[alive], merged.lat[alive], merged.lon[alive]),
    )


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return m


def _nacp(frames: np.ndarray, tc: np.ndarray) -> np.ndarray:
    """Each message's NACp (0–15) where it states one, else -1 (all messages at once).

    Two DF 17/18 messages state it: TC 31 (aircraft operational status) of
    ADS-B version 1 or 2 with subtype 0 (airborne) or 1 (surface), in ME bits
    45–48 (version in bits 41–43; version 0 has no NACp there), and TC 29
    (target state and status) of subtype 1 (DO-260B), in ME bits 40–43 (the
    DO-260A subtype 0 has another layout). These are the messages and bits
    rs1090 reports as ``NACp`` (pyModeS: ``nac_p``), and dump1090-fa and readsb
    take their NACp from; reading the fixed bits here spares decoding the
    frames (tests check the values against rs1090). The value is passed on
    as stated, 0 and reserved values included: the newest statement is the
    one that holds.
    """
    nacp = np.full(len(frames), -1, dtype=np.int8)
    if len(frames) == 0:
        return nacp
    me1, me5, me6 = frames[:, 4], frames[:, 8], frames[:, 9]  # ME bits 1-8, 33-40, 41-48
    version = me6 >> 5
    status = (tc == 31) & ((me1 & 7) <= 1) & ((version == 1) | (version == 2))
    nacp[status] = me6[status] & 0x0F
    target = (tc == 29) & (((me1 >> 1) & 3) == 1)
    nacp[target] = ((me5[target] & 1) << 3) | (me6[target] >> 5)
    return nacp


def _decode_adsb(frames: np.ndarray, which: np.ndarray, tc: np.ndarray, nacp: np.ndarray) -> _Adsb:
    """Decode the selected DF 17/18 messages with rs1090, each distinct frame once.

    Captures repeat frames a lot (an identification is the same all flight,
    a cruising aircraft's velocity for minutes; about a third to a half of
    real DF 17 traffic): without timestamps rs1090's result depends on the
    frame alone, so duplicates are decoded once and the fields copied.
    Messages that state a NACp are ACCURACY and not handed to rs1090.
    """
    first, inverse = _distinct(frames[which])
    n = len(first)
    which_first = which[first]
    stated = nacp[which_first]
    out = _Adsb(
        which=which_first,
        kind=np.where(stated >= 0, ACCURACY, -1).astype(np.int8),
        tc=tc[which_first].astype(np.int8),
        nacp=stated,
        parity=np.zeros(n, dtype=np.int8),
        lat_cpr=np.zeros(n, dtype=np.int32),
        lon_cpr=np.zeros(n, dtype=np.int32),
        alt_ft=np.full(n, np.nan),
        gnss=(tc[which_first] >= 20),
        speed_kt=np.full(n, np.nan),
        track_deg=np.full(n, np.nan),
        vrate_fpm=np.full(n, np.nan),
        callsign=[None] * n,
    )
    todo = np.flatnonzero(stated < 0)
    for start in range(0, len(todo), DECODE_CHUNK):
        at = todo[start : start + DECODE_CHUNK]
        hexes = _hex_list(frames[out.which[at]])
        decoded = _aligned(hexes, rs1090.decode(hexes))
        _fields(decoded, out, at)
    expanded = _select(out, inverse)
    expanded.which = which
    return expanded


def _distinct(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, inverse)``: index of one frame per distinct value, and each frame's value."""
    m = len(frames)
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    padded = np.zeros((m, 16), dtype=np.uint8)
    padded[:, :LONG] = frames
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
    chars = np.empty((len(frames), 2 * LONG), dtype=np.uint8)
    chars[:, 0::2] = _HEX_CHARS[frames >> 4]
    chars[:, 1::2] = _HEX_CHARS[frames & 15]
    return chars.view(f"S{2 * LONG}").ravel().astype(f"U{2 * LONG}").tolist()


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


_KIND = {"05": AIR, "06": SURFACE, "09": VELOCITY, "08": IDENT}


def _fields(decoded: Sequence[dict | None], out: _Adsb, base: np.ndarray) -> None:
    """Copy the fields the resolver needs out of rs1090's dicts (a few C-speed passes).

    ``decoded[i]`` is the decoding of entry ``base[i]`` of ``out``.
    """
    kind = np.array([_KIND.get(d.get("bds"), -1) if d else -1 for d in decoded], dtype=np.int8)
    pos = np.flatnonzero((kind == AIR) | (kind == SURFACE))
    pos_d = [decoded[i] for i in pos.tolist()]
    lat_cpr, bad_lat = _column(pos_d, "lat_cpr", pa.int64())
    lon_cpr, bad_lon = _column(pos_d, "lon_cpr", pa.int64())
    bad = bad_lat | bad_lon
    kind[pos[bad]] = -1
    at = base[pos]
    out.lat_cpr[at] = np.nan_to_num(lat_cpr).astype(np.int32)
    out.lon_cpr[at] = np.nan_to_num(lon_cpr).astype(np.int32)
    out.parity[at] = [d.get("parity") == "odd" for d in pos_d]
    air = kind[pos] == AIR
    out.alt_ft[at[air]] = _column(pos_d, "altitude", pa.float64())[0][air]
    moving = np.flatnonzero(kind == SURFACE).tolist() + np.flatnonzero(kind == VELOCITY).tolist()
    mov_d = [decoded[i] for i in moving]
    at = base[moving]
    out.speed_kt[at] = _column(mov_d, "groundspeed", pa.float64())[0]
    out.track_deg[at] = _column(mov_d, "track", pa.float64())[0]
    vel = np.flatnonzero(kind == VELOCITY)
    vel_d = [decoded[i] for i in vel.tolist()]
    out.vrate_fpm[base[vel]] = _column(vel_d, "vertical_rate", pa.float64())[0]
    for i in np.flatnonzero(kind == IDENT).tolist():
        cs = decoded[i].get("callsign")  # type: ignore[union-attr]
        out.callsign[base[i]] = (cs.strip(" _#") or None) if isinstance(cs, str) else None
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
        tc=a.tc[idx],
        nacp=a.nacp[idx],
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
    # ME bit 21 in surface positions, ME bit 9 in velocities, ME bit 51 in
    # target states (TC 29), ME bit 56 in operational status (TC 31).
    imf = np.zeros(len(frames), dtype=bool)
    air = (tc >= 9) & (tc != 19)
    imf[air] = (frames[air, 4] & 0x01) != 0
    surf = (tc >= 5) & (tc <= 8)
    imf[surf] = (frames[surf, 6] & 0x08) != 0
    vel = tc == 19
    imf[vel] = (frames[vel, 5] & 0x80) != 0
    target = tc == 29
    imf[target] = (frames[target, 10] & 0x20) != 0
    status = tc == 31
    imf[status] = (frames[status, 10] & 0x01) != 0
    non_icao = is18 & ((cf == 1) | (cf == 5) | (((cf == 2) | (cf == 6)) & imf))
    return addr | (non_icao.astype(np.int64) << 24)


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
    taken: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pa.Table:
    """The rows; ``taken`` is the velocity, identification and accuracy entry of each."""
    vel, ident, acc = taken
    idx = np.flatnonzero(rows)
    idx = idx[np.argsort(a.which[idx], kind="stable")]  # input order
    surface = a.kind[idx] == SURFACE
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
    track_id = _track_ids(key[idx])
    columns = {
        "track_id": track_id,
        "identity": track_id,  # the address ("~" for a non-ICAO one)
        "sensor": "adsb",
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
        "pos_sigma_m": _sigma(a, idx, acc[idx]),
    }
    return make_table(columns, source=source, source_file=src_name)


def _lookup(sigma_of, size: int) -> np.ndarray:
    """``sigma_of(code)`` for codes 0..size-1 as an array, NaN where it is None."""
    values = [sigma_of(code) for code in range(size)]
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


_SIGMA_BY_NACP = _lookup(uncertainty.sigma_from_nacp, 16)
_SIGMA_BY_TC = _lookup(uncertainty.sigma_from_typecode, 32)


def _sigma(a: _Adsb, idx: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """σ of each row (NaN = null): its NACp's EPU, else its type code's Rc (module docs)."""
    nacp = np.where(acc >= 0, a.nacp[np.maximum(acc, 0)], -1)
    by_nacp = np.where(nacp >= 0, _SIGMA_BY_NACP[np.clip(nacp, 0, 15)], np.nan)
    by_tc = _SIGMA_BY_TC[np.clip(a.tc[idx], 0, 31)]
    return np.where(np.isnan(by_nacp), by_tc, by_nacp)


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


def _rejects(
    src_name: str, checks: Checks, msgs: Messages, context: np.ndarray | None = None
) -> list[Reject]:
    flagged = checks.code != 0
    if context is not None:
        flagged &= ~context
    idx = np.flatnonzero(flagged)
    names = checks.reasons
    records = msgs.record[idx].tolist()
    codes = checks.code[idx].tolist()
    if msgs.offset is None:
        return [Reject(src_name, r, names[c]) for r, c in zip(records, codes, strict=True)]
    offsets = msgs.offset[idx].tolist()
    return [
        Reject(src_name, r, names[c], o) for r, c, o in zip(records, codes, offsets, strict=True)
    ]
