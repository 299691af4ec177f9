"""Errors as JSON ``{"detail": …}`` with the right status, never a traceback or a path.

HTTP and parameter errors keep FastAPI's own handlers (``detail`` a string, or
a list naming each bad field for 422). Anything else is logged in full on the
server and answered with one generic line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from airwitness.errors import InputError, UsageError
from airwitness.investigate.casefile import CaseError

log = logging.getLogger("airwitness.web")


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    name = Path(exc.file).name or "input"
    return JSONResponse({"detail": f"{name}: {exc.reason}"}, status_code=503)


async def _case_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("case error: %s", exc)
    return JSONResponse({"detail": "the case cannot be investigated (see the server log)"}, 503)


async def _usage_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("usage error while serving %s: %s", request.url.path, exc)
    return JSONResponse({"detail": "bad request (see the server log)"}, status_code=400)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("error while serving %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "internal server error (logged on the server)"}, 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(CaseError, _case_error)
    app.add_exception_handler(UsageError, _usage_error)
    app.add_exception_handler(Exception, _unexpected)
