"""Tracking a table of detections, sensor by sensor, into position reports and rejects."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airwitness import reasons
from airwitness.io.sensors import Sensors
from airwitness.schema import POSITION_SCHEMA, Reject, concat, empty_table, make_table
from airwitness.tracking import forward
from airwitness.tracking.clutter import clutter_density
from airwitness.tracking.measurements import Measurements, measurements
from airwitness.tracking.motion import POLAR
from airwitness.tracking.settings import DEFAULT_SCAN_PERIOD_S, TrackerSettings
from airwitness.tracking.smoother import smooth

#: a scan period is measured from the azimuths when a radar made at least this many turns
MIN_TURNS = 3
#: a sensor that does not rotate: its revisit is measured from at least this many pairs
#: of detections that could be one target, each looked for among the next detections
MIN_REVISITS = 10
REVISIT_LOOKAHEAD = 32


@dataclass(frozen=True)
class SensorStats:
    """What the tracker did with one sensor's detections (they reconcile:
    ``detections == tracked + clutter``)."""

    sensor: str
    detections: int
    tracked: int  # detections in a confirmed track
    clutter: int
    tracks: int  # confirmed tracks
    tentative: int  # tracks started that were never confirmed
    scan_period_s: float
    scan_period_measured: bool  # measured from the plots, not given

    def line(self) -> str:
        how = "measured" if self.scan_period_measured else "given"
        return (
            f"{self.sensor}: {self.detections} detections -> {self.tracks} tracks "
            f"({self.tracked} detections), {self.clutter} clutter, {self.tentative} tentative "
            f"tracks not confirmed; scan {self.scan_period_s:.3f} s ({how})"
        )


@dataclass
class Tracked:
    reports: pa.Table  # POSITION_SCHEMA
    rejects: list[Reject]  # one ``clutter`` per detection in no confirmed track
    stats: list[SensorStats]


def track_detections(
    detections: pa.Table,
    settings: TrackerSettings | None = None,
    sensors: Sensors | None = None,
) -> Tracked:
    """Tracks of every sensor's detections (see the package docs)."""
    settings = settings or TrackerSettings()
    sensors = sensors or Sensors()
    if detections.num_rows == 0:
        return Tracked(empty_table(), [], [])
    names = pc.cast(detections["sensor"], pa.string()).to_numpy(zero_copy_only=False)
    tables, rejects, stats = [], [], []
    for name in sorted(set(names.tolist())):
        rows = _in_order(detections, np.flatnonzero(names == name))
        own = settings.for_sensor(sensors.get(name))
        reports, clutter, stat = _one_sensor(detections, rows, name, own)
        tables.append(reports)
        rejects.extend(clutter)
        stats.append(stat)
    return Tracked(concat(tables), sorted(rejects), stats)


def _in_order(det: pa.Table, rows: np.ndarray) -> np.ndarray:
    """The rows by time, then file name, then record: independent of input order."""
    sub = det.take(pa.array(rows))
    t = sub["time"].cast(pa.int64()).to_numpy()
    files = pc.cast(sub["source_file"], pa.string()).to_numpy(zero_copy_only=False)
    rec = sub["source_record"].to_numpy()
    return rows[np.lexsort((rec, files.astype(str), t))]


def _one_sensor(
    det: pa.Table, rows: np.ndarray, name: str, s: TrackerSettings
) -> tuple[pa.Table, list[Reject], SensorStats]:
    m = measurements(det, rows, s)
    scan_s, measured = _scan_period(m, s)
    duration = float(m.t[-1] - m.t[0]) if len(m) else 0.0
    density = clutter_density(m.xy, duration / scan_s + 1.0, s.clutter_cell_m, s.clutter_density)
    if m.kind == POLAR:  # per unit of (distance, azimuth): area = distance × d(azimuth)
        density = density * np.maximum(m.z[:, 0], 1.0)
    f = forward.run(m, density, s, scan_s)
    noise = forward.noise_of(s)
    prefix = "radar" if m.kind == POLAR else "detect"
    label = name.removeprefix("asterix:")
    pieces, tracked = [], np.zeros(len(m), dtype=bool)
    for number, k in enumerate(f.confirmed, start=1):
        idx = np.flatnonzero(f.owner == k)
        xs, Ps = smooth(idx, m.t, f.x, f.P, f.mu, noise, s.dwell_s)
        pieces.append(_reports(det, m, idx, xs, Ps, f"{prefix}:{label}:{number}"))
        tracked[idx] = True
    clutter = _clutter(det, m.rows[~tracked])
    stat = SensorStats(
        sensor=name,
        detections=len(m),
        tracked=int(tracked.sum()),
        clutter=len(clutter),
        tracks=len(f.confirmed),
        tentative=f.started - len(f.confirmed),
        scan_period_s=scan_s,
        scan_period_measured=measured,
    )
    return concat(pieces), clutter, stat


def _scan_period(m: Measurements, s: TrackerSettings) -> tuple[float, bool]:
    """The given scan period; else, for a radar, measured from its plots: a rotating
    beam makes each plot at ``(turn + azimuth/360) × T`` after a fixed time, so T is
    the slope of a straight-line fit of the plots' times on their turns and azimuths
    (whole turns between plots counted with a first guess: the median time between
    passes through north)."""
    if s.scan_period_s is not None:
        return s.scan_period_s, False
    if m.kind != POLAR:
        return _revisit(m, s)
    if len(m) < 2:
        return DEFAULT_SCAN_PERIOD_S, False
    turned = m.z[:, 1] % (2 * math.pi) / (2 * math.pi)  # azimuth in turns, 0-1
    wraps = np.flatnonzero(np.diff(turned) < -0.5) + 1
    if len(wraps) < MIN_TURNS:
        return DEFAULT_SCAN_PERIOD_S, False
    guess = float(np.median(np.diff(m.t[wraps])))
    # whole turns between consecutive plots (a rotation without plots counts too)
    steps = np.round(np.diff(m.t) / guess - np.diff(turned))
    phase = np.concatenate([[0.0], np.cumsum(steps)]) + turned
    slope = np.polyfit(phase, m.t, 1)[0]
    return float(slope), True


def _revisit(m: Measurements, s: TrackerSettings) -> tuple[float, bool]:
    """A sensor that does not rotate: the median time from each detection to the next
    one that could be the same target (within ``max(3σ, 100 m)`` plus 100 m/s of
    flight, among the next :data:`REVISIT_LOOKAHEAD`), so that other targets and
    clutter seen in between do not shorten it; ``revisit_s`` with too few pairs."""
    n = len(m)
    best = np.full(n, np.inf)
    reach = np.maximum(3.0 * np.sqrt(m.R[:, 0, 0]), 100.0)
    for k in range(1, min(REVISIT_LOOKAHEAD, n - 1) + 1):
        dt = m.t[k:] - m.t[:-k]
        dist = np.hypot(*(m.xy[k:] - m.xy[:-k]).T)
        same = (dt > 0) & (dist <= reach[:-k] + 100.0 * dt)
        best[:-k] = np.where(same, np.minimum(best[:-k], dt), best[:-k])
    found = best[np.isfinite(best)]
    if len(found) < MIN_REVISITS:
        return s.revisit_s, False
    return float(np.median(found)), True


def _reports(
    det: pa.Table, m: Measurements, idx: np.ndarray, xs: np.ndarray, Ps: np.ndarray, track_id: str
) -> pa.Table:
    rows = m.rows[idx]
    sub = det.take(pa.array(rows))
    lon, lat = m.to_lonlat.transform(xs[:, 0], xs[:, 1])
    # the larger axis of the smoothed error (conservative), and the height band's
    # share, which smoothing cannot average away
    sigma = np.sqrt(np.linalg.eigvalsh(Ps[:, :2, :2])[:, 1] + m.bias_sigma[idx] ** 2)
    speed = np.hypot(xs[:, 2], xs[:, 3])
    heading = np.degrees(np.arctan2(xs[:, 2], xs[:, 3])) % 360.0
    columns = {
        "track_id": [track_id] * len(idx),
        "time": sub["time"],
        "lon": np.asarray(lon, dtype=np.float64),
        "lat": np.asarray(lat, dtype=np.float64),
        "alt_m": sub["alt_m"],
        "alt_kind": sub["alt_kind"],
        "ground_speed_mps": speed,
        "track_deg": heading,
        "pos_sigma_m": sigma,
        "source_record": sub["source_record"],
    }
    table = make_table(columns, source="", source_file="")
    # each report cites its detection, and is the detecting sensor's measurement
    for name in ("source", "source_file", "sensor"):
        table = table.set_column(table.schema.get_field_index(name), name, sub[name])
    return pa.Table.from_arrays(table.columns, schema=POSITION_SCHEMA)


def _clutter(det: pa.Table, rows: np.ndarray) -> list[Reject]:
    sub = det.take(pa.array(rows)).select(["source_file", "source_record", "source_offset"])
    files = pc.cast(sub["source_file"], pa.string()).to_pylist()
    records = sub["source_record"].to_pylist()
    offsets = sub["source_offset"].to_pylist()
    return [
        Reject(f, r, reasons.CLUTTER, o) for f, r, o in zip(files, records, offsets, strict=True)
    ]
