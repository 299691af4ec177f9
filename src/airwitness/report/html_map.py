"""The map section of the report: which windows to draw, and their captions.

Up to three maps: the region (the routes' airspaces ∪ ``into``, widened for the
tracks that matter), the borders whose coverage was measured, and a close-up of
the key crossings, each drawn only when it shows something the larger one cannot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from airwitness.report._html import fmt, pct
from airwitness.report._svg import esc
from airwitness.report.drawn_tracks import Crossing, Track
from airwitness.report.svg_map import MapInput, View, fit_view, legend_html, render_map

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

Box = tuple[float, float, float, float]
DETAIL_MAX_SHARE = 0.6  # draw the border map only if it is this much narrower than the region
CLOSEUP_MAX_SHARE = 0.35


def code_geometry(inv: Investigation, code: str) -> shapely.Geometry:
    """The union of one code's polygons (land and sea)."""
    b = inv.airspace.boundaries
    geoms = [g for c, g in zip(b.codes, b.geoms, strict=True) if c == code]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def map_input(
    inv: Investigation, report: dict[str, Any], tracks: dict[str, Track], crossings: list[Crossing]
) -> MapInput:
    cov = inv.coverage
    stretches = []
    for s in report.get("coverage", {}).get("stretches", []):
        low = s.get("lowest_alt_m")
        tip = (
            f"stretch {s['index']}: seen {pct(s.get('covered_fraction'))} of the window; "
            f"{s.get('reports_near', 0)} reports near; lowest altitude seen "
            f"{fmt(low, 0, 'm') if low is not None else 'none'}"
        )
        stretches.append((cov.stretches[s["index"]], tip))
    key = frozenset(c.track_id for c in crossings if c.role in ("finding", "suspect"))
    return MapInput(
        boundaries=inv.airspace.boundaries,
        via=inv.case.routes,
        into=inv.case.into,
        tracks=tracks,
        crossings=crossings,
        stretches=stretches,
        stretch_fraction=cov.fraction_per_stretch(),
        key_tracks=key,
        observed_gap_s=inv.case.option("observed_gap_s"),
    )


def _union(*boxes: Box | None) -> Box | None:
    ok = [b for b in boxes if b is not None and all(np.isfinite(b))]
    if not ok:
        return None
    arr = np.asarray(ok, dtype=np.float64)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def _span(v: View) -> float:
    return v.lon1 - v.lon0


def views(inv: Investigation, m: MapInput) -> list[tuple[str, View]]:
    """(kind, view) for each map to draw, largest first: region, border, closeup."""
    region = shapely.union_all(
        [code_geometry(inv, code) for code in (*inv.case.routes, inv.case.into)]
    )
    base = None if region.is_empty else tuple(shapely.bounds(region))
    key = [t for tid, t in sorted(m.tracks.items()) if tid in m.key_tracks and len(t.lon)]
    track_box = None
    if key:
        lon = np.concatenate([t.lon for t in key])
        lat = np.concatenate([t.lat for t in key])
        if base is not None:  # tracks widen the view by at most half the region each way
            x0, y0, x1, y1 = base
            hx, hy = (x1 - x0) / 2, (y1 - y0) / 2
            inside = (lon >= x0 - hx) & (lon <= x1 + hx) & (lat >= y0 - hy) & (lat <= y1 + hy)
            lon, lat = lon[inside], lat[inside]
        if lon.size:
            track_box = (lon.min(), lat.min(), lon.max(), lat.max())
    out = [("region", fit_view(_union(base, track_box) or (-180.0, -60.0, 180.0, 80.0), pad=0.04))]
    border = [g for g, _ in m.stretches]
    marks = [(c.lon, c.lat, c.lon, c.lat) for c in m.crossings if c.role != "other"]
    border_box = _union(
        tuple(shapely.bounds(shapely.union_all(border))) if border else None, *marks
    )
    if border_box is not None:
        detail = fit_view(border_box, pad=0.1, min_span_deg=0.3)
        if _span(detail) < DETAIL_MAX_SHARE * _span(out[-1][1]):
            out.append(("border", detail))
    if marks:
        close = fit_view(_union(*marks), pad=0.5, min_span_deg=0.3)
        if _span(close) < CLOSEUP_MAX_SHARE * _span(out[-1][1]):
            out.append(("closeup", close))
    return out


def map_section(
    inv: Investigation, r: dict[str, Any], tracks: dict[str, Track], crossings: list[Crossing]
) -> str:
    m = map_input(inv, r, tracks, crossings)
    via, into = ", ".join(inv.case.routes), inv.case.into
    border = f"The {via}–{into} border" if len(inv.case.routes) == 1 else f"The borders of {into}"
    region = f"{via} and {into}" if via else into
    edges = "the border between them" if len(inv.case.routes) == 1 else f"the borders of {into}"
    titles = {
        "region": f"{via}, {into} and the tracks" if via else f"{into} and the tracks",
        "border": border,
        "closeup": "Close-up of the findings and suspect crossings",
    }
    captions = {
        "region": f"The region of {esc(region)}. Tracks are coloured by the airspace each part"
        f" lies in; {esc(edges)} by how much of the window it was covered"
        " (hover over it, a track or a crossing for details).",
        "border": f"{esc(border)}.",
        "closeup": "Close-up of the findings and suspect crossings.",
    }
    maps = views(inv, m)
    out = ["<section><h2>Map</h2>"]
    for k, (kind, view) in enumerate(maps):
        inset = maps[k + 1][1] if k + 1 < len(maps) else None
        frame = " The dashed frame is the next map." if inset is not None else ""
        out.append(
            "<figure>"
            + render_map(m, view, ident=f"m{k + 1}", title=titles[kind], inset=inset)
            + f"<figcaption>{captions[kind]}{frame}</figcaption></figure>"
        )
    prov = r.get("airspace", {})
    fused = any(t.associated for t in m.tracks.values())
    out.append(legend_html(via, into, inv.case.option("observed_gap_s"), fused=fused))
    out.append(
        '<p class="note">Equirectangular projection, longitude scaled by the cosine of the middle'
        f" latitude. Boundaries: {esc(prov.get('dataset', prov.get('name', 'user set')))} "
        f"{esc(prov.get('version', ''))}; drawn simplified to about one pixel, while crossings are"
        " computed against the full-precision polygons."
        + (f" {esc(prov['attribution'])}." if prov.get("attribution") else "")
        + "</p></section>"
    )
    return "".join(out)
