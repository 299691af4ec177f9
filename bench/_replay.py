"""Feeds for ``airwitness watch`` made from canonical reports, and a loopback server.

Shared by ``bench/watch.py`` and the watch tests:

- :func:`sbs_lines`: each report as a BaseStation ``MSG,3`` line (generated time =
  the report's time, to the millisecond; positions written in full);
- :func:`beast_frames`: each report as a Beast frame holding a DF 17 airborne
  position (type code 11) with the report's position CPR-encoded (DO-260B, even
  and odd in turn per aircraft), its barometric altitude and a 12 MHz receiver
  counter that runs with the reports' times;
- :class:`ReplayServer`: a TCP server on 127.0.0.1 that sends such messages to
  each client at a chosen rate, records when it sent each one, and can drop the
  connection every so often (the client reconnects and the replay goes on).

Track ids that are not 24-bit hex addresses get a stable made-up address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import socket
import threading
import time
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

NS = 1_000_000_000
MLAT_HZ = 12_000_000


def addresses(track_ids: Sequence[str]) -> dict[str, str]:
    """A 6-hex-digit address for each track id (its own when it is one)."""
    out = {}
    for t in set(track_ids):
        if len(t) == 6 and all(c in "0123456789abcdef" for c in t):
            out[t] = t
        else:
            out[t] = hashlib.sha256(t.encode()).hexdigest()[:6]
    return out


def sbs_lines(table: pa.Table) -> list[bytes]:
    """One ``MSG,3`` line per report, in table order."""
    ids = table["track_id"].to_pylist()
    hexes = addresses(ids)
    t_ns = table["time"].cast(pa.int64()).to_pylist()
    lon, lat = table["lon"].to_pylist(), table["lat"].to_pylist()
    alt = table["alt_m"].to_pylist()
    out = []
    for tid, t, x, y, a in zip(ids, t_ns, lon, lat, alt, strict=True):
        when = dt.datetime.fromtimestamp(t // NS, tz=dt.UTC)
        ms = (t % NS) // 1_000_000
        day, tod = when.strftime("%Y/%m/%d"), when.strftime("%H:%M:%S") + f".{ms:03d}"
        feet = "" if a is None or math.isnan(a) else f"{a / 0.3048:.0f}"
        out.append(
            f"MSG,3,1,1,{hexes[tid].upper()},1,{day},{tod},{day},{tod},,{feet},,,"
            f"{y!r},{x!r},,,0,0,0,0".encode()
        )
    return out


# --- Beast -------------------------------------------------------------------

_CRC = np.zeros(256, dtype=np.uint32)
for _i in range(256):
    _c = _i << 16
    for _ in range(8):
        _c = ((_c << 1) ^ 0xFFF409) if _c & 0x800000 else (_c << 1)
    _CRC[_i] = _c & 0xFFFFFF


def _crc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ int(_CRC[((crc >> 16) ^ b) & 0xFF])
    return crc


def _nl(lat: float) -> int:
    if abs(lat) >= 87.0:
        return 1 if abs(lat) > 87.0 else 2
    a = 1 - math.cos(math.pi / 30)
    b = math.cos(math.pi / 180 * abs(lat)) ** 2
    return math.floor(2 * math.pi / math.acos(1 - a / b))


def _cpr(lat: float, lon: float, odd: int) -> tuple[int, int]:
    """DO-260B A.1.7.2 airborne CPR encoding, 17 bits."""
    dlat = 360.0 / (60 - odd)
    yz = math.floor(2**17 * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / 2**17 + math.floor(lat / dlat))
    ni = max(_nl(rlat) - odd, 1)
    dlon = 360.0 / ni
    xz = math.floor(2**17 * (lon % dlon) / dlon + 0.5)
    return yz % 2**17, xz % 2**17


def _altitude_code(alt_m: float | None) -> int:
    """The 12-bit altitude field (Q bit set, 25 ft steps); 0 when unknown."""
    if alt_m is None or math.isnan(alt_m):
        return 0
    n = max(0, min(2**11 - 1, round((alt_m / 0.3048 + 1000) / 25)))
    return ((n >> 4) << 5) | 0x10 | (n & 0x0F)


def position_frame(address: str, lat: float, lon: float, alt_m: float | None, odd: int) -> bytes:
    """A DF 17 airborne position message (type code 11), CRC included."""
    y, x = _cpr(lat, lon, odd)
    me = (11 << 51) | (_altitude_code(alt_m) << 36) | (odd << 34) | (y << 17) | x
    body = bytes([0x8D]) + bytes.fromhex(address) + me.to_bytes(7, "big")
    return body + _crc(body).to_bytes(3, "big")


def beast_frame(counter: int, message: bytes) -> bytes:
    """A Beast frame of a 14-byte message, ``0x1a`` doubled inside."""
    body = counter.to_bytes(6, "big") + b"\x80" + message
    return b"\x1a3" + body.replace(b"\x1a", b"\x1a\x1a")


def beast_frames(table: pa.Table) -> list[bytes]:
    """One frame per report, in table order; the counter starts at 1000."""
    ids = table["track_id"].to_pylist()
    hexes = addresses(ids)
    t_ns = table["time"].cast(pa.int64()).to_pylist()
    lon, lat = table["lon"].to_pylist(), table["lat"].to_pylist()
    alt = table["alt_m"].to_pylist()
    t0 = min(t_ns) if t_ns else 0
    parity: dict[str, int] = {}
    out = []
    for tid, t, x, y, a in zip(ids, t_ns, lon, lat, alt, strict=True):
        odd = parity.get(tid, 0)
        parity[tid] = 1 - odd
        counter = 1000 + ((t - t0) * 3) // 250  # ns -> 12 MHz ticks
        out.append(beast_frame(counter, position_frame(hexes[tid], y, x, a, odd)))
    return out


# --- the server --------------------------------------------------------------


class ReplayServer:
    """Sends ``messages`` to whoever connects to 127.0.0.1:``port``, ``rate`` per second
    (0: as fast as it can), each once; ``sent_ns[i]`` is when message ``i`` went out.

    With ``drop_every`` messages the connection is closed after that many (the
    client is expected to come back; the replay goes on where it stopped).
    ``separator`` follows each message (``b"\\n"`` for lines, ``b""`` for Beast).
    """

    def __init__(
        self,
        messages: Sequence[bytes],
        rate: float = 0.0,
        separator: bytes = b"\n",
        drop_every: int | None = None,
        batch: int = 64,
    ) -> None:
        self.messages = messages
        self.rate = rate
        self.separator = separator
        self.drop_every = drop_every
        self.batch = batch
        self.sent_ns = np.zeros(len(messages), dtype=np.int64)
        self.next = 0
        self.connections = 0
        self.done = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set() and self.next < len(self.messages):
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._send(conn)
        self.done.set()

    def _send(self, conn: socket.socket) -> None:
        start_i, start_t = self.next, time.perf_counter()
        sent_here = 0
        while not self._stop.is_set() and self.next < len(self.messages):
            if self.drop_every and sent_here >= self.drop_every:
                return  # drop: the client reconnects
            k = min(self.batch, len(self.messages) - self.next)
            if self.drop_every:
                k = min(k, self.drop_every - sent_here)
            if self.rate:
                due = start_t + (self.next - start_i + k) / self.rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            chunk = b"".join(m + self.separator for m in self.messages[self.next : self.next + k])
            try:
                conn.sendall(chunk)
            except OSError:
                return
            self.sent_ns[self.next : self.next + k] = time.time_ns()
            self.next += k
            sent_here += k
        if self.next >= len(self.messages):
            # keep the connection open until stopped: a feed that is quiet, not gone
            while not self._stop.wait(0.05):
                pass
