"""The FastAPI application: routers, static files, security layers, error handlers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet as xleaflet
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from airwitness import __version__
from airwitness.web import (
    api_cases,
    api_crossings,
    api_geo,
    api_tracks,
    api_upload,
    errors,
    live,
    pages,
)
from airwitness.web.security import ApiGuard, SecurityHeaders, UploadLimit
from airwitness.web.state import DEFAULT_MAX_UPLOAD_BYTES, Reading, WebState

DESCRIPTION = """Tracks, airspace crossings, border coverage and verdicts of an airwitness
store, for the pages of `airwitness serve` and for scripts. Lists are paginated as
`{"items": [...], "total": N, "next": cursor-or-null}`; pass `next` back as `cursor`.
Times are ISO-8601 UTC; coordinates WGS-84 degrees; units SI. With a token, send
`Authorization: Bearer <token>` (or `?token=`) with every `/api/*` request."""


def create_app(
    store: Path | None,
    case: Path | None,
    token: str | None,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    allowed_hosts: frozenset[str] | None = None,
    live_hub: live.LiveHub | None = None,
    reading: Reading | None = None,
) -> FastAPI:
    """The web app over a store (and optionally a case file), ready for any ASGI server.

    Loads the store once (created empty if missing, so files can be uploaded
    into it), prepares tracks and crossings, and checks the case file; the
    case is investigated on first use. With ``token``, every ``/api/*``
    request must carry it; with ``allowed_hosts``, API requests naming another
    host are refused (DNS rebinding). ``max_upload_bytes`` limits uploads.
    Raises InputError (store unreadable) or UsageError (invalid case file)
    before serving anything. With ``live_hub`` (a watch in this process), the live
    page and ``/api/live/events`` show what it sees. ``reading`` says how uploads
    are read (ASTERIX's date, the sensors file) and radar plots tracked.
    """
    state = WebState(
        Path(store) if store is not None else None,
        Path(case) if case is not None else None,
        max_upload_bytes=max_upload_bytes,
        reading=reading,
    )
    app = FastAPI(
        title="airwitness",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # the interactive docs load scripts from a CDN: not here
        redoc_url=None,
    )
    app.state.web = state
    app.state.live = live_hub
    for module in (api_tracks, api_crossings, api_geo, api_cases, api_upload, live, pages):
        app.include_router(module.router)
    app.mount("/static/leaflet", StaticFiles(directory=xleaflet.BASE_DIR), name="leaflet")
    static_dir = Path(str(resources.files("airwitness.web") / "static"))
    app.mount("/static/app", StaticFiles(directory=static_dir), name="app")
    errors.install(app)
    if token:
        _document_token(app)
    # Outermost first on the way in: headers, then the token, then the body limit.
    app.add_middleware(UploadLimit, path="/api/upload", limit=state.max_upload_bytes)
    app.add_middleware(ApiGuard, token=token, allowed_hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


def _document_token(app: FastAPI) -> None:
    """Declare the bearer token in the OpenAPI schema (enforced by ApiGuard)."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = plain()
            schema.setdefault("components", {})["securitySchemes"] = {
                "token": {"type": "http", "scheme": "bearer"}
            }
            for path, ops in schema.get("paths", {}).items():
                if path.startswith("/api/"):
                    for op in ops.values():
                        op["security"] = [{"token": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
