"""Getting the bytes: TCP clients that reconnect, UDP listeners, files followed as they grow.

Each runs as one asyncio task per source and hands what it receives, with the
time it was received (UTC), to the source's :class:`~airwitness.watch.feed.Feed`.
A connection that fails or closes is tried again after a back-off that starts
at :data:`BACKOFF_START_S` and doubles up to :data:`BACKOFF_MAX_S` (a feed that
comes back is read again within seconds); it never stops the other sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

from airwitness import io as readers
from airwitness.errors import InputError
from airwitness.io.drones.remoteid import datagram_lines
from airwitness.watch.feed import Feed
from airwitness.watch.sources import LINE_FORMATS

BACKOFF_START_S = 0.2
BACKOFF_MAX_S = 2.0
CONNECT_TIMEOUT_S = 5.0
READ_BYTES = 1 << 16
#: how often a followed file is looked at for new bytes
POLL_S = 0.05


async def follow(feed: Feed, wake: Callable[[], None], follow_files: bool = True) -> None:
    """Read ``feed``'s source until cancelled (a file without ``follow_files``: to its end)."""
    spec = feed.spec
    if spec.transport == "tcp":
        await _tcp(feed, wake)
    elif spec.transport == "udp":
        await _udp(feed, wake)
    else:
        await _file(feed, wake, follow_files)


async def _backoff(delay: float) -> float:
    await asyncio.sleep(delay)
    return min(2 * delay, BACKOFF_MAX_S)


async def _tcp(feed: Feed, wake: Callable[[], None]) -> None:
    spec = feed.spec
    delay = BACKOFF_START_S
    while True:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(spec.host, spec.port), CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            feed.stats.failures += 1
            delay = await _backoff(delay)
            continue
        feed.stats.connects += 1
        try:
            while data := await reader.read(READ_BYTES):
                feed.feed(data, time.time_ns())
                delay = BACKOFF_START_S  # it works again: a later loss retries quickly
                wake()
            feed.stats.drops += 1  # the other end closed
        except OSError:
            feed.stats.drops += 1
        finally:
            feed.end(broken=True)  # a message cut off by the loss is one truncated record
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        wake()
        delay = await _backoff(delay)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, feed: Feed, wake: Callable[[], None]) -> None:
        self.feed = feed
        self.wake = wake
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        now = time.time_ns()
        if self.feed.spec.format == "remoteid":
            data = datagram_lines(data, now, f"{addr[0]}:{addr[1]}")
        self.feed.feed(data, now)
        self.wake()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


async def _udp(feed: Feed, wake: Callable[[], None]) -> None:
    spec = feed.spec
    delay = BACKOFF_START_S
    loop = asyncio.get_running_loop()
    while True:
        try:
            sock = _udp_socket(spec.host, spec.port, spec.multicast)
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: _Datagrams(feed, wake), sock=sock
            )
        except OSError as exc:
            feed.stats.failures += 1
            if feed.stats.failures == 1:
                why = exc.strerror or exc
                print(f"airwitness: {spec.name}: cannot listen: {why}", file=sys.stderr)
            delay = await _backoff(delay)
            continue
        feed.stats.connects += 1
        try:
            await protocol.lost
            feed.stats.drops += 1
        finally:
            transport.close()
        delay = await _backoff(delay)


def _udp_socket(host: str, port: int, multicast: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind(("" if multicast else host, port))
        if multicast and family == socket.AF_INET:
            group = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton("0.0.0.0"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def _file(feed: Feed, wake: Callable[[], None], follow_files: bool) -> None:
    """Read a file from its start and then as it grows; a file that shrinks or is
    replaced is read again from its start, its records numbered on."""
    path = feed.spec.path
    assert path is not None
    delay = BACKOFF_START_S
    while True:
        try:
            f = open(path, "rb")  # noqa: SIM115 (held across awaits; closed below)
        except OSError:
            feed.stats.failures += 1
            if not follow_files:
                feed.ended = True
                print(f"airwitness: {path}: cannot open", file=sys.stderr)
                return
            delay = await _backoff(delay)
            continue
        try:
            if feed.decoder is None and not await _detect(feed, f, follow_files):
                feed.ended = True
                return
            feed.stats.connects += 1
            if await _read_growing(feed, f, path, wake, follow_files):
                feed.ended = True
                return
            feed.stats.drops += 1
        finally:
            f.close()
        wake()


async def _detect(feed: Feed, f, follow_files: bool) -> bool:
    """Find the file's format once it has a first line; False if it is not a line format."""
    path = feed.spec.path
    while True:
        head = f.read(READ_BYTES)
        f.seek(0)
        if b"\n" in head or (head and not follow_files):
            try:
                fmt = readers.sniff(path)
            except InputError as exc:
                print(f"airwitness: {exc}", file=sys.stderr)
                return False
            if fmt not in LINE_FORMATS:
                print(
                    f"airwitness: {path}: a {fmt} file cannot be followed "
                    f"(line formats only: {', '.join(LINE_FORMATS)})",
                    file=sys.stderr,
                )
                return False
            feed.start(fmt)
            return True
        if not follow_files:
            return False
        await asyncio.sleep(POLL_S)


async def _read_growing(
    feed: Feed, f, path: Path, wake: Callable[[], None], follow_files: bool
) -> bool:
    """Read until the file is replaced or cut (False) or, without following, ends (True)."""
    try:
        while True:
            data = f.read(READ_BYTES)
            if data:
                feed.feed(data, time.time_ns())
                wake()
                continue
            if not follow_files:
                feed.end(broken=False)
                return True
            try:
                now = os.stat(path)
            except OSError:
                now = None
            held = os.fstat(f.fileno())
            if now is None or now.st_ino != held.st_ino or now.st_size < f.tell():
                feed.end(broken=False)
                return False
            await asyncio.sleep(POLL_S)
    except asyncio.CancelledError:
        feed.end(broken=False)
        raise
