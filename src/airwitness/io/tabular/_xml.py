"""Streaming XML with a guard against entity expansion.

The standard library's expat parser expands entities declared in a DOCTYPE
("billion laughs"). GPX and KML never need a DOCTYPE, so a document that has
one is refused (InputError ``XML with a DOCTYPE is not accepted``) before the
parser sees it: a small expat parser reads the prolog alongside and stops at
the root element. The document is read once, in chunks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from xml.parsers import expat

from airwitness.io._source import CHUNK, Source


class _Doctype(Exception):
    pass


class _Root(Exception):
    pass


def local(tag: str) -> str:
    """Tag name without its namespace (``{ns}trkpt`` -> ``trkpt``)."""
    return tag.rpartition("}")[2]


def events(src: Source) -> Iterator[tuple[str, ET.Element]]:
    """``("start"|"end", element)`` events for the whole document."""
    parser = ET.XMLPullParser(events=("start", "end"))
    guard = expat.ParserCreate()
    guard.StartDoctypeDeclHandler = _doctype
    guard.StartElementHandler = _root
    guarding = True
    seen = False
    with src.open() as f:
        while chunk := f.read(CHUNK):
            seen = seen or bool(chunk.strip())
            if guarding:
                guarding = _guard(src, guard, chunk)
            _feed(src, parser, chunk)
            yield from _drain(src, parser)
    if not seen:
        raise src.fail("empty file")
    _feed(src, parser, None)
    yield from _drain(src, parser)


def _doctype(*_: object) -> None:
    raise _Doctype


def _root(*_: object) -> None:
    raise _Root


def _guard(src: Source, guard: expat.XMLParserType, chunk: bytes) -> bool:
    """Feed the prolog checker; False once the root element is reached."""
    try:
        guard.Parse(chunk, False)
    except _Doctype:
        raise src.fail("XML with a DOCTYPE is not accepted") from None
    except (_Root, expat.ExpatError):
        return False  # a malformed prolog is reported by the main parser
    except LookupError as e:  # encoding="..." names no codec Python knows
        raise src.fail(f"unparseable XML: {e}") from None
    return True


def _feed(src: Source, parser: ET.XMLPullParser, chunk: bytes | None) -> None:
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except ET.ParseError as e:
        raise _parse_error(src, e) from None
    except LookupError as e:
        raise src.fail(f"unparseable XML: {e}") from None


def _drain(src: Source, parser: ET.XMLPullParser) -> list[tuple[str, ET.Element]]:
    # XMLPullParser keeps a parse error and raises it from read_events()
    try:
        return list(parser.read_events())
    except ET.ParseError as e:
        raise _parse_error(src, e) from None


def _parse_error(src: Source, e: ET.ParseError) -> Exception:
    line = e.position[0] if e.position else None
    return src.fail(f"unparseable XML: {expat.ErrorString(e.code)}", line)
