"""watch.stats: the --stats line accounts for every message."""

from __future__ import annotations

import shapely

from airwitness.watch.feed import Feed
from airwitness.watch.sinks import WebhookSink
from airwitness.watch.sources import parse_source
from airwitness.watch.stats import Lag, stats_line
from airwitness.watch.tracker import Rules, Tracker
from tests.helpers import hand_airspace


def test_the_line_counts_messages_positions_rejects_tracks_alerts_lag_and_sources():
    feed = Feed(parse_source("sbs://127.0.0.1:30003"))
    feed.feed(b"MSG,3,1,1,4CA2D6,1,2025/06/15,15:06:40.000,2025/06/15,15:06:40.000,,,,,"
              b"0.5,1.5,,,0,0,0,0\nnonsense\n", 0)  # fmt: skip
    tracker = Tracker(hand_airspace({"A": shapely.box(0, -1, 2, 1)}), Rules(1800.0, 60.0))
    tracker.add(feed.take().table, 0)
    feed.stats.connects, feed.stats.drops = 2, 1
    lag = Lag()
    lag.seen(12.4)
    lag.seen(3.0)
    sink = WebhookSink("http://127.0.0.1:9/x")
    sink.stats.dropped, sink.stats.retries = 2, 8
    line = stats_line([feed], tracker, [sink], lag, 61.2)
    assert line == (
        "stats 61 s; messages 2; positions 1; rejects 1 (not an SBS message 1); late 0; "
        "tracks 1; alerts provisional 0 confirmed 0 withdrawn 0; lag 12 ms; "
        "sbs://127.0.0.1:30003: 2 messages, 2 connects, 1 drops, 0 failed; "
        "webhook http://127.0.0.1:9/x: 0 sent, 2 dropped, 8 retries"
    )
    sink.close()


def test_an_associating_watch_says_how_many_reports_it_keeps():
    feed = Feed(parse_source("sbs://127.0.0.1:30003"))
    feed.feed(b"MSG,3,1,1,4CA2D6,1,2025/06/15,15:06:40.000,2025/06/15,15:06:40.000,,,,,"
              b"0.5,1.5,,,0,0,0,0\n", 0)  # fmt: skip
    sky = hand_airspace({"A": shapely.box(0, -1, 2, 1)})
    tracker = Tracker(sky, Rules(1800.0, 60.0), associate=True)
    tracker.add(feed.take().table, 0)
    line = stats_line([feed], tracker, [], Lag(), 1.0)
    assert "; tracks 1; kept for association 1 reports; alerts" in line
