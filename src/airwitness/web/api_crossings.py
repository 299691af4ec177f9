"""Crossings: the paginated list and the same selection as CSV or GeoJSON files."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Annotated

import pyarrow as pa
from fastapi import APIRouter, Depends, Response

from airwitness.report.tables import write_csv, write_geojson
from airwitness.web import models
from airwitness.web.deps import (
    STALE,
    CrossingQuery,
    Cursor,
    GeoJSONResponse,
    Limit,
    State,
    crossing_query,
    match_crossings,
)
from airwitness.web.query import json_page, page_of

router = APIRouter(tags=["crossings"])
Filters = Annotated[CrossingQuery, Depends(crossing_query)]


@router.get("/api/crossings", response_model=models.CrossingPage, responses=STALE)
async def list_crossings(state: State, filters: Filters, limit: Limit = 100, cursor: Cursor = None):
    """Every change of airspace along the tracks, in time order (docs/architecture.md §4)."""
    snap = state.snapshot
    matches = match_crossings(snap, filters)
    chosen, nxt = page_of(matches, cursor, limit, snap.generation)
    return json_page(snap.crossings.items, chosen, len(matches), nxt)


def _csv(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    write_csv(table, buf)
    return buf.getvalue()


def _geojson(table: pa.Table) -> bytes:
    buf = io.StringIO()
    write_geojson(table, buf)
    return buf.getvalue().encode()


def _file_route(
    extension: str,
    write: Callable[[pa.Table], bytes],
    response_class: type[Response],
    media_type: str,
    schema_type: str,
    description: str,
) -> None:
    """``GET /api/crossings.EXT``: every crossing the filters select, as an attachment
    written by ``write``; one handler for every file format."""

    def download(state: State, filters: Filters) -> Response:
        snap = state.snapshot
        table = snap.crossings.table.take(match_crossings(snap, filters))
        return Response(
            content=write(table),
            media_type=media_type,
            headers={"content-disposition": f'attachment; filename="crossings.{extension}"'},
        )

    router.get(
        f"/api/crossings.{extension}",
        name=f"crossings_{extension}",
        description=description,
        response_class=response_class,
        responses={200: {"content": {media_type: {"schema": {"type": schema_type}}}}},
    )(download)


_file_route(
    "csv",
    _csv,
    Response,
    "text/csv",
    "string",
    "The crossings the same filters select, all of them, as CSV (as `airwitness crossings`).",
)
_file_route(
    "geojson",
    _geojson,
    GeoJSONResponse,
    GeoJSONResponse.media_type,
    "object",
    "The crossings the same filters select, all of them, as GeoJSON points.",
)
