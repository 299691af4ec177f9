"""The polygonal part of a geometry: what boundary sets keep of a drawn shape.

Used at runtime by :mod:`airwitness.airspace.boundaries` (a user's file) and
at build time by :mod:`airwitness.airspace.builder` (the territorial sea).
"""

from __future__ import annotations

import shapely
from shapely import Geometry

__all__ = ["EMPTY", "polygonal"]

EMPTY = shapely.from_wkt("POLYGON EMPTY")


def polygonal(geom: Geometry) -> Geometry:
    """The polygonal part of ``shapely.make_valid(geom)``: lines and points dropped.

    >>> polygonal(shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")).geom_type
    'MultiPolygon'
    """
    if geom is None or geom.is_empty:
        return EMPTY
    geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    polys: list[Geometry] = []
    for p in parts:
        if p.geom_type == "Polygon":
            polys.append(p)
        elif p.geom_type in ("MultiPolygon", "GeometryCollection"):
            sub = polygonal(p)
            polys.extend(shapely.get_parts(sub))
    polys = [p for p in polys if not p.is_empty]
    if not polys:
        return EMPTY
    return polys[0] if len(polys) == 1 else shapely.multipolygons(polys)
