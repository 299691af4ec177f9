"""The airspace set as GeoJSON for the map, simplified to what a zoom level can show.

The built-in set holds over a million vertices; the map needs a few thousand.
The tolerance is one screen pixel at the requested zoom (Web Mercator tiles
of 256 px, at the equator), so borders look exact at the zoom they are drawn
at. Results are cached per zoom (whole world) and per zoom and box (snapped
outwards to a coarse grid so that panning reuses them).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict

import numpy as np
import shapely

from airwitness.airspace import Airspace

MAX_ZOOM = 14
#: A request may cover at most this many 256-px tiles; beyond, the zoom is lowered until
#: it fits (the whole world: zoom 5, about 200k vertices). This bounds every response.
MAX_TILES = 1200
_CACHE_ENTRIES = 64


def tolerance_deg(zoom: int) -> float:
    """One 256-px tile pixel at ``zoom``, in degrees of longitude."""
    return 360.0 / (256 * 2**zoom)


def fit_zoom(zoom: int, bbox: tuple[float, float, float, float] | None) -> int:
    """The highest zoom up to ``zoom`` at which the box spans at most MAX_TILES tiles."""
    if bbox is None:
        width, height = 360.0, 180.0
    else:
        min_lon, min_lat, max_lon, max_lat = bbox
        width = max_lon - min_lon if min_lon <= max_lon else 360.0 - (min_lon - max_lon)
        height = max_lat - min_lat
    while zoom > 0 and (width / 360 * 2**zoom + 1) * (height / 180 * 2**zoom + 1) > MAX_TILES:
        zoom -= 1
    return zoom


def _decimals(tolerance: float) -> int:
    return int(min(7, max(2, math.ceil(-math.log10(tolerance / 4)))))


class AirspaceGeoJSON:
    """Serialised, simplified boundaries of one airspace set; thread-safe caches."""

    def __init__(self, airspace: Airspace) -> None:
        b = airspace.boundaries
        self.codes = list(b.codes)
        self.zones = list(b.zones)
        self.geoms = np.asarray(b.geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        prov = airspace.provenance
        self.dataset = str(prov.get("dataset") or prov.get("name") or "airspace set")
        if prov.get("attribution"):  # ODbL: the map says whose data it shows
            self.dataset += f"; {prov['attribution']}"
        elif prov.get("licence"):
            self.dataset += f" ({prov['licence']})"
        self._world: dict[int, bytes] = {}
        self._boxes: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def collection(
        self, zoom: int, bbox: tuple[float, float, float, float] | None
    ) -> tuple[bytes, int]:
        """GeoJSON bytes and the zoom actually used (lowered to fit :data:`MAX_TILES`)."""
        zoom = fit_zoom(zoom, bbox)
        if bbox is None:
            with self._lock:
                cached = self._world.get(zoom)
            if cached is None:
                cached = self._build(zoom, None)
                with self._lock:
                    self._world[zoom] = cached
            return cached, zoom
        key = (zoom, *_snap(bbox, zoom))
        with self._lock:
            cached = self._boxes.get(key)
            if cached is not None:
                self._boxes.move_to_end(key)
        if cached is None:
            cached = self._build(zoom, key[1:])
            with self._lock:
                self._boxes[key] = cached
                while len(self._boxes) > _CACHE_ENTRIES:
                    self._boxes.popitem(last=False)
        return cached, zoom

    def _build(self, zoom: int, box: tuple[float, ...] | None) -> bytes:
        tol = tolerance_deg(zoom)
        digits = _decimals(tol)
        features = []
        if box is None:
            picked = [(i, self.geoms[i]) for i in range(len(self.geoms))]
        else:
            picked = []
            for rect in _split(box):
                hits = np.sort(self.tree.query(shapely.box(*rect)))
                clipped = shapely.clip_by_rect(self.geoms[hits], *rect)
                picked += list(zip(hits.tolist(), clipped.tolist(), strict=True))
        if picked:
            simple = shapely.simplify(
                np.asarray([g for _, g in picked], dtype=object), tol, preserve_topology=False
            )
            for (i, _), geom in zip(picked, simple.tolist(), strict=True):
                coords = _polygon_coords(geom, digits)
                if coords:
                    features.append(
                        {
                            "type": "Feature",
                            "geometry": {"type": "MultiPolygon", "coordinates": coords},
                            "properties": {"code": self.codes[i], "zone": self.zones[i]},
                        }
                    )
        doc = {
            "type": "FeatureCollection",
            "features": features,
            "zoom": zoom,
            "tolerance_deg": tol,
            "dataset": self.dataset,
        }
        return json.dumps(doc, separators=(",", ":")).encode()


def _snap(bbox: tuple[float, float, float, float], zoom: int) -> tuple[float, ...]:
    """The box grown outwards to a grid of 2 tiles of ``zoom``, so nearby views share it."""
    step = 360.0 / 2 ** max(zoom - 1, 0)
    min_lon, min_lat, max_lon, max_lat = bbox
    lo_lat = max(-90.0, math.floor(min_lat / step) * step)
    hi_lat = min(90.0, math.ceil(max_lat / step) * step)
    lo_lon = max(-180.0, math.floor(min_lon / step) * step)
    hi_lon = min(180.0, math.ceil(max_lon / step) * step)
    if min_lon > max_lon:  # crosses 180°: keep the wrap unless the grid covers it all
        if lo_lon <= hi_lon:
            return (-180.0, lo_lat, 180.0, hi_lat)
        return (lo_lon, lo_lat, hi_lon, hi_lat)
    if hi_lon - lo_lon >= 360.0:
        return (-180.0, lo_lat, 180.0, hi_lat)
    return (lo_lon, lo_lat, hi_lon, hi_lat)


def _split(box: tuple[float, ...]) -> list[tuple[float, float, float, float]]:
    min_lon, min_lat, max_lon, max_lat = box
    if min_lon <= max_lon:
        return [(min_lon, min_lat, max_lon, max_lat)]
    return [(min_lon, min_lat, 180.0, max_lat), (-180.0, min_lat, max_lon, max_lat)]


def _polygon_coords(geom: shapely.Geometry, digits: int) -> list:
    """MultiPolygon coordinates of the polygonal parts of ``geom`` (others dropped)."""
    out = []
    for part in shapely.get_parts(geom).tolist():
        if part.geom_type == "MultiPolygon":
            polys = shapely.get_parts(part).tolist()
        elif part.geom_type == "Polygon":
            polys = [part]
        else:
            continue  # clipping leaves lines and points on the box edge: not areas
        for poly in polys:
            if poly.is_empty:
                continue
            rings = [
                np.round(shapely.get_coordinates(r), digits).tolist()
                for r in shapely.get_rings(poly)
            ]
            if len(rings[0]) >= 4:
                out.append(rings)
    return out
