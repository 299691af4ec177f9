"""How dense the clutter is where each detection lies: a clutter map from the data.

Radars keep clutter maps for the same reason: false plots are not spread evenly
(ground clutter, sea, weather, a town). The density at a detection is the count
of all the sensor's detections in its cell of the local plane, over the whole
capture, per scan and per unit area, and never below the settings' floor. Real
targets add a plot per scan along their path, a negligible share of a cell's
count over a capture of many scans.
"""

from __future__ import annotations

import numpy as np


def clutter_density(
    xy: np.ndarray, n_scans: float, cell_m: float, floor_per_km2: float
) -> np.ndarray:
    """False detections per m² per scan around each point ``xy`` (n, 2).

    >>> xy = np.array([[100.0, 100.0], [200.0, 300.0], [5000.0, 5000.0]])
    >>> clutter_density(xy, n_scans=10, cell_m=1000.0, floor_per_km2=0.0) * 1e6
    array([0.2, 0.2, 0.1])
    """
    cells = np.floor(xy / cell_m).astype(np.int64)
    key = cells[:, 0] * 1_000_003 + cells[:, 1]
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    per_m2 = counts[inverse] / (max(n_scans, 1.0) * cell_m * cell_m)
    return np.maximum(per_m2, floor_per_km2 / 1e6)
