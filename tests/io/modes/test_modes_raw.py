"""Timestamped raw messages: the pyModeS sample asserted exactly, containers, damage, fuzz."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rs1090
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyModeS import PipeDecoder

from airwitness.airspace import Airspace
from airwitness.crossings import find_crossings
from airwitness.errors import InputError
from airwitness.io._source import Source
from airwitness.io.modes import avr, beast, modes_raw
from airwitness.io.options import ReadOptions
from airwitness.tracks import prepare_tracks

from ..helpers import DATA, reconcile, rows_of, utc_ns
from .adsb import retarget
from .test_decode import BEAST_STATUS, NACP9, TC11

SAMPLE = DATA / "modes_raw" / "sample_data_adsb.csv"
LINES = SAMPLE.read_text().splitlines()
OWN_FORMATS = {"modes_raw", "beast", "avr"}


@pytest.fixture(scope="module")
def sample():
    return modes_raw.read(SAMPLE)


def _direct():
    """The sample decoded by the packages themselves (independent checks)."""
    fields = [line.split(",") for line in LINES]
    msgs = [f[1].strip('"') for f in fields]
    ts = [float(f[0]) for f in fields]
    by_rs = {
        i + 1: (d["latitude"], d["longitude"])
        for i, d in enumerate(rs1090.decode(msgs, ts))
        if "latitude" in d
    }
    pipe = PipeDecoder()
    by_pms = {}
    for i, (m, t) in enumerate(zip(msgs, ts, strict=True)):
        d = pipe.decode(m, timestamp=t)
        if d.get("latitude") is not None:
            by_pms[i + 1] = (d["latitude"], d["longitude"])
    return by_rs, by_pms


def test_sample_exact(sample):
    reconcile(sample, range(1, 2001))
    assert sample.format == "modes_raw"
    assert sample.table.num_rows == 933
    assert sample.reject_counts() == {"no position": 1063, "CPR unresolved": 4}
    rows = rows_of(sample.table)
    assert {r["track_id"] for r in rows} == {"406b90"}
    assert {r["callsign"] for r in rows} == {"EZY85MH"}
    assert {r["alt_kind"] for r in rows} == {"baro"}
    first, last = rows[0], rows[-1]
    assert first["source_record"] == 11 and last["source_record"] == 1999
    assert first["time"] == utc_ns("2016-03-14T23:00:03Z")
    assert last["time"] == utc_ns("2016-03-14T23:12:10Z")
    assert (first["lat"], first["lon"]) == pytest.approx((51.145660, 7.244296), abs=1e-5)
    assert (last["lat"], last["lon"]) == pytest.approx((51.700031, 4.773407), abs=1e-5)
    assert first["alt_m"] == pytest.approx(36_000 * 0.3048)
    assert first["ground_speed_mps"] == pytest.approx(493.6172606382398 * 1852 / 3600)
    # the four unresolved frames are the odd ones before the first even frame
    assert sorted(r.record for r in sample.rejects if r.reason == "CPR unresolved") == [2, 4, 5, 7]
    # no TC 31/29 in the sample: every position has its type code's Rc, TC 11 < 0.1 NM
    sigma = sample.table["pos_sigma_m"].to_pylist()
    assert sigma == pytest.approx([TC11] * 933)
    assert first["pos_sigma_m"] == last["pos_sigma_m"] == pytest.approx(75.661420, abs=1e-6)


def test_sample_with_a_real_status_message_uses_its_nacp(write, sample):
    """The Beast sample's TC 31 (NACp 9) moved to 406b90 at 23:05:00: 60 s of positions take it."""
    at = 1457996700
    frame = retarget(BEAST_STATUS, icao=0x406B90)
    i = next(n for n, line in enumerate(LINES) if int(line.split(",")[0]) >= at)
    lines = [*LINES[:i], f'{at},"{frame.upper()}","406B90",31', *LINES[i:]]
    result = modes_raw.read(write("with_status.csv", "\n".join(lines) + "\n"))
    reconcile(result, range(1, 2002))
    assert result.reject_counts() == {"no position": 1064, "CPR unresolved": 4}
    assert result.table.num_rows == sample.table.num_rows == 933
    t = result.table["time"].cast(pa.int64()).to_numpy() // 10**9
    sigma = np.array(result.table["pos_sigma_m"].to_pylist())
    window = (t >= at) & (t <= at + 60)
    assert window.sum() == 91  # the TC 11 lines stamped 1457996700-1457996760
    assert sigma[window] == pytest.approx(np.full(91, NACP9))
    assert sigma[~window] == pytest.approx(np.full(933 - 91, TC11))
    keep = ["time", "lat", "lon", "alt_m", "callsign"]
    assert result.table.select(keep).equals(sample.table.select(keep))


def test_sample_agrees_with_rs1090_and_pymodes(sample):
    by_rs, by_pms = _direct()
    ours = {
        r: (la, lo)
        for r, la, lo in zip(
            sample.table["source_record"].to_pylist(),
            sample.table["lat"].to_pylist(),
            sample.table["lon"].to_pylist(),
            strict=True,
        )
    }
    # rs1090's batch decoder loses track after two frames of one parity: fewer positions;
    # pyModeS's PipeDecoder holds back its first frames until three agree
    assert (len(by_rs), len(by_pms)) == (772, 929)
    assert set(by_rs) <= set(ours) and set(by_pms) <= set(ours)
    for direct in (by_rs, by_pms):
        worst = max(
            max(abs(direct[k][0] - ours[k][0]), abs(direct[k][1] - ours[k][1])) for k in direct
        )
        assert worst < 1e-9
    first_rs, last_rs = min(by_rs), max(by_rs)
    assert ours[first_rs] == pytest.approx(by_rs[first_rs], abs=1e-5)
    assert ours[last_rs] == pytest.approx(by_rs[last_rs], abs=1e-5)


@pytest.mark.parametrize(
    ("boundary_set", "when", "lon", "before"),
    [
        # the OpenStreetMap border lies about 170 m east of Natural Earth's here: 0.8 s earlier
        ("osm", "2016-03-14T23:05:06.387Z", 6.19340, 807),
        ("ne10m", "2016-03-14T23:05:07.213Z", 6.19089, 811),
    ],
)
def test_sample_crosses_from_germany_into_the_netherlands(sample, boundary_set, when, lon, before):
    tracks = prepare_tracks(sample.table)
    crossings = find_crossings(tracks.table, Airspace.builtin(boundary_set))
    assert crossings.num_rows == 1
    c = rows_of(crossings)[0]
    assert (c["track_id"], c["from"], c["to"], c["kind"]) == ("406b90", "DEU", "NLD", "observed")
    assert abs(c["time"] - utc_ns(when)) < 10**6
    assert round(c["lon"], 5) == lon
    assert c["before"].endswith(f":{before}")


def test_jet1090_departure_surface_positions_match_its_live_decoding():
    """A real departure from CDG: 1,349 surface + 75 airborne positions, as jet1090 decoded them."""
    path = DATA / "modes_raw" / "jet1090_cdg_departure.jsonl.gz"
    assert modes_raw.sniff(Source(path).head(), ".jsonl")
    lines = [json.loads(x) for x in gzip.decompress(path.read_bytes()).splitlines()]
    live = {i: (d["latitude"], d["longitude"]) for i, d in enumerate(lines, 1) if "latitude" in d}
    result = modes_raw.read(path, options=ReadOptions(reference=(49.0097, 2.5479)))
    reconcile(result, range(1, 3001))
    assert result.reject_counts() == {"no position": 1576}
    rows = rows_of(result.table)
    assert sorted(r["source_record"] for r in rows) == sorted(live)
    worst = max(
        max(
            abs(r["lat"] - live[r["source_record"]][0]), abs(r["lon"] - live[r["source_record"]][1])
        )
        for r in rows
    )
    assert worst < 1e-9
    assert sum(r["alt_kind"] == "agl" for r in rows) == 1349
    # TC 7 (surface) and TC 11 (airborne) both have Rc < 0.1 NM; the excerpt has no TC 31/29
    assert [r["pos_sigma_m"] for r in rows] == pytest.approx([75.6614] * len(rows), abs=1e-4)
    assert {r["track_id"] for r in rows} == {"393322"}
    # without a reference, surface frames cannot be placed: only airborne ones after a pair
    alone = modes_raw.read(path)
    assert alone.table.num_rows == 69
    assert alone.reject_counts()["CPR unresolved"] == 1355


# --- containers and column names -----------------------------------------


def _positions(result) -> list[tuple]:
    t = result.table
    return list(
        zip(
            t["time"].cast(pa.int64()).to_pylist(),
            t["lat"].to_pylist(),
            t["lon"].to_pylist(),
            strict=True,
        )
    )


def _records():
    return [(int(f.split(",")[0]), f.split(",")[1].strip('"')) for f in LINES]


def test_opensky_csv_with_header(write, sample):
    text = "mintime,rawmsg,icao24\n" + "".join(f"{t}.0,{m.lower()},406b90\n" for t, m in _records())
    path = write("raw.csv", text, gz=True)
    assert modes_raw.sniff(Source(path).head(), ".csv")
    result = modes_raw.read(path)
    reconcile(result, range(2, 2002))
    assert _positions(result) == _positions(sample)


def test_json_lines_iso_times_and_wrapped_messages(write, sample):
    text = "".join(
        json.dumps({"timestamp": f"{np.datetime64(t, 's')}Z", "frame": f"*{m};"}) + "\n"
        for t, m in _records()
    )
    path = write("raw.jsonl", text)
    assert modes_raw.sniff(Source(path).head(), ".jsonl")
    result = modes_raw.read(path)
    assert _positions(result) == _positions(sample)


def test_json_array_and_parquet(tmp_path, write, sample):
    recs = [{"ts": t, "hex": m} for t, m in _records()]
    path = write("raw.json", json.dumps(recs))
    assert modes_raw.sniff(Source(path).head(), ".json")
    assert _positions(modes_raw.read(path)) == _positions(sample)
    pq_path = tmp_path / "raw.parquet"
    pq.write_table(
        pa.table(
            {"mintime": [float(t) for t, _ in _records()], "rawmsg": [m for _, m in _records()]}
        ),
        pq_path,
    )
    assert not modes_raw.sniff(Source(pq_path).head(), ".parquet")  # needs --format
    result = modes_raw.read(pq_path)
    reconcile(result, range(1, 2001))
    assert _positions(result) == _positions(sample)


def test_missing_columns_and_empty(write):
    with pytest.raises(InputError, match="missing message column"):
        modes_raw.read(write("a.csv", "time,icao24\n1,abc\n"))
    with pytest.raises(InputError, match="missing time column"):
        modes_raw.read(write("b.csv", "msg\n8D406B909945DE10000405999BE4\n"))
    with pytest.raises(InputError, match="empty file"):
        modes_raw.read(write("c.csv", ""))


# --- damage ---------------------------------------------------------------


def test_damaged_lines_reconcile(write):
    lines = LINES[:301]
    bad = lines[:300]
    bad[20] = bad[20].replace("8D406B90", "8D406B91")  # address bit flip: bad CRC
    bad[21] = "garbage"  # one field
    bad[22] = bad[22].split(",")[0] + ',"8D406B90ZZ45DE10000405999BE4","406B90",19'  # not hex
    bad[23] = "not-a-time" + bad[23][10:]
    bad[24] = ',"8D406B909945DE10000405999BE4","406B90",19'  # no time
    bad.insert(40, "")  # blank lines are not records
    path = write("bad.csv", "\n".join(bad) + "\n" + lines[300][:25])  # cut mid-line
    result = modes_raw.read(path)
    expected = [n for n, line in enumerate([*bad, lines[300][:25]], start=1) if line.strip()]
    reconcile(result, expected)
    got = {r.record: r.reason for r in result.rejects}
    assert got[21] == "bad CRC"
    assert got[22] == "wrong number of fields"
    assert got[23] == "undecodable message"
    assert got[24] == "bad time"
    assert got[25] == "missing time"
    assert got[302] == "wrong number of fields"  # the line cut short


def test_sniff_refuses_other_fixtures():
    """No fixture of another format is taken for a raw Mode S one (and vice versa)."""
    roots = [DATA, DATA.parents[1] / "examples"]
    files = [
        p
        for root in roots
        if root.exists()
        for p in root.rglob("*")
        if p.is_file() and p.suffix not in (".md", ".py", ".yaml")
    ]
    assert len(files) > 10
    for path in files:
        own = path.relative_to(path.parents[1]).parts[0] if path.is_relative_to(DATA) else ""
        src = Source(path)
        head, ext = src.head(), src.extension
        for name, module in (("modes_raw", modes_raw), ("beast", beast), ("avr", avr)):
            assert module.sniff(head, ext) == (own == name), (path, name)


# --- fuzz -----------------------------------------------------------------

FUZZ_BASE = ("\n".join(LINES[:120]) + "\n").encode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_sample(tmp_path_factory, data):
    blob = bytearray(FUZZ_BASE)
    for _ in range(data.draw(st.integers(1, 12))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if op == "flip":
            blob[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "delete":
            del blob[pos : pos + data.draw(st.integers(1, 40))]
        elif op == "insert":
            blob[pos:pos] = data.draw(st.binary(min_size=1, max_size=30))
        else:
            del blob[pos:]
        if not blob:
            blob = bytearray(b"x")
    path = Path(tmp_path_factory.mktemp("fz")) / "f.csv"
    path.write_bytes(gzip.compress(bytes(blob)) if data.draw(st.booleans()) else bytes(blob))
    check_invariants(path, modes_raw.read, bytes(blob))


def check_invariants(path, read, blob: bytes) -> None:
    """ReadResult or InputError, nothing else; every record once; times and ids sane."""
    try:
        result = read(path)
    except InputError:
        return
    seen = result.table["source_record"].to_pylist() + [r.record for r in result.rejects]
    assert len(seen) == len(set(seen)) == result.records
    assert all(s >= 1 for s in seen)
    t = result.table
    if t.num_rows:
        assert all(len(x.lstrip("~")) == 6 for x in t["track_id"].to_pylist())
        assert np.all(np.abs(t["lat"].to_numpy()) <= 90)
        assert np.all(np.abs(t["lon"].to_numpy()) <= 180)
        sigma = t["pos_sigma_m"].to_numpy(zero_copy_only=False)
        assert np.all(np.isnan(sigma) | ((sigma > 0) & (sigma < 40_000)))
