"""``airwitness serve``: the web app under uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

from airwitness.errors import UsageError
from airwitness.watch.runner import Watch
from airwitness.web.security import TOKEN_ENV, check_bind, is_loopback, loopback_hosts
from airwitness.web.state import DEFAULT_MAX_UPLOAD_BYTES, Reading

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750


def serve(
    store: Path | None = None,
    case: Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    *,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_BYTES / 2**20,
    log_level: str = "info",
    watch: Callable[[], Watch] | None = None,
    reading: Reading | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C).

    ``token`` defaults to the ``AIRWITNESS_TOKEN`` environment variable. A
    ``host`` other than loopback without a token raises UsageError (one line,
    for exit code 2), as does a port that cannot be bound; an unreadable store
    raises InputError and an invalid case file UsageError, before listening.
    With ``watch`` (made by this callable once the app has read the store: DuckDB
    lets a process hold a file either read-only or as its writer), the watch runs
    in a thread of this process (the store's one writer) and the live page shows
    it; it is stopped, its tracks decided and its store closed, when the server
    stops.
    """
    import uvicorn

    from airwitness.web.app import create_app
    from airwitness.web.live import LiveHub, LiveWatch

    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    check_bind(host, token)
    if not 0 < port < 65536:
        raise UsageError(f"port {port} is not between 1 and 65535")
    if max_upload_mb <= 0:
        raise UsageError("the upload limit must be > 0 MB")
    sock = bind_socket(host, port)
    running: LiveWatch | None = None
    try:
        hub = LiveHub() if watch is not None else None
        app = create_app(
            store,
            case,
            token,
            max_upload_bytes=int(max_upload_mb * 2**20),
            allowed_hosts=None if token else loopback_hosts(host),
            live_hub=hub,
            reading=reading,
        )
        if watch is not None and hub is not None:
            made = watch()
            hub.sources = [f.name for f in made.feeds]
            running = LiveWatch(made, hub)
            running.start()
        logging.getLogger("uvicorn.access").addFilter(_RedactToken())
        config = uvicorn.Config(app, log_level=log_level, server_header=False)
        where = f"[{host}]" if ":" in host else host
        print(
            f"airwitness: serving on http://{where}:{sock.getsockname()[1]}/"
            + ("" if is_loopback(host) else " (token required)"),
            flush=True,
        )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        if running is not None:
            running.stop()
        sock.close()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket, or UsageError with the reason in one line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


class _RedactToken(logging.Filter):
    """Keep ``?token=`` values out of the access log."""

    _RE = re.compile(r"(token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._RE.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        return True
