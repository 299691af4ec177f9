"""Flag track segments whose positions are physically implausible.

GNSS spoofing and jamming leave kinematic fingerprints in surveillance data:
a position that stays put while the reported velocity says the aircraft moves
(a receiver holding its last fix), then a jump back to the truth; or a state
that no aircraft can be in. Crossings made by a flagged segment are reported as
``suspect`` and never count as evidence. The checks (thresholds in
:class:`IntegrityRules`):

``jump``
    The speed implied between consecutive reports is inconsistent with the
    reported ground speed *v*: above ``max(3 v, v + 150 m/s)``, or above
    600 m/s whatever *v*, over at least 300 m. Without a reported speed, the
    implied speeds of the neighbouring steps stand in for *v*. The step must
    also be inconsistent when measured from the report before the previous one:
    a single report with a stale timestamp (OpenSky state vectors stamp a
    position with the time of the last message, which may be older) makes the
    next step look fast without anything having jumped. (Not when those two
    earlier reports share a position: a jump out of a held fix is measured
    from the fix.)
``frozen``
    The position is unchanged (< 1 m between consecutive reports) over at
    least 3 reports and 20 s while the reported ground speed is ≥ 30 m/s.
    Without a reported speed nothing is claimed (a hovering drone stands still).
``impossible``
    A state no aircraft combines: reported ground speed > 350 m/s below
    3,000 m; altitude > 20,000 m at < 50 m/s (reported, or implied when none
    is reported); vertical rate > 150 m/s (reported, or implied by consecutive
    altitudes, checked from the report before the previous one too; an altitude
    of exactly 0, which some feeds use for "on the ground", is not climbed to).

Segments are those of :func:`airwitness.tracks.prepare_tracks` (a table
without a ``segment`` column is one segment per track). Isolated single-report
spikes are removed there as outliers, before these checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness.investigate._motion import Motion, motion

FLAGS = ("jump", "frozen", "impossible")

FLAG_SCHEMA = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("segment", pa.int32(), nullable=False),
        pa.field("flag", pa.string(), nullable=False),
        pa.field("first_record", pa.string(), nullable=False),
        pa.field("last_record", pa.string(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
    ]
)

__all__ = ["FLAGS", "FLAG_SCHEMA", "IntegrityRules", "implausible_segments", "integrity_flags"]


@dataclass(frozen=True)
class IntegrityRules:
    """Thresholds of the integrity checks (SI units).

    Defaults and why:

    - ``jump_factor`` 3 and ``jump_margin_mps`` 150: a step is a jump when its
      implied speed exceeds ``max(3 × v, v + 150)``; the margin keeps slow
      aircraft with position noise or timestamp jitter of a few seconds clear.
      Because a step must also fail from two reports back (the stale-report
      rule), the smallest displacement caught is about ``2 dt (limit − v) + v dt``:
      3.6 km for a 60 m/s aircraft reported every 10 s, 0.4 km at 1 s. Spoofed
      positions are usually tens to hundreds of km off, and a held position
      is flagged ``frozen`` on its own.
    - ``jump_max_mps`` 600: faster than any aircraft short of a missile.
    - ``jump_min_distance_m`` 300: smaller displacements are within ADS-B
      position quantisation and GNSS error at short intervals.
    - ``frozen_distance_m`` 1, ``frozen_min_reports`` 3, ``frozen_min_s`` 20,
      ``frozen_min_speed_mps`` 30: held positions long enough not to be a
      repeated message, while the aircraft reports flying speed.
    - ``fast_low_speed_mps`` 350 below ``fast_low_alt_m`` 3,000: supersonic
      near the ground (Mach 1 is 340 m/s at sea level).
    - ``high_alt_m`` 20,000 with ``high_slow_speed_mps`` 50: above airliners'
      and most military ceilings, too slow to stay there. Exceptions exist:
      stratospheric balloons and solar HAPS (Zephyr) fly there slowly; the flag
      asks for a check, it does not convict.
    - ``max_vrate_mps`` 150 (≈ 30,000 ft/min): beyond any aircraft but a
      fighter in a zoom climb for a few seconds.
    """

    jump_factor: float = 3.0
    jump_margin_mps: float = 150.0
    jump_max_mps: float = 600.0
    jump_min_distance_m: float = 300.0
    frozen_distance_m: float = 1.0
    frozen_min_reports: int = 3
    frozen_min_s: float = 20.0
    frozen_min_speed_mps: float = 30.0
    fast_low_speed_mps: float = 350.0
    fast_low_alt_m: float = 3_000.0
    high_alt_m: float = 20_000.0
    high_slow_speed_mps: float = 50.0
    max_vrate_mps: float = 150.0


@dataclass(frozen=True)
class _Event:
    first: int  # row of the first report involved
    last: int  # row of the last report involved
    flag: str
    magnitude: float  # for picking the worst event of a segment
    text: str


def integrity_flags(table: pa.Table, *, rules: IntegrityRules | None = None) -> pa.Table:
    """One row per (track_id, segment, flag) found; empty when the data are clean.

    ``first_record`` and ``last_record`` (``source_file:source_record``) bracket
    the reports involved, from the first event of that kind in the segment to
    the last; ``detail`` counts the events and describes the worst. Rows are
    sorted by track_id, segment, then the first report involved.
    """
    rules = rules or IntegrityRules()
    if table.num_rows == 0:
        return FLAG_SCHEMA.empty_table()
    m = motion(table)
    events = _jumps(m, rules) + _frozen(m, rules) + _impossible(m, rules)
    return _aggregate(m, events)


def implausible_segments(
    table: pa.Table, *, rules: IntegrityRules | None = None
) -> set[tuple[str, int]]:
    """The (track_id, segment) pairs with at least one integrity flag."""
    flags = integrity_flags(table, rules=rules)
    return set(zip(flags["track_id"].to_pylist(), flags["segment"].to_pylist(), strict=True))


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a[i - k]`` at i (k > 0) or ``a[i + |k|]`` (k < 0), NaN where out of range."""
    out = np.full(a.shape, np.nan)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _robust_step(m: Motion, per_step: np.ndarray, per_two: np.ndarray, held_m: float) -> np.ndarray:
    """The smaller of a value over *i−1 → i* and over *i−2 → i*.

    Measuring from *i−2* too excuses a single stale report *i−1*. It is not
    used when *i−2* and *i−1* share a position: the older report is then no
    independent witness (it is the same held fix), and halving the speed of a
    jump out of a frozen run would hide it.
    """
    held = _shift(m.d1, 1) < held_m
    return np.where(m.prev2 & ~held, np.fmin(per_step, per_two), per_step)


def _jumps(m: Motion, r: IntegrityRules) -> list[_Event]:
    v = _robust_step(m, m.v1, m.v2, r.frozen_distance_m)
    gs = np.fmax(m.gs, _shift(m.gs, 1))  # reports i-1 and i; prev1 checked below
    gs = np.where(m.prev2, np.fmax(gs, _shift(m.gs, 2)), gs)
    # without a reported speed: the implied speeds of the neighbouring steps
    # (v1 is NaN on a segment's first report, so neither reaches into another segment)
    neighbours = np.fmax(_shift(m.v1, 1), _shift(m.v1, -1))
    ref = np.where(np.isfinite(gs), gs, neighbours)
    limit = np.where(
        np.isfinite(ref), np.maximum(r.jump_factor * ref, ref + r.jump_margin_mps), r.jump_max_mps
    )
    limit = np.minimum(limit, r.jump_max_mps)
    hit = np.flatnonzero(m.prev1 & (v > limit) & (m.d1 >= r.jump_min_distance_m))
    events = []
    for i in hit:
        told = f"reported {gs[i]:.0f} m/s" if np.isfinite(gs[i]) else "no speed reported"
        events.append(
            _Event(
                int(i) - 1,
                int(i),
                "jump",
                float(v[i]),
                f"{m.d1[i]:,.0f} m in {m.dt1[i]:g} s ({m.v1[i]:,.0f} m/s, {told})",
            )
        )
    return events


def _frozen(m: Motion, r: IntegrityRules) -> list[_Event]:
    still = m.prev1 & (m.d1 < r.frozen_distance_m)
    if not still.any():
        return []
    # runs of consecutive still steps: the run i..j holds reports i-1..j at one position
    starts = np.flatnonzero(still & ~np.concatenate([[False], still[:-1]]))
    ends = np.flatnonzero(still & ~np.concatenate([still[1:], [False]]))
    events = []
    for s, e in zip(starts, ends, strict=True):
        first = int(s) - 1
        reports = int(e) - first + 1
        duration = float(m.t[e] - m.t[first])
        gs = m.gs[first : e + 1]
        gs = gs[np.isfinite(gs)]
        if reports < r.frozen_min_reports or duration < r.frozen_min_s or gs.size == 0:
            continue
        speed = float(np.median(gs))
        if speed < r.frozen_min_speed_mps:
            continue
        events.append(
            _Event(
                first,
                int(e),
                "frozen",
                duration,
                f"{reports} reports over {duration:g} s at one position "
                f"while reporting {speed:.0f} m/s",
            )
        )
    return events


def _impossible(m: Motion, r: IntegrityRules) -> list[_Event]:
    alt, gs = m.alt, m.gs
    air = np.where(alt == 0.0, np.nan, alt)  # 0 marks the ground in some feeds: no climb
    with np.errstate(divide="ignore", invalid="ignore"):
        vr1 = np.abs(air - _shift(air, 1)) / m.dt1
        vr2 = np.abs(air - _shift(air, 2)) / m.dt2
    vr_implied = _robust_step(m, vr1, vr2, r.frozen_distance_m)
    speed = np.where(np.isfinite(gs), gs, _robust_step(m, m.v1, m.v2, r.frozen_distance_m))
    checks = (
        (
            (gs > r.fast_low_speed_mps) & (alt < r.fast_low_alt_m),
            lambda i: f"{gs[i]:.0f} m/s reported at {alt[i]:,.0f} m",
            gs,
        ),
        (
            (alt > r.high_alt_m) & (speed < r.high_slow_speed_mps),
            lambda i: f"{speed[i]:.0f} m/s at {alt[i]:,.0f} m",
            alt,
        ),
        (
            np.abs(m.vr) > r.max_vrate_mps,
            lambda i: f"vertical rate {m.vr[i]:.0f} m/s reported",
            np.abs(m.vr),
        ),
        (
            (vr_implied > r.max_vrate_mps) & ~(np.abs(m.vr) > r.max_vrate_mps),
            lambda i: f"altitude changes {vr1[i]:.0f} m/s ({alt[i - 1]:,.0f} m to {alt[i]:,.0f} m)",
            vr_implied,
        ),
    )
    events = []
    for mask, text, magnitude in checks:
        for i in np.flatnonzero(mask):
            first = int(i) - 1 if magnitude is vr_implied else int(i)
            events.append(_Event(first, int(i), "impossible", float(magnitude[i]), text(i)))
    return events


def _aggregate(m: Motion, events: list[_Event]) -> pa.Table:
    if not events:
        return FLAG_SCHEMA.empty_table()
    ids = pc.cast(m.table["track_id"], pa.string()).to_numpy(zero_copy_only=False)
    seg = np.asarray(m.table["segment"].to_numpy(), dtype=np.int64)
    groups: dict[tuple[str, int, str], list[_Event]] = {}
    for ev in events:
        groups.setdefault((str(ids[ev.last]), int(seg[ev.last]), ev.flag), []).append(ev)
    rows = []
    for (tid, sg, flag), evs in groups.items():
        first = min(e.first for e in evs)
        last = max(e.last for e in evs)
        worst = max(evs, key=lambda e: (e.magnitude, -e.first))
        noun = {"jump": "jump", "frozen": "frozen run", "impossible": "impossible report"}[flag]
        count = f"{len(evs)} {noun}{'s' if len(evs) > 1 else ''}"
        detail = f"{count}; worst: {worst.text}" if len(evs) > 1 else f"{count}: {worst.text}"
        rows.append((tid, sg, first, flag, last, detail))
    rows.sort(key=lambda row: (row[0], row[1], row[2], row[3]))
    firsts = m.records(np.array([row[2] for row in rows]))
    lasts = m.records(np.array([row[4] for row in rows]))
    return pa.Table.from_arrays(
        [
            pa.array([row[0] for row in rows], type=pa.string()),
            pa.array([row[1] for row in rows], type=pa.int32()),
            pa.array([row[3] for row in rows], type=pa.string()),
            pa.array(firsts, type=pa.string()),
            pa.array(lasts, type=pa.string()),
            pa.array([row[5] for row in rows], type=pa.string()),
        ],
        schema=FLAG_SCHEMA,
    )
