"""watch.feed: bytes in, rows and counted rejects out; garbage is counted, then the
decoder finds the next message again (resynchronised), never a crash."""

from __future__ import annotations

import hashlib

from airwitness import reasons
from airwitness.times import rows_ns
from airwitness.watch.feed import Feed
from airwitness.watch.sources import parse_source
from bench._replay import addresses, beast_frames, sbs_lines
from tests.helpers import reports

from ..io.radar.captures import block, cat034_site, cat048

NOW = 1_800_000_000 * 10**9
#: three reports of one aircraft 10 s apart
TABLE = reports([(0, 1.985, 0.0), (10, 1.995, 0.0), (20, 2.005, 0.0)], alt_m=[1000, 1000, 1000])


def test_sbs_garbage_lines_are_rejects_and_the_next_line_is_read():
    lines = sbs_lines(TABLE)
    data = lines[0] + b"\n\x00\xff\xfe binary noise\n" + lines[1] + b"\nMSG,3,1\n" + lines[2]
    feed = Feed(parse_source("sbs://127.0.0.1:30003"))
    for i in range(0, len(data), 5):  # arrives in small pieces
        feed.feed(data[i : i + 5], NOW)
    feed.end(broken=False)  # a file that ends: the last line without newline counts
    result = feed.take()
    assert result.table["source_record"].to_pylist() == [1, 3, 5]
    assert result.table["source_file"][0].as_py() == "sbs://127.0.0.1:30003"
    assert [(r.record, r.reason) for r in result.rejects] == [
        (2, reasons.NOT_AN_SBS_MESSAGE),
        (4, reasons.WRONG_NUMBER_OF_FIELDS),
    ]
    s = feed.stats
    assert (s.bytes, s.records, s.positions, dict(s.rejects)) == (
        len(data),
        5,
        3,
        {reasons.NOT_AN_SBS_MESSAGE: 1, reasons.WRONG_NUMBER_OF_FIELDS: 1},
    )
    assert feed.digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_connection_lost_mid_line_is_one_truncated_record_and_counting_goes_on():
    lines = sbs_lines(TABLE)
    feed = Feed(parse_source("sbs://127.0.0.1:30003"))
    feed.feed(lines[0] + b"\n" + lines[1][:20], NOW)
    feed.end(broken=True)
    feed.feed(lines[2] + b"\n", NOW)  # after the reconnection
    result = feed.take()
    assert result.table["source_record"].to_pylist() == [1, 3]
    assert [(r.record, r.reason) for r in result.rejects] == [(2, reasons.TRUNCATED_MESSAGE)]


def test_beast_garbage_between_frames_is_a_reject_and_the_frames_after_decode():
    frames = beast_frames(TABLE)
    noise = b"\x00\x01\x02garbage\xff"
    data = frames[0] + noise + frames[1] + frames[2]
    feed = Feed(parse_source("beast://127.0.0.1:30005"))
    feed.feed(data[:7], NOW)
    feed.feed(data[7:40], NOW)
    feed.feed(data[40:], NOW)
    result = feed.take()
    # unit 2 is the run of noise; frames 1 (even) and 3 (odd) are the aircraft's first
    # pair: positions from the odd frame on
    assert [(r.record, r.reason) for r in result.rejects] == [
        (1, reasons.CPR_UNRESOLVED),
        (2, reasons.NOT_A_BEAST_FRAME),
    ]
    assert result.table["source_record"].to_pylist() == [3, 4]
    assert feed.stats.records == 4 and feed.stats.positions == 2
    lon = result.table["lon"].to_pylist()
    assert [round(x, 4) for x in lon] == [1.995, 2.005]


def test_avr_noise_is_rejected_and_lines_after_it_are_read():
    feed = Feed(parse_source("avr://127.0.0.1:30002"))
    # plain *...; lines take their receive time; the noise line is one reject
    feed.feed(b"*8D4840D6202CC371C32CE0576098;\nnoise \xff\n*8D40621D58C382D690C8AC2863A7;\n", NOW)
    result = feed.take()
    assert [(r.record, r.reason) for r in result.rejects] == [
        (1, reasons.NO_POSITION),  # an identification message
        (2, reasons.BAD_LINE),
        (3, reasons.CPR_UNRESOLVED),  # a first position, no pair yet
    ]
    assert feed.stats.records == 3


def test_anonymous_radar_plots_are_counted_as_not_tracked_live():
    """A CAT048 plot without track number or address is a detection for the batch
    tracker; live it is a reject of its own reason, so every record is still counted."""
    feed = Feed(parse_source("asterix+udp://127.0.0.1:8600"))
    # 08:00:00 UTC on the receive day: the radar site, then a plot and a tracked plot
    feed.feed(block(34, cat034_site(28800.0, 45.0, 7.0, 300)), NOW)
    plots = block(48, cat048(28800.5, 20.0, 90.0, fl=100), cat048(28800.6, 30.0, 10.0, track=7))
    feed.feed(plots, NOW)
    result = feed.take()
    assert [(r.record, r.reason, r.offset) for r in result.rejects] == [
        (1, reasons.SERVICE_MESSAGE, 0),
        (2, reasons.NOT_TRACKED_LIVE, 19),
    ]
    assert result.table["track_id"].to_pylist() == ["asterix:7/9:7"]
    assert result.table["source_record"].to_pylist() == [3]
    # the time of day (1/128 s steps) on the day it was received
    assert rows_ns(result.table)[0]["time"] == NOW + 601_562_500
    assert result.detections.num_rows == 0
    assert (feed.stats.records, feed.stats.positions) == (3, 1)


def test_carried_sbs_callsigns_expire_when_the_watch_clock_moves_on():
    feed = Feed(parse_source("sbs://127.0.0.1:30003"))
    hexid = addresses(["t1"])["t1"].upper()
    when = "2025/06/15,15:06:40.000"
    ident = f"MSG,1,1,1,{hexid},1,{when},{when},RYR1,,,,,,,,,,,\n".encode()
    feed.feed(ident, NOW)
    feed.take()
    position = sbs_lines(TABLE)[0] + b"\n"  # 15:06:40 too: takes the callsign
    feed.feed(position, NOW)
    assert feed.take().table["callsign"].to_pylist() == ["RYR1"]
    feed.forget_before(TABLE["time"][0].value + 3600 * 10**9)
    feed.feed(position, NOW)
    assert feed.take().table["callsign"].to_pylist() == [None]
