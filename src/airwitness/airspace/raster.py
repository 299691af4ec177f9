"""A coarse raster of where boundaries run: a cheap, conservative first filter.

Most segments between consecutive reports are a few kilometres long and far
from any border; one array lookup per segment sets them aside before the exact
(and costlier) geometry runs on the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

CELLS_PER_DEG = 16


@dataclass(frozen=True)
class BoundaryRaster:
    marked: np.ndarray  # bool (rows, cols): a boundary passes within one cell
    per_deg: int = CELLS_PER_DEG

    @classmethod
    def from_lines(cls, lines: np.ndarray, per_deg: int = CELLS_PER_DEG) -> BoundaryRaster:
        """Mark every cell a boundary line passes through, and its 8 neighbours.

        Lines are sampled at a quarter of a cell, so consecutive samples lie
        in the same or adjacent cells and the neighbourhood covers the line.
        """
        dense = shapely.segmentize(lines, 0.25 / per_deg)
        xy = shapely.get_coordinates(dense)
        rows, cols = 180 * per_deg, 360 * per_deg
        cx = np.clip(np.floor((xy[:, 0] + 180.0) * per_deg).astype(np.int64), 0, cols - 1)
        cy = np.clip(np.floor((xy[:, 1] + 90.0) * per_deg).astype(np.int64), 0, rows - 1)
        hit = np.zeros((rows, cols), dtype=bool)
        hit[cy, cx] = True
        marked = hit.copy()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                if dx or dy:
                    marked |= np.roll(np.roll(hit, dy, axis=0), dx, axis=1)
        return cls(marked, per_deg)

    def near(self, lon0, lat0, lon1, lat1) -> np.ndarray:
        rows, cols = self.marked.shape
        k = self.per_deg
        # Great circles bulge poleward of the straight lon/lat line by about
        # (Δλ²/8)·sinφ·cosφ radians; pad the box by that (and a hair).
        dlon = np.radians(np.abs(np.asarray(lon1) - np.asarray(lon0)))
        phi = np.radians((np.asarray(lat0) + np.asarray(lat1)) / 2)
        pad = np.degrees(dlon * dlon / 8 * np.abs(np.sin(phi) * np.cos(phi))) + 1e-9
        x0 = np.floor((np.minimum(lon0, lon1) + 180.0) * k).astype(np.int64)
        x1 = np.floor((np.maximum(lon0, lon1) + 180.0) * k).astype(np.int64)
        y0 = np.floor((np.minimum(lat0, lat1) - pad + 90.0) * k).astype(np.int64)
        y1 = np.floor((np.maximum(lat0, lat1) + pad + 90.0) * k).astype(np.int64)
        small = (x1 - x0 <= 1) & (y1 - y0 <= 1)
        x0, x1 = np.clip(x0, 0, cols - 1), np.clip(x1, 0, cols - 1)
        y0, y1 = np.clip(y0, 0, rows - 1), np.clip(y1, 0, rows - 1)
        m = self.marked
        hit = m[y0, x0] | m[y0, x1] | m[y1, x0] | m[y1, x1]
        return hit | ~small
