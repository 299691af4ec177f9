"""KML gx:Track and time-stamped Placemark Points."""

from __future__ import annotations

import pyarrow as pa
import pytest

from airwitness.errors import InputError
from airwitness.io.tabular import kml

from ..helpers import by_record, reconcile, rows_of, utc_ns

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>flights</name>
  <Folder>
    <Placemark>
      <name>ELY1747</name>
      <gx:Track>
        <altitudeMode>absolute</altitudeMode>
        <when>2019-11-03T09:28:10Z</when>
        <when>2019-11-03T09:28:20Z</when>
        <when>2019-11-03T09:28:30Z</when>
        <gx:coord>12.241875 41.79491 10.5</gx:coord>
        <gx:coord>12.25 41.8 20</gx:coord>
      </gx:Track>
    </Placemark>
    <Placemark>
      <gx:Track>
        <altitudeMode>relativeToGround</altitudeMode>
        <when>2019-11-03T09:29:00Z</when>
        <gx:coord>13 42</gx:coord>
        <gx:coord>13.1 42.1 100</gx:coord>
      </gx:Track>
    </Placemark>
  </Folder>
  <Placemark>
    <name>DRONE</name>
    <TimeStamp><when>2019-11-03T09:30:00+01:00</when></TimeStamp>
    <Point><coordinates> 34.8, 32.0, 120 </coordinates></Point>
  </Placemark>
  <Placemark>
    <name>DRONE</name>
    <Point><coordinates>34.8,32.0</coordinates></Point>
  </Placemark>
  <Placemark>
    <name>DRONE</name>
    <TimeStamp><when>2019-11-03T08:31:00Z</when></TimeStamp>
    <Point><altitudeMode>relativeToGround</altitudeMode><coordinates>34.9,32.1,50</coordinates></Point>
  </Placemark>
  <Placemark>
    <name>route</name>
    <LineString><coordinates>1,2 3,4</coordinates></LineString>
  </Placemark>
</Document>
</kml>
"""


def test_tracks_and_points(write):
    result = kml.read(write("flights.kml", KML))
    reconcile(result, range(1, 9))
    assert by_record(result) == {
        3: "bad lat/lon",  # a when without a coord
        5: "bad time",  # a coord without a when
        7: "bad time",  # a Point without a TimeStamp
    }
    rows = rows_of(result.table)
    assert [r["track_id"] for r in rows] == ["ELY1747", "ELY1747", "flights", "DRONE", "DRONE"]
    assert [(r["lon"], r["lat"]) for r in rows] == [
        (12.241875, 41.79491),
        (12.25, 41.8),
        (13.0, 42.0),
        (34.8, 32.0),
        (34.9, 32.1),
    ]
    assert [r["alt_m"] for r in rows] == [10.5, 20.0, None, 120.0, 50.0]
    assert [r["alt_kind"] for r in rows] == ["geo", "geo", None, "geo", "agl"]
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        utc_ns("2019-11-03T09:28:10Z"),
        utc_ns("2019-11-03T09:28:20Z"),
        utc_ns("2019-11-03T09:29:00Z"),
        utc_ns("2019-11-03T08:30:00Z"),
        utc_ns("2019-11-03T08:31:00Z"),
    ]
    assert rows[0]["source"] == "kml"
    assert [r["pos_sigma_m"] for r in rows] == [None] * 5  # KML states no accuracy


def test_gzip_and_bad_coordinates(write):
    text = KML.replace("13.1 42.1 100", "13.1").replace("34.9,32.1,50", "1,2 3,4")
    result = kml.read(write("f.kml.gz", text, gz=True))
    reasons = by_record(result)
    assert reasons[5] == "bad time"  # first failing check wins
    assert reasons[8] == "bad lat/lon"  # two tuples in one Point


def test_doctype_and_garbage(write):
    with pytest.raises(InputError, match="DOCTYPE"):
        kml.read(write("d.kml", '<!DOCTYPE kml SYSTEM "file:///etc/passwd"><kml/>'))
    with pytest.raises(InputError, match="unparseable XML"):
        kml.read(write("g.kml", "<kml><Placemark></kml>"))
