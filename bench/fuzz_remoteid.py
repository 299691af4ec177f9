"""Fuzz the Remote ID receiver-log reader with mutated real-track logs (``bench/_fuzz_drone.py``).

    /tmp/venv/bin/python bench/fuzz_remoteid.py --seconds 120

Sample: ``tests/data/drones/rega_remoteid.txt`` (Location, Basic ID and Message
Pack lines with ISO and unix receiver times), whole and cut to its first 4 KiB.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airwitness.io.drones import remoteid
from bench._fuzz_drone import main

if __name__ == "__main__":
    main("remoteid", remoteid.read, ["rega_remoteid.txt"])
