"""The committed Caucasus example must be exactly what its generator writes.

Running ``scripts/generate_caucasus.py`` twice with the default seed must give
byte-identical files, equal to those in ``examples/caucasus/``, so the example
can never drift from the script that documents how it was made.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_caucasus.py"
EXAMPLE = ROOT / "examples" / "caucasus"
FILES = ("opensky_states.csv", "drones.gpx", "helicopter.kml")
GPX = {"g": "http://www.topografix.com/GPX/1/1"}
KML = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}


def _generate(out: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", "20250613", "-o", str(out)],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("run_a"), tmp_path_factory.mktemp("run_b")
    _generate(a)
    _generate(b)
    return a, b


@pytest.mark.parametrize("name", FILES)
def test_rerun_is_byte_identical(generated: tuple[Path, Path], name: str) -> None:
    a, b = generated
    assert (a / name).read_bytes() == (b / name).read_bytes()


@pytest.mark.parametrize("name", FILES)
def test_committed_example_matches_generator(generated: tuple[Path, Path], name: str) -> None:
    assert (generated[0] / name).read_bytes() == (EXAMPLE / name).read_bytes(), (
        f"examples/caucasus/{name} is stale: rerun python scripts/generate_caucasus.py"
    )


def test_opensky_states_facts() -> None:
    text = (EXAMPLE / "opensky_states.csv").read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == (
        "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
        "baroaltitude,geoaltitude,lastposupdate,lastcontact"
    )
    header, *rows = csv.reader(text.splitlines())
    assert len(rows) == 2984
    col = {name: i for i, name in enumerate(header)}
    assert len({r[col["icao24"]] for r in rows}) == 9
    assert {r[col["callsign"]] for r in rows} == {
        "AHY71   ", "AHY72   ", "AHY18   ", "THY6NU  ", "IRA712  ",
        "IRC682  ", "THY8KC  ", "FDB8QF  ", "AHY223  ", "AHY57   ",
    }  # fmt: skip
    assert sum(r[col["lat"]] == "" and r[col["lon"]] == "" for r in rows) == 5
    assert sum(n - 1 for n in Counter(map(tuple, rows)).values()) == 4  # exact duplicates
    times = [int(r[col["time"]]) for r in rows]
    assert all(t % 10 == 0 for t in times)
    first = datetime.fromtimestamp(min(times), tz=UTC)
    last = datetime.fromtimestamp(max(times), tz=UTC)
    assert datetime(2025, 6, 13, tzinfo=UTC) <= first
    assert last < datetime(2025, 6, 25, tzinfo=UTC)
    for r in rows:
        assert r[col["onground"]] in ("True", "False")
        if r[col["lastposupdate"]]:
            assert float(r[col["lastposupdate"]]) <= float(r[col["lastcontact"]]) <= int(r[0])


def test_drones_gpx_facts() -> None:
    root = ET.parse(EXAMPLE / "drones.gpx").getroot()
    assert root.get("version") == "1.1"
    tracks = root.findall("g:trk", GPX)
    assert [t.findtext("g:name", namespaces=GPX) for t in tracks] == ["UAV-1", "UAV-2", "UAV-3"]
    assert [len(t.findall(".//g:trkpt", GPX)) for t in tracks] == [506, 901, 158]


def test_helicopter_kml_facts() -> None:
    root = ET.parse(EXAMPLE / "helicopter.kml").getroot()
    track = root.find(".//k:Placemark/gx:Track/..", KML)
    assert track is not None
    assert track.findtext("k:name", namespaces=KML) == "HELI-1"
    gx = track.find("gx:Track", KML)
    assert len(gx.findall("k:when", KML)) == len(gx.findall("gx:coord", KML)) == 212
    folder = root.find(".//k:Folder", KML)
    assert folder.findtext("k:name", namespaces=KML) == "HELI-2"
    points = folder.findall("k:Placemark", KML)
    assert len(points) == 85
    assert all(p.findtext("k:TimeStamp/k:when", namespaces=KML) for p in points)
    assert {p.findtext("k:name", namespaces=KML) for p in points} == {"HELI-2"}


def test_files_stay_small() -> None:
    assert sum((EXAMPLE / name).stat().st_size for name in FILES) < 3_000_000
