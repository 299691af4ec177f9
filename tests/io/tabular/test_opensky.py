"""OpenSky state vectors: CSV (plain and gzip) and Parquet."""

from __future__ import annotations

import csv
import gzip
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airwitness.errors import InputError
from airwitness.io.tabular import opensky, traffic
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, POSITION_SCHEMA

from ..helpers import TRAFFIC, by_record, reconcile, rows_of, utc_ns

HEADER = (
    "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,"
    "baroaltitude,geoaltitude,lastposupdate,lastcontact"
)
# line 2: full row; 3: blank (not a record); 4: no position; 5: geo altitude only,
# no lastposupdate; 6: bad number; 7: missing icao24; 8: lat out of range;
# 9: bad time; 10: too few fields; 11: nanosecond lastposupdate
STATES = f"""{HEADER}
1589155200,4B43AC,47.5,8.5,100.5,90,-2.5,SWR123  ,False,False,False,1000,10000,10100,1589155199.874,

1589155201,4b43ac,,,100.5,90,-2.5,SWR123  ,False,False,False,1000,10000,10100,,1589155199.9
1589155203,4b43ac,47.6,8.6,1,90,-2.5,,False,False,False,1000,,250.5,,
1589155202,4b43ac,47.6,8.6,abc,90,-2.5,SWR123  ,False,False,False,1000,,10100,,
1589155204,,47.6,8.6,1,90,-2.5,,False,False,False,1000,,,,
1589155205,4b43ac,97.6,8.6,1,90,-2.5,,False,False,False,1000,,,,
x,4b43ac,47.6,8.6,1,90,-2.5,,False,False,False,1000,,,,
1589155205,4b43ac,47.6,8.6,1,90,-2.5
1589155206,4b43ac,47.6,8.6,1,90,-2.5,,False,False,False,1000,,,1589155206.123456789,
"""
RECORDS = [2, 4, 5, 6, 7, 8, 9, 10, 11]


def test_exact_values_and_rejects(write):
    result = opensky.read(write("states.csv", STATES))
    reconcile(result, RECORDS)
    assert by_record(result) == {
        4: "no position",
        6: "bad number in velocity",
        7: "missing track_id",
        8: "lat/lon out of range",
        9: "bad time",
        10: "wrong number of fields",
    }
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [2, 5, 11]
    first = rows[0]
    assert first["track_id"] == "4b43ac"
    assert (first["lat"], first["lon"]) == (47.5, 8.5)
    assert first["alt_m"] == 10000.0 and first["alt_kind"] == "baro"
    assert first["ground_speed_mps"] == 100.5
    assert first["track_deg"] == 90.0 and first["vrate_mps"] == -2.5
    assert first["callsign"] == "SWR123"
    assert first["source"] == "opensky" and first["source_file"].endswith("states.csv")
    assert rows[1]["alt_m"] == 250.5 and rows[1]["alt_kind"] == "geo"
    assert rows[1]["callsign"] is None
    assert result.table["pos_sigma_m"].null_count == 3  # state vectors state no accuracy
    times = result.table["time"].cast(pa.int64()).to_pylist()
    # lastposupdate wins over time; time is the fallback; decimals kept exactly
    assert times == [
        1_589_155_199_874_000_000,
        1_589_155_203_000_000_000,
        1_589_155_206_123_456_789,
    ]


def test_gzip_and_stream(write):
    plain = opensky.read(write("s.csv", STATES))
    gz = opensky.read(write("s.csv.gz", STATES, gz=True))
    assert gz.table.drop_columns(["source_file"]).equals(plain.table.drop_columns(["source_file"]))
    assert [(r.record, r.reason) for r in gz.rejects] == [
        (r.record, r.reason) for r in plain.rejects
    ]
    with open(write("t.csv.gz", STATES, gz=True), "rb") as f:
        streamed = opensky.read("upload.csv.gz", f)
    assert streamed.table["source_file"][0].as_py() == "upload.csv.gz"
    assert streamed.table.num_rows == 3


def test_crlf_and_quoted_newline_keep_line_numbers(write):
    crlf = STATES.replace("\n", "\r\n")
    result = opensky.read(write("crlf.csv", crlf))
    assert by_record(result) == by_record(opensky.read(write("lf.csv", STATES)))
    # a quoted value spanning two lines: the csv-module fallback numbers rows exactly
    quoted = (
        f"{HEADER}\n"
        '1589155200,4b43ac,47.5,8.5,1,2,3,"SWR\n123",False,False,False,1,2,3,,\n'
        "\n"
        "1589155201,4b43ac,,,1,2,3,X,False,False,False,1,2,3,,\n"
        "1589155201,4b43ac,1,2\n"
    )
    result = opensky.read(write("q.csv", quoted))
    reconcile(result, [2, 5, 6])
    assert by_record(result) == {5: "no position", 6: "wrong number of fields"}
    assert result.table["callsign"][0].as_py() == "SWR\n123"


def test_columns_any_order_and_only_required(write):
    result = opensky.read(write("min.csv", "LON, Lat ,icao24,time\n8.5,47.5,abc123,1589155200\n"))
    row = rows_of(result.table)[0]
    assert (row["lon"], row["lat"], row["track_id"]) == (8.5, 47.5, "abc123")
    assert row["alt_m"] is None and row["ground_speed_mps"] is None


def test_missing_required_column(write):
    with pytest.raises(InputError, match=r"missing required column\(s\) for opensky: lon"):
        opensky.read(write("bad.csv", "time,icao24,lat\n1,a,2\n"))


def test_header_only(write):
    result = opensky.read(write("h.csv", HEADER + "\n"))
    assert result.table.num_rows == 0 and result.rejects == []


def test_parquet(tmp_path):
    table = pa.table(
        {
            "time": pa.array([1589155200, 1589155201, 1589155202], pa.int64()),
            "icao24": ["4B43AC", "4b43ac", "4b43ac"],
            "lat": [47.5, None, 47.7],
            "lon": [8.5, None, 8.7],
            "velocity": [100.0, 1.0, 2.0],
            "baroaltitude": [None, 1.0, 2.0],
            "geoaltitude": [300.0, 1.0, 2.0],
            "lastposupdate": [1589155199.5, None, None],
            "callsign": ["SWR1    ", "", None],
        }
    )
    path = tmp_path / "states.parquet"
    pq.write_table(table, path)
    result = opensky.read(path)
    reconcile(result, [1, 2, 3])
    assert by_record(result) == {2: "no position"}
    rows = rows_of(result.table)
    assert rows[0]["track_id"] == "4b43ac"
    assert rows[0]["alt_m"] == 300.0 and rows[0]["alt_kind"] == "geo"
    assert rows[0]["callsign"] == "SWR1" and rows[1]["callsign"] is None
    assert result.table["time"].cast(pa.int64()).to_pylist() == [
        1_589_155_199_500_000_000,
        1_589_155_202_000_000_000,
    ]


def test_opensky_csv_derived_from_real_flight(tmp_path):
    """The REGA ambulance flight, rewritten as OpenSky history CSV, reads like the original."""
    rows = json.loads(gzip.decompress((TRAFFIC / "rega_sg.json.gz").read_bytes()))
    path = tmp_path / "rega_states.csv.gz"
    with gzip.open(path, "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER.split(","))
        for i, r in enumerate(rows):
            nopos = i % 100 == 99  # every 100th row loses its position, as in OpenSky
            last = r["last_position"]
            w.writerow(
                [
                    r["timestamp"] // 1000,
                    r["icao24"],
                    "" if nopos else r["latitude"],
                    "" if nopos else r["longitude"],
                    r["groundspeed"] * KT_TO_MPS,
                    r["track"],
                    r["vertical_rate"] * FPM_TO_MPS,
                    f"{r['callsign']:<8}",
                    r["onground"],
                    r["alert"],
                    r["spi"],
                    r["squawk"],
                    r["altitude"] * FT_TO_M,
                    "" if r["geoaltitude"] is None else r["geoaltitude"] * FT_TO_M,
                    "" if last is None else f"{last // 1000}.{last % 1000:03d}",
                    "",
                ]
            )
    result = opensky.read(path)
    reconcile(result, range(2, len(rows) + 2))
    assert result.table.num_rows == 1080 - 10
    assert by_record(result) == {101 + 100 * k: "no position" for k in range(10)}
    original = traffic.read(TRAFFIC / "rega_sg.json.gz").table
    keep = [i for i in range(len(rows)) if i % 100 != 99]
    original = original.take(keep)
    for name in ("track_id", "time", "lat", "lon", "callsign"):
        assert result.table[name].equals(original[name]), name
    for name in ("alt_m", "ground_speed_mps", "vrate_mps", "track_deg"):
        got, want = result.table[name].to_pylist(), original[name].to_pylist()
        assert got == pytest.approx(want, rel=1e-12), name
    assert result.table["time"][0].as_py().isoformat() == "2019-05-23T11:50:04+00:00"
    assert result.table["time"].cast(pa.int64())[-1].as_py() == utc_ns("2019-05-23T12:09:49.332Z")


def _plain_batch() -> dict[str, pa.Array]:
    """Typed columns with nothing to reject: unknown altitudes and position times,
    upper-case and padded addresses, position times with 3, 6 and 9 decimals."""
    return {
        "time": pa.array([1589155200, 1589155201, 1589155202, 1589155203], pa.int64()),
        "icao24": pa.array(["4B43AC", " 4b43ac ", "3c6444", "3c6444"]).dictionary_encode(),
        "lat": pa.array([47.5, -47.5, 0.0, 89.999]),
        "lon": pa.array([8.5, -179.5, 180.0, 8.6]),
        "velocity": pa.array([100.5, None, 1.0, float("nan")]),
        "baroaltitude": pa.array([10000.0, None, None, 5.0]),
        "geoaltitude": pa.array([10100.0, 250.5, None, None]),
        "lastposupdate": pa.array([1589155199.874, None, 1589155201.123456, None]),
        "callsign": pa.array(["SWR123  ", None, "", "X"]).dictionary_encode(),
    }


#: the columns the engines ask for (engine.partition.COLUMNS and the source)
ENGINE_COLUMNS = ("track_id", "time", "lon", "lat", "alt_m", "source_file", "source_record",
                  "leg_start", "pos_sigma_m", "source")  # fmt: skip


@pytest.mark.parametrize(
    "only",
    [
        None,
        ("track_id", "time", "lon", "lat", "alt_m", "source"),
        ENGINE_COLUMNS,
        tuple(POSITION_SCHEMA.names),
    ],
)
@pytest.mark.parametrize("addresses", ["as sent", "lower-case hex"])
def test_a_plain_batch_converts_as_the_checks_convert_it(only, addresses):
    """The whole-column shortcut for batches with nothing to reject gives what the
    row-by-row checks give on the same values as text, for the whole table and for
    the engines' columns (built straight from the arrays), whether the addresses
    need trimming and lowering or are used as they are."""
    from airwitness.io.tabular._containers import Columns

    typed = _plain_batch()
    if addresses == "lower-case hex":
        typed["icao24"] = pa.array(["4b43ac", "4b43ac", "3c6444", "3c6444"]).dictionary_encode()
        assert opensky._lower_hex(typed["icao24"]) is typed["icao24"]
    else:
        assert opensky._lower_hex(typed["icao24"]) is None
    records = pa.array([5, 6, 7, 8]).to_numpy()
    as_text = {  # the same values as the CSV text path sees them: bytes, repr of floats
        k: pa.array(
            [
                None if v is None else repr(v).encode() if isinstance(v, float) else str(v).encode()
                for v in col.to_pylist()
            ],
            pa.binary(),
        )
        for k, col in typed.items()
    }
    assert opensky._plain(Columns(typed, records)) is not None  # the shortcut is taken
    fast = opensky.convert("f.csv", Columns(typed, records, container="parquet"), only)
    slow = opensky.convert("f.csv", Columns(as_text, records), only)
    assert fast.rejects == slow.rejects == []
    got = fast.table
    if only is not None:
        assert got.column_names == [n for n in POSITION_SCHEMA.names if n in only]
        text = [n for n in got.column_names if pa.types.is_dictionary(got[n].type)]
        assert {"track_id", "source"} & set(only) <= set(text)  # never text per row
        got = pa.Table.from_arrays(
            [got[n].cast(slow.table.schema.field(n).type) for n in got.column_names],
            schema=slow.table.schema,
        )
    assert got.equals(slow.table)
    rows = rows_of(slow.table)
    assert [r["time"] for r in rows] == [
        1589155199_874000000, 1589155201_000000000, 1589155201_123456000, 1589155203_000000000
    ]  # fmt: skip
    assert [r["track_id"] for r in rows] == ["4b43ac", "4b43ac", "3c6444", "3c6444"]


@pytest.mark.parametrize(
    "values",
    [["4B43AC"], [" 4b43ac"], ["4b43ac", ""], ["4b43ag"], [], [None]],
    ids=["upper", "padded", "empty", "not hex", "no address", "null"],
)
def test_addresses_that_need_the_text_path(values):
    """Only lower-case hex addresses, every one known, are used as they come."""
    column = pa.array(values, pa.string()).dictionary_encode()
    assert opensky._lower_hex(column) is None
    assert opensky._lower_hex(pa.array(["4b43ac"])) is None  # not a dictionary
    sliced = pa.array(["ABC", "4b43ac", "3c6444"]).dictionary_encode()
    sliced = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), sliced.dictionary[1:])
    assert opensky._lower_hex(sliced) is sliced  # a dictionary that is a slice


def test_position_times_equal_what_times_computes():
    """``lastposupdate`` as floating-point seconds: the same nanoseconds as the
    checks' ``times``, ties rounded to even, unknown ones from ``time``, and a
    value whose rounding reaches the window's end bad (``None``), as there."""
    from airwitness.io._convert import T_MAX_S, times

    seconds = np.arange(1_589_155_200, 1_589_155_208, dtype=np.int64)
    last = pa.array(
        [1589155199.874, None, 1589155201.1234565, 1589155202.0000005, float("nan"),
         1589155203.9999996, 1589155205.25, 1589155206.0000015],
    )  # fmt: skip
    got = opensky._position_times(seconds, last)
    want, bad, unknown = times(last, "s")
    assert not bad.any()
    assert got.tolist() == np.where(unknown, seconds * 10**9, want).tolist()
    assert got[[1, 4]].tolist() == [1_589_155_201 * 10**9, 1_589_155_204 * 10**9]
    assert got[0] == 1_589_155_199_874_000_000
    edge = pa.array([T_MAX_S - 1e-7, 1589155199.0])  # rounds to 2100-01-01T00:00Z: bad
    assert times(edge, "s")[1].tolist() == [True, False]
    assert opensky._position_times(seconds[:2], edge) is None
    inside = pa.array([T_MAX_S - 0.5, 1589155199.0])  # the margin: ``times`` decides
    assert opensky._position_times(seconds[:2], inside).tolist() == times(inside, "s")[0].tolist()
    unknown_all = pa.array([None, float("nan")], pa.float64())
    assert (
        opensky._position_times(seconds[:2], unknown_all).tolist() == (seconds[:2] * 10**9).tolist()
    )


def test_numbers_unknown_and_infinite():
    values = np.array([1.5, np.nan, -2.0])
    built = opensky._nullable(values)
    assert built.to_pylist() == [1.5, None, -2.0] and built.null_count == 1
    assert built.equals(pa.array(values, from_pandas=True))
    assert not opensky._infinite(pa.array(values)) and not opensky._infinite(pa.array([np.nan]))
    assert opensky._infinite(pa.array([1.0, np.inf])) and opensky._infinite(pa.array([-np.inf]))
    assert not opensky._infinite(pa.array([], pa.float64()))
    stored = pa.array([1.0, np.inf, 2.0])  # an infinity under a null is not read
    hidden = pa.Array.from_buffers(pa.float64(), 3, [pa.array([True, False, True]).buffers()[1],
                                                     stored.buffers()[1]])  # fmt: skip
    assert hidden.null_count == 1 and not opensky._infinite(hidden)
    assert opensky._infinite(hidden.slice(1).fill_null(np.inf))


def test_altitudes_first_known_in_one_pass():
    """Barometric where known, else geometric, null where neither is (null or
    NaN; nulls read by their validity bits, from a slice's offset too): over
    more than one byte of validity bits, what ``pick_altitude`` and
    ``_nullable`` make of the NaN-filled columns."""
    from airwitness.io._convert import pick_altitude

    nan = float("nan")
    baro = pa.array([0.0, 1.0, None, nan, 4.0, None, 6.0, 7.0, nan, None, 10.0, nan])[1:]
    geo = pa.array([9.0, 2.0, nan, 9.0, 5.0, None, 9.0, 8.0, None, None, 11.0])
    got = opensky._first_known(baro, geo)
    assert got.to_pylist() == [1.0, 2.0, None, 4.0, 5.0, 6.0, 7.0, 8.0, None, 10.0, 11.0]
    as_floats = [c.to_numpy(zero_copy_only=False) for c in (baro, geo)]
    assert got.equals(opensky._nullable(pick_altitude(*as_floats)[0]))
    assert got.buffers()[0].to_pybytes() == bytes([0b11111011, 0b110])  # bits 2 and 8 unknown
    assert np.isnan(got.to_numpy(zero_copy_only=False)[[2, 8]]).all()


def test_position_times_leave_a_bad_value_to_times():
    """The one-pass conversion stops at a value outside the window (an infinity
    here, after good ones): ``times`` then finds it bad."""
    seconds = np.arange(1_589_155_200, 1_589_155_203, dtype=np.int64)
    assert opensky._position_times(seconds, pa.array([1589155199.5, None, np.inf])) is None
    assert opensky._position_times(seconds, pa.array([1589155199.5, -np.inf, 1.0])) is None
