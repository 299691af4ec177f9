"""Fuzz the PX4 ULog reader with mutated real-track logs (see ``bench/_fuzz_drone.py``).

    /tmp/venv/bin/python bench/fuzz_ulog.py --seconds 120

Samples: ``tests/data/drones/rega.ulg`` (global position + GPS, old PX4 layout) and
a PX4 ≥ 1.14 ``sensor_gps`` log (two instances, padded format) made by the same
generator, each whole and cut to its first 4 KiB (where the definitions are).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airwitness.io.drones import ulog
from bench._fuzz_drone import main
from tests.data.drones import make_fixtures as mf

if __name__ == "__main__":
    new_layout = mf.ulog_bytes(mf.load_track()[:60], ("sensor_gps", "sensor_gps_1", "anon"))
    main("ulog", ulog.read, ["rega.ulg"], {"sensor_gps.ulg": new_layout})
