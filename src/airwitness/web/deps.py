"""Shared pieces of the endpoints: the state, the track and crossing query parameters
(parsed and checked) and the selections they make, responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse

from airwitness.web import models
from airwitness.web.data import Snapshot
from airwitness.web.query import (
    BBOX_HELP,
    TIME_HELP,
    BBox,
    check_codes,
    in_bbox,
    parse_bbox,
    parse_window,
)
from airwitness.web.state import WebState


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


def error_response(description: str) -> dict[str, Any]:
    return {"model": models.ErrorMessage, "description": description}


NOT_FOUND = {404: error_response("no such item")}
STALE = {410: error_response("the data changed since the cursor was issued")}
BUSY = {503: error_response("the store or the case's evidence cannot be read right now")}


async def get_state(request: Request) -> WebState:
    return request.app.state.web


State = Annotated[WebState, Depends(get_state)]


@dataclass(frozen=True)
class TrackQuery:
    """The query parameters of a track list, parsed: which tracks to keep."""

    since_ns: int | None
    until_ns: int | None
    codes: list[str]
    bbox: BBox | None


async def track_query(
    state: State,
    since: Annotated[str | None, Query(description=f"seen at or after: {TIME_HELP}")] = None,
    until: Annotated[
        str | None, Query(description=f"seen at or before (a date: its whole day): {TIME_HELP}")
    ] = None,
    airspace: Annotated[
        list[str] | None, Query(description="visits this airspace code (repeatable: any of)")
    ] = None,
    bbox: Annotated[str | None, Query(description=f"has a report inside: {BBOX_HELP}")] = None,
) -> TrackQuery:
    since_ns, until_ns = parse_window(since, until)
    codes = check_codes(airspace or [], "airspace", state.known_codes())
    return TrackQuery(since_ns, until_ns, codes, parse_bbox(bbox))


def match_tracks(snap: Snapshot, f: TrackQuery) -> np.ndarray:
    """Indices of the tracks that pass every filter, in list order."""
    t = snap.tracks
    mask = np.ones(len(t.ids), dtype=bool)
    if f.since_ns is not None:
        mask &= t.last_ns >= f.since_ns
    if f.until_ns is not None:
        mask &= t.first_ns <= f.until_ns
    if f.codes:
        visits = np.zeros(len(t.ids), dtype=bool)
        for code in f.codes:
            visits[t.by_code.get(code, np.zeros(0, dtype=np.int64))] = True
        mask &= visits
    if f.bbox is not None and mask.any():
        lon = snap.prepared["lon"].to_numpy()
        lat = snap.prepared["lat"].to_numpy()
        hit = np.zeros(len(t.ids), dtype=bool)
        hit[t.report_track[in_bbox(lon, lat, f.bbox)]] = True
        mask &= hit
    return np.flatnonzero(mask)


@dataclass(frozen=True)
class CrossingQuery:
    """The query parameters of a crossing list or file, parsed: which crossings to keep
    (the web's counterpart of :class:`airwitness.crossings.CrossingFilter`, with kind and box)."""

    from_codes: list[str]
    into_codes: list[str]
    since_ns: int | None
    until_ns: int | None
    kind: str | None
    bbox: BBox | None
    tracks: list[str]


async def crossing_query(
    state: State,
    from_: Annotated[
        list[str] | None,
        Query(alias="from", description="out of this airspace code (repeatable: any of)"),
    ] = None,
    into: Annotated[
        list[str] | None, Query(description="into this airspace code (repeatable: any of)")
    ] = None,
    since: Annotated[str | None, Query(description=f"at or after: {TIME_HELP}")] = None,
    until: Annotated[
        str | None, Query(description=f"at or before (a date: its whole day): {TIME_HELP}")
    ] = None,
    kind: Annotated[
        Literal["observed", "inferred"] | None,
        Query(description="observed: bracketing reports at most 60 s apart; else inferred"),
    ] = None,
    bbox: Annotated[str | None, Query(description=f"crossing point inside: {BBOX_HELP}")] = None,
    track_id: Annotated[list[str] | None, Query(description="of this track (repeatable)")] = None,
) -> CrossingQuery:
    known = state.known_codes()
    since_ns, until_ns = parse_window(since, until)
    return CrossingQuery(
        from_codes=check_codes(from_ or [], "from", known),
        into_codes=check_codes(into or [], "into", known),
        since_ns=since_ns,
        until_ns=until_ns,
        kind=kind,
        bbox=parse_bbox(bbox),
        tracks=list(track_id or []),
    )


def match_crossings(snap: Snapshot, f: CrossingQuery) -> np.ndarray:
    """Indices of the crossings that pass every filter, in time order."""
    c = snap.crossings
    mask = np.ones(len(c.items), dtype=bool)
    if f.from_codes:
        mask &= np.isin(c.frm, f.from_codes)
    if f.into_codes:
        mask &= np.isin(c.to, f.into_codes)
    if f.since_ns is not None:
        mask &= c.time_ns >= f.since_ns
    if f.until_ns is not None:
        mask &= c.time_ns <= f.until_ns
    if f.kind is not None:
        mask &= c.observed == (f.kind == "observed")
    if f.bbox is not None:
        mask &= in_bbox(c.lon, c.lat, f.bbox)
    if f.tracks:
        wanted = [snap.tracks.position[t] for t in f.tracks if t in snap.tracks.position]
        mask &= np.isin(c.track, wanted)
    return np.flatnonzero(mask)


Limit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Cursor = Annotated[str | None, Query(description="the `next` value of the previous page")]
