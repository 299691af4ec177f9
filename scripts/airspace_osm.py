"""Build ``src/airwitness/data/osm.parquet``, the built-in set ``osm`` (the default), and
``docs/airspace-osm.md``, the list of every overlap and gap the build found.

Run through ``scripts/build_airspace.py --set osm`` (options ``--tarball``,
``--osm-output``, ``--osm-report``).

Source: the npm package ``@osm_borders/maritime_10m`` 1.1.0 (published 2024-12-13,
licence ODbL, © OpenStreetMap contributors): ``borders.geo.json``, every country's
OpenStreetMap admin-level-2 boundary with its maritime limits as mapped in OSM,
simplified to 10 m, one feature per country (``isoA3``). Without ``--tarball`` the
script runs ``npm pack`` into a temporary folder; it refuses a tarball whose
integrity (the SHA-512 the npm registry publishes) or SHA-256, or a
``borders.geo.json`` whose SHA-256, is not the one pinned below.

What it does (:mod:`airwitness.airspace.builder.osm_set`): nested features keep
their own code and are cut out of their sovereign; slivers (overlaps narrower than
50 m) go to the code that sorts first; wider overlaps become joint codes
(``RUS+UKR``); holes narrower than 50 m between countries are closed. The result is
checked (valid, no two codes overlap) and written with integer 1e-7° coordinates
(:mod:`airwitness.airspace.set_file`), byte-identical on every run with the same
library versions.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyproj
import shapely

from airwitness.airspace.builder import osm_set
from airwitness.airspace.set_file import SetRow, write_set

PACKAGE = "@osm_borders/maritime_10m"
VERSION = "1.1.0"
INTEGRITY = (
    "sha512-"
    "Mln0gqbYzjqNX7iGtEt3np16nfGwjwADTuUg7J5LQTqlqUBDxsWaxQmsKtkJCumvc/pl7QZu8lvEs41JMs+zbQ=="
)
TARBALL_SHA256 = "e9af1dc88a1854fba3e2c4375c61388987a6a00f1eec0975978410019748ac60"
MEMBER = "package/borders.geo.json"
MEMBER_SHA256 = "a1aaf348a83087e9c210fc673a2226c0193aa41178b0ea53b4f79460d76eb7e4"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "airwitness" / "data" / "osm.parquet"
DEFAULT_REPORT = ROOT / "docs" / "airspace-osm.md"
ZONE = "territory"  # OSM draws land and territorial sea as one area
ATTRIBUTION = "© OpenStreetMap contributors, licensed under the Open Database License (ODbL) 1.0"
LISTED_HOLE_KM2 = 1.0  # unassigned holes at least this large are listed one by one


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this set, on the build script's parser."""
    p.add_argument("--tarball", help=f"osm: use this local {PACKAGE} tarball, not npm pack")
    p.add_argument("--osm-output", default=str(DEFAULT_OUT), help="osm: output file")
    p.add_argument("--osm-report", default=str(DEFAULT_REPORT), help="osm: the overlap list")


def build(args: argparse.Namespace) -> None:
    """Build the set with the parsed options of ``scripts/build_airspace.py``."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = Path(args.tarball) if args.tarball else _npm_pack(Path(tmp))
        data = tarball.read_bytes()
    _check(data)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        member = tf.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{tarball.name}: no {MEMBER}")
        geojson = member.read()
    _check_sha256(geojson, MEMBER_SHA256, MEMBER)
    features = osm_set.read_features(geojson)
    vertices = sum(int(shapely.get_num_coordinates(g)) for g in features.values())
    _log(f"read {len(features)} features, {vertices:,} vertices ({time.perf_counter() - t0:.0f} s)")
    resolved = osm_set.resolve(features, progress=_log)
    rows = [
        SetRow(
            code=code,
            zone=ZONE,
            geom=geom,
            sovereign=resolved.sovereign.get(code),
            claimants=resolved.claimants.get(code, ()),
        )
        for code, geom in resolved.territories.items()
    ]
    snapped, widest = _verify(rows)
    counts = Counter(f.kind for f in resolved.findings)
    provenance = {
        "dataset": "OpenStreetMap country borders with maritime limits, simplified to 10 m",
        "source_package": f"npm {PACKAGE} {VERSION}",
        "source_integrity": INTEGRITY,
        "source_tarball_sha256": TARBALL_SHA256,
        "source_file": Path(MEMBER).name,
        "source_sha256": MEMBER_SHA256,
        "code_field": "isoA3",
        "licence": "ODbL-1.0",
        "attribution": ATTRIBUTION,
        "zones": "territory: land and territorial sea as mapped in OSM, one area per code",
        "rules": {
            "nested_share": osm_set.NESTED_SHARE,
            "sliver_width_m": osm_set.SLIVER_WIDTH_M,
            "grid_deg": osm_set.GRID_DEG,
            "nested": "a feature with at least nested_share of its area inside another keeps "
            "its own code and is cut out of that one, its sovereign",
            "sliver": "an overlap narrower than sliver_width_m goes to the code sorting first",
            "disputed": "any wider overlap is a joint code, the claimants' codes joined by '+'",
            "gap": "a hole narrower than sliver_width_m goes to the first code touching it; "
            "wider holes are in no code (INTL)",
        },
        "found": {k: counts[k] for k in sorted(counts)},
        "snapping_overlaps": {"count": snapped, "widest_m": round(widest, 4)},
        "codes": len(rows),
        "joint_codes": sorted(resolved.claimants),
        "builder": {
            "shapely": shapely.__version__,
            "GEOS": shapely.geos_version_string,
            "pyproj": pyproj.__version__,
            "pyarrow": pa.__version__,
        },
    }
    out = Path(args.osm_output)
    write_set(rows, provenance, out)
    report = Path(args.osm_report)
    report.write_text(_report(resolved), encoding="utf-8")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    _log(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(rows)} codes) and {report} in "
        f"{time.perf_counter() - t0:.0f} s; sha256 {digest}"
    )


def _npm_pack(folder: Path) -> Path:
    cmd = ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(folder)]
    _log(" ".join(cmd))
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    found = sorted(folder.glob("*.tgz"))
    if len(found) != 1:
        raise SystemExit(f"npm pack did not produce one tarball in {folder}")
    return found[0]


def _check(tarball: bytes) -> None:
    algo, _, expected = INTEGRITY.partition("-")
    got = base64.b64encode(hashlib.new(algo, tarball).digest()).decode()
    if got != expected:
        raise SystemExit(f"tarball integrity {algo}-{got}, expected {INTEGRITY}")
    _check_sha256(tarball, TARBALL_SHA256, "tarball")


def _check_sha256(data: bytes, expected: str, name: str) -> None:
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise SystemExit(f"{name}: SHA-256 {got}, expected {expected}")


def _verify(rows: list[SetRow]) -> tuple[int, float]:
    """Stop the build on an invalid polygon or two codes overlapping by more than the
    grid's snapping; the count and widest (m) of those sub-centimetre overlaps."""
    bad = [r.code for r in rows if not r.geom.is_valid or r.geom.is_empty]
    if bad:
        raise SystemExit(f"invalid or empty geometry: {', '.join(bad)}")
    try:
        count, widest = osm_set.residual_overlaps({r.code: r.geom for r in rows})
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    _log(f"overlap check: {count} snapping overlaps left, the widest {widest * 100:.2f} cm")
    return count, widest


def _report(resolved: osm_set.ResolvedSet) -> str:
    """docs/airspace-osm.md: every overlap and gap, with the rule that decided it."""
    by_kind: dict[str, list[osm_set.Finding]] = defaultdict(list)
    for f in resolved.findings:
        by_kind[f.kind].append(f)
    out = [
        "# The `osm` set: every overlap and gap the build found",
        "",
        "Written by `scripts/build_airspace.py --set osm` (do not edit by hand); the rules",
        "are in [airspace.md](airspace.md#the-set-osm-openstreetmap-borders-with-maritime-limits)."
        " Areas are geodesic (WGS-84);",
        "a width is twice the radius of the largest circle inside the piece; the point",
        "is one inside it (lon, lat).",
        "",
        "| found | count | rule |",
        "|---|---|---|",
        f"| nested | {len(by_kind['nested'])} | keeps its code, cut out of its sovereign |",
        f"| disputed | {len(by_kind['disputed'])} pieces in {len(resolved.claimants)} joint "
        "codes | an airspace of its own, the claimants' codes joined by `+` |",
        f"| sliver | {len(by_kind['sliver'])} | to the code sorting first |",
        f"| gap | {len(by_kind['gap'])} | to the first code touching it |",
        f"| unassigned | {len(by_kind['unassigned'])} | wider than 50 m: in no code (`INTL`) |",
        "",
        "## Nested: dependencies inside their sovereign",
        "",
        "| code | sovereign | area km² |",
        "|---|---|---|",
    ]
    out += [f"| {f.codes[0]} | {f.codes[1]} | {f.area_km2:,.1f} |" for f in by_kind["nested"]]
    out += [
        "",
        "## Disputed: claimed by more than one code",
        "",
        "| joint code | area km² | width m | point |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {f.result} | {f.area_km2:,.3f} | {f.width_m:,.0f} | {f.lon:.5f} {f.lat:.5f} |"
        for f in sorted(by_kind["disputed"], key=lambda f: (f.result, -f.area_km2))
    ]
    out += _grouped("Slivers closed, by pair", "to", by_kind["sliver"])
    out += _grouped("Gaps closed, by the codes they touch", "to", by_kind["gap"])
    holes = sorted(by_kind["unassigned"], key=lambda f: -f.area_km2)
    listed = [f for f in holes if f.area_km2 >= LISTED_HOLE_KM2]
    out += [
        "",
        "## Unassigned: holes wider than 50 m, in no code (`INTL`)",
        "",
        f"{len(holes)} holes; the {len(listed)} of at least {LISTED_HOLE_KM2:g} km² are listed "
        f"(the other {len(holes) - len(listed)} total "
        f"{sum(f.area_km2 for f in holes[len(listed) :]):,.2f} km²). Seas beyond every "
        "territorial sea are among them (the Mediterranean, the Black Sea, the Caspian, ...).",
        "",
        "| touches | area km² | width m | point |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {' '.join(f.codes) or '-'} | {f.area_km2:,.1f} | {f.width_m:,.0f} | "
        f"{f.lon:.5f} {f.lat:.5f} |"
        for f in listed
    ]
    return "\n".join(out) + "\n"


def _grouped(title: str, to: str, findings: list[osm_set.Finding]) -> list[str]:
    groups: dict[tuple[tuple[str, ...], str], list[osm_set.Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.codes, f.result)].append(f)
    lines = [
        "",
        f"## {title}",
        "",
        f"| codes | {to} | count | total km² | widest m | widest at |",
        "|---|---|---|---|---|---|",
    ]
    for (codes, result), fs in sorted(groups.items()):
        total = sum(f.area_km2 for f in fs)
        widest = max(fs, key=lambda f: (f.width_m, f.lon, f.lat))
        lines.append(
            f"| {' '.join(codes)} | {result} | {len(fs)} | {total:,.4f} | {widest.width_m:.1f} "
            f"| {widest.lon:.7f} {widest.lat:.7f} |"
        )
    return lines


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
