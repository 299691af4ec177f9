"""The file a built-in boundary set ships in: one Parquet file, one row per airspace zone.

Columns: ``code``, ``zone`` and the geometry, in one of two encodings:

- ``geometry``: WKB, lon/lat float64 (the ``ne10m`` set, full source precision);
- ``x_e7``, ``y_e7``: lon and lat in units of 1e-7° as int32, nested as polygons →
  rings → vertices (the ``osm`` set, whose source is on that grid already): a third
  smaller than WKB with Parquet's delta encoding, and lossless.

Optional columns ``sovereign`` (the state a dependency belongs to) and
``claimants`` (the codes a joint code stands for). The provenance is JSON in the
schema metadata under ``airwitness.provenance``. No timestamps: the same rows give
the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from shapely import Geometry

METADATA_KEY = b"airwitness.provenance"
E7 = 10_000_000
_ZSTD_LEVEL = 19
_NESTED_LEAF = "list.element.list.element.list.element"


@dataclass(frozen=True)
class SetRow:
    """One zone of one airspace code."""

    code: str
    zone: str
    geom: Geometry
    sovereign: str | None = None
    claimants: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetTable:
    """What a set file holds, geometries still encoded (decoded on first use)."""

    codes: tuple[str, ...]
    zones: tuple[str, ...]
    sovereign: dict[str, str]
    claimants: dict[str, tuple[str, ...]]
    provenance: dict[str, Any]
    data: bytes

    def geoms(self) -> tuple[Geometry, ...]:
        table = pq.read_table(pa.BufferReader(self.data))
        if "geometry" in table.column_names:
            wkb = table.column("geometry").to_numpy(zero_copy_only=False)
            return tuple(shapely.from_wkb(wkb).tolist())
        return tuple(_from_e7(table.column("x_e7"), table.column("y_e7")).tolist())


def read_set(data: bytes) -> SetTable:
    """The codes, zones, relations and provenance of a set file's bytes."""
    names = pq.read_schema(pa.BufferReader(data)).names
    wanted = [c for c in ("code", "zone", "sovereign", "claimants") if c in names]
    table = pq.read_table(pa.BufferReader(data), columns=wanted)
    meta = table.schema.metadata or {}
    provenance = json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else {}
    codes = tuple(table.column("code").to_pylist())
    sovereign: dict[str, str] = {}
    claimants: dict[str, tuple[str, ...]] = {}
    if "sovereign" in wanted:
        for code, sov in zip(codes, table.column("sovereign").to_pylist(), strict=True):
            if sov:
                sovereign[code] = sov
    if "claimants" in wanted:
        for code, claim in zip(codes, table.column("claimants").to_pylist(), strict=True):
            if claim:
                claimants[code] = tuple(claim)
    return SetTable(
        codes=codes,
        zones=tuple(table.column("zone").to_pylist()),
        sovereign=sovereign,
        claimants=claimants,
        provenance=provenance,
        data=data,
    )


def write_set(rows: Sequence[SetRow], provenance: dict[str, Any], out: Path) -> None:
    """Write rows (sorted by code, zone) with integer 1e-7° coordinates.

    Raises ValueError if a vertex is not on the 1e-7° grid.
    """
    rows = sorted(rows, key=lambda r: (r.code, r.zone))
    x_e7, y_e7 = _to_e7([r.geom for r in rows])
    schema = pa.schema(
        [
            ("code", pa.string()),
            ("zone", pa.string()),
            ("sovereign", pa.string()),
            ("claimants", pa.list_(pa.string())),
            ("x_e7", x_e7.type),
            ("y_e7", y_e7.type),
        ],
        metadata={
            METADATA_KEY: json.dumps(provenance, sort_keys=True, ensure_ascii=False).encode()
        },
    )
    table = pa.table(
        {
            "code": [r.code for r in rows],
            "zone": [r.zone for r in rows],
            "sovereign": [r.sovereign for r in rows],
            "claimants": [list(r.claimants) or None for r in rows],
            "x_e7": x_e7,
            "y_e7": y_e7,
        },
        schema=schema,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=_ZSTD_LEVEL,
        use_dictionary=["code", "zone", "sovereign", "claimants.list.element"],
        column_encoding={
            f"x_e7.{_NESTED_LEAF}": "DELTA_BINARY_PACKED",
            f"y_e7.{_NESTED_LEAF}": "DELTA_BINARY_PACKED",
        },
        write_statistics=False,
        row_group_size=max(len(rows), 1),
    )
    tmp.replace(out)


def _to_e7(geoms: Sequence[Geometry]) -> tuple[pa.ListArray, pa.ListArray]:
    multi = np.array([shapely.MultiPolygon(shapely.get_parts(g).tolist()) for g in geoms])
    _, coords, (ring_off, poly_off, geom_off) = shapely.to_ragged_array(multi)
    scaled = np.round(coords * E7)
    if not np.array_equal(scaled / E7, coords):
        raise ValueError("a vertex is not on the 1e-7 degree grid")
    ints = scaled.astype(np.int32)

    def nested(values: np.ndarray) -> pa.ListArray:
        rings = pa.ListArray.from_arrays(pa.array(ring_off.astype(np.int32)), pa.array(values))
        polys = pa.ListArray.from_arrays(pa.array(poly_off.astype(np.int32)), rings)
        return pa.ListArray.from_arrays(pa.array(geom_off.astype(np.int32)), polys)

    return nested(ints[:, 0]), nested(ints[:, 1])


def _from_e7(x_e7: pa.ChunkedArray, y_e7: pa.ChunkedArray) -> np.ndarray:
    """MultiPolygons from the nested integer columns (one call into shapely)."""
    xs = x_e7.combine_chunks()
    ys = y_e7.combine_chunks()
    geom_off = xs.offsets.to_numpy()
    polys = xs.values
    poly_off = polys.offsets.to_numpy()
    rings = polys.values
    ring_off = rings.offsets.to_numpy()
    x = rings.values.to_numpy().astype(np.float64) / E7
    y = ys.values.values.values.to_numpy().astype(np.float64) / E7
    coords = np.column_stack([x, y])
    return shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOLYGON, coords, (ring_off, poly_off, geom_off)
    )
