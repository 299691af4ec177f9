"""From a case file to findings, coverage and a verdict.

The verdict rules (also in ``docs/investigate.md``), for each route of the
allegation (``via``: a code, several, or ``any``; :mod:`.routes`):

* ``confirmed``    — at least one *observed* crossing by the route into ``into``
  in the window, by an aircraft of a class the allegation names, with a
  confidence of at least ``confidence_threshold`` (default 0.99, see
  :mod:`airwitness.confidence`);
* ``indicated``    — such crossings, but only *inferred* ones or less sure ones;
* ``not_observed`` — none, and coverage of the route's border with ``into`` in the
  window is at least the threshold (default 0.9);
* ``inconclusive`` — none, and coverage below the threshold.

The case's verdict is the strongest over its routes (:func:`.routes.combine`).
Crossings made by physically implausible segments (see :mod:`.integrity`) are
``suspect``: listed, never counted. Crossings into (or out of) an area that
``into`` (or the route) claims together with others (a joint code such as
``RUS+UKR``) are *disputed findings*: listed apart with the dispute stated, never
counted. Every finding is also tested against another boundary set
(:mod:`.crosscheck`), which says whether it holds there too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from airwitness.airspace import INTL, Airspace
from airwitness.corroboration import crossings_across_sensors
from airwitness.fusion import Fusion
from airwitness.investigate.casefile import ANY_ROUTE, Case, CaseError, check_codes
from airwitness.investigate.classify import classify_tracks
from airwitness.investigate.coverage import (
    CoverageGrid,
    measure_coverage,
    shared_border,
    stack_grids,
    whole_border,
)
from airwitness.investigate.crosscheck import SetCheck, check_findings, other_set_name
from airwitness.investigate.evidence import read_evidence
from airwitness.investigate.integrity import integrity_flags
from airwitness.investigate.performance import max_range_m, reachable
from airwitness.investigate.registry import state_of_registry
from airwitness.investigate.routes import (
    Route,
    RouteMasks,
    combine,
    disputed_note,
    route_masks,
    weigh,
)
from airwitness.pipeline import Inputs
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
    findings: pa.Table  # of every route, in crossing order
    suspect: pa.Table
    disputed: pa.Table  # into/out of areas claimed jointly with into/via: listed, not counted
    set_checks: list[SetCheck]  # per finding: does it hold against another boundary set?
    classes: pa.Table
    flags: pa.Table
    coverage: CoverageGrid  # every route's border, the routes' stretches one after another
    origins: list[Origin]
    verdict: str
    reason: str
    routes: list[Route]  # each route weighed on its own, in the case's order
    #: the tracks associated across sensors (None: the evidence is of one sensor)
    fusion: Fusion | None = None


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
    inputs = read_evidence(case)
    prepared = prepare_tracks(inputs.table, max_gap_s=case.option("max_gap_s"))
    classes = classify_tracks(prepared.table, hints=case.hints)
    flags = integrity_flags(prepared.table)
    found, fusion = crossings_across_sensors(
        prepared.table,
        sky,
        observed_gap_s=case.option("observed_gap_s"),
        boundary_sigma_m=case.boundary_sigma_m,
        segment_reports=prepared.segment_reports,
        sites=inputs.sites,
    )
    crossings = _annotate(found, classes, flags)
    window = _in_window(crossings, case)
    masks = [
        route_masks(window, None if r == ANY_ROUTE else r, case.into, sky) for r in case.route_names
    ]
    window = _with_route(window, masks, case.route_names)
    suspect_mask = np.asarray(window["suspect"].to_pylist(), dtype=bool)
    other = Airspace.builtin(other_set_name(sky))
    routes = [
        _weigh_route(name, mask, window, suspect_mask, prepared.table, sky, other, case)
        for name, mask in zip(case.route_names, masks, strict=True)
    ]
    exact = np.logical_or.reduce([m.exact for m in masks])
    near = np.logical_or.reduce([m.near for m in masks])
    found = exact & ~suspect_mask
    verdict, reason = combine(routes)
    return Investigation(
        case,
        sky,
        inputs,
        prepared,
        crossings,
        window.filter(pa.array(found)),
        window.filter(pa.array(exact & suspect_mask)),
        window.filter(pa.array(near & ~exact & ~suspect_mask)),
        _in_crossing_order(found, masks, suspect_mask, routes),
        classes,
        flags,
        stack_grids([r.coverage for r in routes]),
        _origins(prepared.table, crossings, classes, sky, case),
        verdict,
        reason,
        routes,
        fusion,
    )


def _weigh_route(
    name: str,
    mask: RouteMasks,
    window: pa.Table,
    suspect_mask: np.ndarray,
    tracks: pa.Table,
    sky: Airspace,
    other: Airspace,
    case: Case,
) -> Route:
    """One route's findings, suspect and disputed crossings, coverage and verdict."""
    via = None if name == ANY_ROUTE else name
    findings = window.filter(pa.array(mask.exact & ~suspect_mask))
    disputed = window.filter(pa.array(mask.near & ~mask.exact & ~suspect_mask))
    into_geom = _code_geometry(sky, case.into)
    if via is None:
        border = whole_border(into_geom)
    else:
        border = shared_border(_code_geometry(sky, via), into_geom)
    coverage = measure_coverage(
        tracks,
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
    checks = check_findings(
        findings, tracks, other, via, case.into, observed_gap_s=case.option("observed_gap_s")
    )
    return Route(
        name,
        findings,
        window.filter(pa.array(mask.exact & suspect_mask)),
        disputed,
        checks,
        coverage,
        verdict,
        reason + disputed_note(disputed, sky),
    )


def _with_route(window: pa.Table, masks: list[RouteMasks], names: tuple[str, ...]) -> pa.Table:
    """``window`` with a ``route`` column: the first route a crossing enters by (else null)."""
    near = np.vstack([m.near for m in masks])
    named = np.asarray(names, dtype=object)[near.argmax(axis=0)]
    route = [n if hit else None for n, hit in zip(named.tolist(), near.any(axis=0), strict=True)]
    return window.append_column("route", pa.array(route, pa.string()))


def _in_crossing_order(
    found: np.ndarray, masks: list[RouteMasks], suspect_mask: np.ndarray, routes: list[Route]
) -> list[SetCheck]:
    """The routes' set checks in the order of the case's findings (crossing order)."""
    by_row: dict[int, SetCheck] = {}
    for mask, route in zip(masks, routes, strict=True):
        rows = np.flatnonzero(mask.exact & ~suspect_mask).tolist()
        by_row.update(zip(rows, route.set_checks, strict=True))
    return [by_row[k] for k in np.flatnonzero(found).tolist()]


def _annotate(crossings: pa.Table, classes: pa.Table, flags: pa.Table) -> pa.Table:
    """Add each crossing's track class and state of registry, and make it ``suspect``
    too where an integrity flag marks its segment (the first flag is the reason, unless
    a measurement already contradicted it)."""
    cls_of = dict(zip(classes["track_id"].to_pylist(), classes["class"].to_pylist(), strict=True))
    ids = crossings["track_id"].to_pylist()
    flagged: dict[tuple[str, int], str] = {}
    for row in flags.select(["track_id", "segment", "flag", "detail"]).to_pylist():
        flagged.setdefault((row["track_id"], row["segment"]), f"{row['flag']}: {row['detail']}")
    segs = crossings["segment"].to_pylist()
    integrity = [flagged.get((i, s)) for i, s in zip(ids, segs, strict=True)]
    suspect = [
        bool(s) or why is not None
        for s, why in zip(crossings["suspect"].to_pylist(), integrity, strict=True)
    ]
    reason = [
        r if r is not None else why
        for r, why in zip(crossings["suspect_reason"].to_pylist(), integrity, strict=True)
    ]
    out = crossings
    for name, values in (
        ("suspect", pa.array(suspect, pa.bool_())),
        ("suspect_reason", pa.array(reason, pa.string())),
    ):
        out = out.set_column(out.schema.get_field_index(name), name, values)
    return out.append_column(
        "class", pa.array([cls_of.get(i, "unknown") for i in ids], type=pa.string())
    ).append_column("registry", pa.array(state_of_registry(ids), type=pa.string()))


def _in_window(crossings: pa.Table, case: Case) -> pa.Table:
    """Crossings in the case's window by an aircraft of a class it names."""
    t = crossings["time"].cast(pa.int64())
    mask = pc.and_(pc.greater_equal(t, case.since_ns), pc.less_equal(t, case.until_ns))
    if case.aircraft:
        mask = pc.and_(mask, pc.is_in(crossings["class"], pa.array(list(case.aircraft))))
    return crossings.filter(mask)


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


__all__ = ["INTL", "Investigation", "Origin", "Route", "investigate", "max_range_m", "weigh"]
