"""Tracks: the list, one track with its reports, the map's lines, the profiles."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pyarrow as pa
from fastapi import APIRouter, Depends, HTTPException, Query, Response

from airwitness.report.drawn_tracks import Crossing as ChartCrossing
from airwitness.report.drawn_tracks import Track as ChartTrack
from airwitness.report.drawn_tracks import ground_speeds
from airwitness.report.svg_charts import profile_chart
from airwitness.web import models
from airwitness.web.data import Snapshot, report_page_items
from airwitness.web.deps import (
    NOT_FOUND,
    STALE,
    Cursor,
    GeoJSONResponse,
    Limit,
    State,
    TrackQuery,
    match_tracks,
    track_query,
)
from airwitness.web.query import decode_cursor, encode_cursor, json_page, page_of

router = APIRouter(tags=["tracks"])

#: The map draws at most this many tracks at once (``truncated`` says when more matched).
MAX_MAP_TRACKS = 3000
Filters = Annotated[TrackQuery, Depends(track_query)]


@router.get("/api/tracks", response_model=models.TrackPage, responses=STALE)
async def list_tracks(state: State, filters: Filters, limit: Limit = 100, cursor: Cursor = None):
    """Tracks ordered by first seen. Filters apply to the track as a whole: it is kept when
    its time span meets the window, it visits one of the airspaces and has a report in the box."""
    snap = state.snapshot
    matches = match_tracks(snap, filters)
    chosen, nxt = page_of(matches, cursor, limit, snap.generation)
    return json_page(snap.tracks.items, chosen, len(matches), nxt)


@router.get(
    "/api/tracks.geojson",
    response_model=models.TrackRunCollection,
    response_class=GeoJSONResponse,
)
async def tracks_geojson(state: State, filters: Filters):
    """The matching tracks as lines for a map: one feature per run of reports in one
    airspace (property ``airspace``), simplified to ~50 m, with each run's time span."""
    snap = state.snapshot
    matches = match_tracks(snap, filters)
    shown = matches[:MAX_MAP_TRACKS]
    features = b",".join(f for k in shown.tolist() for f in snap.tracks.map_features[k])
    truncated = b"true" if len(matches) > len(shown) else b"false"
    body = b'{"type":"FeatureCollection","features":[' + features + b'],"truncated":' + truncated
    return Response(content=body + b"}", media_type=GeoJSONResponse.media_type)


def _track_index(snap: Snapshot, track_id: str) -> int:
    k = snap.tracks.position.get(track_id)
    if k is None:
        raise HTTPException(404, "no track with this id")
    return k


@router.get(
    "/api/tracks/{track_id:path}",
    response_model=models.TrackDetail,
    responses={**NOT_FOUND, **STALE},
)
async def get_track(
    state: State,
    track_id: str,
    limit: Annotated[int, Query(ge=1, le=10000, description="reports per page")] = 2000,
    cursor: Cursor = None,
):
    """One track: its summary, every crossing it made, and its reports (paginated)."""
    snap = state.snapshot
    k = _track_index(snap, track_id)
    offset = decode_cursor(cursor, snap.generation)
    a, b = snap.tracks.rows[k].tolist()
    total = b - a
    crossings = [snap.crossings.models[i] for i in np.flatnonzero(snap.crossings.track == k)]
    nxt = encode_cursor(snap.generation, offset + limit) if offset + limit < total else None
    return models.TrackDetail(
        summary=snap.tracks.summaries[k],
        crossings=crossings,
        reports=models.ReportPage(
            items=report_page_items(snap, k, offset, limit), total=total, next=nxt
        ),
    )


@router.get(
    "/api/profile",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}},
        **NOT_FOUND,
    },
)
async def profile(
    state: State,
    track_id: Annotated[str, Query(description="the track")],
    quantity: Annotated[Literal["alt", "speed"], Query(description="altitude or speed")] = "alt",
):
    """Altitude (m) or ground speed (m/s) of one track against time, as SVG, with its
    crossings marked and a band showing the airspace it was in."""
    snap = state.snapshot
    k = _track_index(snap, track_id)
    routes, into = None, ""
    if state.case is not None:
        routes, into = state.case.case.routes, state.case.case.into
    svg = profile_chart(_chart_track(snap, k, routes, into), quantity, routes or (), into)
    return Response(content=svg, media_type="image/svg+xml")


def _chart_track(snap: Snapshot, k: int, routes: tuple[str, ...] | None, into: str) -> ChartTrack:
    """The report's chart input for one track (same speeds and bands as the report);
    ``routes`` are the case's (empty: any), None without a case."""
    a, b = snap.tracks.rows[k].tolist()
    part = snap.prepared.slice(a, b - a)
    t = np.asarray(part["time"].combine_chunks().cast(pa.int64()).to_numpy())
    lon = part["lon"].to_numpy()
    lat = part["lat"].to_numpy()
    alt = np.asarray(part["alt_m"].to_numpy(zero_copy_only=False), dtype=np.float64)
    gs = np.asarray(part["ground_speed_mps"].to_numpy(zero_copy_only=False), dtype=np.float64)
    seg = np.asarray(part["segment"].to_numpy(zero_copy_only=False), dtype=np.int64)
    speed, reported = ground_speeds(t, lon, lat, gs, seg)
    c = snap.crossings
    marks = []
    for i in np.flatnonzero(c.track == k).tolist():
        m = c.models[i]
        relevant = routes is None or (
            m.to == into and m.from_ != into and (not routes or m.from_ in routes)
        )
        marks.append(
            ChartCrossing(
                m.track_id,
                m.segment,
                int(c.time_ns[i]),
                m.lon,
                m.lat,
                m.from_,
                m.to,
                m.kind,
                m.gap_s,
                False,
                "finding" if relevant else "other",
            )
        )
    return ChartTrack(
        snap.tracks.ids[k], t, lon, lat, alt, speed, reported, seg, snap.labels[a:b], tuple(marks)
    )
