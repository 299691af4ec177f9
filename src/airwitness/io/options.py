"""What some formats need from the user to be read completely.

Raw captures often lack context: a Beast or AVR capture may carry only a
receiver's relative clock, ASTERIX carries time of day without a date, CPR
positions decode locally only near a known reference, and monoradar plots need
the radar's site. Readers that need none of this ignore it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReadOptions:
    #: UTC start of a capture whose timestamps are relative (ns since the epoch)
    start_time_ns: int | None = None
    #: UTC date of a capture that carries only the time of day (ASTERIX)
    date: dt.date | None = None
    #: (lat, lon) in degrees near the receiver: local CPR decoding and sanity checks
    reference: tuple[float, float] | None = None
    #: a file of radar sites keyed by SAC/SIC, for monoradar plots without CAT034
    sensors: Path | None = None
