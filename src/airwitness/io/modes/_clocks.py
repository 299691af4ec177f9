"""Receiver clocks: absolute times from the 48-bit timestamps of Beast and AVR captures."""

from __future__ import annotations

import datetime as dt

import numpy as np

from airwitness import reasons
from airwitness.errors import InputError
from airwitness.io.options import ReadOptions

_NS = 1_000_000_000
MLAT_HZ = 12_000_000
#: readsb marks synthetic messages built from multilateration results with this value
MAGIC_MLAT = 0xFF004D4C4154


def counter_times(
    src_name: str,
    counter: np.ndarray,
    usable: np.ndarray,
    options: ReadOptions | None,
    what: str,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Absolute times from 48-bit receiver timestamps: ``(time_ns, {reason: mask})``.

    ``usable`` marks the records that carry a message. Two clocks exist:

    - a free-running 12 MHz counter (dump1090, readsb, Beast hardware):
      ``time = options.start_time_ns + (counter - first counter) / 12 MHz``,
      exact to the nanosecond; without a start time the times are unknown and
      InputError is raised;
    - GPS time of day (Radarcape, OpenSky sensors): the upper 18 bits are
      seconds since midnight UTC, the lower 30 bits nanoseconds. Used when
      the user gives a date (``options.date``) and no start time; midnight
      rollovers add a day. Timestamps that do not fit the layout are ``bad
      timestamp``; if none fits, InputError.

    The masks name records whose time cannot be known: ``no timestamp`` (zero:
    no clock, or readsb's synthetic-MLAT marker), ``bad timestamp`` (a damaged
    value, see :func:`_spikes`: it would otherwise shift or cut the capture),
    ``receiver clock reset`` (from the first sustained jump back by more than a
    second on: the receiver restarted, a new capture needs its own start time).
    """
    options = options or ReadOptions()
    n = len(counter)
    counter = counter.astype(np.int64)
    untimed = usable & ((counter == 0) | (counter == MAGIC_MLAT))
    bad = np.zeros(n, dtype=bool)
    reset = np.zeros(n, dtype=bool)
    masks = {
        reasons.NO_TIMESTAMP: untimed,
        reasons.BAD_TIMESTAMP: bad,
        reasons.RECEIVER_CLOCK_RESET: reset,
    }
    time_ns = np.zeros(n, dtype=np.int64)
    timed = np.flatnonzero(usable & ~untimed)
    if len(timed) == 0:
        return time_ns, masks
    c = counter[timed]
    secs, frac = c >> 30, c & 0x3FFFFFFF
    fits = (secs < 86_400) & (frac < _NS)
    gps = options.start_time_ns is None and options.date is not None
    if options.start_time_ns is None and not (gps and fits.any()):
        hint = (
            "; or the date (--date) if they are GPS time of day (Radarcape)"
            if fits.all() and options.date is None
            else ""
        )
        raise InputError(
            src_name,
            f"{what} has only relative timestamps: give the start time (--start-time){hint}",
        )
    if gps:
        values, unit, period = secs * _NS + frac, _NS, 86_400 * _NS
        bad[timed[~fits]] = True
        keep = np.flatnonzero(fits)
    else:
        values, unit, period = c, MLAT_HZ, None
        keep = np.arange(len(c))
    spike = _spikes(values[keep], unit, 3600 * unit, period)
    bad[timed[keep[spike]]] = True
    keep = keep[~spike]
    if len(keep) == 0:
        return time_ns, masks
    v = values[keep]
    if gps:
        time_ns[timed[keep]] = _gps_times(v, options)
        return time_ns, masks
    back = np.flatnonzero(v < np.maximum.accumulate(v) - MLAT_HZ)
    if len(back):  # from the first jump back on, the clock no longer tells the time
        reset[timed[keep[back[0] :]]] = True
    # exact integer ns: delta * 1e9 / 12e6 = delta * 250 / 3
    time_ns[timed[keep]] = options.start_time_ns + ((v - v[0]) * 250) // 3
    return time_ns, masks


def _spikes(v: np.ndarray, tol: int, end_tol: int, period: int | None = None) -> np.ndarray:
    """Damaged values in a clock sequence: inside, a value more than ``tol`` from both
    neighbours, which agree within ``tol`` (a monotonic clock cannot do that); at
    either end, one more than ``end_tol`` from its neighbour, whose own neighbour
    agrees with it (a real gap that long at the very start or end is unlikely).
    With ``period`` the differences are taken around the clock (time of day).
    """
    n = len(v)
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    d = np.diff(v)
    if period is not None:
        d = (d + period // 2) % period - period // 2
    big = np.abs(d) > tol
    out[1:-1] = big[:-1] & big[1:] & (np.abs(d[:-1] + d[1:]) <= tol)
    out[0] = abs(d[0]) > end_tol and not big[1]
    out[-1] = abs(d[-1]) > end_tol and not big[-2]
    return out


def _gps_times(tod: np.ndarray, options: ReadOptions) -> np.ndarray:
    assert options.date is not None
    midnight = dt.datetime.combine(options.date, dt.time(), tzinfo=dt.UTC)
    base = int(midnight.timestamp()) * _NS
    rollover = np.concatenate(([0], np.cumsum(np.diff(tod) < -12 * 3600 * _NS)))
    return base + tod + rollover * 86_400 * _NS


#: a receiver counter this far ahead of the previous frame's is a damaged value, unless
#: as much time passed between receiving the two (the feed was away, the clock ran on)
JUMP_AHEAD_TICKS = 3600 * MLAT_HZ
#: how much further the counter may run than the receive times did
JUMP_SLACK_NS = 60 * _NS


class LiveClock:
    """A receiver's 12 MHz counter turned into UTC as frames arrive (``airwitness watch``).

    The first timed frame anchors the clock at the time it was received: a frame's
    time is ``anchor receive time + (counter − anchor counter) / 12 MHz``, exact
    to the nanosecond as in :func:`counter_times` with the anchor as start time, so
    the receiver's own spacing of the messages is kept however late they arrive. A
    counter that goes back by more than a second (the receiver restarted) anchors
    again at that frame; one more than an hour ahead of the previous frame is a
    damaged value (``bad timestamp``) unless the receive times moved on as much
    (less a minute): a feed that was away for hours goes on. A zero counter (no
    clock) or readsb's synthetic-MLAT marker takes its frame's receive time.
    """

    def __init__(self) -> None:
        self.anchor_counter: int | None = None
        self.anchor_ns = 0
        self.last = 0
        self.last_received = 0

    def times(
        self, counter: np.ndarray, usable: np.ndarray, receive_ns: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(time_ns, bad)`` for frames in arrival order; ``bad`` marks damaged counters."""
        counter = counter.astype(np.int64)
        time_ns = np.asarray(receive_ns, dtype=np.int64).copy()
        bad = np.zeros(len(counter), dtype=bool)
        timed = np.flatnonzero(usable & (counter != 0) & (counter != MAGIC_MLAT))
        if self.anchor_counter is not None and len(timed):
            c = counter[timed]
            step = np.diff(c, prepend=self.last)
            if ((step >= -MLAT_HZ) & (step <= JUMP_AHEAD_TICKS)).all():  # the usual case
                time_ns[timed] = self.anchor_ns + ((c - self.anchor_counter) * 250) // 3
                self.last = int(c[-1])
                self.last_received = int(receive_ns[timed[-1]])
                return time_ns, bad
        for i in timed.tolist():  # an anchor or a jump: frame by frame
            c = int(counter[i])
            received = int(receive_ns[i])
            if self.anchor_counter is None or c < self.last - MLAT_HZ:
                self.anchor_counter, self.anchor_ns = c, received
            elif c > self.last + JUMP_AHEAD_TICKS:
                ran_ns = ((c - self.last) * 250) // 3
                if ran_ns > received - self.last_received + JUMP_SLACK_NS:
                    bad[i] = True
                    continue
            self.last, self.last_received = c, received
            time_ns[i] = self.anchor_ns + ((c - self.anchor_counter) * 250) // 3
        return time_ns, bad
