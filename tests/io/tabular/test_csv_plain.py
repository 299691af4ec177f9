"""The documented plain CSV format."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.tabular import csv_plain

from ..helpers import by_record, reconcile, rows_of, utc_ns


def test_documented_example(write):
    doc = csv_plain.__doc__
    example = doc[doc.index("track_id,time,lat,lon,alt_m,alt_kind") :].strip()
    example = "\n".join(line.strip() for line in example.splitlines()) + "\n"
    result = csv_plain.read(write("example.csv", example))
    reconcile(result, [2, 3])
    row = rows_of(result.table)[0]
    assert row["track_id"] == "DRONE-1" and row["alt_kind"] == "agl" and row["alt_m"] == 120.0
    assert result.table["time"].cast(pa.int64())[0].as_py() == utc_ns("2025-06-13T04:05:06Z")


def test_all_columns_and_times(write):
    text = (
        "Extra,LON,lat,time,track_id,alt_m,alt_kind,ground_speed_mps,track_deg,vrate_mps,callsign\n"
        "x,47.2,40.1,2025-06-13T04:05:06.5Z,D1,120,AGL,12.5,270,-1.5, CS1 \n"
        "x,47.2,40.1,2025-06-13 07:05:07+03:00,D1,,geo,,,,\n"
        "x,47.2,40.1,2025-06-13T04:05:08,D1,,,,,,\n"
        "x,47.2,40.1,1749787509.25,D1,5,,,,,\n"
        "x,47.2,40.1,1749787510,,5,,,,,\n"
        "x,47.2,40.1,2025-06-13T04:05:11Z,D1,5,msl,,,,\n"
        "x,47.2,40.1,2025-06-13T04:05:12Z,D1,5,baro,fast,,,\n"
        "x,47.2,,2025-06-13T04:05:13Z,D1,,,,,,\n"
        "x,47.2,40.1,2125-06-13T04:05:14Z,D1,,,,,,\n"
        "x,47.2,40.1,2025-13-13T04:05:14Z,D1,,,,,,\n"
        "x,181,40.1,2025-06-13T04:05:15Z,D1,,,,,,\n"
    )
    result = csv_plain.read(write("all.csv", text))
    reconcile(result, range(2, 13))
    assert by_record(result) == {
        6: "missing track_id",
        7: "bad alt_kind",
        8: "bad number in ground_speed_mps",
        9: "no position",
        10: "bad time",
        11: "bad time",
        12: "lat/lon out of range",
    }
    rows = rows_of(result.table)
    first = rows[0]
    assert (first["lat"], first["lon"], first["alt_m"], first["alt_kind"]) == (
        40.1,
        47.2,
        120,
        "agl",
    )
    assert (first["ground_speed_mps"], first["track_deg"], first["vrate_mps"]) == (12.5, 270, -1.5)
    assert first["callsign"] == "CS1"
    assert rows[1]["alt_kind"] is None  # no altitude, so no kind
    assert rows[3]["alt_m"] == 5 and rows[3]["alt_kind"] is None
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        utc_ns("2025-06-13T04:05:06.5Z"),
        utc_ns("2025-06-13T04:05:07Z"),
        utc_ns("2025-06-13T04:05:08Z"),
        utc_ns("2025-06-13T04:05:09.25Z"),
    ]


def test_bad_utf8_is_one_reject(write):
    data = b"track_id,time,lat,lon,callsign\nA,1749787509,1,2,\xff\xfe\nA,1749787510,1,2,ok\n"
    result = csv_plain.read(write("latin.csv", data))
    reconcile(result, [2, 3])
    assert by_record(result) == {2: "bad text in callsign"}


def test_missing_columns(write):
    with pytest.raises(InputError, match="for csv: lat, lon"):
        csv_plain.read(write("m.csv", "track_id,time\nA,1749787509\n"))


CELL = st.one_of(
    st.just(""),
    st.sampled_from(["1749787509", "2025-06-13T04:05:06Z", "x", "1e400", "nan", "-91", "45.5"]),
    st.text(alphabet='0123456789.-+eZT:, "', max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(CELL, CELL, CELL, CELL), max_size=12), blank=st.integers(0, 12))
def test_every_line_is_a_row_or_a_reject(tmp_path_factory, rows, blank):
    """Whatever the cells hold, each non-blank data line is accounted for exactly once."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["track_id", "time", "lat", "lon"])
    for row in rows:
        w.writerow(row)
    lines = buf.getvalue().splitlines(keepends=True)
    lines.insert(min(blank, len(lines)) or 1, "\n")  # a blank line somewhere after the header
    text = "".join(lines)
    path = tmp_path_factory.mktemp("h") / "f.csv"
    path.write_text(text)
    result = csv_plain.read(path)
    # expected records: the line each csv row starts on, skipping blank lines
    expected, line = [], 1
    for raw in text.splitlines(keepends=True)[1:]:
        line += 1
        if raw.strip("\r\n"):
            expected.append(line)
    reconcile(result, expected)


def test_pos_sigma_column(write):
    text = (
        "track_id,time,lat,lon,pos_sigma_m\n"
        "D1,2025-06-13T04:05:06Z,40.1,47.2,12.5\n"
        "D1,2025-06-13T04:05:07Z,40.1,47.2,\n"
        "D1,2025-06-13T04:05:08Z,40.1,47.2,about 10\n"
        "D1,2025-06-13T04:05:09Z,40.1,47.2,-3\n"
        "D1,2025-06-13T04:05:10Z,40.1,47.2,inf\n"
        "D1,2025-06-13T04:05:11Z,40.1,47.2, 0.75 \n"
    )
    result = csv_plain.read(write("sigma.csv", text))
    reconcile(result, range(2, 8))
    # a bad optional number rejects its row, as for every optional number column
    assert by_record(result) == {
        4: "bad number in pos_sigma_m",
        5: "bad number in pos_sigma_m",  # an error is never negative
        6: "bad number in pos_sigma_m",
    }
    rows = rows_of(result.table)
    assert [(r["source_record"], r["pos_sigma_m"]) for r in rows] == [
        (2, 12.5),
        (3, None),  # empty: not stated
        (7, 0.75),
    ]


def test_without_the_column_sigma_is_null(write):
    result = csv_plain.read(write("n.csv", "track_id,time,lat,lon\nA,1749787509,1,2\n"))
    assert result.table["pos_sigma_m"].to_pylist() == [None]
