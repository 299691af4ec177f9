"""Format detection, format forcing, and whole-file failures."""

from __future__ import annotations

import gzip
import io
import os
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airwitness.errors import InputError, UsageError
from airwitness.io import FORMATS, read, sniff

from .helpers import TRAFFIC

OPENSKY = "time,icao24,lat,lon,velocity\n1589155200,4b43ac,47.5,8.5,100\n"
TRAFFIC_CSV = ",timestamp,icao24,latitude,longitude\n0,2019-05-23 11:50:04+00:00,4b43ac,47,9\n"
PLAIN = "track_id,time,lat,lon\nD1,2025-06-13T04:05:06Z,40.1,47.2\n"
GPX = (
    '\ufeff<?xml version="1.0"?>\n<!-- c --><gpx xmlns="http://www.topografix.com/GPX/1/1">'
    '<trk><trkseg><trkpt lat="1" lon="2"><time>2025-06-13T04:05:06Z</time></trkpt>'
    "</trkseg></trk></gpx>"
)
KML = (
    '<kml:kml xmlns:kml="http://www.opengis.net/kml/2.2"><kml:Placemark>'
    "<kml:TimeStamp><kml:when>2025-06-13T04:05:06Z</kml:when></kml:TimeStamp>"
    "<kml:Point><kml:coordinates>2,1</kml:coordinates></kml:Point></kml:Placemark></kml:kml>"
)


def test_formats():
    assert set(FORMATS) >= {
        "opensky",
        "traffic",
        "csv",
        "gpx",
        "kml",
        "readsb",
        "sbs",
        "ulog",
        "mavlink",
        "dataflash",
        "remoteid",
    }


@pytest.mark.parametrize(
    ("name", "content", "gz", "expected"),
    [
        ("s.csv", OPENSKY, False, "opensky"),
        ("s.csv.gz", OPENSKY, True, "opensky"),
        ("s.csv", OPENSKY, True, "opensky"),  # gzip recognised by magic, whatever the name
        ("t.csv", TRAFFIC_CSV, False, "traffic"),
        ("p.txt", PLAIN, False, "csv"),
        ("p.csv.gz", PLAIN.replace("\n", "\r\n"), True, "csv"),
        ("a.xml", GPX, False, "gpx"),
        ("b.kml.gz", KML, True, "kml"),
        (
            "j.json",
            '[{"timestamp": 1558612204000, "icao24": "a", "latitude": 1, "longitude": 2}]',
            False,
            "traffic",
        ),
        (
            "j.jsonl",
            '{"timestamp": 1558612204000, "icao24": "a", "latitude": 1, "longitude": 2}\n',
            False,
            "traffic",
        ),
    ],
)
def test_detects(write, name, content, gz, expected):
    path = write(name, content, gz=gz)
    assert sniff(path) == expected
    result = read(path)
    assert result.format == expected
    assert result.table.num_rows == 1, result.rejects


def test_real_sample_and_stream():
    path = TRAFFIC / "elal747.json.gz"
    assert sniff(path) == "traffic"
    with open(path, "rb") as f:
        result = read("upload", stream=f)
    assert result.format == "traffic" and result.table.num_rows == 2110


def test_parquet(tmp_path):
    ok = tmp_path / "o.parquet"
    pq.write_table(
        pa.table({"time": [1589155200], "icao24": ["a"], "lat": [1.0], "lon": [2.0]}), ok
    )
    assert sniff(ok) == "opensky"
    tr = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {"timestamp": [1589155200], "icao24": ["a"], "latitude": [1.0], "longitude": [2.0]}
        ),
        tr,
    )
    assert sniff(tr) == "traffic"
    other = tmp_path / "x.parquet"
    pq.write_table(pa.table({"a": [1]}), other)
    with pytest.raises(InputError, match="cannot detect the format \\(Parquet"):
        sniff(other)


def test_format_forcing(write):
    path = write("p.dat", PLAIN)
    assert read(path, format="csv").table.num_rows == 1
    with pytest.raises(InputError, match="missing required column\\(s\\) for opensky"):
        read(path, format="opensky")
    with pytest.raises(UsageError, match="unknown input format 'fr24'"):
        read(path, format="fr24")


def test_extension_breaks_ties(write):
    # content is not XML at all, but the name says GPX: the GPX reader explains
    with pytest.raises(InputError, match="unparseable XML"):
        read(write("track.gpx", "hello"))
    with pytest.raises(InputError, match="cannot detect the format"):
        read(write("track.txt", "hello"))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("e.csv", b"", "empty file"),
        ("e.csv", b" \n\n", "empty file"),
        ("e.csv.gz", gzip.compress(b"", mtime=0), "empty file"),
        ("n.csv.gz", b"time,icao24\n", "named .gz but not gzip-compressed"),
        ("c.csv.gz", b"\x1f\x8b" + b"\x00" * 30, "corrupt gzip data"),
        ("t.csv.gz", gzip.compress(OPENSKY.encode() * 50, mtime=0)[:-30], "truncated gzip data"),
        ("u.csv", b"a,b,c\n1,2,3\n", "cannot detect the format (text without the columns"),
        ("j.json", b'[{"a": 1}]', "cannot detect the format (JSON"),
        ("x.xml", b"<svg/>", "XML document with root <svg>, neither GPX nor KML"),
        ("k.kmz", b"PK\x03\x04rest", "zip archive (KMZ?)"),
    ],
)
def test_unreadable(write, name, content, reason):
    path = write(name, content)
    with pytest.raises(InputError) as e:
        read(path)
    assert reason in str(e.value)
    assert str(e.value).startswith(str(path) + ":")
    assert "\n" not in str(e.value)


def test_real_kmz_and_missing_and_directory(tmp_path):
    kmz = tmp_path / "f.kmz"
    with zipfile.ZipFile(kmz, "w") as z:
        z.writestr("doc.kml", KML)
    with pytest.raises(InputError, match="zip archive"):
        read(kmz)
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a directory"):
        read(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_permission_denied(write):
    path = write("secret.csv", OPENSKY)
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read(path)


def test_input_is_never_written(write):
    path = write("s.csv.gz", OPENSKY, gz=True)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert read("x.csv", stream=io.BytesIO(OPENSKY.encode())).table.num_rows == 1


def test_permission_denied_simulated(write, monkeypatch):
    """Same as above, for root: the error the OS would raise becomes an InputError."""
    from airwitness.io import _source

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    path = write("secret.csv", OPENSKY)
    monkeypatch.setattr(_source, "open", refuse, raising=False)
    with pytest.raises(InputError, match=r"secret\.csv: permission denied"):
        read(path)
