"""Does a finding depend on the boundary set? Each one tested against another set.

A crossing is found against boundaries that are themselves drawn with some error
(Natural Earth's borders lie a kilometre from OpenStreetMap's in places). So every
finding of a case is tested again against the other built-in set (``ne10m`` for
``osm``, ``osm`` for ``ne10m``; ``osm`` for a user's file): the same track segment
is crossed against it, and the finding *holds* there when that segment also crosses
from ``via`` (for ``via: any``, from anywhere else) into ``into``. The nearest such
crossing is reported with how far and how long it lies from the finding, so a
reader sees how much the boundary matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from airwitness.airspace import BUILTIN_SETS, DEFAULT_SET, Airspace
from airwitness.crossings import find_crossings
from airwitness.geodesy import haversine_m
from airwitness.times import rows_ns


@dataclass(frozen=True)
class SetCheck:
    """One finding tested against another boundary set."""

    boundary_set: str
    holds: bool | None  # None: that set has no such code, the question does not apply
    time_shift_s: float | None = None  # its nearest via -> into crossing, minus the finding
    distance_m: float | None = None
    before: str | None = None
    after: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "boundary_set": self.boundary_set,
            "holds": self.holds,
            "time_shift_s": None if self.time_shift_s is None else round(self.time_shift_s, 3),
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "before": self.before,
            "after": self.after,
        }


def other_set_name(airspace: Airspace) -> str:
    """The built-in set a case's findings are tested against."""
    name = airspace.provenance.get("name")
    if name in BUILTIN_SETS and "path" not in airspace.provenance:
        others = [n for n in BUILTIN_SETS if n != name]
        return others[0]
    return DEFAULT_SET


def check_findings(
    findings: pa.Table,
    tracks: pa.Table,
    other: Airspace,
    via: str | None,
    into: str,
    *,
    observed_gap_s: float,
) -> list[SetCheck]:
    """One :class:`SetCheck` per finding (row order), against ``other``.

    ``tracks`` is the prepared table the findings were found in; ``via`` None
    stands for any route (a crossing into ``into`` from anything else holds).
    """
    name = str(other.provenance.get("name", "boundaries"))
    if not findings.num_rows:
        return []
    if not (other.has_code(into) and (via is None or other.has_code(via))):
        return [SetCheck(name, None)] * findings.num_rows
    ids = sorted(set(findings["track_id"].to_pylist()))
    subset = tracks.filter(pc.is_in(tracks["track_id"], pa.array(ids, tracks["track_id"].type)))
    again = find_crossings(subset, other, observed_gap_s=observed_gap_s)
    if via is None:
        into_near = pa.array(list(other.codes_matching(into, include_disputed=True)), pa.string())
        entering = pc.invert(pc.is_in(again["from"], into_near))
    else:
        entering = pc.equal(again["from"], via)
    again = again.filter(pc.and_(entering, pc.equal(again["to"], into)))
    by_segment: dict[tuple[str, int], list[dict]] = {}
    for row in _rows(again):
        by_segment.setdefault((row["track_id"], row["segment"]), []).append(row)
    out = []
    for f in _rows(findings):
        candidates = by_segment.get((f["track_id"], f["segment"]), [])
        if not candidates:
            out.append(SetCheck(name, False))
            continue
        best = min(candidates, key=lambda c: (abs(c["time_ns"] - f["time_ns"]), c["time_ns"]))
        out.append(
            SetCheck(
                name,
                True,
                time_shift_s=(best["time_ns"] - f["time_ns"]) / 1e9,
                distance_m=float(haversine_m(f["lon"], f["lat"], best["lon"], best["lat"])),
                before=best["before"],
                after=best["after"],
            )
        )
    return out


def _rows(table: pa.Table) -> list[dict]:
    """Rows with the times as integer nanoseconds, ``time`` as ``time_ns``."""
    rows = rows_ns(table)
    for row in rows:
        row["time_ns"] = row.pop("time")
    return rows
