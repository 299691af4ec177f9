"""Receiver clocks: 12 MHz counters and GPS time of day, damage and restarts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from airwitness.errors import InputError
from airwitness.io.modes._clocks import counter_times
from airwitness.io.options import ReadOptions

from .adsb import T0


def test_counter_times_12mhz_exact():
    counter = np.array([12_000_000, 12_000_000 + 3, 36_000_000, 0], dtype=np.int64)
    t, problems = counter_times(
        "f", counter, np.ones(4, bool), ReadOptions(start_time_ns=T0), "Beast capture"
    )
    assert t[:3].tolist() == [T0, T0 + 250, T0 + 2 * 10**9]
    assert problems["no timestamp"].tolist() == [False, False, False, True]
    assert not problems["bad timestamp"].any() and not problems["receiver clock reset"].any()


def test_counter_needs_start_time():
    counter = np.array([(1 << 30) - 1], dtype=np.int64)  # low 30 bits >= 1e9: not GPS-like
    with pytest.raises(InputError) as e:
        counter_times("f", counter, np.array([True]), None, "Beast capture")
    assert str(e.value) == (
        "f: Beast capture has only relative timestamps: give the start time (--start-time)"
    )


def test_counter_gps_time_of_day_with_date_and_rollover():
    tod = [(86_399 << 30) | 500_000_000, (86_399 << 30) | 900_000_000, (1 << 30) | 250]
    tod.insert(1, (1 << 30) - 1)  # does not fit the layout (ns field >= 1e9)
    t, problems = counter_times(
        "f", np.array(tod), np.ones(4, bool), ReadOptions(date=dt.date(2024, 2, 29)), "x"
    )
    midnight = int(dt.datetime(2024, 2, 29, tzinfo=dt.UTC).timestamp()) * 10**9
    assert problems["bad timestamp"].tolist() == [False, True, False, False]
    assert t[[0, 2, 3]].tolist() == [
        midnight + 86_399_500_000_000,
        midnight + 86_399_900_000_000,
        midnight + 86_401_000_000_250,
    ]


def test_counter_damage_and_reset():
    s = 12_000_000
    counter = np.array([100, 200, 300 + (1 << 44), 400, 5 * s, 5 * s + 9, 300, 400])
    t, problems = counter_times("f", counter, np.ones(8, bool), ReadOptions(start_time_ns=T0), "x")
    # a lone flipped bit is a bad timestamp; the later jump back is a restart
    assert np.flatnonzero(problems["bad timestamp"]).tolist() == [2]
    assert np.flatnonzero(problems["receiver clock reset"]).tolist() == [6, 7]
    assert t[4] == T0 + (5 * s - 100) * 250 // 3
    # a damaged first timestamp does not shift every time
    counter = np.array([1 << 47, 200, 300, 400], dtype=np.int64)
    t, problems = counter_times("f", counter, np.ones(4, bool), ReadOptions(start_time_ns=T0), "x")
    assert problems["bad timestamp"].tolist() == [True, False, False, False]
    assert t[1:].tolist() == [T0, T0 + 100 * 250 // 3, T0 + 200 * 250 // 3]


def test_live_clock_anchors_at_the_first_receive_time_and_keeps_the_receiver_spacing():
    from airwitness.io.modes._clocks import MLAT_HZ, LiveClock

    clock = LiveClock()
    t0 = 1_800_000_000 * 10**9
    ok = np.ones(3, dtype=bool)
    # 12 MHz ticks: 1 s and 1.5 s after the first frame, all received late at once
    counter = np.array([1000, 1000 + MLAT_HZ, 1000 + 3 * MLAT_HZ // 2])
    times, bad = clock.times(counter, ok, np.full(3, t0))
    assert times.tolist() == [t0, t0 + 10**9, t0 + 1_500_000_000] and not bad.any()
    # a damaged counter two hours ahead, received a second later: bad, the next one fine
    later = t0 + 2 * 10**9
    counter = np.array([1000 + 7200 * MLAT_HZ, 1000 + 2 * MLAT_HZ])
    times, bad = clock.times(counter, np.ones(2, dtype=bool), np.full(2, later))
    assert bad.tolist() == [True, False] and times[1] == t0 + 2 * 10**9
    # the feed was away for three hours and the receiver clock ran on: believed
    away = t0 + 3 * 3600 * 10**9
    c = 1000 + 3 * 3600 * MLAT_HZ
    times, bad = clock.times(np.array([c]), np.ones(1, dtype=bool), np.array([away]))
    assert not bad.any() and times[0] == t0 + 3 * 3600 * 10**9
    # the receiver restarted (counter back near zero): anchored again at its receive time
    times, bad = clock.times(np.array([50]), np.ones(1, dtype=bool), np.array([away + 7]))
    assert times[0] == away + 7 and not bad.any()
    # no clock: the receive time
    times, _ = clock.times(np.array([0]), np.ones(1, dtype=bool), np.array([away + 9]))
    assert times[0] == away + 9
