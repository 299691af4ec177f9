"""Territorial sea from land polygons by the equidistance principle (docs/architecture.md §3).

A point at sea (on no land polygon) that lies within a code's width (12 NM by
default, geodesic) of that code's land belongs to the nearest such code; any
other point at sea belongs to nobody (``INTL``).

How: the world is cut into tiles of a few degrees. For each tile that has both
land and sea, the land nearby (tile grown by more than the widest zone) is
projected into an azimuthal-equidistant projection centred on the tile, where
distances are geodesic to within a few metres over a tile, and buffered by
each code's width. Where zones of different codes overlap, a Voronoi diagram of
densely sampled coastline points (≤ ``spacing_m`` apart) decides which code is
nearer (:mod:`~airwitness.airspace.builder.median_lines`). Results go back to
lon/lat — coast vertices bit-for-bit, not through the inverse projection — are
clipped to the tile, and land is subtracted there; tiles are then dissolved
per code. Longitudes are unwrapped around each
tile's centre, so land across ±180° is handled like any other.

Accuracy with the defaults (checked on Natural Earth 1:10m against distances
measured in a projection centred on each vertex): the outer edge of a zone is
within about 80 m inside (buffer arcs are chords) and 50 m outside
(simplification) of the exact geodesic width; median lines lie within about
60 m of the exact equidistance line — well inside Natural Earth's own 1–3 km
generalisation. Floating-point overlay leaves contacts between neighbouring
polygons of at most ~1e-14 square degrees (a few cm²): see :func:`overlaps`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely import Geometry

from airwitness.airspace.builder.cleanup import MIN_AREA_M2, clamp, clean, despike
from airwitness.airspace.builder.median_lines import CoastPoints, overlap_groups, split_group
from airwitness.airspace.polygonal import EMPTY, polygonal

NM_M = 1852.0
DEFAULT_WIDTH_M = 12 * NM_M  # 22,224 m
_M_PER_DEG_LAT = 110_574.0  # metres per degree of latitude (conservative: the minimum)
_M_PER_DEG_LON_EQ = 111_320.0
_WGS84 = "+proj=longlat +datum=WGS84 +no_defs"


@dataclass(frozen=True)
class SeaOptions:
    """Tuning of :func:`territorial_sea`; the defaults are what the built-in set uses."""

    tile_deg: float = 3.0  # tile height; widths grow towards the poles to keep ~330 km
    spacing_m: float = 250.0  # coastline sample spacing for the median lines
    quad_segs: int = 16  # buffer arcs: chord error W·(1−cos(45°/16)) ≈ 27 m at 12 NM
    simplify_m: float = 50.0  # simplification of buffer outlines (never of the land)
    segmentize_deg: float = 0.05  # land edges made short before projection


def territorial_sea(
    land: Mapping[str, Geometry],
    width_m: float = DEFAULT_WIDTH_M,
    overrides: Mapping[str, float] | None = None,
    *,
    options: SeaOptions | None = None,
    gaps: Geometry | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Geometry]:
    """The territorial sea of each code, as (Multi)Polygons in lon/lat degrees.

    Parameters
    ----------
    land : mapping code -> polygonal geometry in lon/lat (WGS-84 degrees).
    width_m : zone width in metres (geodesic) for every code, 12 NM by default.
    overrides : code -> width in metres for codes that claim another width.
    options : tuning, see :class:`SeaOptions`.
    gaps : areas that are neither land nor sea (e.g. land that no code claims):
        no zone reaches into them.
    progress : called as ``progress(done, total)`` after each tile.

    Returns
    -------
    dict code -> (Multi)Polygon; codes without sea are left out. The polygons
    are valid and overlap neither each other nor any land polygon (beyond
    floating-point contact, see :func:`overlaps`).

    Examples
    --------
    >>> sq = shapely.box(0.0, 0.0, 1.0, 1.0)
    >>> sea = territorial_sea({"AAA": sq})
    >>> bool(shapely.contains_xy(sea["AAA"], 1.15, 0.5))  # ~16.7 km off the coast
    True
    """
    opts = options or SeaOptions()
    widths = _widths(land, width_m, overrides)
    polys = {c: polygonal(land[c]) for c in sorted(land)}
    polys = {c: g for c, g in polys.items() if not g.is_empty}
    codes = list(polys)
    if not codes:
        return {}
    pieces, piece_code = _pieces(polys, codes)
    samples = _Samples.build(polys, codes, opts.spacing_m)
    tree = shapely.STRtree(pieces)
    width_arr = np.array([widths[c] for c in codes])
    if gaps is not None:
        gaps = polygonal(gaps)
    ctx = _Context(codes, width_arr, pieces, piece_code, tree, samples, opts, gaps)
    tiles = list(_tiles(opts.tile_deg))
    out: dict[int, list[Geometry]] = {}
    for i, tile in enumerate(tiles):
        for ci, geom in ctx.tile_sea(tile).items():
            out.setdefault(ci, []).append(geom)
        if progress is not None:
            progress(i + 1, len(tiles))
    result = {}
    for ci in sorted(out):
        sea = clean(despike(clamp(shapely.union_all(out[ci]))))
        if not sea.is_empty:
            result[codes[ci]] = sea
    return result


def overlaps(
    zones: Iterable[tuple[str, Geometry]], min_area_deg2: float = 0.0
) -> list[tuple[str, str, float]]:
    """Pairs of zones whose interiors overlap by more than ``min_area_deg2``.

    ``zones`` is (label, geometry) pairs; the result is (label_a, label_b,
    area in square degrees). Used by the builder and the tests as a check.
    """
    items = list(zones)
    geoms = np.array([g for _, g in items], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    found = []
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a >= b:
            continue
        area = shapely.area(shapely.intersection(geoms[a], geoms[b]))
        if area > min_area_deg2:
            found.append((items[a][0], items[b][0], float(area)))
    return found


# ---------------------------------------------------------------------------
# preparation


def _widths(
    land: Mapping[str, Geometry], width_m: float, overrides: Mapping[str, float] | None
) -> dict[str, float]:
    widths = dict.fromkeys(land, float(width_m))
    for code, w in (overrides or {}).items():
        if code not in widths:
            raise ValueError(f"width override for unknown code {code!r}")
        widths[code] = float(w)
    if any(not (w > 0 and math.isfinite(w)) for w in widths.values()):
        raise ValueError("territorial-sea widths must be positive metres")
    return widths


def _valid_parts(geoms: np.ndarray) -> np.ndarray:
    """Polygonal, valid versions of projected pieces (a projection can fold a ring)."""
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = [polygonal(g) for g in geoms[bad]]
    return geoms


def enclosed_gaps(land: Iterable[Geometry], water: Iterable[tuple[float, float]] = ()) -> Geometry:
    """Holes in the union of all land that contain none of the ``water`` points.

    With Natural Earth these are disputed areas that the chosen point of view
    leaves unassigned (and slivers between neighbours): land, not sea. Pass a
    point in each enclosed sea (the Caspian) to keep it sea.
    """
    union = shapely.union_all([polygonal(g) for g in land])
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    pts = list(water)
    keep = [h for h in holes if not any(shapely.contains_xy(h, x, y) for x, y in pts)]
    if not keep:
        return EMPTY
    return clean(shapely.difference(shapely.union_all(keep), union), 0.0)


def _pieces(polys: Mapping[str, Geometry], codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every polygon of every code, with the code's index.

    Tiles clip these with :func:`shapely.clip_by_rect`, which keeps the
    original vertices bit-for-bit (cutting land into pieces would add
    vertices a few ulps off the coast, hence float-sized overlaps).
    """
    pieces: list[Geometry] = []
    piece_code: list[int] = []
    for ci, code in enumerate(codes):
        parts = list(shapely.get_parts(polys[code]))
        pieces.extend(parts)
        piece_code.extend([ci] * len(parts))
    return np.array(pieces, dtype=object), np.array(piece_code, dtype=np.int32)


def _clip(geoms: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Polygons clipped to a lon/lat box, valid, original vertices kept."""
    out = shapely.clip_by_rect(geoms, *box)
    bad = ~shapely.is_valid(out)
    if bad.any():
        out[bad] = [polygonal(g) for g in out[bad]]
    return out


@dataclass(frozen=True)
class _Samples:
    """Coastline (and land-border) sample points, sorted by latitude.

    ``neighbour`` is -1 for coast, else the index of the code on the other side
    of a land border: such points never decide between the two codes that share
    them (the nearest land to a point at sea is always on the coast).
    """

    lon: np.ndarray
    lat: np.ndarray
    code: np.ndarray
    neighbour: np.ndarray

    @classmethod
    def build(cls, polys: Mapping[str, Geometry], codes: list[str], spacing_m: float) -> _Samples:
        seg_parts = []
        for ci, code in enumerate(codes):
            rings = shapely.get_rings(shapely.get_parts(polys[code]))
            xy, ring = shapely.get_coordinates(rings, return_index=True)
            same = ring[1:] == ring[:-1]
            a, b = xy[:-1][same], xy[1:][same]
            keep = np.any(a != b, axis=1)
            a, b = a[keep], b[keep]
            seg_parts.append((a, b, np.full(len(a), ci, dtype=np.int32)))
        a = np.concatenate([s[0] for s in seg_parts])
        b = np.concatenate([s[1] for s in seg_parts])
        code = np.concatenate([s[2] for s in seg_parts])
        neighbour = _shared_segments(a, b, code)
        # Densify every segment: n equal steps, each segment's first vertex included.
        midlat = np.radians(0.5 * (a[:, 1] + b[:, 1]))
        dx = (b[:, 0] - a[:, 0]) * _M_PER_DEG_LON_EQ * np.cos(midlat)
        dy = (b[:, 1] - a[:, 1]) * _M_PER_DEG_LON_EQ
        n = np.maximum(1, np.ceil(np.hypot(dx, dy) / spacing_m)).astype(np.int64)
        seg = np.repeat(np.arange(len(a)), n)
        start = np.cumsum(n) - n
        t = (np.arange(len(seg)) - start[seg]) / n[seg]
        lon = a[seg, 0] + t * (b[seg, 0] - a[seg, 0])
        lat = a[seg, 1] + t * (b[seg, 1] - a[seg, 1])
        code, neighbour = code[seg], neighbour[seg]
        # Identical points: keep one per code, none where different codes meet
        # (a coastal border end): their Voronoi cell would be ambiguous.
        order = np.lexsort((code, lon, lat))
        lon, lat, code, neighbour = lon[order], lat[order], code[order], neighbour[order]
        same_xy = (lon[1:] == lon[:-1]) & (lat[1:] == lat[:-1])
        first = np.ones(len(lon), dtype=bool)
        first[1:] = ~same_xy
        group = np.cumsum(first) - 1
        codes_min = np.full(group[-1] + 1, np.iinfo(np.int32).max)
        codes_max = np.full(group[-1] + 1, -1)
        np.minimum.at(codes_min, group, code)
        np.maximum.at(codes_max, group, code)
        keep = first & (codes_min[group] == codes_max[group])
        return cls(lon[keep], lat[keep], code[keep], neighbour[keep])

    def in_boxes(self, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
        idx = []
        for x0, y0, x1, y1 in boxes:
            lo = np.searchsorted(self.lat, y0, side="left")
            hi = np.searchsorted(self.lat, y1, side="right")
            lon = self.lon[lo:hi]
            idx.append(lo + np.flatnonzero((lon >= x0) & (lon <= x1)))
        return np.unique(np.concatenate(idx)) if idx else np.zeros(0, dtype=np.int64)


def _shared_segments(a: np.ndarray, b: np.ndarray, code: np.ndarray) -> np.ndarray:
    """For each segment, the other code that has the same segment (a land border), or -1."""
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    p = np.where(swap[:, None], b, a)
    q = np.where(swap[:, None], a, b)
    keys = np.column_stack([p, q])
    order = np.lexsort((code, keys[:, 3], keys[:, 2], keys[:, 1], keys[:, 0]))
    k = keys[order]
    same_next = np.all(k[1:] == k[:-1], axis=1)
    neighbour = np.full(len(a), -1, dtype=np.int32)
    c = code[order]
    pair = np.flatnonzero(same_next & (c[1:] != c[:-1]))
    neighbour[order[pair]] = c[pair + 1]
    neighbour[order[pair + 1]] = c[pair]
    return neighbour


def _tiles(tile_deg: float) -> Iterable[tuple[float, float, float, float]]:
    """Tiles of ``tile_deg`` latitude, ~the same width in km, edges exact in [-180, 180]."""
    lat_edges = np.linspace(-90.0, 90.0, round(180.0 / tile_deg) + 1)
    for y0, y1 in zip(lat_edges[:-1].tolist(), lat_edges[1:].tolist(), strict=True):
        lat_eq = 0.0 if y0 < 0 < y1 else min(abs(y0), abs(y1))
        width = min(360.0, (y1 - y0) / max(math.cos(math.radians(lat_eq)), 1e-6))
        lon_edges = np.linspace(-180.0, 180.0, max(1, math.ceil(360.0 / width)) + 1)
        for x0, x1 in zip(lon_edges[:-1].tolist(), lon_edges[1:].tolist(), strict=True):
            yield (x0, y0, x1, y1)


# ---------------------------------------------------------------------------
# one tile


@dataclass
class _Context:
    codes: list[str]
    widths: np.ndarray
    pieces: np.ndarray
    piece_code: np.ndarray
    tree: shapely.STRtree
    samples: _Samples
    opts: SeaOptions
    gaps: Geometry | None = None

    def tile_sea(self, tile: tuple[float, float, float, float]) -> dict[int, Geometry]:
        """The sea of each code inside one lon/lat tile."""
        x0, y0, x1, y1 = tile
        w_max = float(self.widths.max())
        boxes = _grown_boxes(tile, 1.5 * w_max + 5000.0)
        near = np.unique(np.concatenate([self.tree.query(shapely.box(*b)) for b in boxes]))
        if len(near) == 0:
            return {}
        tile_box = shapely.box(x0, y0, x1, y1)
        in_tile = near[shapely.intersects(self.pieces[near], tile_box)]
        land_ll = shapely.union_all(_clip(self.pieces[in_tile], tile))
        if self.gaps is not None:
            land_ll = shapely.union(land_ll, shapely.intersection(self.gaps, tile_box))
        sea_ll = clean(shapely.difference(tile_box, land_ll))
        if sea_ll.is_empty:
            return {}
        proj = _LocalProjection(0.5 * (x0 + x1), 0.5 * (y0 + y1))
        seg = self.opts.segmentize_deg
        # Land near the tile, per code, in the local projection. Its vertices
        # are remembered so that coasts come back bit-for-bit, not via the
        # inverse projection (which is off by a few ulps).
        land: dict[int, list[Geometry]] = {}
        for b in boxes:
            bb = shapely.box(*b)
            sel = near[shapely.intersects(self.pieces[near], bb)]
            clipped = _clip(self.pieces[sel], b)
            for ci, g in zip(self.piece_code[sel].tolist(), clipped, strict=True):
                if not g.is_empty:
                    land.setdefault(ci, []).append(g)
        # Buffers use land with long edges split (a straight edge in lon/lat
        # is curved in the projection); the coast cut out of the sea does
        # not, so that all its vertices are original ones.
        land_p = {}
        coast = []
        for ci, gs in sorted(land.items()):
            ll = np.array(gs, dtype=object)
            pp = proj.forward(ll)
            proj.remember(shapely.get_coordinates(ll), shapely.get_coordinates(pp))
            coast.extend(_valid_parts(pp))
            land_p[ci] = polygonal(
                shapely.union_all(_valid_parts(proj.forward(shapely.segmentize(ll, seg))))
            )
        margin = 0.01
        work_ll = shapely.box(
            x0 - margin, max(y0 - margin, -90.0), x1 + margin, min(y1 + margin, 90.0)
        )
        work = proj.forward(shapely.segmentize(work_ll, seg))
        sea_p = clean(shapely.difference(work, shapely.union_all(coast)), MIN_AREA_M2)
        zones: dict[int, Geometry] = {}
        for ci, g in land_p.items():
            z = shapely.buffer(g, float(self.widths[ci]), quad_segs=self.opts.quad_segs)
            if self.opts.simplify_m > 0:
                z = shapely.simplify(z, self.opts.simplify_m, preserve_topology=True)
            z = clean(shapely.intersection(z, sea_p), MIN_AREA_M2)
            if not z.is_empty:
                zones[ci] = z
        split = self._resolve(zones, proj, boxes)
        out: dict[int, Geometry] = {}
        taken: Geometry = EMPTY
        for ci in sorted(split):
            g = polygonal(proj.inverse(split[ci]))
            g = clean(shapely.intersection(g, sea_ll))
            if g.is_empty:
                continue
            # Neighbours' median lines come from one diagram, but intersections
            # may leave float-sized overlaps: remove them.
            if not taken.is_empty and shapely.intersects(g, taken):
                g = clean(shapely.difference(g, taken))
                if g.is_empty:
                    continue
            taken = g if taken.is_empty else shapely.union(taken, g)
            out[ci] = g
        return out

    def _resolve(
        self, zones: dict[int, Geometry], proj: _LocalProjection, boxes: list
    ) -> dict[int, Geometry]:
        """Split overlapping zones between their codes by nearest coast."""
        ids = sorted(zones)
        out = {ci: zones[ci] for ci in ids}
        groups = [g for g in overlap_groups(ids, zones) if len(g) > 1]
        if not groups:
            return out
        idx = self.samples.in_boxes(boxes)
        px, py = proj.forward_xy(self.samples.lon[idx], self.samples.lat[idx])
        pts = CoastPoints(px, py, self.samples.code[idx], self.samples.neighbour[idx])
        for group in groups:
            out.update(
                split_group(
                    group, {ci: zones[ci] for ci in group}, self.widths, pts, self.opts.spacing_m
                )
            )
        return out


def _grown_boxes(
    tile: tuple[float, float, float, float], grow_m: float
) -> list[tuple[float, float, float, float]]:
    """The tile grown by ``grow_m`` as lon/lat boxes, split at ±180°."""
    x0, y0, x1, y1 = tile
    dlat = grow_m / _M_PER_DEG_LAT
    gy0, gy1 = max(y0 - dlat, -90.0), min(y1 + dlat, 90.0)
    cos = math.cos(math.radians(max(abs(gy0), abs(gy1))))
    dlon = grow_m / (_M_PER_DEG_LON_EQ * cos) if cos > 1e-9 else 360.0
    if (x1 - x0) + 2 * dlon >= 360.0:
        return [(-180.0, gy0, 180.0, gy1)]
    gx0, gx1 = x0 - dlon, x1 + dlon
    boxes = [(max(gx0, -180.0), gy0, min(gx1, 180.0), gy1)]
    if gx0 < -180.0:
        boxes.append((gx0 + 360.0, gy0, 180.0, gy1))
    if gx1 > 180.0:
        boxes.append((-180.0, gy0, gx1 - 360.0, gy1))
    return boxes


class _LocalProjection:
    """Azimuthal equidistant projection centred on a tile.

    Inverse: vertices that came from :meth:`remember` get their exact lon/lat
    back; others are inverse-projected, longitudes unwrapped around the centre.
    """

    def __init__(self, lon0: float, lat0: float) -> None:
        lon0, lat0 = float(lon0), float(lat0)
        self.lon0 = lon0
        crs = f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +datum=WGS84 +units=m +no_defs"
        self._fwd = pyproj.Transformer.from_crs(_WGS84, crs, always_xy=True)
        self._inv = pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)
        self._keys: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    def forward_xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fwd.transform(lon, lat)
        return np.asarray(x), np.asarray(y)

    def forward(self, geom: Any) -> Any:
        """Geometry (or numpy array of them) to local metres."""
        return shapely.transform(geom, self._fwd_xy)

    def remember(self, lonlat: np.ndarray, xy: np.ndarray) -> None:
        self._keys.append(xy[:, 0] + 1j * xy[:, 1])
        self._vals.append(lonlat)
        self._sorted = None

    def inverse(self, geom: Geometry) -> Geometry:
        return shapely.transform(geom, self._inv_xy)

    def _fwd_xy(self, xy: np.ndarray) -> np.ndarray:
        x, y = self._fwd.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def _inv_xy(self, xy: np.ndarray) -> np.ndarray:
        lon, lat = self._inv.transform(xy[:, 0], xy[:, 1])
        out = np.column_stack([lon, lat])
        if self._keys:
            if self._sorted is None:
                keys = np.concatenate(self._keys)
                order = np.argsort(keys, kind="stable")
                self._sorted = (keys[order], np.concatenate(self._vals)[order])
            keys, vals = self._sorted
            q = xy[:, 0] + 1j * xy[:, 1]
            pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
            hit = keys[pos] == q
            out[hit] = vals[pos[hit]]
        # Unwrap around the centre (only where needed: exact values stay exact).
        d = out[:, 0] - self.lon0
        out[d > 180.0, 0] -= 360.0
        out[d < -180.0, 0] += 360.0
        return out
