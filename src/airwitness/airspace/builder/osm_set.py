"""Build time: the `osm` boundary set, every overlap and gap resolved by a stated rule.

The source (npm ``@osm_borders/maritime_10m``) holds one feature per country: its
OpenStreetMap admin-level-2 boundary with its maritime limits, each country
simplified to 10 m on its own. So features overlap, and the overlaps are of three
kinds, told apart by their geometry (docs/airspace.md, "The osm set"):

- **nested**: one feature lies (≥ :data:`NESTED_SHARE` of its area) inside another:
  a dependency inside its sovereign (``SJM`` in ``NOR``). The dependency keeps its
  own code; it is cut out of the sovereign, and its sovereign is recorded.
- **sliver**: an overlap narrower than :data:`SLIVER_WIDTH_M` everywhere, left by the
  two countries' separate simplification of one border. It goes to the country whose
  code sorts first, so the border there follows one of the two simplified outlines,
  each within 10 m of the mapped border.
- **disputed**: any other overlap: an area two (or more) countries both claim in the
  data. It becomes an airspace of its own, a *joint code*: the claimants' codes in
  alphabetical order joined by ``+`` (``RUS+UKR``), cut out of every claimant.

Gaps are holes in the union of all features. A hole narrower than
:data:`SLIVER_WIDTH_M` is closed: it goes to the first (by code) of the countries it
touches. Wider holes stay in no polygon (``INTL``) and are reported.

Every coordinate stays on the source's grid of 1e-7° (about 1 cm): overlay
operations run with that grid size, so the result can be stored as integers.
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from shapely import Geometry

from airwitness.airspace.polygonal import polygonal

GRID_DEG = 1e-7
NESTED_SHARE = 0.99
SLIVER_WIDTH_M = 50.0
JOINT = "+"
#: Snapping to the grid leaves neighbours overlapping by under a centimetre here and
#: there (:func:`residual_overlaps`); the build stops on anything this wide or wider.
RESIDUE_WIDTH_M = 1.0
_R_M = 6_371_008.8
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Finding:
    """One overlap or gap the build found, and what it did with it."""

    kind: str  # nested | sliver | disputed | gap | unassigned
    codes: tuple[str, ...]  # the countries involved (nested: dependency, sovereign)
    area_km2: float
    width_m: float  # twice the largest circle inside it
    lon: float  # a point inside it
    lat: float
    result: str  # the code it went to, the joint code, or INTL

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "codes": list(self.codes),
            "area_km2": self.area_km2,
            "width_m": self.width_m,
            "lon": self.lon,
            "lat": self.lat,
            "result": self.result,
        }


@dataclass
class ResolvedSet:
    """The set with no overlaps: each code's territory, and what the build found."""

    territories: dict[str, Geometry]
    sovereign: dict[str, str] = field(default_factory=dict)  # dependency -> sovereign
    claimants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # joint -> codes
    findings: list[Finding] = field(default_factory=list)


def read_features(geojson: bytes) -> dict[str, Geometry]:
    """Each feature's polygonal part by its ``isoA3`` code, valid and on the grid."""
    doc = json.loads(geojson)
    out: dict[str, Geometry] = {}
    for k, feature in enumerate(doc["features"]):
        code = str(feature["properties"].get("isoA3") or "").strip()
        if not code:
            raise ValueError(f"feature {k + 1} has no isoA3")
        if code in out:
            raise ValueError(f"feature {k + 1}: code {code} appears twice")
        geom = polygonal(shapely.geometry.shape(feature["geometry"]))
        out[code] = _on_grid(geom)
    return dict(sorted(out.items()))


def resolve(
    features: dict[str, Geometry], progress: Callable[[str], None] | None = None
) -> ResolvedSet:
    """Nested features, slivers, disputed areas and gaps resolved by the module's rules."""
    say = progress or (lambda _: None)
    geoms = dict(features)
    result = ResolvedSet(territories={})
    _cut_dependencies(geoms, result)
    say(f"nested: {sum(f.kind == 'nested' for f in result.findings)}")
    slivers, thick = _overlaps(geoms)
    for (a, b), pieces in sorted(slivers.items()):
        geoms[b] = _on_grid(
            shapely.difference(
                geoms[b], shapely.union_all(pieces, grid_size=GRID_DEG), grid_size=GRID_DEG
            )
        )
        result.findings += [_finding("sliver", (a, b), p, a) for p in pieces]
    say(f"slivers: {sum(len(p) for p in slivers.values())}")
    joints = _joint_areas(thick, geoms)
    for joint, (claim, area) in sorted(joints.items()):
        for code in claim:
            geoms[code] = _on_grid(shapely.difference(geoms[code], area, grid_size=GRID_DEG))
        geoms[joint] = area
        result.claimants[joint] = claim
        result.findings += [_finding("disputed", claim, p, joint) for p in _pieces(area)]
    say(f"disputed areas: {len(joints)}")
    _close_gaps(geoms, result)
    say(f"gaps closed: {sum(f.kind == 'gap' for f in result.findings)}")
    result.territories = {c: g for c, g in sorted(geoms.items()) if not g.is_empty}
    result.findings.sort(key=lambda f: (f.kind, f.codes, -f.area_km2, f.lon, f.lat))
    return result


def joint_code(codes: Iterable[str]) -> str:
    """``RUS+UKR``: the claimants in alphabetical order.

    >>> joint_code(["UKR", "RUS"])
    'RUS+UKR'
    """
    return JOINT.join(sorted(set(codes)))


def width_m(piece: Geometry) -> float:
    """Twice the radius of the largest circle inside ``piece``, in metres (local frame).

    Exact to 0.5 m for the narrow pieces the rules judge; for large ones to a
    thousandth of their extent (only reported).
    """
    local = _metric(piece)
    x0, y0, x1, y1 = local.bounds
    tolerance = max(0.25, 1e-3 * math.hypot(x1 - x0, y1 - y0))
    return 2.0 * float(shapely.maximum_inscribed_circle(local, tolerance=tolerance).length)


def area_km2(geom: Geometry) -> float:
    """Geodesic area on the WGS-84 ellipsoid."""
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def _cut_dependencies(geoms: dict[str, Geometry], result: ResolvedSet) -> None:
    codes = list(geoms)
    areas = {c: geoms[c].area for c in codes}
    deps: dict[str, list[str]] = defaultdict(list)
    for a, b in _touching_pairs(codes, geoms):
        inter = shapely.intersection(geoms[a], geoms[b], grid_size=GRID_DEG)
        small, big = (a, b) if areas[a] <= areas[b] else (b, a)
        if inter.area >= NESTED_SHARE * areas[small]:
            deps[big].append(small)
            result.sovereign[small] = big
            result.findings.append(_finding("nested", (small, big), geoms[small], small))
    for big, smalls in deps.items():
        cut = shapely.union_all([geoms[s] for s in smalls], grid_size=GRID_DEG)
        geoms[big] = _on_grid(shapely.difference(geoms[big], cut, grid_size=GRID_DEG))


def _overlaps(
    geoms: dict[str, Geometry],
) -> tuple[dict[tuple[str, str], list[Geometry]], list[Geometry]]:
    """Slivers by pair (first code, second code) and every wider overlap piece."""
    slivers: dict[tuple[str, str], list[Geometry]] = defaultdict(list)
    thick: list[Geometry] = []
    for a, b in _touching_pairs(list(geoms), geoms):
        inter = shapely.intersection(geoms[a], geoms[b], grid_size=GRID_DEG)
        for piece in _pieces(inter):
            if width_m(piece) < SLIVER_WIDTH_M:
                slivers[(a, b)].append(piece)
            else:
                thick.append(piece)
    return slivers, thick


def _joint_areas(
    pieces: list[Geometry], geoms: dict[str, Geometry]
) -> dict[str, tuple[tuple[str, ...], Geometry]]:
    """The wide overlaps cut into faces, each face given to the set of codes claiming it
    (``geoms`` as they are after the slivers were handed out)."""
    if not pieces:
        return {}
    lines = shapely.union_all([p.boundary for p in pieces], grid_size=GRID_DEG)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    tree = shapely.STRtree(list(geoms.values()))
    names = list(geoms)
    by_claim: dict[tuple[str, ...], list[Geometry]] = defaultdict(list)
    for face in faces:
        point = face.representative_point()
        hits = tree.query(point, predicate="intersects")
        claim = tuple(sorted(names[i] for i in hits))
        if len(claim) >= 2:
            by_claim[claim].append(face)
    out = {}
    for claim, fs in by_claim.items():
        # Only what every claimant still holds once the slivers are gone: a face may
        # reach over a sliver another code was given.
        held = functools.reduce(_intersection, [geoms[c] for c in claim])
        area = _on_grid(
            shapely.intersection(
                shapely.union_all(fs, grid_size=GRID_DEG), held, grid_size=GRID_DEG
            )
        )
        if not area.is_empty:
            out[joint_code(claim)] = (claim, area)
    return out


def _close_gaps(geoms: dict[str, Geometry], result: ResolvedSet) -> None:
    """Holes of the union narrower than the sliver width go to the first code touching them."""
    names = list(geoms)
    union = shapely.union_all(list(geoms.values()), grid_size=GRID_DEG)
    holes = [shapely.Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    tree = shapely.STRtree(list(geoms.values()))
    given: dict[str, list[Geometry]] = defaultdict(list)
    for hole in holes:
        near = tuple(sorted(names[i] for i in tree.query(hole, predicate="touches")))
        if not near:
            near = tuple(sorted(names[i] for i in tree.query(hole, predicate="intersects")))
        if width_m(hole) < SLIVER_WIDTH_M and near:
            given[near[0]].append(hole)
            result.findings.append(_finding("gap", near, hole, near[0]))
        else:
            result.findings.append(_finding("unassigned", near, hole, "INTL"))
    for code, parts in given.items():
        geoms[code] = _on_grid(shapely.union_all([geoms[code], *parts], grid_size=GRID_DEG))


def _pieces(geom: Geometry) -> list[Geometry]:
    """The polygons of ``geom`` that have an area."""
    return [p for p in shapely.get_parts(polygonal(geom)) if not p.is_empty and p.area > 0]


def _intersection(a: Geometry, b: Geometry) -> Geometry:
    """The area two geometries share (where they only touch, nothing)."""
    return polygonal(shapely.intersection(a, b, grid_size=GRID_DEG))


def residual_overlaps(geoms: dict[str, Geometry]) -> tuple[int, float]:
    """How many pieces of overlap are left between codes, and the widest (m).

    Snapping an overlay's output to the grid moves a vertex by up to 0.7e-7°, so two
    neighbours can overlap by under a centimetre where only one of them has a vertex;
    the labelling index gives such a point to the code sorting first (the first row
    containing it), as the sliver rule would. Raises RuntimeError for a piece wider
    than :data:`RESIDUE_WIDTH_M`: the rules must have left nothing else.
    """
    count, widest = 0, 0.0
    for a, b in _touching_pairs(list(geoms), geoms):
        for piece in _pieces(shapely.intersection(geoms[a], geoms[b])):
            w = width_m(piece)
            if w >= RESIDUE_WIDTH_M:
                raise RuntimeError(f"{a} and {b} overlap by a piece {w:.1f} m wide")
            count += 1
            widest = max(widest, w)
    return count, widest


def _touching_pairs(codes: list[str], geoms: dict[str, Geometry]) -> list[tuple[str, str]]:
    values = [geoms[c] for c in codes]
    left, right = shapely.STRtree(values).query(values, predicate="intersects")
    return sorted({(codes[i], codes[j]) for i, j in zip(left, right, strict=True) if i < j})


def _finding(kind: str, codes: tuple[str, ...], geom: Geometry, result: str) -> Finding:
    point = geom.representative_point()
    return Finding(
        kind=kind,
        codes=tuple(codes),
        area_km2=round(area_km2(geom), 6),
        width_m=round(width_m(geom), 1),
        lon=round(point.x, 7),
        lat=round(point.y, 7),
        result=result,
    )


def _on_grid(geom: Geometry) -> Geometry:
    """Polygonal, valid, every vertex on the 1e-7° grid."""
    return polygonal(shapely.set_precision(geom, grid_size=GRID_DEG))


def _metric(geom: Geometry) -> Geometry:
    """``geom`` in metres, in an equirectangular frame centred on a point inside it."""
    c = geom.representative_point()
    k = math.cos(math.radians(c.y))
    s = _R_M * math.pi / 180.0

    def to_m(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - c.x) * k * s, (xy[:, 1] - c.y) * s])

    return shapely.transform(geom, to_m)
