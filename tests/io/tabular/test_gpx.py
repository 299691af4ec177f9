"""GPX 1.1 / 1.0 track points."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from airwitness.errors import InputError
from airwitness.io.tabular import gpx

from ..helpers import by_record, reconcile, rows_of, utc_ns

GPX11 = """<?xml version="1.0" encoding="UTF-8"?>
<!-- recorded by hand -->
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <metadata><name>not a track name</name></metadata>
  <wpt lat="1" lon="2"><name>a waypoint, not a report</name></wpt>
  <trk>
    <name>D-KRPK</name>
    <trkseg>
      <trkpt lat="46.0167" lon="11.1251"><ele>593.5</ele><time>2019-05-23T08:38:46Z</time></trkpt>
      <trkpt lat="46.0168" lon="11.125"><time>2019-05-23T10:38:51.25+02:00</time></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="46.018" lon="11.1249"><ele>600</ele></trkpt>
      <trkpt lat="north" lon="11.1249"><time>2019-05-23T08:39:00Z</time></trkpt>
    </trkseg>
  </trk>
  <trk>
    <trkseg>
      <trkpt lat="-91" lon="0"><time>2019-05-23T08:39:00Z</time></trkpt>
      <trkpt lat="10" lon="20"><ele>high</ele><time>2019-05-23T08:39:00Z</time></trkpt>
      <trkpt lon="20"><time>2019-05-23T08:39:00Z</time></trkpt>
      <trkpt lat="10.5" lon="-20.5"><time> 2019-05-23T08:40:00 </time></trkpt>
    </trkseg>
  </trk>
</gpx>
"""


def test_gpx11(write):
    result = gpx.read(write("glider.gpx", GPX11))
    reconcile(result, range(1, 9))
    assert by_record(result) == {
        3: "bad time",
        4: "bad lat/lon",
        5: "lat/lon out of range",
        6: "bad number in ele",
        7: "bad lat/lon",
    }
    rows = rows_of(result.table)
    assert [r["track_id"] for r in rows] == ["D-KRPK", "D-KRPK", "glider:2"]
    assert [(r["lat"], r["lon"]) for r in rows] == [
        (46.0167, 11.1251),
        (46.0168, 11.125),
        (10.5, -20.5),
    ]
    assert [r["alt_m"] for r in rows] == [593.5, None, None]
    assert [r["alt_kind"] for r in rows] == ["geo", None, None]
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        utc_ns("2019-05-23T08:38:46Z"),
        utc_ns("2019-05-23T08:38:51.25Z"),
        utc_ns("2019-05-23T08:40:00Z"),  # no zone: UTC
    ]
    assert rows[0]["source"] == "gpx" and rows[0]["source_record"] == 1


def test_gpx10_and_gzip(write):
    text = GPX11.replace("GPX/1/1", "GPX/1/0").replace('version="1.1"', 'version="1.0"')
    plain = gpx.read(write("a.gpx", text))
    gz = gpx.read(write("a.gpx.gz", text, gz=True))
    assert plain.table.num_rows == gz.table.num_rows == 3
    assert gz.table["track_id"][2].as_py() == "a:2"  # stem without .gpx.gz


def test_doctype_refused(write):
    lol = """<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&b;</name></trk></gpx>"""
    with pytest.raises(InputError, match="DOCTYPE"):
        gpx.read(write("lol.gpx", lol))
    # a DOCTYPE pushed past the first read chunk is still seen
    late = lol.replace("<!DOCTYPE", "<!--" + "x" * 200_000 + "-->\n<!DOCTYPE")
    with pytest.raises(InputError, match="DOCTYPE"):
        gpx.read(write("late.gpx.gz", late, gz=True))


def test_unparseable_and_wrong_root(write):
    with pytest.raises(InputError) as e:
        gpx.read(write("cut.gpx", GPX11[:700]))
    assert "unparseable XML" in str(e.value) and e.value.record is not None
    with pytest.raises(InputError, match="not a GPX document"):
        gpx.read(write("k.gpx", "<kml/>"))
    with pytest.raises(InputError, match="empty file"):
        gpx.read(write("e.gpx", ""))


def test_no_tracks(write):
    result = gpx.read(write("w.gpx", '<gpx><wpt lat="1" lon="2"/></gpx>'))
    assert result.records == 0


HDOP = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>walk</name><trkseg>
    <trkpt lat="46.0" lon="11.0"><time>2019-05-23T08:00:00Z</time><hdop>1.0</hdop></trkpt>
    <trkpt lat="46.1" lon="11.1"><time>2019-05-23T08:00:01Z</time><hdop> 2.4 </hdop></trkpt>
    <trkpt lat="46.2" lon="11.2"><time>2019-05-23T08:00:02Z</time></trkpt>
    <trkpt lat="46.3" lon="11.3"><time>2019-05-23T08:00:03Z</time><hdop>n/a</hdop></trkpt>
    <trkpt lat="46.4" lon="11.4"><time>2019-05-23T08:00:04Z</time><hdop>0</hdop></trkpt>
    <trkpt lat="46.5" lon="11.5"><ele>12</ele><time>2019-05-23T08:00:05Z</time>
      <sat>7</sat><hdop>0.8</hdop><vdop>1.9</vdop><pdop>2.1</pdop></trkpt>
  </trkseg></trk>
</gpx>
"""


def test_pos_sigma_from_hdop(write):
    result = gpx.read(write("walk.gpx", HDOP))
    reconcile(result, range(1, 7))
    assert result.rejects == []  # a bad or missing hdop loses no point
    assert result.table["pos_sigma_m"].to_pylist() == [
        3.5355339059327373,  # HDOP 1.0 × UERE 5 m / √2
        2.4 * 5.0 / math.sqrt(2.0),
        None,  # no hdop: not stated
        None,  # not a number: not stated, the point kept
        None,  # 0 is no dilution of precision
        0.8 * 5.0 / math.sqrt(2.0),  # among sat, vdop and pdop
    ]


def test_no_hdop_no_sigma(write):
    assert gpx.read(write("glider.gpx", GPX11)).table["pos_sigma_m"].null_count == 3
