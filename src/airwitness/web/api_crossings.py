"""Crossings: the paginated list and the same selection as CSV or GeoJSON files."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from airwitness.report.tables import write_csv, write_geojson
from airwitness.web import models
from airwitness.web.deps import (
    STALE,
    CrossingFilter,
    Cursor,
    GeoJSONResponse,
    Limit,
    State,
    crossing_filter,
    match_crossings,
)
from airwitness.web.query import json_page, page_of

router = APIRouter(tags=["crossings"])
Filters = Annotated[CrossingFilter, Depends(crossing_filter)]


@router.get("/api/crossings", response_model=models.CrossingPage, responses=STALE)
async def list_crossings(state: State, filters: Filters, limit: Limit = 100, cursor: Cursor = None):
    """Every change of airspace along the tracks, in time order (ARCHITECTURE §4)."""
    snap = state.snapshot
    matches = match_crossings(snap, filters)
    chosen, nxt = page_of(matches, cursor, limit, snap.generation)
    return json_page(snap.crossings.items, chosen, len(matches), nxt)


@router.get(
    "/api/crossings.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def crossings_csv(state: State, filters: Filters):
    """The crossings the same filters select, all of them, as CSV (as `airwitness crossings`)."""
    snap = state.snapshot
    table = snap.crossings.table.take(match_crossings(snap, filters))
    buf = io.BytesIO()
    write_csv(table, buf)
    return Response(
        content=buf.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": 'attachment; filename="crossings.csv"'},
    )


@router.get(
    "/api/crossings.geojson",
    response_class=GeoJSONResponse,
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def crossings_geojson(state: State, filters: Filters):
    """The crossings the same filters select, all of them, as GeoJSON points."""
    snap = state.snapshot
    table = snap.crossings.table.take(match_crossings(snap, filters))
    buf = io.StringIO()
    write_geojson(table, buf)
    return Response(
        content=buf.getvalue().encode(),
        media_type=GeoJSONResponse.media_type,
        headers={"content-disposition": 'attachment; filename="crossings.geojson"'},
    )
