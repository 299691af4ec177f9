"""The app under uvicorn on a free loopback port, for the tests that drive a real browser."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from airwitness.web.server import bind_socket

# Every API answer is held back this long in the browser tests, so that each wait in
# them really waits: on a fast machine the page is often ready before the first check,
# which hid a harness that polled with in-page `eval` (forbidden by the page's CSP).
# The airspace layer is drawn apart from the page's `data-ready` mark: held back longer,
# it arrives after that mark, so the wait for its paths is a real wait too.
API_DELAY_S = 0.3
AIRSPACE_DELAY_S = 1.2


def delayed_api(app, delay_s: float = API_DELAY_S, airspace_delay_s: float = AIRSPACE_DELAY_S):
    """`app` with every `/api/` response delayed (an ASGI wrapper)."""

    async def wrapper(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            slow = scope["path"].startswith("/api/airspace")
            await asyncio.sleep(airspace_delay_s if slow else delay_s)
        await app(scope, receive, send)

    return wrapper


@contextlib.contextmanager
def running(app) -> Iterator[str]:
    """Serve `app` in a thread on 127.0.0.1 (a free port); yields its base URL."""
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
