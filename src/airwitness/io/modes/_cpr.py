"""CPR position resolution for Mode S / ADS-B (numba), shared by the raw Mode S readers.

Positions are resolved from the CPR fields by :func:`resolve` (its walk,
:func:`_resolve`, is numba), aircraft by aircraft in time order, because
neither decoder package does what evidence needs in batch: rs1090's batch
decoder forgets an aircraft's position whenever two frames of the same parity
follow each other and never uses a receiver reference for airborne frames;
pyModeS's ``PipeDecoder`` is pure Python. The rules (DO-260B §A.1.7, as dump1090 and
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

Each position also takes the newest velocity (TC 19, same aircraft) seen at
most ``VELOCITY_MAX_AGE_S`` (10 s) before it, the newest callsign seen at
most ``CALLSIGN_MAX_AGE_S`` (30 s) before it, and the newest NACp statement
(kind ACCURACY: TC 31 version 1/2, TC 29 subtype 1) seen at most
``ACCURACY_MAX_AGE_S`` (60 s) before it: both are broadcast every few
seconds (2.5 s and 1.25 s in flight, DO-260B), so a minute without one means
the receiver lost them, and 60 s is when dump1090-fa and readsb themselves
stop trusting an aircraft's NACp (their ``nac_p`` goes stale after 60 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from airwitness.io.options import ReadOptions

PAIR_MAX_S = 10.0
SURFACE_PAIR_MAX_S = 25.0
LOCAL_MAX_AGE_S = 120.0
VELOCITY_MAX_AGE_S = 10.0
CALLSIGN_MAX_AGE_S = 30.0
ACCURACY_MAX_AGE_S = 60.0
MAX_RANGE_M = 600_000.0
_NM = 1852.0
#: A frame decoded against the receiver is trusted only this close to it: an aircraft
#: truly up to MAX_RANGE_M away aliases to at least (360 NM - MAX_RANGE_M) (dump1090's rule).
REF_LOCAL_MAX_M = 360 * _NM - MAX_RANGE_M
#: Surface frames against the receiver: valid within 45 NM (90 NM zones).
SURFACE_REF_MAX_M = 45 * _NM

# Kinds of ADS-B messages the resolver looks at (the numba walk uses the numbers);
# SEED is an aircraft's last position carried over from an earlier batch (:class:`Seeds`).
AIR, SURFACE, VELOCITY, IDENT, ACCURACY, SEED = 0, 1, 2, 3, 4, 5
# Resolver verdicts per position message.
OK, UNRESOLVED, FAR = 0, 1, 2


def resolve(
    key: np.ndarray,
    time_ns: np.ndarray,
    kind: np.ndarray,
    parity: np.ndarray,
    lat_cpr: np.ndarray,
    lon_cpr: np.ndarray,
    options: ReadOptions,
    context: np.ndarray | None = None,
    seeds: Seeds | None = None,
) -> tuple[np.ndarray, ...]:
    """Positions of the messages of kind AIR or SURFACE: ``(lat, lon, status, vel, ident, acc)``.

    ``key`` names each message's aircraft. ``status`` is OK, UNRESOLVED or FAR
    per message; ``vel``, ``ident`` and ``acc`` the index of the velocity,
    identification and accuracy (NACp) message a position takes (-1: none).

    For decoding a stream a batch at a time (:class:`Seeds`): messages where
    ``context`` is True were resolved in an earlier batch and are only
    remembered (the last frame of each kind and parity, the last velocity,
    identification and accuracy), and ``seeds`` give each aircraft's last
    resolved position, so the batch resolves exactly as it would have in one
    walk over everything, provided each aircraft's messages come in time order.
    """
    n = len(key)
    ctx = np.zeros(0, dtype=np.bool_) if context is None else np.asarray(context, dtype=np.bool_)
    seed_lat = np.zeros(0)
    seed_lon = np.zeros(0)
    if seeds is not None and len(seeds.key):
        m = len(seeds.key)  # the seeds go first: at a tie in time they come before the rest
        key = np.concatenate([seeds.key, key])
        time_ns = np.concatenate([seeds.time_ns, time_ns])
        kind = np.concatenate([np.full(m, SEED, dtype=kind.dtype), kind])
        parity = np.concatenate([np.zeros(m, dtype=parity.dtype), parity])
        lat_cpr = np.concatenate([np.zeros(m, dtype=lat_cpr.dtype), lat_cpr])
        lon_cpr = np.concatenate([np.zeros(m, dtype=lon_cpr.dtype), lon_cpr])
        ctx = np.concatenate([np.ones(m, dtype=np.bool_), ctx if len(ctx) else np.zeros(n, bool)])
        seed_lat = np.concatenate([seeds.lat, np.zeros(n)])
        seed_lon = np.concatenate([seeds.lon, np.zeros(n)])
    total = len(key)
    order = np.lexsort((np.arange(total), time_ns, key)).astype(np.int64)
    lat = np.full(total, np.nan)
    lon = np.full(total, np.nan)
    status = np.full(total, UNRESOLVED, dtype=np.int8)
    vel = np.full(total, -1, dtype=np.int64)
    ident = np.full(total, -1, dtype=np.int64)
    acc = np.full(total, -1, dtype=np.int64)
    ref = options.reference
    has_ref = ref is not None
    ref_lat, ref_lon = (float(ref[0]), float(ref[1])) if ref is not None else (0.0, 0.0)
    if total:
        _resolve(
            order, key, time_ns, kind, parity, lat_cpr, lon_cpr,
            has_ref, ref_lat, ref_lon, lat, lon, status, vel, ident, acc,
            ctx, seed_lat, seed_lon,
        )  # fmt: skip
    if total == n:
        return lat, lon, status, vel, ident, acc
    m = total - n  # indices of the messages themselves, without the seeds in front
    return (
        lat[m:],
        lon[m:],
        status[m:],
        _shift(vel[m:], m),
        _shift(ident[m:], m),
        _shift(acc[m:], m),
    )


def _shift(index: np.ndarray, m: int) -> np.ndarray:
    return np.where(index >= 0, index - m, -1)


@dataclass
class Seeds:
    """Each aircraft's last resolved position, carried from one batch to the next."""

    key: np.ndarray  # int64
    time_ns: np.ndarray  # int64
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def empty(cls) -> Seeds:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros(0), np.zeros(0))


def last_positions(
    key: np.ndarray, time_ns: np.ndarray, lat: np.ndarray, lon: np.ndarray, ok: np.ndarray
) -> Seeds:
    """The newest resolved position of each aircraft (in :func:`resolve`'s order:
    time, then input order), from the messages where ``ok``."""
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort((idx, time_ns[idx], key[idx]))]
    last = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        last[:-1] = key[order[1:]] != key[order[:-1]]
    pick = order[last]
    return Seeds(key[pick], time_ns[pick], lat[pick], lon[pick])


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
    lat_out, lon_out, status, vel_out, ident_out, acc_out, ctx, seed_lat, seed_lon,
):  # fmt: skip
    """Walk each aircraft's messages in time order, resolving CPR positions.

    ``ctx`` (empty: none) marks messages only to remember; a SEED message sets
    the aircraft's last position to ``seed_lat``/``seed_lon`` at its time."""
    has_ctx = ctx.shape[0] > 0
    pair_ns = np.int64(PAIR_MAX_S * 1e9)
    spair_ns = np.int64(SURFACE_PAIR_MAX_S * 1e9)
    local_ns = np.int64(LOCAL_MAX_AGE_S * 1e9)
    vel_ns = np.int64(VELOCITY_MAX_AGE_S * 1e9)
    id_ns = np.int64(CALLSIGN_MAX_AGE_S * 1e9)
    acc_ns = np.int64(ACCURACY_MAX_AGE_S * 1e9)
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
        last_acc = -1
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
            if kd == 4:
                last_acc = r
                continue
            if kd == 5:
                have_pos = True
                pos_t = t[r]
                pos_lat = seed_lat[r]
                pos_lon = seed_lon[r]
                continue
            tr = t[r]
            odd = parity[r]
            surface = kd == 1
            slot = 2 * kd + odd
            if has_ctx and ctx[r]:
                last[slot] = r
                continue
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
            if last_acc >= 0 and tr - t[last_acc] <= acc_ns:
                acc_out[r] = last_acc
