"""ASTERIX reader: real captures from asterix-decoder, dating records, sniffing, fuzzing.

Expected values come from :mod:`.captures`, computed independently of the reader.
"""

from __future__ import annotations

import datetime as dt
import gzip
import math
from collections import Counter
from pathlib import Path

import asterix as pkg
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.options import ReadOptions
from airwitness.io.radar import asterix
from airwitness.schema import FPM_TO_MPS, FT_TO_M, KT_TO_MPS

from ..helpers import DATA, rows_of, utc_ns
from .captures import (
    NM,
    PCAP_048,
    PCAP_062,
    RAW_062,
    SAMPLES,
    block,
    cat062,
    check,
    decoded_records,
    pcap,
    plot_position,
    read_bytes,
    sample_site,
    tod_time,
)

# ------------------------------------------------------------------- samples


def test_cat034_048_counts_and_site():
    result = asterix.read(PCAP_048)
    check(result)
    assert result.format == "asterix"
    assert result.records == 162  # 128 CAT048 + 34 CAT034 records
    assert result.reject_counts() == Counter(
        {"no radar site": 88, "service message": 34, "no position": 2}
    )
    assert result.table.num_rows == 38  # every positioned plot is from SAC 25 / SIC 12
    assert all(t.startswith("asterix:25/12:") for t in result.table["track_id"].to_pylist())
    records = decoded_records(PCAP_048.read_bytes())
    assert Counter(r["category"] for _, _, r in records) == {48: 128, 34: 34}
    per_source = Counter(
        (r["I010"]["SAC"]["val"], r["I010"]["SIC"]["val"]) for _, _, r in records
        if r["category"] == 48 and "I040" in r
    )  # fmt: skip
    assert per_source[(25, 12)] == 38
    assert sum(per_source.values()) == 126
    sites = {
        (r["I010"]["SAC"]["val"], r["I010"]["SIC"]["val"]): r["I120"] for _, _, r in records
        if r["category"] == 34 and "I120" in r
    }  # fmt: skip
    assert list(sites) == [(25, 12)]
    assert sites[(25, 12)]["Height"]["val"] == 780.0
    assert sites[(25, 12)]["LAT"]["val"] == pytest.approx(43.5710, abs=5e-5)
    assert sites[(25, 12)]["Lon"]["val"] == pytest.approx(16.4061, abs=5e-5)


def test_the_cat034_site_is_stated_in_the_result():
    """The site the capture states goes with the result (fusion's bias estimation),
    exactly where its plots were placed from: (lon, lat, height)."""
    lat, lon, height = sample_site()
    assert asterix.read(PCAP_048).sites == {"asterix:25/12": (lon, lat, height)}


def test_cat048_plots_positioned_with_the_cat034_site():
    result = asterix.read(PCAP_048)
    records = decoded_records(PCAP_048.read_bytes())
    site = sample_site()
    assert site == (pytest.approx(43.5710, abs=5e-5), pytest.approx(16.4061, abs=5e-5), 780)
    expected = {}
    for index, (ns, offset, rec) in enumerate(records, start=1):
        if rec["category"] != 48 or rec["I010"]["SIC"]["val"] != 12 or "I040" not in rec:
            continue
        fl = rec["I090"]["FL"]["val"]
        lat, lon = plot_position(
            site, rec["I040"]["RHO"]["val"] * NM, rec["I040"]["THETA"]["val"], fl * 100 * FT_TO_M
        )
        expected[index] = {
            "track_id": f"asterix:25/12:{rec['I161']['Tn']['val']}",
            "time": tod_time(ns, rec["I140"]["ToD"]["val"]),
            "lat": lat,
            "lon": lon,
            "alt_m": fl * 100 * FT_TO_M,
            "gs": rec["I200"]["CGS"]["val"] * KT_TO_MPS,
            "trk": rec["I200"]["CHdg"]["val"],
            "callsign": rec["I240"]["TId"]["val"].strip(),
            "offset": offset,
        }
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == sorted(expected)
    for row in (rows[0], rows[-1]):
        want = expected[row["source_record"]]
        assert row["track_id"] == want["track_id"]
        assert row["time"] == want["time"]
        assert row["lat"] == pytest.approx(want["lat"], abs=1e-7)
        assert row["lon"] == pytest.approx(want["lon"], abs=1e-7)
        assert row["alt_m"] == pytest.approx(want["alt_m"]) and row["alt_kind"] == "baro"
        assert row["ground_speed_mps"] == pytest.approx(want["gs"])
        assert row["track_deg"] == pytest.approx(want["trk"])
        assert row["callsign"] == want["callsign"]
    first = rows[0]
    # record 23: track 1581 (GWI7BX) at 07:35:55.8984375 UTC, FL 246, slant range 39.06 NM
    assert first["source_record"] == 23 and first["callsign"] == "GWI7BX"
    assert first["time"] == utc_ns("2016-05-05T07:35:55.8984375Z")
    assert (first["lat"], first["lon"]) == (
        pytest.approx(44.008528, abs=1e-4),
        pytest.approx(15.746548, abs=1e-4),
    )
    all_max = max(
        abs(r["lat"] - expected[r["source_record"]]["lat"])
        + abs(r["lon"] - expected[r["source_record"]]["lon"])
        for r in rows
    )
    assert all_max < 1e-6


def test_cat062_pcap_values_against_the_package():
    result = asterix.read(PCAP_062)
    check(result)
    assert result.records == 3
    assert result.reject_counts() == {"service message": 1}
    records = decoded_records(PCAP_062.read_bytes())
    assert [r["category"] for _, _, r in records] == [62, 62, 65]
    rows = rows_of(result.table)
    assert [r["source_record"] for r in rows] == [1, 2]
    for row, (ns, _, rec) in zip(rows, records, strict=False):
        vx, vy = rec["I185"]["Vx"]["val"], rec["I185"]["Vy"]["val"]
        assert row["track_id"] == f"asterix:25/100:{rec['I040']['TrkN']['val']}"
        assert row["time"] == tod_time(ns, rec["I070"]["ToT"]["val"])
        assert (row["lat"], row["lon"]) == (rec["I105"]["Lat"]["val"], rec["I105"]["Lon"]["val"])
        assert row["alt_m"] == pytest.approx(rec["I136"]["MFL"]["val"] * FT_TO_M)
        assert row["ground_speed_mps"] == pytest.approx(math.hypot(vx, vy))
        assert row["track_deg"] == pytest.approx(math.degrees(math.atan2(vx, vy)) % 360)
        assert row["vrate_mps"] == pytest.approx(rec["I220"]["RoC"]["val"] * FPM_TO_MPS)
    assert rows[0]["track_id"] == "asterix:25/100:4713" and rows[0]["callsign"] == "RYR174C"
    assert rows[0]["time"] == utc_ns("2014-02-25T12:43:47.3984375Z")
    assert rows[1]["callsign"] == "ISS2007"


def test_cat062_raw_needs_a_date():
    with pytest.raises(InputError, match="date"):
        asterix.read(RAW_062)
    result = asterix.read(RAW_062, options=ReadOptions(date=dt.date(2015, 3, 1)))
    check(result)
    assert result.records == 3
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [(3, "service message", 183)]
    raw = pkg.parse(RAW_062.read_bytes(), verbose=False)
    rows = rows_of(result.table)
    for row, rec in zip(rows, raw, strict=False):
        assert row["time"] == utc_ns("2015-03-01T00:00:00Z") + round(
            rec["I070"]["ToT"]["val"] * 1e9
        )
        assert (row["lat"], row["lon"]) == (rec["I105"]["Lat"]["val"], rec["I105"]["Lon"]["val"])
    assert rows[0]["time"] == utc_ns("2015-03-01T08:35:11.6640625Z")
    assert rows[1]["callsign"] == "SXD4723"  # I062/380 identification; track id stays the number
    assert rows[1]["track_id"] == "asterix:25/100:7977"


def test_gzip_and_stream_give_the_same_table(tmp_path: Path):
    gz = tmp_path / "c.pcap.gz"
    gz.write_bytes(gzip.compress(PCAP_048.read_bytes()))
    plain, zipped = asterix.read(PCAP_048), asterix.read(gz)
    assert zipped.table.drop_columns(["source_file"]).equals(
        plain.table.drop_columns(["source_file"])
    )
    streamed = read_bytes(PCAP_048.read_bytes(), "upload.pcap")
    assert streamed.table.num_rows == 38 and streamed.table["source_file"][0].as_py() == (
        "upload.pcap"
    )


# ---------------------------------------------------------------- time


def test_resolve_times_rolls_over_at_midnight():
    tods = np.array([86_399.5, 0.5, 86_398.0, 1.0, 43_000.0, 100.0, math.nan])
    packets = np.full(len(tods), -1, dtype=np.int64)
    times, undated = asterix.resolve_times(tods, packets, dt.date(2023, 12, 31))
    d0, d1 = utc_ns("2023-12-31T00:00:00Z"), utc_ns("2024-01-01T00:00:00Z")
    assert times[:6].tolist() == [
        d0 + 86_399_500_000_000,
        d1 + 500_000_000,
        d0 + 86_398_000_000_000,  # a late report from before midnight keeps its day
        d1 + 1_000_000_000,
        d1 + 43_000_000_000_000,
        d1 + 100_000_000_000,  # back by less than 12 h: same day
    ]
    assert not undated.any()
    _, undated = asterix.resolve_times(tods, packets, None)
    assert undated[:6].all()


def test_raw_stream_rollover_with_options_date():
    data = block(62, cat062(86_399.0, 45, 15, 1), cat062(86_399.9, 45.01, 15, 1)) + block(
        62, cat062(0.3, 45.02, 15, 1), cat062(1.0, 45.03, 15, 1)
    )
    result = read_bytes(data, date=dt.date(2024, 2, 28))
    check(result)
    assert result.table["time"].cast("int64").to_pylist() == [
        utc_ns("2024-02-28T23:59:59Z"),
        utc_ns("2024-02-28T23:59:59.8984375Z"),  # 1/128 s resolution
        utc_ns("2024-02-29T00:00:00.296875Z"),
        utc_ns("2024-02-29T00:00:01Z"),
    ]


@pytest.mark.parametrize("nano", [False, True])
def test_pcap_timestamp_dates_reports_across_midnight(nano: bool):
    after = utc_ns("2024-03-01T00:00:00.25Z")
    packets = [
        (after, block(62, cat062(86_399.875, 45, 15, 1), cat062(0.125, 45, 15.01, 2))),
        (after + 10**9, block(62, cat062(1.0, 45, 15.02, 1))),
    ]
    result = read_bytes(pcap(packets, nano=nano), "c.pcap", date=dt.date(1999, 1, 1))
    check(result)
    assert result.table["time"].cast("int64").to_pylist() == [
        utc_ns("2024-02-29T23:59:59.875Z"),  # the packet's date wins over options.date
        utc_ns("2024-03-01T00:00:00.125Z"),
        utc_ns("2024-03-01T00:00:01Z"),
    ]


def test_one_flipped_packet_timestamp_is_not_believed():
    t0 = utc_ns("2024-03-01T12:00:00Z")
    packets = [(t0 + i * 10**9, block(62, cat062(43_200.0 + i, 45, 15, 1))) for i in range(4)]
    packets[2] = (packets[2][0] + 2**30 * 10**9, packets[2][1])  # ts_sec bit 30 flipped
    result = read_bytes(pcap(packets), "c.pcap")
    assert result.table["time"].cast("int64").to_pylist() == [t0 + i * 10**9 for i in range(4)]


# --------------------------------------------------------------- sniffing


def test_sniff_samples_and_strictness():
    for sample in (PCAP_048, PCAP_062, RAW_062):
        assert asterix.sniff(sample.read_bytes()[: 1 << 16], sample.suffix)
    roots = [DATA, DATA.parents[1] / "examples"]
    files = [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]
    examples = DATA.parents[1] / "examples"
    radars = [examples / "radar" / "plots.ast", examples / "fusion" / "plots.ast"]  # CAT048
    for radar in radars:
        assert asterix.sniff(radar.read_bytes()[: 1 << 16], radar.suffix)
    others = [p for p in files if SAMPLES not in p.parents and p not in radars]
    assert others
    for path in others:
        head = path.read_bytes()
        if head[:2] == b"\x1f\x8b":
            head = gzip.decompress(head)
        assert not asterix.sniff(head[: 1 << 16], Path(path.name.removesuffix(".gz")).suffix), path
    t0 = utc_ns("2024-03-01T12:00:00Z")
    assert not asterix.sniff(pcap([(t0, b"\x12\x34\x01\x00\x00\x01")]), ".pcap")
    assert not asterix.sniff(b"0,1,2\n", ".csv") and not asterix.sniff(b"", "")


# -------------------------------------------------------------- fuzzing

SEEDS = [PCAP_048.read_bytes(), PCAP_062.read_bytes(), RAW_062.read_bytes()]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "byte", "cut", "drop", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
        elif op == "drop":
            del data[i : i + draw(st.integers(1, 64))]
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 64))]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fuzz_mutated_samples(data: bytes):
    try:
        result = read_bytes(data, "fuzz.bin", date=dt.date(2020, 1, 1))
    except InputError:
        return
    check(result, len(data))


@pytest.mark.parametrize("capture", [PCAP_048, PCAP_062])
def test_stream_decoder_on_the_datagrams_equals_the_batch_read(capture):
    """``asterix+udp://``: each packet's payload as a datagram received at the packet's
    time; the times of day dated by it, records counted on across datagrams."""
    from ..helpers import same_as_batch
    from .captures import pcap_packets

    decoder = asterix.StreamDecoder("live")
    for packet_ns, _, payload in pcap_packets(capture.read_bytes()):
        decoder.feed(payload, packet_ns)
    live = decoder.take()
    same_as_batch((live.table, live.rejects), asterix.read(capture))
