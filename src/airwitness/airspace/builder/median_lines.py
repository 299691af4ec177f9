"""Median lines: overlapping territorial-sea zones split between codes by nearest coast.

Where the zones of neighbouring codes overlap, a Voronoi diagram of their
densely sampled coastlines decides which code is nearer; with different widths,
what the nearest code does not reach goes to the nearest of the others.
Everything here is in a tile's local projection (metres).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import Geometry

from airwitness.airspace.builder.cleanup import MIN_AREA_M2, clean
from airwitness.airspace.polygonal import EMPTY

__all__ = ["CoastPoints", "overlap_groups", "split_group"]


def overlap_groups(ids: list[int], zones: dict[int, Geometry]) -> list[list[int]]:
    """Connected groups of codes whose zones overlap (by area)."""
    parent = {ci: ci for ci in ids}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    geoms = np.array([zones[ci] for ci in ids], dtype=object)
    if len(ids) > 1:
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            if a < b and shapely.area(shapely.intersection(geoms[a], geoms[b])) > MIN_AREA_M2:
                parent[find(ids[a])] = find(ids[b])
    groups: dict[int, list[int]] = {}
    for ci in ids:
        groups.setdefault(find(ci), []).append(ci)
    return [sorted(g) for g in groups.values()]


@dataclass(frozen=True)
class CoastPoints:
    """Coast samples of a tile in its local projection."""

    x: np.ndarray
    y: np.ndarray
    code: np.ndarray
    neighbour: np.ndarray

    def take(self, mask: np.ndarray) -> CoastPoints:
        return CoastPoints(self.x[mask], self.y[mask], self.code[mask], self.neighbour[mask])


def split_group(
    group: list[int],
    zones: dict[int, Geometry],
    widths: np.ndarray,
    pts: CoastPoints,
    spacing_m: float,
) -> dict[int, Geometry]:
    """Give each point of the overlapping ``zones`` to the nearest code that covers it.

    What only one zone covers stays with it. The contested part is split by a
    Voronoi diagram of the codes' coast samples. With equal widths the nearest
    code always covers a point that another code covers, so that settles it;
    with different widths, the parts whose nearest code does not reach them
    go, recursively, to the nearest of the remaining codes.
    """
    group = [ci for ci in group if ci in zones and not zones[ci].is_empty]
    if len(group) <= 1:
        return {ci: zones[ci] for ci in group}
    contested_parts = [
        shapely.intersection(zones[a], zones[b])
        for i, a in enumerate(group)
        for b in group[i + 1 :]
        if shapely.intersects(zones[a], zones[b])
    ]
    contested = clean(shapely.union_all(contested_parts), MIN_AREA_M2)
    if contested.is_empty:
        return {ci: zones[ci] for ci in group}
    # Samples near the contested area: its points have their nearest coast
    # within the widest zone (plus sampling) of it.
    bx0, by0, bx1, by1 = contested.bounds
    reach = float(widths[group].max()) + 3 * spacing_m
    near = (
        np.isin(pts.code, group)
        & (pts.x >= bx0 - reach)
        & (pts.x <= bx1 + reach)
        & (pts.y >= by0 - reach)
        & (pts.y <= by1 + reach)
    )
    # Border points shared by two codes of the group never decide between them.
    use = near & ~np.isin(pts.neighbour, group)
    cells = _voronoi_by_code(group, pts.take(use), contested)
    out = {}
    for ci in group:
        # Keep what no other zone covers, and what this code is nearest to:
        # Z − (others − V). (Differencing with the contested part instead
        # leaves zero-width spikes along arcs that both share.)
        others = shapely.union_all([zones[d] for d in group if d != ci])
        out[ci] = clean(
            shapely.difference(zones[ci], shapely.difference(others, cells[ci])), MIN_AREA_M2
        )
    if len({float(widths[ci]) for ci in group}) > 1:
        for d in group:
            rest = clean(
                shapely.difference(shapely.intersection(contested, cells[d]), zones[d]), 1e4
            )
            if rest.is_empty:
                continue
            others = [c for c in group if c != d]
            sub_zones = {
                c: clean(shapely.intersection(zones[c], rest), MIN_AREA_M2) for c in others
            }
            # Without d, d's borders with the others are plain land of theirs.
            keep = pts.code != d
            sub_pts = CoastPoints(
                pts.x[keep],
                pts.y[keep],
                pts.code[keep],
                np.where(pts.neighbour[keep] == d, -1, pts.neighbour[keep]),
            )
            sub = split_group(others, sub_zones, widths, sub_pts, spacing_m)
            for c, g in sub.items():
                if not g.is_empty:
                    out[c] = clean(shapely.union(out[c], g), MIN_AREA_M2)
    return out


def _voronoi_by_code(group: list[int], pts: CoastPoints, region: Geometry) -> dict[int, Geometry]:
    """Voronoi regions of each code's sample points over ``region``, dissolved per code."""
    env = region.envelope.buffer(1000.0)
    present = sorted(set(pts.code.tolist()) & set(group))
    if len(present) <= 1:
        # Only one code (or none, which cannot happen with real land) has coast here.
        winner = present[0] if present else group[0]
        return {ci: (env if ci == winner else EMPTY) for ci in group}
    # Round to 1 mm and drop duplicates (the projection may merge near-identical points).
    xy = np.round(np.column_stack([pts.x, pts.y]), 3)
    xy, first = np.unique(xy, axis=0, return_index=True)
    code = pts.code[first]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=env, ordered=True)
    )
    out = {}
    for ci in group:
        mine = cells[code == ci]
        out[ci] = shapely.coverage_union_all(mine) if len(mine) else EMPTY
    return out
