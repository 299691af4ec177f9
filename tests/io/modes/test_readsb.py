"""readsb / tar1090 traces: the traffic sample, hand-built points, damaged files, fuzzing."""

from __future__ import annotations

import gzip
import json
import math

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.airspace import Airspace
from airwitness.crossings import find_crossings
from airwitness.errors import InputError
from airwitness.io.modes import readsb
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS, ReadResult
from airwitness.times import rows_ns
from airwitness.tracks import prepare_tracks

from ..helpers import DATA, by_record, reconcile, rows_of, utc_ns

SAMPLE = DATA / "readsb" / "trace_full_ac671b.json.gz"
RAW = gzip.decompress(SAMPLE.read_bytes())
BASE = 1738703622.619  # the sample's "timestamp"


def _contiguous(result: ReadResult) -> int:
    """Records are exactly 1..n, each once (rows and rejects together); returns n."""
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert seen == list(range(1, len(seen) + 1))
    assert result.records == len(seen)
    return len(seen)


def _trace(points: list, **header) -> str:
    doc = {"icao": "4ca2d6", "timestamp": 1700000000.5, **header, "trace": points}
    return json.dumps(doc)


# --- the real sample ---------------------------------------------------------


def test_sample_rows_first_last():
    result = readsb.read(SAMPLE)
    reconcile(result, range(1, 2501))
    assert result.rejects == [] and result.format == "readsb"
    rows = rows_of(result.table)
    first, last = rows[0], rows[-1]
    assert first["time"] == utc_ns("2025-02-04T21:13:42.619Z")
    assert (first["track_id"], first["lat"], first["lon"]) == ("ac671b", 16.777359, -88.036868)
    assert first["alt_m"] == pytest.approx(32000 * FT_TO_M) and first["alt_kind"] == "baro"
    assert first["ground_speed_mps"] == pytest.approx(478.6 * KT_TO_MPS)
    assert first["track_deg"] == 327.8 and first["vrate_mps"] == 0.0
    assert first["callsign"] is None  # no details object yet (the first is on point 4)
    assert first["source"] == "readsb" and first["source_record"] == 1
    # 1738703622.619 + 81655.47 s, exact to the microsecond
    assert last["time"] == utc_ns("2025-02-05T19:54:38.089Z")
    assert (last["lat"], last["lon"]) == (39.877403, -104.63974)
    assert (last["alt_m"], last["alt_kind"]) == (0.0, "agl")  # "ground"
    assert last["vrate_mps"] == pytest.approx(-64 * FPM_TO_MPS)
    assert last["callsign"] == "DAL2927"
    kinds = result.table["alt_kind"].value_counts().to_pylist()
    assert {k["values"]: k["counts"] for k in kinds} == {"baro": 2106, "agl": 394}
    # callsigns carried from details objects; cleared at each of the 3 new-leg markers
    calls = result.table["callsign"].to_pylist()
    assert calls[:4] == [None, None, None, "DAL1812"]
    assert [calls[i - 1] for i in (770, 771, 772)] == ["DAL1812", None, "DAL2418"]
    assert [calls[i - 1] for i in (1332, 1333, 1336)] == ["DAL2418", None, "DAL1615"]
    assert [calls[i - 1] for i in (1806, 1807, 1808)] == ["DAL1615", None, "DAL2927"]


R95 = math.sqrt(-2.0 * math.log(0.05))  # a 95 % radius in σ of a circular Gaussian


def test_sample_position_error():
    """The details objects state nac_p 10 on 620 of 625, nac_p 8 (version 0) on 3, only rc on 2."""
    sigma = readsb.read(SAMPLE).table["pos_sigma_m"].to_pylist()
    nacp10, nacp8, rc186 = 10 / R95, 0.05 * 1852 / R95, 186 / R95
    assert (nacp10, nacp8, rc186) == pytest.approx((4.0854, 37.8307, 75.9883), abs=1e-4)
    at = dict(enumerate(sigma, start=1))
    assert [at[n] for n in (1, 2, 3)] == [None] * 3  # before the first details (point 4)
    assert [at[n] for n in (4, 5, 18)] == pytest.approx([nacp10] * 3)  # 18: 49.1 s after 16's
    assert at[19] is None  # 66.35 s after the details of point 16
    assert [at[28], at[29]] == pytest.approx([rc186] * 2)  # 28: details with rc but no nac_p
    assert at[30] is None  # 401 s later
    assert [at[n] for n in (32, 1268, 2288)] == pytest.approx([nacp8] * 3)
    counts = {}
    for v in sigma:
        key = None if v is None else round(v, 4)
        counts[key] = counts.get(key, 0) + 1
    assert counts == {4.0854: 2428, 37.8307: 9, 75.9883: 6, None: 57}


def test_position_error_fields_and_their_damage(write):
    pts = [
        [0.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, None],  # 1: no details yet: null
        [1.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": 9, "rc": 186, "nic": 8}],  # 2
        [61.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, None],  # 3: 60 s after 2: still NACp 9
        [61.5, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, None],  # 4: 60.5 s: null
        [62.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": 0, "rc": 75, "nic": 9}],  # 5: rc
        [63.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": "9", "rc": 0, "nic": 8}],  # 6: nic
        [64.0, 47.5, 8.5, 1000, 100.0, 90.0, 2, 0, None],  # 7: a new leg keeps it (time rules)
        [65.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": 15, "rc": "x", "nic": True}],  # 8
        [66.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": 9.0, "nic": 6}],  # 9: 0.6 NM
        [67.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, ["not", "details"]],  # 10: 9's still hold
        [68.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"nac_p": 11}],  # 11: EPU 3 m
        [69.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 0, {"flight": "SWR1"}],  # 12: states nothing
    ]
    result = readsb.read(write("trace_full_4ca2d6.json", _trace(pts)))
    reconcile(result, range(1, 13))
    assert result.rejects == []  # no accuracy field, however damaged, rejects a point
    assert result.table["pos_sigma_m"].to_pylist() == pytest.approx(
        [
            None,
            30 / R95,
            30 / R95,
            None,
            75 / R95,
            0.1 * 1852 / R95,
            0.1 * 1852 / R95,
            None,
            0.6 * 1852 / R95,
            0.6 * 1852 / R95,
            3 / R95,
            None,
        ]
    )


def test_sample_plain_json_and_stream(tmp_path):
    plain = tmp_path / "trace_full_ac671b.json"
    plain.write_bytes(RAW)
    a, b = readsb.read(SAMPLE), readsb.read(plain)
    assert a.table.drop_columns(["source_file"]).equals(b.table.drop_columns(["source_file"]))
    with open(SAMPLE, "rb") as f:
        c = readsb.read("upload.json", f)
    assert c.table["source_file"][0].as_py() == "upload.json" and c.table.num_rows == 2500


# Belize -> Mexico, then (after a 48 min gap over the Gulf) into the USA, with each set:
# (from, to, kind, segment, the record before it, its time to the second).
SAMPLE_CROSSINGS = {
    "ne10m": [
        ("INTL", "BLZ", "observed", 0, "1", "2025-02-04T21:13:47Z"),
        ("BLZ", "MEX", "inferred", 0, "29", "2025-02-04T21:25:37Z"),  # 377 s unseen at the border
        ("INTL", "USA", "observed", 1, "154", "2025-02-04T22:58:37Z"),  # the sea off Louisiana
    ],
    # OSM's limits: the first report is already in Belize's waters, the unseen path
    # follows the meanders of the Rio Hondo (three changes), and the USA's territorial
    # sea, drawn from its baselines, begins one report earlier.
    "osm": [
        ("BLZ", "MEX", "inferred", 0, "29", "2025-02-04T21:25:29Z"),
        ("MEX", "BLZ", "inferred", 0, "29", "2025-02-04T21:25:30Z"),
        ("BLZ", "MEX", "inferred", 0, "29", "2025-02-04T21:25:32Z"),
        ("INTL", "USA", "observed", 1, "153", "2025-02-04T22:58:32Z"),
    ],
}


@pytest.mark.parametrize("boundary_set", ["ne10m", "osm"])
def test_sample_crossings(boundary_set):
    prepared = prepare_tracks(readsb.read(SAMPLE).table)
    # readsb wrote points 104 and 105 at the same instant 120 m apart
    assert [(r.record, r.reason) for r in prepared.rejects] == [(105, "same time, other position")]
    crossings = find_crossings(prepared.table, Airspace.builtin(boundary_set))
    seconds = crossings["time"].cast(pa.int64()).to_numpy() // 1_000_000_000
    got = [
        (r["from"], r["to"], r["kind"], r["segment"], r["before"].rsplit(":", 1)[1], s)
        for r, s in zip(rows_ns(crossings), seconds, strict=True)
    ]
    want = [(*w[:5], utc_ns(w[5]) // 10**9) for w in SAMPLE_CROSSINGS[boundary_set]]
    assert got == want


def test_sniff():
    assert readsb.sniff(RAW[:65536], ".json")
    assert readsb.sniff(b'  {"timestamp": 1, "icao": "~a1b2c3", "trace": []}', ".json")
    assert not readsb.sniff(b'[{"icao": "a", "trace": []}]', ".json")  # not an object
    assert not readsb.sniff(b'{"icao24": "abc123", "trace": []}', ".json")
    assert not readsb.sniff(b'{"now": 1, "aircraft": [{"hex": "abc123"}]}', ".json")
    assert not readsb.sniff(b"MSG,3,1,1,4CA2D6,1,,,,,,,,,,,,,,,,\n", ".sbs")


def test_sniff_rejects_every_other_fixture():
    paths = [
        p
        for root in (DATA, DATA.parent.parent / "examples")
        for p in root.rglob("*")
        if p.is_file() and "readsb" not in p.parts
    ]
    assert paths
    for p in paths:
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        assert not readsb.sniff(data[:65536], p.suffix), p


# --- hand-built points -------------------------------------------------------


def test_exact_values_flags_and_rejects(write):
    pts = [
        # 1: airborne, baro altitude, details with a callsign
        [0.0, 47.5, 8.5, 1000, 100.0, 90.0, 0, 1000, {"flight": "SWR12   "}, "adsb_icao"],
        # 2: altitude geometric (bit 3), vertical rate geometric (bit 2), stale (bit 0): kept
        [1.25, 47.6, 8.6, 2000, 100.0, 91.0, 1 | 4 | 8, -500, None, "adsb_icao", 2100],
        # 3: no altitude: the geometric altitude of field 10 stands in
        [2.5, 47.7, 8.7, None, None, None, 0, None, None, "mlat", 3000],
        # 4: on the ground, a new leg: callsign cleared
        [3.0, 47.8, 8.8, "ground", 5.0, 270.0, 2, None, None],
        # 5-12: rejects
        "not a point",
        [4.0, 47.8, 8.8, 100, 1.0, 1.0],
        ["x", 47.8, 8.8, 100, 1.0, 1.0, 0, 0],
        [4.0, None, 8.8, 100, 1.0, 1.0, 0, 0],
        [4.0, 91.0, 8.8, 100, 1.0, 1.0, 0, 0],
        [4.0, 47.8, 8.8, "high", 1.0, 1.0, 0, 0],
        [4.0, 47.8, 8.8, 100, "fast", 1.0, 0, 0],
        [4.0, 47.8, 8.8, 100, 1.0, 1.0, "1", 0],
        # 13: old 9-field layout, details without a flight
        [5.0, 47.9, 8.9, 1100, 110.0, 92.0, 0, 64, {"squawk": "1000"}],
    ]
    result = readsb.read(write("trace_full_4ca2d6.json", _trace(pts)))
    reconcile(result, range(1, 14))
    assert by_record(result) == {
        5: "not a trace point",
        6: "wrong number of fields",
        7: "bad time",
        8: "bad lat/lon",
        9: "lat/lon out of range",
        10: "bad altitude",
        11: "bad number in ground speed",
        12: "bad flags",
    }
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [1, 2, 3, 4, 13]
    assert [r["time"] for r in rows] == [
        utc_ns("2023-11-14T22:13:20.5Z"),
        utc_ns("2023-11-14T22:13:21.75Z"),
        utc_ns("2023-11-14T22:13:23Z"),
        utc_ns("2023-11-14T22:13:23.5Z"),
        utc_ns("2023-11-14T22:13:25.5Z"),
    ]
    assert [(r["alt_m"], r["alt_kind"]) for r in rows] == [
        (304.8, "baro"),
        (609.6, "geo"),
        (3000 * FT_TO_M, "geo"),
        (0.0, "agl"),
        (1100 * FT_TO_M, "baro"),
    ]
    assert rows[0]["ground_speed_mps"] == pytest.approx(100 * KT_TO_MPS)
    assert rows[0]["vrate_mps"] == pytest.approx(5.08)
    assert rows[1]["vrate_mps"] == pytest.approx(-2.54)
    assert rows[2]["ground_speed_mps"] is None and rows[2]["track_deg"] is None
    assert rows[3]["track_deg"] == 270.0  # true heading, on the ground
    assert [r["callsign"] for r in rows] == ["SWR12", "SWR12", "SWR12", None, None]
    assert {r["track_id"] for r in rows} == {"4ca2d6"}
    # who made each position: the point's source type (docs/fusion.md)
    assert [r["sensor"] for r in rows] == ["adsb", "adsb", "mlat", "adsb", "adsb"]
    assert {r["identity"] for r in rows} == {"4ca2d6"}


def test_track_id(write):
    point = [[0, 1.0, 2.0, 100, 1, 1, 0, 0]]
    tilde = readsb.read(write("t.json", _trace(point, icao="~A1B2C3")))
    assert tilde.table["track_id"].to_pylist() == ["~a1b2c3"]
    doc = json.dumps({"timestamp": 1700000000, "trace": point})
    stem = readsb.read(write("trace_full_abcdef.json", doc))
    assert stem.table["track_id"].to_pylist() == ["abcdef"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty file"),
        ("[1, 2]", "the JSON is not an object"),
        ('{"icao": "abc123", "timestamp": 1700000000}', "no 'trace' array"),
        ('{"icao": "abc123", "timestamp": 1700000000, "trace": {}}', "'trace' is not an array"),
        ('{"icao": "abc123", "trace": []}', "no numeric 'timestamp'"),
        ('{"icao": "abc123", "timestamp": 1e999, "trace": []}', "no numeric 'timestamp'"),
        ('{"icao": "abc1', "no 'trace' array"),
        ('{"icao": "abc123", "timestamp": 1700000000, "trace": [[0, 1]]}', "no readable trace"),
        ("garbage", "the JSON is not an object"),
    ],
)
def test_unreadable(write, content, reason):
    with pytest.raises(InputError, match=reason):
        readsb.read(write("t.json", content))


def test_empty_trace_is_not_an_error(write):
    result = readsb.read(write("t.json", _trace([])))
    assert result.table.num_rows == 0 and result.rejects == []


# --- damaged files -----------------------------------------------------------


def test_truncated_json_keeps_what_precedes():
    for cut in (1000, 200_000, len(RAW) - 5):
        text = RAW[:cut]
        result = readsb.read("t.json", _stream(text))
        n = _contiguous(result)
        assert result.rejects[-1].reason == "truncated JSON" and result.rejects[-1].record == n
        assert len(result.rejects) == 1
        whole = text.count(b"\n    [") - (0 if text.endswith(b"]") else 1)
        assert result.table.num_rows == whole


def test_missing_closing_brace_loses_nothing():
    assert RAW.endswith(b"] ]\n}\n")
    result = readsb.read("t.json", _stream(RAW[:-3]))  # the trace itself is complete
    assert result.table.num_rows == 2500 and result.rejects == []


def test_truncated_after_a_whole_point():
    text = RAW[: RAW.index(b"\n    [", 5000)]  # ends with "],": no partial point
    result = readsb.read("t.json", _stream(text))
    n = _contiguous(result)
    assert by_record(result) == {n: "truncated JSON"}
    assert result.table.num_rows == n - 1


def test_garbage_inside_the_trace():
    lines = RAW.split(b"\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(b"    ["))
    lines[first + 10] = b"\x00\xff garbage {[ ]" + lines[first + 10][7:]  # point 11
    lines[first + 20] = lines[first + 20].replace(b"]", b"}", 1)  # point 21
    result = readsb.read("t.json", _stream(b"\n".join(lines)))
    assert _contiguous(result) == 2500
    assert by_record(result) == {11: "bad JSON", 21: "bad JSON"}
    assert result.table.num_rows == 2498


def test_damaged_header_member():
    damaged = RAW.replace(b'"desc":"BOEING', b'"desc":BOEING', 1)
    result = readsb.read("t.json", _stream(damaged))
    assert result.table.num_rows == 2500 and result.rejects == []
    no_time = RAW.replace(b'"timestamp": 1738', b'"timestamp": x1738', 1)
    with pytest.raises(InputError, match="no numeric 'timestamp'"):
        readsb.read("t.json", _stream(no_time))


def test_truncated_gzip():
    gz = SAMPLE.read_bytes()
    result = readsb.read("t.json.gz", _stream(gz[: len(gz) // 2]))
    n = _contiguous(result)
    assert by_record(result) == {n: "truncated gzip data"}
    assert 1000 < result.table.num_rows < 2000
    with pytest.raises(InputError, match="truncated gzip data"):
        readsb.read("t.json.gz", _stream(gz[:15]))


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    cut=st.integers(0, 40_000),
    flips=st.lists(st.tuples(st.integers(0, 39_999), st.integers(0, 255)), max_size=6),
)
def test_fuzz_mutated_sample(cut, flips):
    data = bytearray(RAW[:40_000])
    for pos, value in flips:
        data[pos] = value
    try:
        result = readsb.read("f.json", _stream(bytes(data[:cut])))
    except InputError:
        return
    _contiguous(result)


def test_new_leg_flags_become_leg_starts_and_segments():
    from airwitness.tracks import prepare_tracks

    result = readsb.read(SAMPLE)
    legs = result.table["leg_start"].to_pylist()
    assert sum(legs) == 3 and None not in legs
    segments = prepare_tracks(result.table).table["segment"].to_pylist()
    assert max(segments) >= 3  # every leg start begins a segment (long gaps may add more)
