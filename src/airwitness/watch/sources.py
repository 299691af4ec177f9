"""What a watch reads: sources named by URL, or files that grow (docs/watch.md).

``sbs://HOST:PORT``, ``beast://HOST:PORT`` and ``avr://HOST:PORT`` connect to a
receiver's TCP output; ``asterix+udp://[ADDR]:PORT`` and ``remoteid+udp://[ADDR]:PORT``
listen for datagrams (all interfaces when ADDR is empty; a multicast ADDR is
joined); anything else is a file path, read from its start and followed as it
grows (``tail -f``), in one of the line formats. The text as given names the
source in every alert (``before``/``after``) and in the store.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from airwitness.errors import UsageError

#: scheme -> (format, transport)
SCHEMES = {
    "sbs": ("sbs", "tcp"),
    "beast": ("beast", "tcp"),
    "avr": ("avr", "tcp"),
    "asterix+udp": ("asterix", "udp"),
    "remoteid+udp": ("remoteid", "udp"),
}
#: the formats a followed file may be in
LINE_FORMATS = ("sbs", "avr", "remoteid")
#: the conventional ports, for the help texts
DEFAULT_PORTS = {"sbs": 30003, "beast": 30005, "avr": 30002}


@dataclass(frozen=True)
class SourceSpec:
    """One source: ``name`` as given, its format (None: detect a file's), and where."""

    name: str
    format: str | None
    transport: str  # tcp, udp or file
    host: str = ""
    port: int = 0
    path: Path | None = None

    @property
    def multicast(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_multicast
        except ValueError:
            return False


def parse_source(text: str, file_format: str | None = None) -> SourceSpec:
    """The source ``text`` names; ``file_format`` forces a file's format. UsageError
    (one line) for a scheme or address that is not understood.

    >>> parse_source("sbs://127.0.0.1:30003")
    SourceSpec(name='sbs://127.0.0.1:30003', format='sbs', transport='tcp', host='127.0.0.1', port=30003, path=None)
    >>> parse_source("asterix+udp://:8600").host
    ''
    """  # noqa: E501
    if "://" not in text:
        if file_format is not None and file_format not in LINE_FORMATS:
            raise UsageError(
                f"{text}: a followed file must be in a line format ({', '.join(LINE_FORMATS)})"
            )
        return SourceSpec(text, file_format, "file", path=Path(text))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UsageError(
            f"{text}: unknown source scheme {scheme!r}; use one of "
            + ", ".join(f"{s}://" for s in SCHEMES)
            + " or a file path"
        )
    fmt, transport = SCHEMES[scheme]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or not 0 < port < 65536:
        raise UsageError(f"{text}: give the port, e.g. {scheme}://HOST:PORT")
    host = parts.hostname or ""
    if transport == "tcp" and not host:
        raise UsageError(f"{text}: give the host to connect to, e.g. {scheme}://127.0.0.1:{port}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"{text}: only {scheme}://HOST:PORT is understood")
    return SourceSpec(text, fmt, transport, host=host, port=port)
