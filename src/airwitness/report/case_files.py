"""Write every output of ``airwitness verify`` into one folder, and its manifest."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airwitness import __version__
from airwitness.digest import sha256_file
from airwitness.report.case_report import build_report, dumps
from airwitness.report.html import render_html
from airwitness.report.kml_tracks import tracks_kml
from airwitness.report.manifest import MANIFEST, file_entry
from airwitness.report.tables import write_csv, write_geojson

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

OUTPUTS = ("report.html", "report.json", "crossings.csv", "crossings.geojson", "tracks.kml")


def write_case_outputs(inv: Investigation, out_dir: Path, case_path: Path) -> dict[str, Any]:
    """Write the report, tables and manifest; return the report document."""
    from airwitness.investigate.evidence import relative_name

    out_dir.mkdir(parents=True, exist_ok=True)
    case = inv.case
    inputs = [file_entry(p, relative_name(p, case.base_dir)) for p in sorted(set(case.input_paths))]
    report = build_report(inv)
    sha_of = {e["path"]: e["sha256"] for e in inputs}
    for item in report["inputs"]:
        item["sha256"] = sha_of.get(item["path"])
    files = {
        "report.json": dumps(report).encode(),
        "crossings.csv": _csv_bytes(inv),
        "crossings.geojson": _geojson_bytes(inv),
        "tracks.kml": tracks_kml(
            inv.prepared.table, name=case.title, crossings=inv.crossings
        ).encode(),
        "report.html": render_html(inv, report).encode(),
    }
    for name in OUTPUTS:
        (out_dir / name).write_bytes(files[name])
    manifest = {
        "airwitness_version": __version__,
        "software": _software(),
        "case": {
            "path": case_path.name,
            "sha256": sha256_file(case_path),
            "bytes": case_path.stat().st_size,
        },
        "options": {
            key: case.option(key)
            for key in (
                "observed_gap_s",
                "max_gap_s",
                "coverage_stretch_km",
                "coverage_bin_min",
                "coverage_radius_km",
                "coverage_threshold",
            )
        },
        "airspace": report["airspace"],
        "inputs": inputs,
        "outputs": [file_entry(out_dir / name, name) for name in OUTPUTS],
        "verdict": inv.verdict,
    }
    if case.airspace_file is not None:
        manifest["airspace_file"] = file_entry(
            case.airspace_file, relative_name(case.airspace_file, case.base_dir)
        )
    (out_dir / MANIFEST).write_bytes(dumps(manifest).encode())
    return report


def _csv_bytes(inv: Investigation) -> bytes:
    buf = io.BytesIO()
    write_csv(inv.crossings, buf)
    return buf.getvalue()


def _geojson_bytes(inv: Investigation) -> bytes:
    buf = io.StringIO()
    write_geojson(inv.crossings, buf)
    return buf.getvalue().encode()


def _software() -> dict[str, str]:
    import numpy
    import pyarrow
    import pyproj
    import shapely

    return {
        "airwitness": __version__,
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
        "pyproj": pyproj.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
    }
