"""Query parameters shared by the list endpoints, and the pages of results.

Parameter errors are 422 in FastAPI's own shape (``detail`` is a list of
``{loc, msg, type}``), so every bad parameter names its field the same way,
whether FastAPI or this module found it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence

import numpy as np
from fastapi import HTTPException, Response

from airwitness import times

BBox = tuple[float, float, float, float]

BBOX_HELP = "min_lon,min_lat,max_lon,max_lat in degrees (min_lon > max_lon crosses 180°)"
TIME_HELP = "UTC date or datetime, ISO-8601 (2025-06-13 or 2025-06-13T04:00Z)"
CURSOR_HELP = "the `next` value of the previous page"


def param_error(field: str, message: str, where: str = "query") -> HTTPException:
    """A 422 naming the parameter, shaped like FastAPI's validation errors."""
    return HTTPException(
        422, detail=[{"loc": [where, field], "msg": message, "type": "value_error"}]
    )


def parse_window(since: str | None, until: str | None) -> tuple[int | None, int | None]:
    """The window as UTC ns, or a 422 naming the parameter at fault."""
    try:
        return times.parse_window(since, until)
    except times.WindowError as exc:
        raise param_error(exc.field, str(exc)) from None


def parse_bbox(text: str | None) -> BBox | None:
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(np.isfinite(values)):
        raise param_error("bbox", f"expected {BBOX_HELP}")
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise param_error("bbox", f"out of range: expected {BBOX_HELP}")
    return (min_lon, min_lat, max_lon, max_lat)


def in_bbox(lon: np.ndarray, lat: np.ndarray, bbox: BBox) -> np.ndarray:
    """Points inside the box, edges included; a box with min_lon > max_lon wraps."""
    min_lon, min_lat, max_lon, max_lat = bbox
    ok_lat = (lat >= min_lat) & (lat <= max_lat)
    if min_lon <= max_lon:
        return ok_lat & (lon >= min_lon) & (lon <= max_lon)
    return ok_lat & ((lon >= min_lon) | (lon <= max_lon))


def check_codes(codes: Iterable[str], field: str, known: Sequence[str] | set[str]) -> list[str]:
    """The codes, each known to the airspace set (``INTL`` always is), else 422."""
    out = []
    for code in codes:
        if code != "INTL" and code not in known:
            raise param_error(field, f"unknown airspace code {code[:40]!r} in this airspace set")
        out.append(code)
    return out


# ---------------------------------------------------------------- pages


def encode_cursor(generation: int, offset: int) -> str:
    raw = f"{generation}.{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, generation: int) -> int:
    """The offset a cursor stands for; 422 when malformed, 410 when the data changed."""
    if cursor is None or cursor == "":
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        gen_text, off_text = raw.split(".")
        gen, offset = int(gen_text), int(off_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise param_error("cursor", "not a cursor returned by this server") from None
    if offset < 0 or gen < 1:
        raise param_error("cursor", "not a cursor returned by this server")
    if gen != generation:
        raise HTTPException(
            410, "the data changed (an upload) since this cursor was issued: start again"
        )
    return offset


def page_of(
    matches: np.ndarray, cursor: str | None, limit: int, generation: int
) -> tuple[np.ndarray, str | None]:
    """The slice of ``matches`` this page shows, and the cursor of the next one."""
    offset = decode_cursor(cursor, generation)
    chosen = matches[offset : offset + limit]
    end = offset + limit
    nxt = encode_cursor(generation, end) if end < len(matches) else None
    return chosen, nxt


def json_page(items: Sequence[bytes], chosen: np.ndarray, total: int, nxt: str | None) -> Response:
    """``{"items": [...], "total": N, "next": …}`` from items already serialised.

    Items are validated against their model once, when the data is prepared;
    here they are only joined, which keeps list requests fast.
    """
    body = b'{"items":[' + b",".join(items[i] for i in chosen.tolist()) + b'],"total":'
    body += str(int(total)).encode() + b',"next":'
    body += (b'"' + nxt.encode() + b'"' if nxt else b"null") + b"}"
    return Response(content=body, media_type="application/json")
