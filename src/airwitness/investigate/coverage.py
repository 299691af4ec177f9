"""How much of a border the sensors could see, and when.

The border between two airspaces (land boundary and territorial-sea boundary
alike) is cut into stretches of equal length; the time window into bins. A
(stretch, bin) cell is *covered* when at least one accepted report lies within
the radius of the stretch during the bin. "No crossing seen" means something
only where coverage was high.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyproj
import shapely

from airwitness.geodesy import haversine_m

_SHARED_EPS_DEG = 1e-7  # borders that coincide in the data to within ~1 cm


@dataclass(frozen=True)
class CoverageGrid:
    """Coverage of one border over one window."""

    stretches: np.ndarray  # shapely LineStrings in lon/lat, in border order
    stretch_length_m: np.ndarray
    bin_start_ns: np.ndarray  # start of each time bin
    bin_s: float
    radius_m: float
    covered: np.ndarray  # bool (stretch, bin)
    lowest_alt_m: np.ndarray  # per stretch, NaN when nothing was seen near it
    reports_near: np.ndarray  # per stretch: reports within the radius in the window

    @property
    def fraction(self) -> float:
        return float(self.covered.mean()) if self.covered.size else 0.0

    def fraction_per_stretch(self) -> np.ndarray:
        if self.covered.size == 0:
            return np.zeros(len(self.stretches))
        return self.covered.mean(axis=1)


def shared_border(a: shapely.Geometry, b: shapely.Geometry) -> shapely.Geometry:
    """The line(s) where the boundaries of ``a`` and ``b`` meet, merged."""
    edge = shapely.intersection(
        shapely.boundary(a), shapely.buffer(shapely.boundary(b), _SHARED_EPS_DEG)
    )
    lines = [g for g in shapely.get_parts(edge) if g.geom_type == "LineString" and g.length > 0]
    if not lines:
        return shapely.MultiLineString([])
    return shapely.line_merge(shapely.MultiLineString(lines))


def whole_border(a: shapely.Geometry) -> shapely.Geometry:
    """All of ``a``'s boundary, merged: the border an entry from anywhere crosses."""
    lines = [
        g
        for g in shapely.get_parts(shapely.boundary(a))
        if g.geom_type in ("LineString", "LinearRing") and g.length > 0
    ]
    if not lines:
        return shapely.MultiLineString([])
    return shapely.line_merge(shapely.MultiLineString(lines))


def stack_grids(grids: list[CoverageGrid]) -> CoverageGrid:
    """The coverage of several borders over one window (same bins) as one grid, their
    stretches one after the other."""
    if len(grids) == 1:
        return grids[0]
    first = grids[0]
    return CoverageGrid(
        np.concatenate([g.stretches for g in grids]),
        np.concatenate([g.stretch_length_m for g in grids]),
        first.bin_start_ns,
        first.bin_s,
        first.radius_m,
        np.vstack([g.covered for g in grids]),
        np.concatenate([g.lowest_alt_m for g in grids]),
        np.concatenate([g.reports_near for g in grids]),
    )


def cut_into_stretches(border: shapely.Geometry, stretch_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Cut every line of ``border`` into pieces of about ``stretch_m`` (great-circle length)."""
    pieces, lengths = [], []
    for line in shapely.get_parts(border):
        xy = shapely.get_coordinates(line)
        if len(xy) < 2:
            continue
        step = haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        cum = np.concatenate([[0.0], np.cumsum(step)])
        total = cum[-1]
        if total <= 0:
            continue
        n = max(1, round(total / stretch_m))
        cuts = np.linspace(0.0, total, n + 1)
        for lo, hi in itertools.pairwise(cuts):
            inner = (cum > lo) & (cum < hi)
            x = np.concatenate(
                [[np.interp(lo, cum, xy[:, 0])], xy[inner, 0], [np.interp(hi, cum, xy[:, 0])]]
            )
            y = np.concatenate(
                [[np.interp(lo, cum, xy[:, 1])], xy[inner, 1], [np.interp(hi, cum, xy[:, 1])]]
            )
            pieces.append(shapely.linestrings(x, y))
            lengths.append(hi - lo)
    return np.asarray(pieces, dtype=object), np.asarray(lengths, dtype=np.float64)


def measure_coverage(
    table: pa.Table,
    border: shapely.Geometry,
    *,
    since_ns: int,
    until_ns: int,
    stretch_m: float = 10_000.0,
    bin_s: float = 600.0,
    radius_m: float = 30_000.0,
) -> CoverageGrid:
    """Coverage of ``border`` by the reports of ``table`` between two instants."""
    stretches, lengths = cut_into_stretches(border, stretch_m)
    n_bins = max(1, int(np.ceil((until_ns + 1 - since_ns) / (bin_s * 1e9))))
    bin_start = since_ns + (np.arange(n_bins) * bin_s * 1e9).astype(np.int64)
    covered = np.zeros((len(stretches), n_bins), dtype=bool)
    lowest = np.full(len(stretches), np.nan)
    near_count = np.zeros(len(stretches), dtype=np.int64)
    if len(stretches) == 0 or table.num_rows == 0:
        return CoverageGrid(
            stretches, lengths, bin_start, bin_s, radius_m, covered, lowest, near_count
        )

    t = np.asarray(table["time"].combine_chunks().cast(pa.int64()).to_numpy())
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()
    alt = table["alt_m"].to_numpy(zero_copy_only=False).astype(np.float64)
    pad = radius_m / 111_000.0 * 1.5
    x0, y0, x1, y1 = shapely.bounds(border)
    lon_pad = pad / max(np.cos(np.radians(max(abs(y0), abs(y1)))), 0.05)
    keep = (
        (t >= since_ns)
        & (t <= until_ns)
        & (lat >= y0 - pad)
        & (lat <= y1 + pad)
        & (lon >= x0 - lon_pad)
        & (lon <= x1 + lon_pad)
    )
    t, lon, lat, alt = t[keep], lon[keep], lat[keep], alt[keep]
    if t.size == 0:
        return CoverageGrid(
            stretches, lengths, bin_start, bin_s, radius_m, covered, lowest, near_count
        )

    # A local azimuthal equidistant projection keeps distances within ~0.1 % over a
    # region a few hundred km across, which is what a border is.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    proj = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={cy} +lon_0={cx} +datum=WGS84"),
        always_xy=True,
    )
    px, py = proj.transform(lon, lat)
    local = np.asarray(
        [
            shapely.linestrings(np.column_stack(proj.transform(*shapely.get_coordinates(s).T)))
            for s in stretches
        ],
        dtype=object,
    )
    points = shapely.points(px, py)
    tree = shapely.STRtree(local)
    pt_idx, st_idx = tree.query(points, predicate="dwithin", distance=radius_m)
    b = ((t[pt_idx] - since_ns) // int(bin_s * 1e9)).astype(np.int64)
    covered[st_idx, np.clip(b, 0, n_bins - 1)] = True
    np.add.at(near_count, st_idx, 1)
    a = alt[pt_idx]
    ok = ~np.isnan(a)
    np.fmin.at(lowest, st_idx[ok], a[ok])
    return CoverageGrid(stretches, lengths, bin_start, bin_s, radius_m, covered, lowest, near_count)
