"""The machine-readable report of an investigation (``report.json``) and its tables.

Everything here is deterministic: sorted keys, no wall-clock time, and every
path relative to the case file's folder, so two runs give identical bytes.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from airwitness import __version__
from airwitness.report.tables import text_columns
from airwitness.times import iso_ms, local_iso, zone

if TYPE_CHECKING:
    from airwitness.investigate.run import Investigation

FINDING_FIELDS = (
    "track_id",
    "time",
    "lon",
    "lat",
    "alt_m",
    "from",
    "to",
    "kind",
    "gap_s",
    "before",
    "after",
    "class",
    "registry",
    "confidence",
    "time_min",
    "time_max",
    "evidence",
    "depth_m",
    "sigma_m",
    "boundary_sigma_m",
    "sensors",
    "corroborated_by",
    "suspect_reason",
    "route",
)


def _round(value: float | None, digits: int) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def rows(table: pa.Table, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    cols = text_columns(table.select([f for f in fields if f in table.column_names]))
    names = list(cols)
    return [dict(zip(names, values, strict=True)) for values in zip(*cols.values(), strict=True)]


def _fusion(inv: Investigation) -> dict[str, Any] | None:
    """What fusion found (docs/fusion.md): every association and what it rests on, the
    tracks a measurement contradicts and why, the radars' biases; None for one sensor."""
    f = inv.fusion
    if f is None:
        return None
    reasons = {f.tracks.ids[k]: why for k, why in f.spoofing.reasons.items()}
    return {
        "associations": rows(f.associations, tuple(f.associations.column_names)),
        "suspect_tracks": [{"track_id": t, "reason": reasons[t]} for t in sorted(reasons)],
        "radar_biases": [
            {
                "sensor": b.sensor,
                "range_m": _round(b.range_m, 1),
                "range_se_m": _round(b.range_se_m, 1),
                "azimuth_deg": _round(b.azimuth_deg, 4),
                "azimuth_se_deg": _round(b.azimuth_se_deg, 4),
                "time_s": _round(b.time_s, 3),
                "time_se_s": _round(b.time_se_s, 3),
                "tracks": b.tracks,
                "reports": b.reports,
                "applied": {
                    "range": b.applied_range,
                    "azimuth": b.applied_azimuth,
                    "time": b.applied_time,
                },
            }
            for b in f.biases
        ],
    }


def build_report(inv: Investigation) -> dict[str, Any]:
    case = inv.case
    cov = inv.coverage
    per_stretch = cov.fraction_per_stretch()
    route_of_stretch = [r.via for r in inv.routes for _ in range(len(r.coverage.stretches))]
    stretches = []
    for k, line in enumerate(cov.stretches):
        xy = np.asarray(line.coords)
        stretches.append(
            {
                "index": k,
                "route": route_of_stretch[k],
                "start": [round(float(xy[0, 0]), 6), round(float(xy[0, 1]), 6)],
                "end": [round(float(xy[-1, 0]), 6), round(float(xy[-1, 1]), 6)],
                "length_m": _round(cov.stretch_length_m[k], 1),
                "covered_fraction": _round(per_stretch[k], 4),
                "lowest_alt_m": _round(cov.lowest_alt_m[k], 1),
                "reports_near": int(cov.reports_near[k]),
            }
        )
    numbers = {
        "crossings_all": inv.crossings.num_rows,
        "findings": inv.findings.num_rows,
        "observed": inv.findings["kind"].to_pylist().count("observed"),
        "inferred": inv.findings["kind"].to_pylist().count("inferred"),
        "suspect": inv.suspect.num_rows,
        "disputed": inv.disputed.num_rows,
        "findings_holding_in_other_set": sum(c.holds is True for c in inv.set_checks),
        "coverage": _round(cov.fraction, 4),
        "tracks": inv.classes.num_rows,
        "reports": inv.prepared.table.num_rows,
        "records": sum(f.records for f in inv.inputs.files),
        "rejects": len(inv.inputs.rejects) + len(inv.prepared.rejects),
    }
    return {
        "airwitness_version": __version__,
        "title": case.title,
        "verdict": inv.verdict,
        "verdict_reason": inv.reason,
        "allegation": {
            "into": case.into,
            "via": _via(inv),
            "since": case.since_text,
            "until": case.until_text,
            "timezone": case.timezone,
            "window_utc": [
                iso_ms(case.since_ns, truncate=True),
                iso_ms(case.until_ns, truncate=True),
            ],
            "window_local": _window_local(inv),
            "aircraft": list(case.aircraft) or "any",
            "operator": case.operator,
        },
        "thresholds": {
            "coverage_threshold": case.option("coverage_threshold"),
            "observed_gap_s": case.option("observed_gap_s"),
            "max_gap_s": case.option("max_gap_s"),
        },
        "numbers": numbers,
        "routes": _routes(inv),
        "findings": _findings(inv),
        "suspect": rows(inv.suspect, FINDING_FIELDS),
        "disputed_findings": _disputed(inv),
        "coverage": {
            "fraction": _round(cov.fraction, 4),
            "stretch_km": case.option("coverage_stretch_km"),
            "bin_min": case.option("coverage_bin_min"),
            "radius_km": case.option("coverage_radius_km"),
            "bins": int(cov.covered.shape[1]),
            "border_length_m": _round(float(cov.stretch_length_m.sum()), 1),
            "stretches": stretches,
        },
        "tracks": _tracks(inv),
        "integrity": rows(inv.flags, tuple(inv.flags.column_names)),
        "fusion": _fusion(inv),
        "origins": [
            {
                "track_id": o.track_id,
                "first_seen": iso_ms(o.first_seen_ns, truncate=True),
                "lon": round(o.lon, 6),
                "lat": round(o.lat, 6),
                "class": o.cls,
                "distance_m": {c: round(d, 1) for c, d in sorted(o.distance_m.items())},
                "reachable_from": o.reachable_from,
            }
            for o in inv.origins
        ],
        "inputs": [
            {
                "path": f.path,
                "format": f.format,
                "records": f.records,
                "accepted": f.accepted,
                "rejects": f.rejects,
            }
            for f in inv.inputs.files
        ],
        "airspace": _airspace(inv),
    }


def _via(inv: Investigation) -> str | list[str]:
    """The routes as the case writes them: a code, a list of codes, or ``any``."""
    routes = list(inv.case.routes)
    return routes[0] if len(routes) == 1 else routes or "any"


def _window_local(inv: Investigation) -> dict[str, Any] | None:
    """The window in the zone the case names (or writes ``since`` in), if any."""
    name = inv.case.local_zone
    if name is None:
        return None
    tz = zone(name)
    ends = (inv.case.since_ns, inv.case.until_ns)
    return {"zone": name, "window": [local_iso(ns, tz, "milliseconds") for ns in ends]}


def _routes(inv: Investigation) -> list[dict[str, Any]]:
    """Each route's verdict and numbers (the findings carry their route too)."""
    out = []
    for r in inv.routes:
        kinds = r.findings["kind"].to_pylist()
        out.append(
            {
                "via": r.via,
                "verdict": r.verdict,
                "verdict_reason": r.reason,
                "findings": r.findings.num_rows,
                "observed": kinds.count("observed"),
                "inferred": kinds.count("inferred"),
                "suspect": r.suspect.num_rows,
                "disputed": r.disputed.num_rows,
                "coverage": _round(r.coverage.fraction, 4),
                "border_length_m": _round(float(r.coverage.stretch_length_m.sum()), 1),
            }
        )
    return out


def _findings(inv: Investigation) -> list[dict[str, Any]]:
    """The findings, each with whether it holds against another boundary set."""
    out = rows(inv.findings, FINDING_FIELDS)
    for row, check in zip(out, inv.set_checks, strict=True):
        row["other_set"] = check.as_dict()
    return out


def _disputed(inv: Investigation) -> list[dict[str, Any]]:
    """Crossings into or out of an area claimed by several states, with the dispute."""
    out = rows(inv.disputed, FINDING_FIELDS)
    for row in out:
        side = row["to"] if inv.airspace.claimants(row["to"]) else row["from"]
        claim = list(inv.airspace.claimants(side))
        row["dispute"] = {
            "code": side,
            "claimants": claim,
            "note": f"{side} is claimed by {' and '.join(claim)} in this boundary set",
        }
    return out


def _tracks(inv: Investigation) -> list[dict[str, Any]]:
    from airwitness.investigate.registry import state_of_registry

    out = rows(inv.classes, tuple(inv.classes.column_names))
    states = state_of_registry([r["track_id"] for r in out])
    for row, state in zip(out, states, strict=True):
        row["registry"] = state
    return out


def _airspace(inv: Investigation) -> dict[str, Any]:
    prov = dict(inv.airspace.provenance)
    if "path" in prov:  # a user set: keep the name, not where it lay on this machine
        prov["path"] = str(prov["path"]).replace("\\", "/").rsplit("/", 1)[-1]
    return prov


def dumps(doc: Any) -> str:
    """Canonical JSON text: sorted keys, two-space indent, newline at the end."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
