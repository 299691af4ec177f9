"""Time charts of the report: altitude and speed profiles, and the coverage strip."""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection

import numpy as np
import shapely

from airwitness.investigate.coverage import CoverageGrid
from airwitness.report._svg import (
    RAMP_LEVELS,
    esc,
    iso,
    num,
    path_d,
    ramp,
    ramp_level,
    svg_open,
    text,
    ticks,
    time_labels,
    time_ticks,
)
from airwitness.report.drawn_tracks import Crossing, Track, label_runs

MAX_CHART_POINTS = 1500
MAX_STRIP_COLUMNS = 300

CHART_CSS = """
.chart .ax{stroke:#9aa3ab;stroke-width:1;fill:none}
.chart .gl{stroke:#e3e7ea;stroke-width:1;fill:none}
.chart .tl{font-size:10px;fill:#555}.chart .td{font-size:9.5px;fill:#888}
.chart .yl{font-size:11px;fill:#333;font-weight:600}
.chart .pl{fill:none;stroke:#1f4e79;stroke-width:1.4;stroke-linejoin:round}
.chart .xf{stroke:#111;stroke-width:1.3}
.chart .xs{stroke:#111;stroke-width:1.2;stroke-dasharray:3 2}
.chart .xo{stroke:#9a9a9a;stroke-width:.8;stroke-dasharray:2 2}
.chart .xl{font-size:10px;font-weight:600;fill:#111}
.chart .none{font-size:12px;fill:#888}
.chart .b-v{fill:#c25a00}.chart .b-i{fill:#4b37a6}
.chart .b-o{fill:#9a9a9a}.chart .b-x{fill:#2f79b5}
.strip .row:hover{fill:#000;fill-opacity:.08}
.strip .fd{fill:#111;stroke:#fff;stroke-width:1}
"""


def _band_class(label: str, via: Collection[str], into: str) -> str:
    if label == into:
        return "b-i"
    if label in via:
        return "b-v"
    return "b-x" if label == "INTL" else "b-o"


def _time_axis(t0: int, t1: int, x_of, y: float, target: int) -> str:
    """UTC ticks under a chart; labels near the right end are right-aligned to stay inside."""
    values, step = time_ticks(t0, t1, target)
    right = x_of(t1)
    out = []
    for ns, (main, sub) in zip(values, time_labels(values, step), strict=True):
        x = x_of(ns)
        anchor = "end" if right - x < 30 else "middle"
        out.append(f'<path class="ax" d="M{num(x)},{num(y)}v4"/>')
        out.append(text(x, y + 14, main, "tl", anchor))
        if sub:
            out.append(text(x, y + 25, sub, "td", anchor))
    return "".join(out)


def profile_chart(track: Track, quantity: str, via: Collection[str], into: str) -> str:
    """Altitude (``alt``) or ground speed (``speed``) of one track against time; the
    band under it colours the routes' airspaces (``via``) and ``into``."""
    values = track.alt_m if quantity == "alt" else track.speed_mps
    name = "Altitude (m)" if quantity == "alt" else "Ground speed (m/s)"
    w, h = 470.0, 210.0
    left, right, top, bottom = 56.0, 12.0, 22.0, 48.0
    pw, ph = w - left - right, h - top - bottom
    t0, t1 = int(track.time_ns[0]), int(track.time_ns[-1])
    if t1 <= t0:
        t0, t1 = t0 - 30 * 10**9, t1 + 30 * 10**9

    def x_of(ns: float) -> float:
        return left + (ns - t0) / (t1 - t0) * pw

    finite = values[np.isfinite(values)]
    out = [svg_open(w, h, f"{name} of track {track.track_id}", "chart"), text(left, 13, name, "yl")]
    if finite.size == 0:
        out.append(text(left + pw / 2, top + ph / 2, "none reported", "none", "middle"))
        vmax, vmin = 1.0, 0.0
    else:
        vmin = min(0.0, float(finite.min()))
        vmax = float(finite.max()) * 1.08 or 1.0
    yt = [v for v in ticks(vmin, vmax, 4) if vmin <= v <= vmax]

    def y_of(v: np.ndarray | float) -> np.ndarray | float:
        return top + ph - (np.asarray(v) - vmin) / (vmax - vmin) * ph

    for v in yt:
        y = float(y_of(v))
        out.append(f'<path class="gl" d="M{num(left)},{num(y)}h{num(pw)}"/>')
        out.append(text(left - 5, y + 3.5, f"{v:,.0f}" if vmax > 20 else num(v, 1), "tl", "end"))
    out.append(f'<path class="ax" d="M{num(left)},{num(top)}v{num(ph)}h{num(pw)}"/>')
    out.append(_band(track, x_of, top + ph + 1, via, into))
    out.append(_time_axis(t0, t1, x_of, top + ph + 8, 5))
    if finite.size:
        out.append(_line(track, values, x_of, y_of))
    out.append(_crossing_marks(track.crossings, t0, t1, x_of, top, ph))
    out.append("</svg>")
    return "".join(out)


def _band(track: Track, x_of, y: float, via: Collection[str], into: str) -> str:
    """A thin strip under the chart: which airspace the track was in, when."""
    out = []
    for _, _, label, a, b in label_runs(track):
        x0, x1 = x_of(a), x_of(b)
        out.append(
            f'<rect class="{_band_class(label, via, into)}" x="{num(x0)}" y="{num(y)}"'
            f' width="{num(max(x1 - x0, 0.6))}" height="6"><title>{esc(label)}: {iso(a)} – '
            f"{iso(b)}</title></rect>"
        )
    return "".join(out)


def _line(track: Track, values: np.ndarray, x_of, y_of) -> str:
    n = len(values)
    stride = max(1, math.ceil(n / MAX_CHART_POINTS))
    idx = np.unique(np.r_[np.arange(0, n, stride), n - 1])
    t, v, seg = track.time_ns[idx], values[idx], track.segment[idx]
    ok = np.isfinite(v)
    brk = np.flatnonzero(np.r_[True, (seg[1:] != seg[:-1]) | (ok[1:] != ok[:-1]), True])
    parts = []
    for a, b in itertools.pairwise(brk):
        if not ok[a]:
            continue
        xy = np.column_stack([x_of(t[a:b].astype(np.float64)), y_of(v[a:b])])
        if len(xy) == 1:
            xy = np.vstack([xy, xy + np.array([0.8, 0.0])])
        line = shapely.simplify(shapely.linestrings(xy), 0.3)
        parts.append(path_d(shapely.get_coordinates(line)))
    return f'<path class="pl" d="{"".join(parts)}"/>' if parts else ""


def _crossing_marks(
    crossings: tuple[Crossing, ...], t0: int, t1: int, x_of, top: float, ph: float
) -> str:
    out = []
    rank = {"other": 0, "suspect": 1, "finding": 2}
    for c in sorted(crossings, key=lambda c: (rank[c.role], c.time_ns)):
        if not t0 <= c.time_ns <= t1:
            continue
        x = x_of(c.time_ns)
        cls = {"finding": "xf", "suspect": "xs", "other": "xo"}[c.role]
        tip = f"{c.frm} → {c.to} at {iso(c.time_ns)} ({c.kind}, {c.role})"
        out.append(
            f'<path class="{cls}" d="M{num(x)},{num(top)}v{num(ph)}">'
            f"<title>{esc(tip)}</title></path>"
        )
        if c.role != "other":
            anchor = "end" if x > x_of((t0 + t1) / 2) else "start"
            dx = -3 if anchor == "end" else 3
            out.append(text(x + dx, top + 9, f"{c.frm}→{c.to}", "xl", anchor))
    return "".join(out)


def coverage_strip(cov: CoverageGrid, findings: list[Crossing]) -> str:
    """Stretches (rows, in border order) × time (columns): how much of each cell was seen."""
    n_s, n_b = cov.covered.shape
    if n_s == 0:
        return ""
    factor = max(1, math.ceil(n_b / MAX_STRIP_COLUMNS))
    starts = np.arange(0, n_b, factor)
    frac = np.add.reduceat(cov.covered.astype(np.float64), starts, axis=1)
    frac /= np.diff(np.r_[starts, n_b])[None, :]
    levels = np.vectorize(ramp_level, otypes=[np.int64])(frac) if frac.size else frac
    cols = len(starts)
    left, right, top, bottom = 70.0, 14.0, 10.0, 40.0
    pw = 880.0
    rh = min(16.0, max(3.0, 420.0 / n_s))
    ph = rh * n_s
    cw = pw / cols
    w, h = left + pw + right, top + ph + bottom
    t0 = int(cov.bin_start_ns[0])
    t_end = t0 + int(n_b * cov.bin_s * 1e9)

    def x_of(ns: float) -> float:
        return left + (ns - t0) / (t_end - t0) * pw

    out = [
        svg_open(w, h, "coverage of the border: stretch by time", "chart strip"),
        f'<rect x="{num(left)}" y="{num(top)}" width="{num(pw)}" height="{num(ph)}"'
        f' fill="{ramp(0)}"/>',
    ]
    for level in range(1, RAMP_LEVELS):
        d = []
        for r in range(n_s):
            on = levels[r] == level
            if not on.any():
                continue
            edges = np.flatnonzero(np.diff(np.r_[0, on.astype(np.int8), 0]))
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                d.append(
                    f"M{num(left + a * cw)},{num(top + r * rh)}h{num((b - a) * cw)}"
                    f"v{num(rh)}h{num(-(b - a) * cw)}z"
                )
        if d:
            out.append(f'<path fill="{ramp((level) / (RAMP_LEVELS - 1))}" d="{"".join(d)}"/>')
    per = cov.fraction_per_stretch()
    cum_km = np.r_[0.0, np.cumsum(cov.stretch_length_m)] / 1000
    for r in range(n_s):
        tip = f"stretch {r}: seen {per[r]:.1%} of the window"
        out.append(
            f'<rect class="row" x="{num(left)}" y="{num(top + r * rh)}" width="{num(pw)}"'
            f' height="{num(rh)}" fill-opacity="0"><title>{esc(tip)}</title></rect>'
        )
    label_every = max(1, math.ceil(14 / rh))
    for r in range(0, n_s, label_every):
        out.append(text(left - 5, top + r * rh + rh / 2 + 3.5, f"{cum_km[r]:,.0f} km", "tl", "end"))
    out.append(f'<path class="ax" d="M{num(left)},{num(top)}v{num(ph)}h{num(pw)}"/>')
    out.append(_time_axis(t0, t_end, x_of, top + ph, 8))
    out.append(_strip_findings(cov, findings, x_of, top, rh))
    out.append("</svg>")
    return "".join(out)


def _strip_findings(
    cov: CoverageGrid, findings: list[Crossing], x_of, top: float, rh: float
) -> str:
    """Each finding at its time and the stretch nearest to where it crossed."""
    if not findings:
        return ""
    t0 = int(cov.bin_start_ns[0])
    t_end = t0 + int(len(cov.bin_start_ns) * cov.bin_s * 1e9)
    lines = np.asarray(cov.stretches, dtype=object)
    out = []
    for c in findings:
        if not t0 <= c.time_ns <= t_end:
            continue
        r = int(np.argmin(shapely.distance(lines, shapely.Point(c.lon, c.lat))))
        tip = f"{c.track_id}: {c.frm} → {c.to} at {iso(c.time_ns)} ({c.kind}), near stretch {r}"
        out.append(
            f'<circle class="fd" cx="{num(x_of(c.time_ns))}" cy="{num(top + (r + 0.5) * rh)}"'
            f' r="4"><title>{esc(tip)}</title></circle>'
        )
    return "".join(out)
