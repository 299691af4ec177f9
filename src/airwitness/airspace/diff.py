"""Where two boundary sets disagree: border by border, and country by country.

For every pair of codes that share a border in both sets, points every
:data:`STEP_M` metres along set A's border are measured to set B's border of the
same pair (median, 90th percentile, maximum). For every code, the area the two
sets label differently (a point in the code in one set and not in the other) is
measured geodesically, and its pieces can be written out as polygons.

A shared border is the part of one code's outline that lies within
:data:`CONTACT_DEG` of the other's: exact where the set is topologically clean,
and robust to the sub-centimetre snapping of the ``osm`` set. Where a set tells
land from sea (``ne10m``), borders are those of the land: the Natural Earth border
itself, not the median line the build computed at sea; a set without zones
(``osm``) gives its whole border, maritime limits included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from shapely import Geometry

from airwitness.airspace import INTL, Airspace

STEP_M = 200.0
CONTACT_DEG = 1e-6  # about 10 cm
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class BorderDiff:
    """One border present in both sets: A's border sampled and measured to B's."""

    codes: tuple[str, str]
    length_a_km: float
    length_b_km: float
    points: int
    median_m: float
    p90_m: float
    max_m: float

    def as_dict(self) -> dict[str, object]:
        return {
            "codes": list(self.codes),
            "length_a_km": round(self.length_a_km, 3),
            "length_b_km": round(self.length_b_km, 3),
            "points": self.points,
            "median_m": round(self.median_m, 1),
            "p90_m": round(self.p90_m, 1),
            "max_m": round(self.max_m, 1),
        }


@dataclass(frozen=True)
class AreaDiff:
    """One code's area labelled differently by the two sets."""

    code: str
    only_a_km2: float  # in the code in A, not in B
    only_b_km2: float  # in the code in B, not in A

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "only_a_km2": round(self.only_a_km2, 3),
            "only_b_km2": round(self.only_b_km2, 3),
            "differs_km2": round(self.only_a_km2 + self.only_b_km2, 3),
        }


@dataclass
class SetDiff:
    a: str
    b: str
    borders: list[BorderDiff] = field(default_factory=list)
    areas: list[AreaDiff] = field(default_factory=list)
    pieces: list[tuple[str, str, str, Geometry]] = field(default_factory=list)  # code, A, B

    def as_dict(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "step_m": STEP_M,
            "borders": [d.as_dict() for d in self.borders],
            "areas": [d.as_dict() for d in self.areas],
        }


def diff_sets(a: Airspace, b: Airspace, codes: set[str] | None = None) -> SetDiff:
    """Every border and every code (or only those touching ``codes``) compared."""
    geoms_a, geoms_b = code_areas(a), code_areas(b)
    lands_a, lands_b = code_areas(a, land=True), code_areas(b, land=True)
    out = SetDiff(_name(a), _name(b))
    for x, y in _neighbours(lands_a):
        if codes and not ({x, y} & codes):
            continue
        if x not in lands_b or y not in lands_b:
            continue
        found = border_diff(lands_a[x], lands_a[y], lands_b[x], lands_b[y])
        if found is not None:
            out.borders.append(BorderDiff((x, y), *found))
    for code in sorted(set(geoms_a) | set(geoms_b)):
        if codes and code not in codes:
            continue
        ga = geoms_a.get(code, shapely.Polygon())
        gb = geoms_b.get(code, shapely.Polygon())
        only_a = _polygons(shapely.difference(ga, gb))
        only_b = _polygons(shapely.difference(gb, ga))
        area_a, area_b = area_km2(only_a), area_km2(only_b)
        if area_a or area_b:
            out.areas.append(AreaDiff(code, area_a, area_b))
        out.pieces += [(code, code, _label(b, p), p) for p in shapely.get_parts(only_a)]
        out.pieces += [(code, _label(a, p), code, p) for p in shapely.get_parts(only_b)]
    return out


def border_diff(
    xa: Geometry, ya: Geometry, xb: Geometry, yb: Geometry
) -> tuple[float, float, int, float, float, float] | None:
    """(length in A km, length in B km, points, median m, p90 m, max m) of the x|y border,
    or None where it is not a border in both sets."""
    line_a = shared_border(xa, ya)
    line_b = shared_border(xb, yb)
    if line_a.is_empty or line_b.is_empty:
        return None
    centre = line_a.centroid
    to_m = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84"),
        always_xy=True,
    )
    local_a = _transform(line_a, to_m)
    local_b = _transform(line_b, to_m)
    points = _every(local_a, STEP_M)
    if len(points) == 0:
        return None
    distance = shapely.distance(local_b, points)
    return (
        _geodesic_km(line_a),
        _geodesic_km(line_b),
        len(points),
        float(np.median(distance)),
        float(np.percentile(distance, 90)),
        float(distance.max()),
    )


def shared_border(x: Geometry, y: Geometry) -> Geometry:
    """The part of x's outline within :data:`CONTACT_DEG` of y (lines only)."""
    near = shapely.intersection(shapely.boundary(x), shapely.buffer(y, CONTACT_DEG, quad_segs=2))
    lines = [g for g in shapely.get_parts(near) if g.geom_type in ("LineString", "MultiLineString")]
    return shapely.line_merge(shapely.union_all(lines)) if lines else shapely.LineString()


def _every(lines: Geometry, step: float) -> np.ndarray:
    """Points every ``step`` along each line (its start included)."""
    out = []
    for line in shapely.get_parts(lines):
        n = max(1, int(line.length // step) + 1)
        out.append(shapely.line_interpolate_point(line, np.arange(n) * step))
    return np.concatenate(out) if out else np.empty(0, dtype=object)


def _transform(geom: Geometry, transformer: pyproj.Transformer) -> Geometry:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def code_areas(sky: Airspace, *, land: bool = False) -> dict[str, Geometry]:
    """Each code's area; with ``land``, only its land zone where the set has one."""
    has_land = {
        c for c, z in zip(sky.boundaries.codes, sky.boundaries.zones, strict=True) if z == "land"
    }
    parts: dict[str, list[Geometry]] = {}
    rows = zip(sky.boundaries.codes, sky.boundaries.zones, sky.boundaries.geoms, strict=True)
    for code, zone, geom in rows:
        if land and code in has_land and zone != "land":
            continue
        parts.setdefault(code, []).append(geom)
    return {c: gs[0] if len(gs) == 1 else shapely.union_all(gs) for c, gs in parts.items()}


def _neighbours(geoms: dict[str, Geometry]) -> list[tuple[str, str]]:
    names = sorted(geoms)
    values = [geoms[n] for n in names]
    left, right = shapely.STRtree(values).query(
        shapely.buffer(values, CONTACT_DEG, quad_segs=1), predicate="intersects"
    )
    return sorted({(names[i], names[j]) for i, j in zip(left, right, strict=True) if i < j})


def _polygons(geom: Geometry) -> Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.multipolygons(parts) if parts else shapely.MultiPolygon()


def area_km2(geom: Geometry) -> float:
    """Geodesic area on the WGS-84 ellipsoid."""
    if geom.is_empty:
        return 0.0
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def _geodesic_km(lines: Geometry) -> float:
    return sum(_GEOD.geometry_length(g) for g in shapely.get_parts(lines)) / 1000


def _label(sky: Airspace, piece: Geometry) -> str:
    p = piece.representative_point()
    return str(sky.label([p.x], [p.y]).to_pylist()[0]) if not piece.is_empty else INTL


def _name(sky: Airspace) -> str:
    prov = sky.provenance
    return str(prov.get("name") or prov.get("path") or "boundaries")
