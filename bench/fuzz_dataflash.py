"""Fuzz the ArduPilot DataFlash reader with mutated real-track logs (see ``bench/_fuzz_drone.py``).

    /tmp/venv/bin/python bench/fuzz_dataflash.py --seconds 120

Sample: ``tests/data/drones/rega.bin`` (FMT, PARM, MSG, GPS of two receivers, POS),
whole and cut to its first 4 KiB.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airwitness.io.drones import dataflash
from bench._fuzz_drone import main

if __name__ == "__main__":
    main("dataflash", dataflash.read, ["rega.bin"])
