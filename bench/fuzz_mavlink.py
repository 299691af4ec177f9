"""Fuzz the MAVLink tlog reader with mutated real-track logs (see ``bench/_fuzz_drone.py``).

    /tmp/venv/bin/python bench/fuzz_mavlink.py --seconds 120

Sample: ``tests/data/drones/rega.tlog`` (MAVLink 2, GLOBAL_POSITION_INT and
GPS_RAW_INT among heartbeats and attitude), whole and cut to its first 4 KiB.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airwitness.io.drones import mavlink
from bench._fuzz_drone import main

if __name__ == "__main__":
    main("mavlink", mavlink.read, ["rega.tlog"])
