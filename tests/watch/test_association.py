"""watch.association: with sources of several sensors, a decided track's confirmed
crossings are corroborated as batch ``crossings`` corroborates them (the fusion example:
two radars and ADS-B, one airliner's ADS-B spoofed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from airwitness.airspace import Airspace
from airwitness.io.options import ReadOptions
from airwitness.pipeline import read_inputs, run_crossings
from airwitness.watch.alerts import CONFIRMED, crossing_rows
from airwitness.watch.tracker import Rules, Tracker

FUSION = Path(__file__).resolve().parents[2] / "examples" / "fusion"
OPTIONS = ReadOptions(date=dt.date(2025, 6, 16), sensors=FUSION / "sensors.csv")
FILES = [FUSION / "plots.ast", FUSION / "adsb.csv"]
RULES = Rules(max_gap_s=300.0, observed_gap_s=60.0)
NOW = 1_800_000_000 * 10**9
STEP_NS = 30 * 10**9
FIELDS = ("track_id", "before", "after", "from", "to", "sensors", "corroborated_by", "suspect")


def _key(fields: dict) -> tuple:
    return (*(fields[f] for f in FIELDS), fields["suspect_reason"])


@pytest.fixture(scope="module")
def sky() -> Airspace:
    return Airspace.builtin()


@pytest.fixture(scope="module")
def live(sky):
    """The example's reports (the primary radar's plots tracked, as batch does) fed in
    time order, 30 s at a time, tracks retired as the feed's clock passes them."""
    table = read_inputs(FILES, options=OPTIONS).table
    time_ns = table["time"].cast(pa.int64()).to_numpy()
    order = np.argsort(time_ns, kind="stable")
    table, time_ns = table.take(pa.array(order)), time_ns[order]
    tracker = Tracker(sky, RULES, associate=True)
    alerts = []
    start = int(time_ns[0])
    while start <= time_ns[-1]:
        lo, hi = np.searchsorted(time_ns, [start, start + STEP_NS])
        alerts += tracker.add(table.slice(lo, hi - lo), NOW)
        alerts += tracker.retire(start + STEP_NS, NOW)
        start += STEP_NS
    alerts += tracker.finish(NOW)
    return tracker, [a.fields for a in alerts if a.status == CONFIRMED]


def test_confirmed_alerts_carry_batch_corroboration(sky, live):
    tracker, confirmed = live
    batch = run_crossings(FILES, sky, options=OPTIONS, max_gap_s=RULES.max_gap_s)
    expected = sorted(_key(f) for f in crossing_rows(batch.crossings))
    assert sorted(_key(f) for f in confirmed) == expected
    assert len(confirmed) == 21
    assert [f["sensors"] for f in confirmed].count(2) == 10
    spoofed = [f for f in confirmed if f["suspect"]]
    assert [f["track_id"] for f in spoofed] == ["896e15", "896e15"]
    assert "a GNSS spoofing signature" in spoofed[0]["suspect_reason"]
    # nothing is kept once every track is decided
    assert tracker.association is not None and tracker.association.retained == 0


def test_without_association_every_alert_keeps_the_defaults(sky):
    table = read_inputs([FUSION / "adsb.csv"], options=OPTIONS).table
    tracker = Tracker(sky, RULES)
    tracker.add(table, NOW)
    confirmed = [a.fields for a in tracker.finish(NOW) if a.status == CONFIRMED]
    assert confirmed and all(f["sensors"] == 1 and not f["suspect"] for f in confirmed)
    assert tracker.association is None


def test_a_watch_associates_when_its_sources_may_be_of_several_sensors(tmp_path):
    from airwitness.watch.build import several_sensors
    from airwitness.watch.sources import parse_source

    def specs(*names: str):
        return [parse_source(n) for n in names]

    assert not several_sensors(specs("sbs://127.0.0.1:30003", "beast://127.0.0.1:30005"))
    assert several_sensors(specs("sbs://127.0.0.1:30003", "remoteid+udp://:4000"))
    assert several_sensors(specs("asterix+udp://:8600"))  # radars and CAT021 alike
    sbs = tmp_path / "feed.sbs"
    sbs.write_text(
        "MSG,3,1,1,4CA2D6,1,2025/06/16,10:00:00.000,2025/06/16,10:00:00.000,,35000,,,53.1,-6.2,,,,,,0\n"
    )
    assert not several_sensors(specs(str(sbs)))  # a followed SBS file is told by its content
    assert several_sensors(specs(str(tmp_path / "not-yet-there.log")))  # may be anything
