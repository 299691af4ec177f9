"""The map's ground: the airspace set, border coverage, and what the server holds."""

from __future__ import annotations

import math
from typing import Annotated

import pyarrow as pa
import shapely
from fastapi import APIRouter, Query, Response

from airwitness.airspace import INTL
from airwitness.times import iso_times
from airwitness.web import models
from airwitness.web.airspace_geo import MAX_TILES, MAX_ZOOM
from airwitness.web.data import colours_of
from airwitness.web.deps import GeoJSONResponse, State
from airwitness.web.query import (
    BBOX_HELP,
    TIME_HELP,
    check_codes,
    param_error,
    parse_bbox,
    parse_window,
)

router = APIRouter(tags=["map"])

#: Coverage grids larger than this many (stretch, bin) cells are refused (memory bound).
MAX_COVERAGE_CELLS = 4_000_000


@router.get("/api/info", response_model=models.Info)
async def info(state: State):
    """Totals, extent, the airspace codes the tracks visit and the colours pages use."""
    snap = state.snapshot
    span = snap.time_span_ns
    time_span = None
    if span is not None:
        first, last = iso_times(pa.array(list(span), pa.int64()).cast(pa.timestamp("ns", "UTC")))
        time_span = models.TimeSpan(first=first, last=last)
    return models.Info(
        store=state.store_name,
        files=snap.files,
        records=snap.records,
        reports=snap.prepared.num_rows,
        rejects=snap.rejects,
        tracks=len(snap.tracks.ids),
        crossings=len(snap.crossings.items),
        time_span=time_span,
        time_span_ms=None if span is None else [span[0] // 10**6, -(-span[1] // 10**6)],
        bbox=snap.bbox,
        codes=snap.codes,
        colours=colours_of(snap.codes),
        dataset=state.geo.dataset,
        cases=[state.case.id] if state.case is not None else [],
        upload=state.store is not None,
        max_upload_bytes=state.max_upload_bytes,
        generation=snap.generation,
    )


@router.get(
    "/api/airspace", response_model=models.AirspaceCollection, response_class=GeoJSONResponse
)
def airspace(
    state: State,
    zoom: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_ZOOM,
            description="map zoom level: boundaries are simplified to one pixel at it "
            f"(lowered until the area spans at most {MAX_TILES} tiles: the world at 5)",
        ),
    ] = 4,
    bbox: Annotated[str | None, Query(description=f"only this area: {BBOX_HELP}")] = None,
):
    """The boundaries of the airspace set (land and territorial sea) as GeoJSON polygons."""
    body, _ = state.geo.collection(zoom, parse_bbox(bbox))
    return Response(content=body, media_type=GeoJSONResponse.media_type)


@router.get("/api/coverage", response_model=models.Coverage)
def coverage(
    state: State,
    via: Annotated[str, Query(description="airspace code on one side of the border")],
    into: Annotated[str, Query(description="airspace code on the other side")],
    since: Annotated[str | None, Query(description=f"{TIME_HELP}; default: first report")] = None,
    until: Annotated[str | None, Query(description=f"{TIME_HELP}; default: last report")] = None,
    stretch_km: Annotated[float, Query(ge=1, le=1000, description="stretch length")] = 10.0,
    bin_min: Annotated[float, Query(ge=1, le=10080, description="time bin")] = 10.0,
    radius_km: Annotated[float, Query(gt=0, le=500, description="sensor reach")] = 30.0,
):
    """How much of the via/into border the reports could see, stretch by stretch
    (the coverage of `airwitness verify`, docs/investigate.md)."""
    known = set(state.airspace.code_names)
    for field, code in (("via", via), ("into", into)):
        if code == INTL:
            raise param_error(field, "INTL has no border of its own: give a country code")
        check_codes([code], field, known)
    if via == into:
        raise param_error("into", "the same airspace as via")
    since_ns, until_ns = parse_window(since, until)
    span = state.snapshot.time_span_ns
    if span is None and (since_ns is None or until_ns is None):
        raise param_error("since" if since_ns is None else "until", "no reports: give a window")
    since_ns = span[0] if since_ns is None else since_ns
    until_ns = span[1] if until_ns is None else until_ns
    if until_ns < since_ns:
        raise param_error("until", "until is before since")
    bin_s = bin_min * 60.0
    stretch_m = stretch_km * 1000.0
    bins = math.ceil((until_ns + 1 - since_ns) / (bin_s * 1e9))
    border = state.border(via, into)
    stretches = math.ceil(shapely.length(border) * 111_320 / stretch_m) + 1
    if bins * stretches > MAX_COVERAGE_CELLS:
        raise param_error(
            "bin_min",
            f"{stretches} stretches x {bins} bins is too many: "
            "use a shorter window, a larger bin_min or a larger stretch_km",
        )
    body = state.coverage(
        via, into, since_ns, until_ns, stretch_m=stretch_m, bin_s=bin_s, radius_m=radius_km * 1e3
    )
    return Response(content=body, media_type="application/json")
