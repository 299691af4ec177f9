"""From a case file to findings, coverage and a verdict.

The verdict rules (also in ``docs/investigate.md``):

* ``confirmed``    — at least one *observed* crossing from ``via`` into ``into``
  in the window, by an aircraft of a class the allegation names, with a
  confidence of at least ``confidence_threshold`` (default 0.99, see
  :mod:`airwitness.confidence`);
* ``indicated``    — such crossings, but only *inferred* ones or less sure ones;
* ``not_observed`` — none, and coverage of the ``via``/``into`` border in the
  window is at least the threshold (default 0.9);
* ``inconclusive`` — none, and coverage below the threshold.

Crossings made by physically implausible segments (see :mod:`.integrity`) are
``suspect``: listed, never counted. Crossings into (or out of) an area that
``into`` (or ``via``) claims together with others (a joint code such as
``RUS+UKR``) are *disputed findings*: listed apart with the dispute stated, never
counted. Every finding is also tested against another boundary set
(:mod:`.crosscheck`), which says whether it holds there too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from airwitness.airspace import INTL, Airspace
from airwitness.crossings import find_crossings
from airwitness.investigate.casefile import Case, CaseError, check_codes
from airwitness.investigate.classify import classify_tracks
from airwitness.investigate.coverage import CoverageGrid, measure_coverage, shared_border
from airwitness.investigate.crosscheck import SetCheck, check_findings, other_set_name
from airwitness.investigate.integrity import integrity_flags
from airwitness.investigate.performance import max_range_m, reachable
from airwitness.investigate.registry import state_of_registry
from airwitness.pipeline import Inputs, read_inputs, reports_per_track
from airwitness.schema import concat
from airwitness.tracks import PreparedTracks, prepare_tracks


@dataclass
class Origin:
    """Where a track first seen inside ``into`` could have come from."""

    track_id: str
    first_seen_ns: int
    lon: float
    lat: float
    cls: str
    distance_m: dict[str, float]  # neighbouring airspace -> shortest distance
    reachable_from: list[str]


@dataclass
class Investigation:
    case: Case
    airspace: Airspace
    inputs: Inputs
    prepared: PreparedTracks
    crossings: pa.Table  # every crossing, all airspaces, with class/state/suspect columns
    findings: pa.Table
    suspect: pa.Table
    disputed: pa.Table  # into/out of areas claimed jointly with into/via: listed, not counted
    set_checks: list[SetCheck]  # per finding: does it hold against another boundary set?
    classes: pa.Table
    flags: pa.Table
    coverage: CoverageGrid
    origins: list[Origin]
    verdict: str
    reason: str


def open_airspace(case: Case) -> Airspace:
    if case.airspace_file is None:
        return Airspace.builtin(case.airspace_set)
    return Airspace.from_file(case.airspace_file, case.code_field or "")


def investigate(case: Case) -> Investigation:
    """Run the whole pipeline over the case's evidence and weigh the result."""
    sky = open_airspace(case)
    try:
        check_codes(case, set(sky.code_names))
    except CaseError:
        raise
    inputs = _read_evidence(case)
    prepared = prepare_tracks(inputs.table, max_gap_s=case.option("max_gap_s"))
    classes = classify_tracks(prepared.table, hints=case.hints)
    flags = integrity_flags(prepared.table)
    crossings = _annotate(
        find_crossings(
            prepared.table,
            sky,
            observed_gap_s=case.option("observed_gap_s"),
            boundary_sigma_m=case.boundary_sigma_m,
            reports_per_track=reports_per_track(inputs.table),
        ),
        classes,
        flags,
    )
    relevant = _relevant(crossings, case, [case.via], [case.into])
    suspect_mask = np.asarray(relevant["suspect"].to_pylist(), dtype=bool)
    findings = relevant.filter(pa.array(~suspect_mask))
    suspect = relevant.filter(pa.array(suspect_mask))
    disputed = _disputed(crossings, case, sky)
    set_checks = check_findings(
        findings,
        prepared.table,
        Airspace.builtin(other_set_name(sky)),
        case.via,
        case.into,
        observed_gap_s=case.option("observed_gap_s"),
    )

    border = shared_border(_code_geometry(sky, case.via), _code_geometry(sky, case.into))
    coverage = measure_coverage(
        prepared.table,
        border,
        since_ns=case.since_ns,
        until_ns=case.until_ns,
        stretch_m=case.option("coverage_stretch_km") * 1000,
        bin_s=case.option("coverage_bin_min") * 60,
        radius_m=case.option("coverage_radius_km") * 1000,
    )
    verdict, reason = weigh(
        findings,
        coverage.fraction,
        case.option("coverage_threshold"),
        case.option("confidence_threshold"),
    )
    if disputed.num_rows:
        joint = sorted({c for c in disputed["to"].to_pylist() + disputed["from"].to_pylist()})
        joint = [c for c in joint if sky.claimants(c)]
        reason += (
            f"; {disputed.num_rows} crossing(s) into or out of disputed areas "
            f"({', '.join(joint)}) listed apart, not counted"
        )
    origins = _origins(prepared.table, crossings, classes, sky, case)
    return Investigation(
        case,
        sky,
        inputs,
        prepared,
        crossings,
        findings,
        suspect,
        disputed,
        set_checks,
        classes,
        flags,
        coverage,
        origins,
        verdict,
        reason,
    )


def weigh(
    findings: pa.Table, coverage: float, threshold: float, confidence_threshold: float = 0.99
) -> tuple[str, str]:
    """The verdict and one sentence saying why."""
    kinds = findings["kind"].to_pylist() if findings.num_rows else []
    sure = findings["confidence"].to_pylist() if findings.num_rows else []
    observed = [c for k, c in zip(kinds, sure, strict=True) if k == "observed"]
    confirmed = [c for c in observed if c >= confidence_threshold]
    if confirmed:
        return "confirmed", (
            f"{len(confirmed)} observed crossing(s) in the window with confidence "
            f">= {confidence_threshold:g} (the surest {max(confirmed):.4f})"
        )
    if kinds:
        why = []
        if observed:
            why.append(
                f"{len(observed)} observed, none with confidence >= {confidence_threshold:g} "
                f"(the surest {max(observed):.4f})"
            )
        inferred = len(kinds) - len(observed)
        if inferred:
            why.append(f"{inferred} inferred")
        return "indicated", f"{len(kinds)} crossing(s): " + "; ".join(why)
    if coverage >= threshold:
        return "not_observed", (
            f"no crossing seen while the border was covered {coverage:.1%} of the time "
            f"(threshold {threshold:.0%})"
        )
    return "inconclusive", (
        f"no crossing seen, but the border was covered only {coverage:.1%} of the time "
        f"(threshold {threshold:.0%})"
    )


def _read_evidence(case: Case) -> Inputs:
    """Read every evidence file, naming it by its path relative to the case file."""
    parts = [
        read_inputs(
            list(ev.paths),
            format=ev.format,
            names=[relative_name(p, case.base_dir) for p in ev.paths],
        )
        for ev in case.evidence
    ]
    return Inputs(
        table=concat([p.table for p in parts]),
        rejects=[r for p in parts for r in p.rejects],
        files=[f for p in parts for f in p.files],
    )


def relative_name(path: Path, base: Path) -> str:
    """``path`` relative to ``base``, with forward slashes (stable across machines)."""
    return Path(os.path.relpath(path, base)).as_posix()


def _annotate(crossings: pa.Table, classes: pa.Table, flags: pa.Table) -> pa.Table:
    """Add each crossing's track class, state of registry and integrity status."""
    cls_of = dict(zip(classes["track_id"].to_pylist(), classes["class"].to_pylist(), strict=True))
    ids = crossings["track_id"].to_pylist()
    bad = set(zip(flags["track_id"].to_pylist(), flags["segment"].to_pylist(), strict=True))
    segs = crossings["segment"].to_pylist()
    return (
        crossings.append_column(
            "class", pa.array([cls_of.get(i, "unknown") for i in ids], type=pa.string())
        )
        .append_column("registry", pa.array(state_of_registry(ids), type=pa.string()))
        .append_column(
            "suspect",
            pa.array([(i, s) in bad for i, s in zip(ids, segs, strict=True)], type=pa.bool_()),
        )
    )


def _relevant(
    crossings: pa.Table, case: Case, from_codes: list[str], into_codes: list[str]
) -> pa.Table:
    """Crossings from one of ``from_codes`` into one of ``into_codes`` in the case's
    window, by an aircraft of a class it names."""
    t = crossings["time"].cast(pa.int64())
    mask = pc.and_(
        pc.and_(
            pc.is_in(crossings["from"], pa.array(from_codes, pa.string())),
            pc.is_in(crossings["to"], pa.array(into_codes, pa.string())),
        ),
        pc.and_(pc.greater_equal(t, case.since_ns), pc.less_equal(t, case.until_ns)),
    )
    if case.aircraft:
        mask = pc.and_(mask, pc.is_in(crossings["class"], pa.array(list(case.aircraft))))
    return crossings.filter(mask)


def _disputed(crossings: pa.Table, case: Case, sky: Airspace) -> pa.Table:
    """Relevant but for a joint code on either side (``UKR`` -> ``RUS+UKR`` for an
    allegation into RUS via UKR), neither suspect nor an exact finding."""
    via = sky.codes_matching(case.via, include_disputed=True)
    into = sky.codes_matching(case.into, include_disputed=True)
    near = _relevant(crossings, case, list(via), list(into))
    exact = pc.and_(pc.equal(near["from"], case.via), pc.equal(near["to"], case.into))
    return near.filter(pc.and_(pc.invert(exact), pc.invert(near["suspect"])))


def _code_geometry(sky: Airspace, code: str) -> shapely.Geometry:
    geoms = [
        g for c, g in zip(sky.boundaries.codes, sky.boundaries.geoms, strict=True) if c == code
    ]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


def _origins(
    table: pa.Table, crossings: pa.Table, classes: pa.Table, sky: Airspace, case: Case
) -> list[Origin]:
    """Tracks first seen inside ``into`` in the window without an observed entry."""
    if table.num_rows == 0:
        return []
    ids = np.asarray(table["track_id"].to_pylist(), dtype=object)
    first = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    t = np.asarray(table["time"].combine_chunks().cast(pa.int64()).to_numpy())[first]
    lon = table["lon"].to_numpy()[first]
    lat = table["lat"].to_numpy()[first]
    codes = sky.decode_labels(sky.label(lon, lat))
    inside = (codes == case.into) & (t >= case.since_ns) & (t <= case.until_ns)
    entered = set(
        crossings.filter(
            pc.and_(pc.equal(crossings["to"], case.into), pc.equal(crossings["kind"], "observed"))
        )["track_id"].to_pylist()
    )
    cls_of = dict(zip(classes["track_id"].to_pylist(), classes["class"].to_pylist(), strict=True))
    into_geom = _code_geometry(sky, case.into)
    neighbours = _neighbours(sky, into_geom, case.into)
    out = []
    for k in np.flatnonzero(inside):
        tid = ids[first[k]]
        if tid in entered:
            continue
        dist = _distances(float(lon[k]), float(lat[k]), neighbours)
        cls = cls_of.get(tid, "unknown")
        out.append(
            Origin(
                tid,
                int(t[k]),
                float(lon[k]),
                float(lat[k]),
                cls,
                dist,
                sorted(c for c, d in dist.items() if reachable(d, cls)),
            )
        )
    return out


def _neighbours(sky: Airspace, geom: shapely.Geometry, code: str) -> dict[str, shapely.Geometry]:
    """Airspaces touching ``geom`` (within ~1 km), plus INTL if it has a sea edge."""
    near = shapely.buffer(geom, 0.01)
    out: dict[str, list] = {}
    for c, g in zip(sky.boundaries.codes, sky.boundaries.geoms, strict=True):
        if c != code and shapely.intersects(g, near):
            out.setdefault(c, []).append(g)
    return {c: shapely.union_all(gs) for c, gs in sorted(out.items())}


def _distances(lon: float, lat: float, neighbours: dict[str, shapely.Geometry]) -> dict[str, float]:
    """Shortest distance in metres from a point to each airspace (local projection)."""
    proj = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84"),
        always_xy=True,
    )
    out = {}
    for code, geom in neighbours.items():
        local = shapely.transform(
            geom, lambda xy: np.column_stack(proj.transform(xy[:, 0], xy[:, 1]))
        )
        out[code] = float(shapely.distance(local, shapely.Point(0.0, 0.0)))
    return out


__all__ = ["INTL", "Investigation", "Origin", "investigate", "max_range_m", "weigh"]
