"""watch.sources: the URLs a watch understands, and clear errors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.errors import UsageError
from airwitness.watch.sources import SourceSpec, parse_source


@pytest.mark.parametrize(
    ("text", "fmt", "transport", "host", "port"),
    [
        ("sbs://127.0.0.1:30003", "sbs", "tcp", "127.0.0.1", 30003),
        ("beast://localhost:30005", "beast", "tcp", "localhost", 30005),
        ("AVR://[::1]:30002", "avr", "tcp", "::1", 30002),
        ("asterix+udp://:8600", "asterix", "udp", "", 8600),
        ("asterix+udp://239.1.2.3:8600", "asterix", "udp", "239.1.2.3", 8600),
        ("remoteid+udp://127.0.0.1:4000", "remoteid", "udp", "127.0.0.1", 4000),
    ],
)
def test_urls(text, fmt, transport, host, port):
    spec = parse_source(text)
    assert (spec.name, spec.format, spec.transport, spec.host, spec.port) == (
        text,
        fmt,
        transport,
        host,
        port,
    )
    assert spec.multicast == (host == "239.1.2.3")


def test_a_path_is_a_file_followed_with_its_format_detected_or_given():
    assert parse_source("feed.sbs") == SourceSpec("feed.sbs", None, "file", path=Path("feed.sbs"))
    assert parse_source("log.txt", "avr").format == "avr"


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("http://x:1", None, "unknown source scheme 'http'"),
        ("sbs://127.0.0.1", None, "give the port"),
        ("sbs://127.0.0.1:0", None, "give the port"),
        ("sbs://127.0.0.1:99999", None, "give the port"),
        ("sbs://:30003", None, "give the host"),
        ("sbs://127.0.0.1:30003/x", None, "only sbs://HOST:PORT"),
        ("capture.bin", "beast", "a followed file must be in a line format"),
    ],
)
def test_bad_sources_are_usage_errors_naming_them(text, fmt, message):
    with pytest.raises(UsageError, match=message) as err:
        parse_source(text, fmt)
    assert str(err.value).startswith(text)
