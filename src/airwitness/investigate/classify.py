"""What kind of aircraft a track is *consistent with*, from its kinematics.

Speed, altitude, climb rate and hovering say little about airframes:
kinematics cannot separate a Hermes-900 from a Cessna, a Q400 from a slow jet,
or a helicopter in cruise from a light aeroplane. So each class means
"consistent with", every result carries the rule that fired, and ``uav`` is
given only where the evidence allows it: a drone flight log, a hover envelope
that only small multirotors fly, or a hint (from the case file, or the
source's own name for the track). Otherwise ``propeller`` or ``unknown``.

Rules, first match wins (thresholds in :class:`ClassRules`; the same table
with reasons is in ``docs/classes.md``). Speeds are per report: the reported
ground speed when there is one, else the speed implied by the positions.
"Robust max" is the 95th percentile over the track's reports, so a few bad
positions cannot make a jet out of a glider.

1. Fewer than 3 reports, or no speed at all → ``unknown``.
2. Any report from a drone flight-log reader (``ulog``, ``mavlink``,
   ``dataflash``) → ``uav``.
3. A hint for the track (``hints=``), if its kinematics fit the hinted class's
   envelope (:data:`HINT_ENVELOPES`) → that class.
4. A track id that is not an ICAO address and names a class (``HELI-1``,
   ``UAV-2``, ``drone 3``), if the kinematics fit → that class.
5. Robust max ≥ 170 m/s; or robust max altitude ≥ 9,000 m at ≥ 130 m/s; or
   robust climb ≥ 20 m/s at ≥ 100 m/s → ``jet``.
6. A hover: ≥ 3 reports and ≥ 20 s below 10 m/s, with an altitude (not null,
   not 0) below 3,000 m, between faster flight (≥ 20 m/s) earlier and later in
   the same segment, i.e. not a taxi at either end. With a robust max ≤ 25 m/s
   and no ICAO address → ``uav`` (multirotor); with a robust max ≤ 90 m/s and
   robust climb ≤ 15 m/s → ``helicopter``.
7. A track the tracker made from anonymous detections (``radar:…``, ``detect:…``: no
   transponder answered) with a robust max of 20–70 m/s below 3,000 m (or with no
   altitude, as a 2D radar gives) → ``uav`` (a candidate: a light aircraft flying
   without its transponder is the alternative the reason names).
8. Robust max 20–170 m/s and robust max altitude < 7,600 m (or none) → ``propeller``
   when the track has an ICAO address of a state, else ``unknown`` (no
   transponder address: a light aircraft or a UAV, kinematics cannot tell).
9. Anything else → ``unknown`` (too slow for an aeroplane, or high and slow,
   or between the envelopes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.investigate._motion import Motion, group_quantile, motion
from airwitness.investigate.registry import state_of_registry

CLASSES = ("jet", "propeller", "helicopter", "uav", "unknown")
#: track ids the tracker gives (airwitness.tracking): made from anonymous detections
UNCOOPERATIVE_PREFIXES = ("radar:", "detect:")

RESULT_SCHEMA = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("class", pa.string(), nullable=False),
        pa.field("max_speed_mps", pa.float64()),
        pa.field("median_speed_mps", pa.float64()),
        pa.field("max_alt_m", pa.float64()),
        pa.field("reports", pa.int64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
    ]
)

__all__ = [
    "CLASSES",
    "HINT_ENVELOPES",
    "RESULT_SCHEMA",
    "ClassRules",
    "Envelope",
    "classify_tracks",
]


@dataclass(frozen=True)
class ClassRules:
    """Thresholds of the class rules (SI units; module docstring for the order).

    Defaults and why:

    - ``robust_quantile`` 0.95: "robust max" of speeds, altitudes and climb rates.
    - ``jet_speed_mps`` 170 (≈ 330 kt ground speed): above what piston aircraft
      and most turboprops fly; fast turboprops (Q400, King Air 350) can reach it
      with a tailwind, so "consistent with a jet" it stays.
    - ``jet_high_alt_m`` 9,000 with ``jet_high_speed_mps`` 130: high *and*
      fast; gliders in wave and turboprop MALE UAVs fly that high, but slower.
    - ``jet_climb_mps`` 20 (≈ 3,900 ft/min) with ``jet_climb_speed_mps`` 100:
      beyond piston aircraft, helicopters and most turboprops.
    - Hover: ``hover_speed_mps`` 10 for ≥ ``hover_min_reports`` 3 and
      ≥ ``hover_min_s`` 20 s, airborne below ``hover_max_alt_m`` 3,000 m
      (mountain rescue hovers well above 1,500 m), with flight at
      ≥ ``hover_flight_speed_mps`` 20 before and after it in the segment.
      Aeroplanes cannot fly that slowly; an altitude of exactly 0 or none is
      how ADS-B feeds mark the ground, which is not a hover.
    - ``helicopter_max_speed_mps`` 90 (the fastest production helicopters
      cruise at 80–85 m/s), ``helicopter_max_climb_mps`` 15.
    - ``multirotor_max_speed_mps`` 25: small multirotors top out at ~20 m/s
      (DJI Mavic 3: 21 m/s); helicopters cruise faster.
    - Propeller: ``propeller_min_speed_mps`` 20 to ``propeller_max_speed_mps``
      170 below ``propeller_max_alt_m`` 7,600 m (25,000 ft, the ATR 72 ceiling).
    - A track from anonymous radar plots (no transponder) at 20 to
      ``uncooperative_uav_max_speed_mps`` 70 below ``uncooperative_uav_max_alt_m``
      3,000 m: drones cruise there (one-way attack drones at ~50 m/s, small
      fixed-wing ones at 25-40); manned aircraft there carry a transponder where
      they are required to, so a silent one is a UAV *candidate*.
    """

    min_reports: int = 3
    robust_quantile: float = 0.95
    jet_speed_mps: float = 170.0
    jet_high_alt_m: float = 9_000.0
    jet_high_speed_mps: float = 130.0
    jet_climb_mps: float = 20.0
    jet_climb_speed_mps: float = 100.0
    hover_speed_mps: float = 10.0
    hover_min_reports: int = 3
    hover_min_s: float = 20.0
    hover_max_alt_m: float = 3_000.0
    hover_flight_speed_mps: float = 20.0
    helicopter_max_speed_mps: float = 90.0
    helicopter_max_climb_mps: float = 15.0
    multirotor_max_speed_mps: float = 25.0
    propeller_min_speed_mps: float = 20.0
    propeller_max_speed_mps: float = 170.0
    propeller_max_alt_m: float = 7_600.0
    #: a primary-radar track this slow and low is a UAV candidate (Shahed-136 class
    #: one-way attack drones cruise at ~50 m/s; small fixed-wing drones at 25-40)
    uncooperative_uav_max_speed_mps: float = 70.0
    uncooperative_uav_max_alt_m: float = 3_000.0
    drone_log_sources: frozenset[str] = frozenset({"ulog", "mavlink", "dataflash"})
    name_hints: bool = True


@dataclass(frozen=True)
class Envelope:
    """The most a class can do: a hint is taken only when the track stays within."""

    max_speed_mps: float
    max_alt_m: float
    max_climb_mps: float


#: Envelopes that a hinted class must fit (robust max speed, altitude, climb).
#: Generous on purpose: they only catch hints the kinematics rule out.
HINT_ENVELOPES: Mapping[str, Envelope] = {
    "jet": Envelope(350.0, 20_000.0, 150.0),
    # turboprop MALE UAVs (MQ-9 class) reach ~15,000 m
    "propeller": Envelope(200.0, 15_500.0, 25.0),
    "helicopter": Envelope(100.0, 6_000.0, 15.0),
    # jet UAVs (Global Hawk class) fly at ~18,000 m, ~175 m/s
    "uav": Envelope(250.0, 20_000.0, 60.0),
    "unknown": Envelope(np.inf, np.inf, np.inf),
}

# Words in a track's own name that hint at a class (GPX/KML track names, log names).
_NAME_HINTS = (
    ("helicopter", re.compile(r"(?<![a-z])(?:heli|helicopter|chopper)(?![a-z])", re.I)),
    ("uav", re.compile(r"(?<![a-z])(?:uav|uas|rpas|drones?|quadcopter|multirotor)(?![a-z])", re.I)),
)


@dataclass(frozen=True)
class _Features:
    reports: np.ndarray
    p50: np.ndarray
    vmax: np.ndarray
    altmax: np.ndarray
    climb: np.ndarray
    hover_alt: np.ndarray  # NaN when the track has no qualifying hover


def classify_tracks(
    table: pa.Table,
    *,
    rules: ClassRules | None = None,
    hints: Mapping[str, str] | None = None,
) -> pa.Table:
    """One row per track_id: the class its kinematics are consistent with, and why.

    ``table`` is a canonical table, ideally the output of
    :func:`airwitness.tracks.prepare_tracks` (its ``segment`` column keeps
    implied speeds from spanning gaps). ``hints`` maps track ids to a class
    the case file asserts; a hint is used only when the kinematics fit it.
    Columns: see :data:`RESULT_SCHEMA`; ``max_speed_mps`` and ``max_alt_m``
    are robust maxima (95th percentiles), rows sorted by track_id.
    """
    rules = rules or ClassRules()
    hints = dict(hints or {})
    bad = sorted({c for c in hints.values() if c not in CLASSES})
    if bad:
        raise ValueError(f"unknown class hint(s) {bad}; expected one of {list(CLASSES)}")
    if table.num_rows == 0:
        return RESULT_SCHEMA.empty_table()
    m = motion(table)
    ids = pc.cast(m.table["track_id"], pa.string()).filter(pa.array(m.track_start)).to_pylist()
    f = _features(m, rules)
    drone = _drone_log_source(m, rules, len(ids))
    states = state_of_registry(ids)

    classes: list[str] = []
    reasons: list[str] = []
    for k, tid in enumerate(ids):
        cls, why = _decide(k, tid, f, rules, hints.get(tid), drone[k], states[k] is not None)
        classes.append(cls)
        reasons.append(why)

    def col(x: np.ndarray) -> pa.Array:
        return pa.array(np.round(x, 2), type=pa.float64(), from_pandas=True)

    return pa.Table.from_arrays(
        [
            pa.array(ids, type=pa.string()),
            pa.array(classes, type=pa.string()),
            col(f.vmax),
            col(f.p50),
            col(f.altmax),
            pa.array(f.reports, type=pa.int64()),
            pa.array(reasons, type=pa.string()),
        ],
        schema=RESULT_SCHEMA,
    )


def _speeds(m: Motion) -> np.ndarray:
    """Per-report speed: reported ground speed, else implied from the positions.

    The implied speed of report *i* is that of the step into it, or out of it
    for the first report of a segment.
    """
    implied = m.v1.copy()
    nxt = np.full(m.n, np.nan)
    nxt[:-1] = m.v1[1:]
    implied = np.where(np.isnan(implied), nxt, implied)
    return np.where(np.isfinite(m.gs), m.gs, implied)


def _climbs(m: Motion) -> np.ndarray:
    """Per-report |vertical rate|: reported, else implied by the step into the report."""
    air = np.where(m.alt == 0.0, np.nan, m.alt)  # 0 marks the ground in some feeds
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.abs(np.diff(air, prepend=np.nan)) / m.dt1
    implied[~(m.dt1 > 0)] = np.nan
    return np.where(np.isfinite(m.vr), np.abs(m.vr), implied)


def _features(m: Motion, rules: ClassRules) -> _Features:
    ntracks = int(m.track_start.sum())
    group = m.track_index()
    speed = _speeds(m)
    q = rules.robust_quantile
    return _Features(
        reports=np.bincount(group, minlength=ntracks),
        p50=group_quantile(speed, group, ntracks, 0.5),
        vmax=group_quantile(speed, group, ntracks, q),
        altmax=group_quantile(m.alt, group, ntracks, q),
        climb=group_quantile(_climbs(m), group, ntracks, q),
        hover_alt=_hover_altitude(m, speed, group, ntracks, rules),
    )


def _hover_altitude(
    m: Motion, speed: np.ndarray, group: np.ndarray, ntracks: int, rules: ClassRules
) -> np.ndarray:
    """Altitude of each track's first qualifying hover (rule 6), NaN if none."""
    out = np.full(ntracks, np.nan)
    n = m.n
    alt = m.alt
    slow = (
        (speed < rules.hover_speed_mps)
        & np.isfinite(alt)
        & (alt != 0.0)
        & (alt < rules.hover_max_alt_m)
    )
    if not slow.any():
        return out
    idx = np.arange(n)
    run_start = slow & ~(m.prev1 & np.roll(slow, 1))
    starts = np.flatnonzero(run_start)
    # the run starting at s ends before the first non-slow report or segment start after s
    breaks = np.flatnonzero(~slow | m.seg_start)
    nxt_break = np.searchsorted(breaks, starts, side="right")
    ends = np.where(nxt_break < breaks.size, breaks[np.minimum(nxt_break, breaks.size - 1)], n) - 1

    seg_first = np.maximum.accumulate(np.where(m.seg_start, idx, 0))
    seg_last = np.empty(n, dtype=np.int64)
    seg_starts = np.flatnonzero(m.seg_start)
    seg_ends = np.concatenate([seg_starts[1:], [n]]) - 1
    seg_last[:] = np.repeat(seg_ends, np.diff(np.concatenate([seg_starts, [n]])))
    fast = np.concatenate([[0], np.cumsum(speed >= rules.hover_flight_speed_mps)])
    before = fast[starts] - fast[seg_first[starts]] > 0
    after = fast[seg_last[ends] + 1] - fast[ends + 1] > 0
    count = ends - starts + 1
    duration = m.t[ends] - m.t[starts]
    ok = before & after & (count >= rules.hover_min_reports) & (duration >= rules.hover_min_s)
    for s, e in zip(starts[ok][::-1], ends[ok][::-1], strict=True):  # first run wins
        out[group[s]] = float(np.median(alt[s : e + 1]))
    return out


def _drone_log_source(m: Motion, rules: ClassRules, ntracks: int) -> list[str | None]:
    """Per track, the drone flight-log reader of its first report from one, or None."""
    out: list[str | None] = [None] * ntracks
    src = pc.cast(m.table["source"], pa.string())
    mask = pc.is_in(src, value_set=pa.array(sorted(rules.drone_log_sources), pa.string()))
    hit = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
    if hit.size == 0:
        return out
    group = m.track_index()[hit]
    new = np.concatenate([[True], group[1:] != group[:-1]])  # rows are sorted by track
    names = src.take(pa.array(hit[new])).to_pylist()
    for k, name in zip(group[new], names, strict=True):
        out[k] = name
    return out


def _fits(k: int, f: _Features, cls: str) -> str | None:
    """None when track k fits the class envelope, else what rules the class out."""
    env = HINT_ENVELOPES[cls]
    if f.vmax[k] > env.max_speed_mps:
        return f"robust max {f.vmax[k]:.0f} m/s exceeds {env.max_speed_mps:.0f} m/s"
    if f.altmax[k] > env.max_alt_m:
        return f"robust max altitude {f.altmax[k]:,.0f} m exceeds {env.max_alt_m:,.0f} m"
    if f.climb[k] > env.max_climb_mps:
        return f"robust climb {f.climb[k]:.0f} m/s exceeds {env.max_climb_mps:.0f} m/s"
    return None


def _name_hint(track_id: str) -> str | None:
    for cls, pattern in _NAME_HINTS:
        if pattern.search(track_id):
            return cls
    return None


def _envelope_text(k: int, f: _Features) -> str:
    alt = "no altitude" if np.isnan(f.altmax[k]) else f"up to {f.altmax[k]:,.0f} m"
    return f"robust max {f.vmax[k]:.0f} m/s, {alt}"


_NAMES = {"uav": "UAV", "jet": "jet", "propeller": "propeller aircraft", "helicopter": "helicopter"}


def _decide(
    k: int,
    tid: str,
    f: _Features,
    r: ClassRules,
    hint: str | None,
    drone_source: str | None,
    icao: bool,
) -> tuple[str, str]:
    vmax, alt, climb = f.vmax[k], f.altmax[k], f.climb[k]
    if f.reports[k] < r.min_reports or np.isnan(vmax):
        return "unknown", f"Too few reports with a speed ({f.reports[k]}) to judge."
    if drone_source:
        return "uav", f"From a drone flight log ({drone_source})."
    notes = ""
    if hint:
        misfit = _fits(k, f, hint)
        if misfit is None:
            return hint, f"Hinted as {hint} by the case; kinematics fit ({_envelope_text(k, f)})."
        notes = f" (hint {hint} ignored: {misfit})"
    named = _name_hint(tid) if r.name_hints and not icao else None
    if named and _fits(k, f, named) is None:
        return named, (
            f"Named {tid!r} by its source; kinematics fit a {_NAMES[named]} "
            f"({_envelope_text(k, f)})." + notes
        )
    if vmax >= r.jet_speed_mps:
        return "jet", (
            f"Sustained {vmax:.0f} m/s: consistent with a jet "
            f"(fast turboprops overlap below ~200 m/s).{notes}"
        )
    if alt >= r.jet_high_alt_m and vmax >= r.jet_high_speed_mps:
        return (
            "jet",
            f"High ({alt:,.0f} m) and fast ({vmax:.0f} m/s): consistent with a jet.{notes}",
        )
    if climb >= r.jet_climb_mps and vmax >= r.jet_climb_speed_mps:
        return "jet", f"Climbs at {climb:.0f} m/s at {vmax:.0f} m/s: consistent with a jet.{notes}"
    hover = f.hover_alt[k]
    if np.isfinite(hover):
        if vmax <= r.multirotor_max_speed_mps and not icao:
            return "uav", (
                f"Hovers mid-flight at {hover:,.0f} m and never exceeds {vmax:.0f} m/s, with no "
                f"ICAO address: consistent with a multirotor UAV.{notes}"
            )
        if vmax <= r.helicopter_max_speed_mps and climb <= r.helicopter_max_climb_mps:
            return "helicopter", (
                f"Hovers mid-flight at {hover:,.0f} m, robust max {vmax:.0f} m/s: "
                f"consistent with a helicopter.{notes}"
            )
    silent = tid.startswith(UNCOOPERATIVE_PREFIXES)
    under = np.isnan(alt) or alt < r.uncooperative_uav_max_alt_m
    if silent and r.propeller_min_speed_mps <= vmax <= r.uncooperative_uav_max_speed_mps and under:
        height = "no height measured" if np.isnan(alt) else f"at up to {alt:,.0f} m"
        return "uav", (
            f"Tracked from primary radar or other anonymous detections (no transponder), "
            f"robust max {vmax:.0f} m/s, {height}: a UAV candidate (a light aircraft "
            f"flying without its transponder would look the same).{notes}"
        )
    low = np.isnan(alt) or alt < r.propeller_max_alt_m  # no altitude: does not rule it out
    if r.propeller_min_speed_mps <= vmax < r.propeller_max_speed_mps and low:
        if icao:
            return "propeller", (
                f"{_envelope_text(k, f).capitalize()}: consistent with a propeller aircraft "
                f"(or a helicopter or fixed-wing UAV flying like one).{notes}"
            )
        return "unknown", (
            f"{_envelope_text(k, f).capitalize()} and no ICAO address: a light aircraft or a UAV, "
            f"kinematics cannot tell.{notes}"
        )
    if vmax < r.propeller_min_speed_mps:
        return "unknown", (
            f"Robust max {vmax:.0f} m/s: slower than aeroplanes fly (UAV, balloon, paraglider "
            f"or a vehicle on the ground).{notes}"
        )
    if alt >= r.propeller_max_alt_m:
        return "unknown", (
            f"High ({alt:,.0f} m) but not fast ({vmax:.0f} m/s): glider in wave, turboprop or "
            f"MALE UAV, kinematics cannot tell.{notes}"
        )
    return "unknown", f"Outside every class envelope ({_envelope_text(k, f)}).{notes}"
