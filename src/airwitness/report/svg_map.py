"""The report's map: airspaces, the watched border, tracks and crossings, as inline SVG.

Projection: :mod:`.map_view`; graticule, scale bar and key:
:mod:`.svg_furniture`. Geometry is clipped to the view and simplified
to about one pixel before it is written, so the page stays small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from airwitness.report._svg import (
    esc,
    iso,
    num,
    path_d,
    ramp,
    svg_open,
    text,
)
from airwitness.report.drawn_tracks import Crossing, Track, boundary_point
from airwitness.report.map_view import View, fit_view
from airwitness.report.svg_furniture import grid, grid_labels, legend_html, north_arrow, scale_bar
from airwitness.schema import SELF_REPORTED

MAX_TRACK_POINTS = 2000
POINT_BUDGET = 150_000  # over all tracks of one map
MAX_OTHER_MARKERS = 3000  # crossings that are neither findings nor suspect, per map
TRACK_SIMPLIFY_PX = 0.3

MAP_CSS = """
.map .bg{fill:#e4eef6}
.map .a{stroke:#8c8c86;stroke-width:.6;stroke-linejoin:round;fill-rule:evenodd}
.map .a.sea{fill-opacity:.45;stroke:#a9bccb;stroke-width:.5;stroke-dasharray:2 2}
.map .a-o{fill:#ecebe5}.map .a-v{fill:#fbe0b8}.map .a-i{fill:#ddd7f3}
.map .grid{fill:none;stroke:#7a8c9c;stroke-width:.5;stroke-opacity:.45}
.map .glab{font-size:10px;fill:#4d5b68}
.map .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.map .cov{fill:none;stroke-width:4.5;stroke-linecap:butt}
.map .cas{fill:none;stroke:#222;stroke-width:7;stroke-opacity:.55}
.map .t{fill:none;stroke-width:1.1;stroke-linejoin:round;stroke-linecap:round;stroke-opacity:.8}
.key .t{stroke-width:2;stroke-opacity:1}
.map .t-v{stroke:#c25a00}.map .t-i{stroke:#4b37a6}.map .t-o{stroke:#6f6f6f}.map .t-x{stroke:#2f79b5}
.map .gap{stroke-dasharray:4 3}
.map .trk.sr .t{stroke-dasharray:1.5 2.5;stroke-width:1.6}
.map .xf{fill:#111;stroke:#fff;stroke-width:1.5}
.map .xs{fill:#fff;fill-opacity:.6;stroke:#111;stroke-width:1.4;stroke-dasharray:2.5 1.5}
.map .xo{fill:#444;stroke:#fff;stroke-width:.6}
.map .xo.sus{fill:#fff;stroke:#444;stroke-dasharray:1.5 1}
.map .lab-o{font-size:11px;fill:#6b6b66;letter-spacing:.06em}
.map .lab-v{font-size:16px;font-weight:700;fill:#8a4200;letter-spacing:.08em}
.map .lab-i{font-size:16px;font-weight:700;fill:#3a2a85;letter-spacing:.08em}
.map .tid{font-size:10.5px;font-weight:600;fill:#111}
.map .frame{fill:none;stroke:#5c6670;stroke-width:1}
.map .inset{fill:none;stroke:#111;stroke-width:1.2;stroke-dasharray:5 3}
.map .sb-k{fill:#222}.map .sb-w{fill:#fff;stroke:#222;stroke-width:.8}
.map .sbl{font-size:10px;fill:#222}
.map .north{fill:#222}.map .nlab{font-size:12px;font-weight:700;fill:#222}
"""


@dataclass(frozen=True)
class MapInput:
    """What a map draws; the same for the overview and the border detail."""

    boundaries: object  # BoundarySet: codes, zones, geoms
    via: tuple[str, ...]  # the routes' airspaces (empty for via: any)
    into: str
    tracks: dict[str, Track]
    crossings: list[Crossing]
    stretches: list[tuple[shapely.Geometry, str]]  # border pieces and their tooltips
    stretch_fraction: np.ndarray
    key_tracks: frozenset[str]  # findings' and suspect crossings' tracks
    observed_gap_s: float


def render_map(
    m: MapInput, view: View, *, ident: str, title: str, inset: View | None = None
) -> str:
    """One complete ``<svg>`` map of ``view``."""
    w, h = view.width, view.height
    clip = f"{ident}-clip"
    out = [
        svg_open(w, h, title, "map"),
        f"<title>{esc(title)}</title>",
        f'<defs><clipPath id="{clip}"><rect width="{num(w)}" height="{num(h)}"/></clipPath></defs>',
        f'<g clip-path="url(#{clip})">',
        f'<rect class="bg" width="{num(w)}" height="{num(h)}"/>',
        _airspaces(m, view),
        grid(view),
        _border(m, view),
        _tracks(m, view),
        _markers(m, view, label_tracks=inset is None),
        _labels(m, view),
    ]
    if inset is not None:
        x0, y0 = view.xy([inset.lon0], [inset.lat1])[0]
        x1, y1 = view.xy([inset.lon1], [inset.lat0])[0]
        out.append(
            f'<rect class="inset" x="{num(x0)}" y="{num(y0)}" width="{num(x1 - x0)}"'
            f' height="{num(y1 - y0)}"><title>area of the border map</title></rect>'
        )
    out += [
        "</g>",
        grid_labels(view),
        scale_bar(view),
        north_arrow(view),
        f'<rect class="frame" x=".5" y=".5" width="{num(w - 1)}" height="{num(h - 1)}"/>',
        "</svg>",
    ]
    return "".join(out)


def _code_class(code: str, m: MapInput) -> str:
    return "v" if code in m.via else "i" if code == m.into else "o"


def _airspaces(m: MapInput, view: View) -> str:
    """Every airspace polygon meeting the view, sea zones under land."""
    b = m.boundaries
    lon0, lat0, lon1, lat1 = view.bounds
    mx, my = (lon1 - lon0) * 0.02, (lat1 - lat0) * 0.02
    box = (lon0 - mx, lat0 - my, lon1 + mx, lat1 + my)
    geoms = np.asarray(b.geoms, dtype=object)
    hit = np.flatnonzero(shapely.intersects(geoms, shapely.box(*box)))
    tol = (lon1 - lon0) / 1000
    order = sorted(hit.tolist(), key=lambda i: (b.zones[i] != "sea", b.codes[i], i))
    out = []
    for i in order:
        g = shapely.simplify(shapely.clip_by_rect(geoms[i], *box), tol, preserve_topology=True)
        if g.is_empty:
            continue
        d = _polygon_d(view.project(g))
        if not d:
            continue
        zone = "sea" if b.zones[i] == "sea" else "land"
        code = b.codes[i]
        out.append(
            f'<path class="a a-{_code_class(code, m)} {zone}" d="{d}">'
            f"<title>{esc(code)} ({zone})</title></path>"
        )
    return "".join(out)


def _polygon_d(g: shapely.Geometry) -> str:
    parts = []
    for poly in shapely.get_parts(g):
        if poly.geom_type != "Polygon":
            continue
        for ring in shapely.get_rings(poly):
            xy = shapely.get_coordinates(ring)[:-1]
            if len(xy) >= 3:
                parts.append(path_d(xy, closed=True))
    return "".join(parts)


def _labels(m: MapInput, view: View) -> str:
    """Airspace codes at a point inside their largest visible land area."""
    b = m.boundaries
    box = shapely.box(*view.bounds)
    geoms = np.asarray(b.geoms, dtype=object)
    land = [
        i for i in np.flatnonzero(shapely.intersects(geoms, box)).tolist() if b.zones[i] != "sea"
    ]
    by_code: dict[str, list] = {}
    for i in land:
        by_code.setdefault(b.codes[i], []).append(shapely.clip_by_rect(geoms[i], *view.bounds))
    out = []
    for code in sorted(by_code):
        parts = [
            p
            for g in by_code[code]
            for p in shapely.get_parts(view.project(g))
            if p.geom_type == "Polygon"
        ]
        if not parts:
            continue
        big = max(parts, key=lambda p: p.area)
        x0, y0, x1, y1 = big.bounds
        cls = _code_class(code, m)
        size = 16 if cls != "o" else 11
        if x1 - x0 < len(code) * size * 0.8 or y1 - y0 < size * 1.4:
            continue
        pt = shapely.point_on_surface(big)
        out.append(text(pt.x, pt.y + size * 0.35, code, f"lab-{cls} halo", "middle"))
    return "".join(out)


def _border(m: MapInput, view: View) -> str:
    """The watched border, each stretch coloured by how much of the window it was seen."""
    if not m.stretches:
        return ""
    lines, casing = [], []
    box = view.bounds
    for (geom, tip), frac in zip(m.stretches, m.stretch_fraction, strict=True):
        g = shapely.clip_by_rect(geom, *box)
        if g.is_empty:
            continue
        d = "".join(path_d(shapely.get_coordinates(p)) for p in shapely.get_parts(view.project(g)))
        casing.append(d)
        lines.append(
            f'<path class="cov" stroke="{ramp(frac)}" d="{d}"><title>{esc(tip)}</title></path>'
        )
    if not lines:
        return ""
    return f'<path class="cas" d="{"".join(casing)}"/>' + "".join(lines)


def _track_style(label: str, m: MapInput) -> str:
    if label in m.via:
        return "v"
    if label == m.into:
        return "i"
    return "x" if label == "INTL" else "o"


def _track_pieces(t: Track, m: MapInput, cap: int) -> list[tuple[str, bool, np.ndarray]]:
    """Polylines of one track, split where the airspace or the observation changes.

    Each piece is (style, dashed, lon/lat array); a piece between two reports
    further apart than the observed gap is dashed. Pieces meet at the recorded
    crossing points.
    """
    n = len(t.time_ns)
    if n < 2:
        return []
    dt_s = np.diff(t.time_ns) / 1e9
    change = (
        (t.label[1:] != t.label[:-1])
        | (t.segment[1:] != t.segment[:-1])
        | (dt_s > m.observed_gap_s)
    )
    keep = np.zeros(n, dtype=bool)
    keep[:: max(1, math.ceil(n / cap))] = True
    keep[-1] = True
    edge = np.flatnonzero(change)
    keep[edge] = True
    keep[edge + 1] = True
    idx = np.flatnonzero(keep)
    pieces: list[tuple[str, bool, list]] = []
    cur: list = [(t.lon[idx[0]], t.lat[idx[0]])]
    style, dashed = _track_style(str(t.label[idx[0]]), m), False

    def flush() -> None:
        if len(cur) >= 2:
            pieces.append((style, dashed, cur))

    for a, b in zip(idx[:-1].tolist(), idx[1:].tolist(), strict=True):
        pa_, pb = (t.lon[a], t.lat[a]), (t.lon[b], t.lat[b])
        if t.segment[a] != t.segment[b]:
            flush()
            cur, style, dashed = [pb], _track_style(str(t.label[b]), m), False
            continue
        gap = b == a + 1 and dt_s[a] > m.observed_gap_s
        if gap != dashed:
            flush()
            cur, dashed = [pa_], gap
        if t.label[a] != t.label[b] and b == a + 1:
            c = boundary_point(t, a)
            mid = (c.lon, c.lat) if c is not None else ((pa_[0] + pb[0]) / 2, (pa_[1] + pb[1]) / 2)
            cur.append(mid)
            flush()
            cur, style = [mid], _track_style(str(t.label[b]), m)
        cur.append(pb)
        if gap:
            flush()
            cur, dashed = [pb], False
    flush()
    return [(s, dsh, np.asarray(c, dtype=np.float64)) for s, dsh, c in pieces]


def _tracks(m: MapInput, view: View) -> str:
    lon0, lat0, lon1, lat1 = view.bounds
    shown = [
        tid
        for tid, t in sorted(m.tracks.items())
        if len(t.lon)
        and (t.lon.max() >= lon0)
        and (t.lon.min() <= lon1)
        and (t.lat.max() >= lat0)
        and (t.lat.min() <= lat1)
    ]
    cap = int(min(MAX_TRACK_POINTS, max(200, POINT_BUDGET // max(len(shown), 1))))
    pad = 4.0
    rect = (-pad, -pad, view.width + pad, view.height + pad)
    # key tracks last, so they are drawn on top; one object's tracks together
    objects = _objects(m, shown)
    key_objects = {objects[t] for t in shown if t in m.key_tracks}
    groups: dict[str, list[str]] = {}
    for tid in sorted(shown, key=lambda s: (objects[s] in key_objects, objects[s], s)):
        groups.setdefault(objects[tid], []).append(tid)
    out = []
    for members in groups.values():
        drawn = [_track_group(m, view, tid, cap, rect) for tid in members]
        drawn = [d for d in drawn if d]
        if len(members) > 1 and drawn:
            names = ", ".join(f"{t} ({m.tracks[t].sensor or 'unknown'})" for t in members)
            title = f"<title>one object: {esc(names)}</title>"
            out.append(f'<g class="obj">{title}{"".join(drawn)}</g>')
        else:
            out += drawn
    return "".join(out)


def _objects(m: MapInput, shown: list[str]) -> dict[str, str]:
    """Each track's object: the first of it and its associated tracks' ids."""
    return {tid: min((tid, *m.tracks[tid].associated)) for tid in shown}


def _track_group(m: MapInput, view: View, tid: str, cap: int, rect: tuple) -> str:
    """One track's ``<g>``: its pieces by style; self-reported tracks of an object that
    a sensor also saw are dotted."""
    paths: dict[tuple[str, bool], list[str]] = {}
    for style, dashed, lonlat in _track_pieces(m.tracks[tid], m, cap):
        line = shapely.clip_by_rect(shapely.linestrings(view.xy(lonlat[:, 0], lonlat[:, 1])), *rect)
        for part in shapely.get_parts(shapely.simplify(line, TRACK_SIMPLIFY_PX)):
            xy = shapely.get_coordinates(part)
            if len(xy) >= 2:
                paths.setdefault((style, dashed), []).append(path_d(xy))
    if not paths:
        return ""
    t = m.tracks[tid]
    key = " key" if tid in m.key_tracks else ""
    sr = " sr" if t.associated and t.sensor in SELF_REPORTED else ""
    body = "".join(
        f'<path class="t t-{s}{" gap" if dsh else ""}" d="{"".join(ds)}"/>'
        for (s, dsh), ds in sorted(paths.items())
    )
    who = f" ({t.sensor})" if t.sensor else ""
    return f'<g class="trk{key}{sr}"><title>track {esc(tid)}{esc(who)}</title>{body}</g>'


def crossing_tip(c: Crossing) -> str:
    role = {
        "finding": "finding",
        "suspect": "suspect: implausible segment, not counted",
        "other": "crossing",
    }[c.role]
    if c.role == "suspect" and c.reason:
        role = f"suspect: {c.reason}, not counted"
    sus = " (implausible segment)" if c.suspect and c.role == "other" else ""
    seen = ""
    if c.corroborated_by:
        seen = f" · {c.sensors} sensors (also {c.corroborated_by.replace(',', ', ')})"
    return (
        f"{c.track_id} · {iso(c.time_ns)} · {c.frm} → {c.to} · {c.kind}, "
        f"gap {num(c.gap_s, 1)} s · {role}{sus}{seen}"
    )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _markers(m: MapInput, view: View, *, label_tracks: bool) -> str:
    """Crossing markers, key ones on top; key ones labelled with their track.

    Other crossings beyond :data:`MAX_OTHER_MARKERS` are not marked, and the map
    says how many were left out.
    """
    shown = [c for c in m.crossings if view.contains(c.lon, c.lat)]
    others = [c for c in shown if c.role == "other"]
    left_out = max(0, len(others) - MAX_OTHER_MARKERS)
    if left_out:
        keep = {id(c) for c in others[:MAX_OTHER_MARKERS]}
        shown = [c for c in shown if c.role != "other" or id(c) in keep]
    rank = {"other": 0, "suspect": 1, "finding": 2}
    out = []
    if left_out:
        out.append(
            text(
                view.width / 2,
                16,
                f"{left_out:,} other crossings not marked",
                "glab halo",
                "middle",
            )
        )
    labelled: dict[str, list[tuple[float, float]]] = {}
    placed: list[tuple[float, float, float, float]] = []  # label boxes, to avoid overlaps
    labels: list[str] = []  # drawn over every marker
    for c in sorted(shown, key=lambda c: (rank[c.role], c.track_id, c.time_ns)):
        x, y = view.xy([c.lon], [c.lat])[0]
        tip = f"<title>{esc(crossing_tip(c))}</title>"
        if c.role == "finding":
            out.append(f'<circle class="xf" cx="{num(x)}" cy="{num(y)}" r="5.5">{tip}</circle>')
        elif c.role == "suspect":
            out.append(f'<circle class="xs" cx="{num(x)}" cy="{num(y)}" r="6.5">{tip}</circle>')
        else:
            sus = " sus" if c.suspect else ""
            out.append(
                f'<circle class="xo{sus}" cx="{num(x)}" cy="{num(y)}" r="2.6">{tip}</circle>'
            )
        if not label_tracks or c.role == "other":
            continue
        near = labelled.setdefault(c.track_id, [])
        box = (x + 7, y - 17, x + 9 + 6.3 * len(c.track_id), y - 4)
        if all(math.hypot(x - a, y - b) > 60 for a, b in near) and not any(
            _overlap(box, other) for other in placed
        ):
            near.append((x, y))
            placed.append(box)
            labels.append(text(x + 8, y - 7, c.track_id, "tid halo"))
    return "".join(out + labels)


__all__ = ["MAP_CSS", "MapInput", "View", "crossing_tip", "fit_view", "legend_html", "render_map"]
