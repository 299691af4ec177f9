"""The live map's feed (``airwitness serve --watch``): what a watch running in this
process sees, kept small and pushed to browsers as server-sent events.

The watch runs in a thread of its own (:class:`LiveWatch`) and, after each tick,
hands its new reports and alerts to :meth:`LiveHub.listener`. The hub keeps the
last :data:`KEEP_POINTS` positions of each track and the last :data:`KEEP_ALERTS`
alerts, and numbers every event; ``GET /api/live/events`` first sends the state
(event ``state``), then every event after it (``positions``, ``alert``) as it
comes, so a page shows tracks moving and crossings appearing without a reload.
The watch is the store's one writer (:mod:`airwitness.store.live`); the hub needs
no store.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from airwitness.watch.alerts import Alert
from airwitness.watch.runner import Watch

#: positions kept per track, alerts kept, events kept for clients that fall behind
KEEP_POINTS = 200
KEEP_ALERTS = 500
KEEP_EVENTS = 5000
#: how often a stream looks for new events, and sends a comment to keep it open (s)
POLL_S = 0.1
HEARTBEAT_S = 10.0

router = APIRouter()


class LiveHub:
    """The recent state of a watch, and its numbered events (thread-safe)."""

    def __init__(self, sources: Sequence[str] = ()) -> None:
        self.sources = list(sources)
        self._lock = threading.Lock()
        self.seq = 0
        self._events: deque[tuple[int, str, str]] = deque(maxlen=KEEP_EVENTS)
        self._tracks: dict[str, deque[list]] = {}
        self._alerts: deque[dict[str, Any]] = deque(maxlen=KEEP_ALERTS)

    def listener(self, rows: pa.Table, alerts: Sequence[Alert]) -> None:
        """A tick of the watch: its new reports (canonical rows) and alerts."""
        points = _points(rows)
        records = [a.record() for a in alerts]
        with self._lock:
            for point in points:
                track = self._tracks.get(point[0])
                if track is None:
                    track = self._tracks[point[0]] = deque(maxlen=KEEP_POINTS)
                track.append(point[1:])
            if points:
                self._push("positions", {"points": points})
            for record in records:
                self._alerts.append(record)
                self._push("alert", record)

    def _push(self, kind: str, data: dict) -> None:
        self.seq += 1
        self._events.append((self.seq, kind, json.dumps(data, allow_nan=False)))

    def state(self) -> tuple[int, dict[str, Any]]:
        """The event number it is current to, and the tracks and alerts so far."""
        with self._lock:
            return self.seq, {
                "sources": self.sources,
                "tracks": {t: list(p) for t, p in self._tracks.items()},
                "alerts": list(self._alerts),
            }

    def since(self, seq: int) -> list[tuple[int, str, str]]:
        """The events after number ``seq`` (those still kept)."""
        with self._lock:
            if not self._events or self._events[-1][0] <= seq:
                return []
            return [e for e in self._events if e[0] > seq]


def _points(rows: pa.Table) -> list[list]:
    """``[track_id, time ms, lon, lat]`` of each row, in time order."""
    if rows.num_rows == 0 or "time" not in rows.column_names:
        return []
    rows = rows.take(pc.sort_indices(rows["time"].cast(pa.int64())))
    ids = pc.cast(rows["track_id"], pa.string()).to_pylist()
    ms = pc.divide(rows["time"].cast(pa.int64()), 1_000_000).to_pylist()
    lon, lat = rows["lon"].to_pylist(), rows["lat"].to_pylist()
    return [[t, m, x, y] for t, m, x, y in zip(ids, ms, lon, lat, strict=True)]


class LiveWatch:
    """A watch run in a thread of its own with its own event loop; :meth:`stop`
    stops it as SIGTERM stops ``airwitness watch`` (tracks decided, store closed)."""

    def __init__(self, watch: Watch, hub: LiveHub) -> None:
        self.watch = watch
        watch.listeners.append(hub.listener)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="airwitness-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self.watch.run(self._stop)

        asyncio.run(main())

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()


@router.get("/api/live/events", include_in_schema=False)
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: ``state`` first, then ``positions`` and ``alert`` as they come."""
    hub: LiveHub | None = getattr(request.app.state, "live", None)
    if hub is None:
        raise HTTPException(404, "no live feed: start the server with --watch SOURCE")

    async def stream() -> AsyncIterator[str]:
        seq, state = hub.state()
        yield f"id: {seq}\nevent: state\ndata: {json.dumps(state, allow_nan=False)}\n\n"
        quiet = 0.0
        while not await request.is_disconnected():
            new = hub.since(seq)
            for number, kind, data in new:
                yield f"id: {number}\nevent: {kind}\ndata: {data}\n\n"
                seq = number
            if new:
                quiet = 0.0
                continue
            await asyncio.sleep(POLL_S)
            quiet += POLL_S
            if quiet >= HEARTBEAT_S:
                quiet = 0.0
                yield ": still here\n\n"

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
