"""Reading the store back: exactly what the readers produced (round trip, awkward values),
filters, byte-identical crossings.
"""

from __future__ import annotations

import io

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from airwitness.airspace import Airspace
from airwitness.crossings import find_crossings
from airwitness.errors import UsageError
from airwitness.pipeline import read_inputs
from airwitness.report.tables import write_csv
from airwitness.schema import POSITION_SCHEMA, ReadResult, Reject, make_table
from airwitness.store import ingest, ingestion, load
from airwitness.tracks import prepare_tracks

from .conftest import PATHS


def test_round_trip_equals_reading_the_files(examples_store):
    got = load(examples_store)
    direct = read_inputs(PATHS)
    assert got.table.schema.equals(POSITION_SCHEMA)
    assert got.table.equals(direct.table)  # rows, order, ns times, nulls, dictionaries
    assert got.rejects == direct.rejects  # with record numbers and offsets
    assert got.files == direct.files


def test_crossings_from_store_are_byte_identical(examples_store):
    sky = Airspace.builtin()

    def crossings_csv(table: pa.Table) -> bytes:
        out = io.BytesIO()
        write_csv(find_crossings(prepare_tracks(table).table, sky), out)
        return out.getvalue()

    from_files = crossings_csv(read_inputs(PATHS).table)
    assert from_files.count(b"\n") > 10  # the examples do cross borders
    assert crossings_csv(load(examples_store).table) == from_files


def test_load_filters(examples_store):
    full = load(examples_store).table
    times = full["time"].cast(pa.int64())
    since, until = 1_750_000_000 * 10**9, 1_750_300_000 * 10**9
    got = load(examples_store, since_ns=since, until_ns=until).table
    mask = pc.and_(pc.greater_equal(times, since), pc.less_equal(times, until))
    assert 0 < got.num_rows < full.num_rows
    assert got.equals(full.filter(mask))
    # edges inclusive
    t0 = times[0].as_py()
    assert (
        load(examples_store, since_ns=t0, until_ns=t0).table.num_rows
        == pc.sum(pc.equal(times, t0)).as_py()
    )

    box = (44.0, 38.5, 47.0, 41.0)
    got = load(examples_store, bbox=box).table
    lon, lat = full["lon"], full["lat"]
    mask = pc.and_(
        pc.and_(pc.greater_equal(lon, box[0]), pc.less_equal(lon, box[2])),
        pc.and_(pc.greater_equal(lat, box[1]), pc.less_equal(lat, box[3])),
    )
    assert 0 < got.num_rows < full.num_rows
    assert got.equals(full.filter(mask))
    # min_lon > max_lon wraps across the antimeridian: everything east of 44 or west of 10
    wrap = load(examples_store, bbox=(44.0, -90, 10.0, 90)).table
    mask = pc.or_(pc.greater_equal(lon, 44.0), pc.less_equal(lon, 10.0))
    assert wrap.equals(full.filter(mask))

    some = sorted(set(full["track_id"].to_pylist()))[:3]
    got = load(examples_store, tracks=some).table
    assert got.equals(full.filter(pc.is_in(full["track_id"], pa.array(some))))
    assert load(examples_store, tracks=[]).table.num_rows == 0
    assert load(examples_store, tracks=["no such track"]).table.schema.equals(POSITION_SCHEMA)

    combined = load(examples_store, since_ns=since, bbox=box, tracks=some).table
    mask = pc.and_(pc.greater_equal(times, since), pc.is_in(full["track_id"], pa.array(some)))
    mask = pc.and_(mask, pc.and_(pc.greater_equal(lon, box[0]), pc.less_equal(lon, box[2])))
    mask = pc.and_(mask, pc.and_(pc.greater_equal(lat, box[1]), pc.less_equal(lat, box[3])))
    assert combined.equals(full.filter(mask))

    with pytest.raises(UsageError):
        load(examples_store, bbox=(0, 10, 1, 5))  # south above north


def test_exact_round_trip_of_awkward_values(tmp_path, monkeypatch):
    """ns times, -0.0, NaN (not null), inf, subnormals, nulls, unicode, long strings."""
    floats = [-0.0, float("nan"), float("inf"), 5e-324, 1.7976931348623157e308, None]
    n = len(floats)
    table = make_table(
        {
            "track_id": ["a", "ü✈", "x" * 40, "", "a", "b"],
            "time": pa.array([1, -1, 2**62, 1_749_787_506_123_456_789, 0, 999], pa.int64()),
            "lon": [-180.0, 180.0, -0.0, 1e-300, 12.345678901234567, 0.1],
            "lat": [-90.0, 90.0, 0.0, -1e-300, 45.0, 0.2],
            "alt_m": pa.array(floats, pa.float64()),
            "alt_kind": ["baro", None, "geo", "agl", None, "baro"],
            "ground_speed_mps": pa.array(floats[::-1], pa.float64()),
            "track_deg": pa.array([None] * n, pa.float64()),
            "vrate_mps": pa.array(floats, pa.float64()),
            "callsign": ["", None, "KLM1234 long callsign ✈", "x", None, "y"],
            "source_record": [1, 2, 3, 2**40, 3, 1],
        },
        source="fake",
        source_file="odd.bin",
    )
    rejects = [Reject("odd.bin", 7, "bad CRC", offset=123), Reject("odd.bin", 8, "no position")]
    fake = tmp_path / "odd.bin"
    fake.write_bytes(b"anything")

    def fake_read(path, *, format=None, stream=None, options=None):
        return ReadResult(table, list(rejects), format="fake")

    monkeypatch.setattr(ingestion.readers, "read", fake_read)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "odd.duckdb"
    (result,) = ingest(["odd.bin"], path)
    assert result.status == "stored"
    assert result.rejects == {"bad CRC": 1, "no position": 1}
    got = load(path)
    assert got.rejects == rejects
    assert got.table.schema.equals(POSITION_SCHEMA)
    for name in POSITION_SCHEMA.names:
        a, b = got.table[name].combine_chunks(), table[name].combine_chunks()
        if pa.types.is_floating(a.type):  # bit for bit: NaN, -0.0 and nulls alike
            a, b = a.view(pa.int64()), b.view(pa.int64())
            assert a.is_null().equals(b.is_null()), name
        assert a.equals(b), name
    # the SQL view shows instants in UTC whatever the session time zone
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'Asia/Tehran'")
        rows = con.execute(
            "SELECT epoch_us(time), time_ns, source, source_file FROM positions ORDER BY time_ns"
        ).fetchall()
    assert [r[0] for r in rows] == [
        (t - t % 1000) // 1000 for t in sorted(table["time"].cast(pa.int64()).to_pylist())
    ]
    assert {(r[2], r[3]) for r in rows} == {("fake", "odd.bin")}
