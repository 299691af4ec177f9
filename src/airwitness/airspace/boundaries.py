"""Boundary sets: the built-in countries + territorial sea, or a user's file.

A boundary set is parallel tuples of code, zone (``land`` or ``sea``) and
polygon, plus its provenance (what it is, where it came from, SHA-256), so a
report can say exactly which boundaries it used (docs/architecture.md §3).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely import Geometry

from airwitness.airspace.polygonal import polygonal
from airwitness.airspace.set_file import read_set
from airwitness.digest import sha256_bytes, sha256_file
from airwitness.errors import InputError, UsageError

#: The built-in sets by name, and the one used when none is named.
BUILTIN_SETS = {"osm": "osm.parquet", "ne10m": "ne10m.parquet"}
DEFAULT_SET = "osm"
#: What a case file's ``airspace: countries`` (the key of old case files) means.
LEGACY_NAME = "countries"
#: Each built-in set's stated 1-σ boundary error (m), the scale of how far its
#: borders may lie from the true ones (docs/uncertainty.md): ``osm``, its 10 m
#: simplification and OpenStreetMap's mapping; ``ne10m``, its measured offsets from
#: OpenStreetMap along land borders (medians 0.6–1.4 km, p90 1.2–2.6 km).
BOUNDARY_SIGMA_M = {"osm": 15.0, "ne10m": 1500.0}
#: …and of a user's boundary file, unless ``--boundary-sigma-m`` says otherwise
USER_BOUNDARY_SIGMA_M = 100.0
ZONES = ("land", "sea", "territory")
_POLYGONAL = {"Polygon", "MultiPolygon"}


class BoundarySet:
    """Polygons with a code each; ``geoms[i]`` is zone ``zones[i]`` of ``codes[i]``.

    Geometries are valid (Multi)Polygons in lon/lat degrees (WGS-84). They may
    be given as a function that makes them, called on first use: a process
    that only labels points with a cached index never builds them.

    ``sovereign`` maps a dependency's code to its state's (``SJM`` → ``NOR``);
    ``claimants`` maps a joint code (an area several states claim, ``RUS+UKR``)
    to the codes of its claimants.
    """

    def __init__(
        self,
        codes: tuple[str, ...],
        zones: tuple[str, ...],
        geoms: tuple[Geometry, ...] | Callable[[], tuple[Geometry, ...]],
        provenance: dict[str, Any],
        *,
        sovereign: dict[str, str] | None = None,
        claimants: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.codes = tuple(codes)
        self.zones = tuple(zones)
        self.provenance = provenance
        self.sovereign = dict(sovereign or {})
        self.claimants = dict(claimants or {})
        self._geoms = geoms
        if not len(self.codes) == len(self.zones):
            raise ValueError("codes, zones and geoms must have the same length")
        if not callable(geoms) and len(geoms) != len(self.codes):
            raise ValueError("codes, zones and geoms must have the same length")

    @property
    def geoms(self) -> tuple[Geometry, ...]:
        if callable(self._geoms):
            geoms = self._geoms()
            if len(geoms) != len(self.codes):
                raise ValueError("codes, zones and geoms must have the same length")
            self._geoms = geoms
        return self._geoms

    def __len__(self) -> int:
        return len(self.codes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BoundarySet):
            return NotImplemented
        return (self.codes, self.zones, self.geoms) == (other.codes, other.zones, other.geoms)

    def __hash__(self) -> int:
        return hash((self.codes, self.zones))


def load_builtin(name: str = DEFAULT_SET) -> BoundarySet:
    """A built-in set by name: ``osm`` (the default) or ``ne10m``.

    Built by ``scripts/build_airspace.py``; the provenance it recorded is
    returned with the set's name, file and the SHA-256 of the shipped file added.
    Raises :class:`~airwitness.errors.UsageError` for an unknown name.
    """
    if name == LEGACY_NAME:
        name = DEFAULT_SET
    if name not in BUILTIN_SETS:
        raise UsageError(
            f"unknown built-in boundary set {name!r}; choose one of {', '.join(BUILTIN_SETS)}"
        )
    file = BUILTIN_SETS[name]
    data = (resources.files("airwitness") / "data" / file).read_bytes()
    held = read_set(data)
    provenance = dict(held.provenance)
    provenance["name"] = name
    provenance["file"] = file
    provenance["sha256"] = sha256_bytes(data)
    return BoundarySet(
        codes=held.codes,
        zones=held.zones,
        geoms=held.geoms,
        provenance=provenance,
        sovereign=held.sovereign,
        claimants=held.claimants,
    )


def boundary_sigma_m(provenance: dict[str, Any]) -> float:
    """The stated boundary error of a set, by its provenance."""
    name = provenance.get("name")
    if "path" not in provenance and name in BOUNDARY_SIGMA_M:
        return BOUNDARY_SIGMA_M[name]
    return USER_BOUNDARY_SIGMA_M


def is_builtin_name(text: str) -> bool:
    """Whether ``text`` names a built-in set (``osm``, ``ne10m``, or ``countries``)."""
    return text in BUILTIN_SETS or text == LEGACY_NAME


def load_file(path: str | Path, code_field: str, layer: str | int | None = None) -> BoundarySet:
    """A user's boundary set: GeoJSON, GeoPackage or Shapefile, one polygon feature per row.

    Each feature's ``code_field`` property is its code; every row is zone
    ``land`` (a user set is taken as drawn: no territorial sea is added).
    Coordinates in another CRS are transformed to lon/lat. Polygons are
    repaired with :func:`shapely.make_valid`.

    Raises :class:`~airwitness.errors.InputError` (naming the file, and the
    1-based feature number where one feature is at fault) for an unreadable
    file, a missing code field (the message lists the fields there are), an
    empty code, a missing or non-polygon geometry, or lon/lat out of range.
    """
    import pyogrio  # imported here: slow to import, and only user files need it
    import pyogrio.errors

    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(name, "no such file")
    try:
        info = pyogrio.read_info(p, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputError(name, f"cannot read boundary file: {exc}") from exc
    fields = [str(f) for f in info["fields"]]
    if code_field not in fields:
        available = ", ".join(fields) if fields else "none"
        raise InputError(name, f"no field {code_field!r}; available fields: {available}")
    try:
        meta, _, wkb, values = pyogrio.raw.read(p, layer=layer, columns=[code_field], force_2d=True)
    except pyogrio.errors.DataSourceError as exc:  # pragma: no cover - read_info passed
        raise InputError(name, f"cannot read boundary file: {exc}") from exc
    if len(wkb) == 0:
        raise InputError(name, "no features")
    to_lonlat = _to_lonlat(meta.get("crs"), name)
    codes: list[str] = []
    geoms: list[Geometry] = []
    for i, (blob, value) in enumerate(zip(wkb, values[0], strict=True)):
        record = i + 1
        code = _code(value)
        if code is None:
            raise InputError(name, f"feature has no {code_field!r} value", record)
        if blob is None:
            raise InputError(name, "feature has no geometry", record)
        geom = shapely.from_wkb(blob)
        if geom.geom_type not in _POLYGONAL:
            raise InputError(name, f"{geom.geom_type} is not a polygon", record)
        if to_lonlat is not None:
            geom = shapely.transform(geom, to_lonlat)
        _check_range(geom, name, record)
        geom = polygonal(geom)
        if geom.is_empty:
            raise InputError(name, "polygon has no area", record)
        codes.append(code)
        geoms.append(geom)
    provenance = {
        "name": p.stem,
        "path": name,
        "sha256": sha256_file(p),
        "code_field": code_field,
        "features": len(geoms),
        "layer": info.get("layer_name", layer),
        "driver": info.get("driver"),
        "crs": meta.get("crs"),
    }
    return BoundarySet(tuple(codes), ("land",) * len(codes), tuple(geoms), provenance)


def _code(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _to_lonlat(crs: str | None, name: str) -> Any:
    """A coordinate transform to WGS-84 lon/lat, or None when the data is already so."""
    if not crs:
        return None
    import pyproj

    try:
        src = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(name, f"unknown coordinate reference system {crs!r}") from exc
    wgs84 = pyproj.CRS.from_epsg(4326)
    if src.is_geographic and src.equals(wgs84, ignore_axis_order=True):
        return None
    transformer = pyproj.Transformer.from_crs(src, wgs84, always_xy=True)

    def transform(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return transform


def _check_range(geom: Geometry, name: str, record: int) -> None:
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise InputError(name, "coordinates are not finite", record)
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
        raise InputError(
            name,
            f"coordinates out of lon/lat range (lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}); "
            "boundaries must be in WGS-84 degrees or declare their CRS",
            record,
        )
