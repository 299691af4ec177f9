"""Map furniture: graticule, scale bar, north arrow, and the key below the map."""

from __future__ import annotations

import math

import numpy as np

from airwitness.report._svg import SVG_NS, decimals, esc, nice_step, num, ramp, text
from airwitness.report.map_view import KM_PER_DEG, View


def grid(view: View) -> str:
    step = _grid_step(view)
    lons, lats = _grid_values(view.lon0, view.lon1, step), _grid_values(view.lat0, view.lat1, step)
    xs = view.xy(lons, np.full(len(lons), view.lat0))[:, 0]
    ys = view.xy(np.full(len(lats), view.lon0), lats)[:, 1]
    d = "".join(f"M{num(x)},0V{num(view.height)}" for x in xs)
    d += "".join(f"M0,{num(y)}H{num(view.width)}" for y in ys)
    return f'<path class="grid" d="{d}"/>'


def _grid_step(view: View) -> float:
    return nice_step(min(view.lon1 - view.lon0, (view.lat1 - view.lat0) * 1.6), 6)


def _grid_values(lo: float, hi: float, step: float) -> list[float]:
    first, last = math.ceil(lo / step + 1e-9), math.floor(hi / step - 1e-9)
    return [round(k * step, 9) for k in range(first, last + 1)]


def _deg(value: float, pos: str, neg: str, digits: int) -> str:
    hemi = pos if value > 0 else neg if value < 0 else ""
    return f"{num(abs(value), digits)}°{hemi}"


def grid_labels(view: View) -> str:
    step = _grid_step(view)
    digits = decimals(step)
    out = []
    for lon in _grid_values(view.lon0, view.lon1, step):
        x = view.xy([lon], [view.lat0])[0, 0]
        if 30 < x < view.width - 30:
            out.append(text(x, view.height - 6, _deg(lon, "E", "W", digits), "glab halo", "middle"))
    for lat in _grid_values(view.lat0, view.lat1, step):
        y = view.xy([view.lon0], [lat])[0, 1]
        if 30 < y < view.height - 55:  # clear of the scale bar
            out.append(text(5, y + 3.5, _deg(lat, "N", "S", digits), "glab halo"))
    return "".join(out)


def scale_bar(view: View) -> str:
    px_per_km = view.k / KM_PER_DEG
    km = nice_step(view.width / 5 / px_per_km, 1)
    if km * px_per_km > view.width / 3.5:
        km /= 2
    px = km * px_per_km
    x, y = 16.0, view.height - 30
    half = px / 2
    lab = num(km, 3)
    return (
        f'<g class="scale"><rect x="{num(x - 6)}" y="{num(y - 16)}" width="{num(px + 32)}"'
        f' height="30" rx="3" fill="#fff" fill-opacity=".8"/>'
        f'<rect class="sb-k" x="{num(x)}" y="{num(y)}" width="{num(half)}" height="5"/>'
        f'<rect class="sb-w" x="{num(x + half)}" y="{num(y)}" width="{num(half)}" height="5"/>'
        + text(x, y - 4, "0", "sbl", "middle")
        + text(x + half, y - 4, num(km / 2, 3), "sbl", "middle")
        + text(x + px, y - 4, f"{lab} km", "sbl", "middle")
        + "</g>"
    )


def north_arrow(view: View) -> str:
    x, y = view.width - 28, 18.0
    return (
        f'<g class="na"><circle cx="{num(x)}" cy="{num(y + 14)}" r="15" fill="#fff"'
        f' fill-opacity=".8"/>'
        f'<path class="north" d="M{num(x)},{num(y + 2)}l6,20l-6,-5l-6,5z"/>'
        + text(x, y + 38, "N", "nlab halo", "middle")
        + "</g>"
    )


def legend_html(via: str, into: str, observed_gap_s: float, *, fused: bool = False) -> str:
    """The map key, as small inline SVG swatches; ``via`` names the routes' airspaces
    (``BLR, UKR``), empty when any airspace is a route; ``fused`` when some tracks are
    associated across sensors (docs/fusion.md)."""

    def sw(inner: str) -> str:
        return (
            f'<svg xmlns="{SVG_NS}" class="map key" width="28" height="14"'
            f' viewBox="0 0 28 14" aria-hidden="true">{inner}</svg>'
        )

    def area(cls: str, zone: str = "land") -> str:
        return sw(f'<rect class="a a-{cls} {zone}" x="1" y="1" width="26" height="12"/>')

    def trk(cls: str, extra: str = "") -> str:
        return sw(f'<path class="t t-{cls}{extra}" d="M1,7H27"/>')

    items = [
        *([(area("v"), f"{via} (via)")] if via else []),
        (area("i"), f"{into} (into)"),
        (area("o"), "other airspace"),
        (area("o", "sea"), "territorial sea (lighter)"),
        (sw('<rect class="bg" x="1" y="1" width="26" height="12"/>'), "international (INTL)"),
        *([(trk("v"), f"track in {via}")] if via else []),
        (trk("i"), f"track in {into}"),
        (trk("o"), "track elsewhere"),
        (trk("x"), "track over INTL"),
        (trk("o", " gap"), f"reports more than {num(observed_gap_s)} s apart"),
        *(
            [
                (
                    sw('<g class="trk sr"><path class="t t-o" d="M1,7H27"/></g>'),
                    "self-reported (ADS-B) track of an object a sensor also saw",
                )
            ]
            if fused
            else []
        ),
        (sw('<circle class="xf" cx="14" cy="7" r="5"/>'), "finding"),
        (sw('<circle class="xs" cx="14" cy="7" r="5.5"/>'), "suspect (not counted)"),
        (sw('<circle class="xo" cx="14" cy="7" r="2.6"/>'), "other crossing"),
    ]
    ramp_svg = sw(
        "".join(
            f'<rect x="{1 + 2.6 * k:.1f}" y="4" width="2.7" height="6" fill="{ramp(k / 9)}"/>'
            for k in range(10)
        )
    )
    items.append((ramp_svg, "border seen 0 → 100 % of the window"))
    return (
        '<ul class="legend">'
        + "".join(f"<li>{s}<span>{esc(label)}</span></li>" for s, label in items)
        + "</ul>"
    )
