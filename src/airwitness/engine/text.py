"""CSV text (plain or gzip) in chunks of whole lines, each read by the format's reader.

A chunk ends at a line end outside quoted values (quote parity, as RFC 4180
doubles quotes inside them) and is parsed with the file's header lines in
front, so the reader numbers its lines as in the whole file once shifted.
Blank lines, quoted line breaks and bad rows are the reader's business, as
for a whole file; a chunk holding a lone CR (a line end to Python's csv
module) is read together with the rest of the file, so its line numbers stay
those of the whole file.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Collection, Iterator

import numpy as np
from isal import isal_zlib

from airwitness import reasons
from airwitness.engine.sources import InputFile, open_text
from airwitness.errors import InputError
from airwitness.io import read
from airwitness.io.batches import CHUNK, TABULAR, csv_header, read_csv_lines, renamed, shift
from airwitness.io.options import ReadOptions
from airwitness.schema import ReadResult


def csv_chunks(
    f: InputFile,
    chunk_bytes: int,
    options: ReadOptions | None,
    only: Collection[str] | None = None,
) -> Iterator[ReadResult]:
    """Chunks of whole lines, each read with the header lines in front of it.

    With ``only`` (canonical columns), a tabular format's plain lines are parsed
    straight into typed columns (:func:`~airwitness.io.batches.read_csv_lines`),
    the others through the reader.
    """
    # The chunks are decompressed: a ``.gz`` name would make the reader expect gzip.
    gz_name = f.gzip and f.name.lower().endswith(".gz")
    plain_name = f.name[:-3] if gz_name else f.name
    with open_text(f) as raw:
        stream = _Errors(f.name, raw)
        prefix, lines_before, buf = _header_prefix(stream, f.name)
        typed = only is not None and f.format in TABULAR
        names = csv_header(f.name, prefix) if typed else []
        quotes = 0  # parity of quote characters before the start of ``buf``
        line = lines_before + 1  # physical line number of the first line of ``buf``
        limit, eof, last = chunk_bytes, False, False
        while not last:
            while len(buf) < limit and not eof:
                more = stream.read(chunk_bytes)
                eof = not more
                buf += more
            last = eof and len(buf) <= limit
            cut = len(buf) if last else _cut(buf, limit, quotes)
            if cut == 0:  # no line end outside quotes yet: take a bigger bite
                limit *= 2
                continue
            body, buf, limit = buf[:cut], buf[cut:], chunk_bytes
            if _lone_cr(body):  # the reader counts lines its own way here: read the rest whole
                body, buf, last = body + buf + stream.read(-1), b"", True
            newlines = body.count(b"\n")
            if body and not body.isspace():
                fast = None
                if typed:
                    fast = read_csv_lines(f.name, f.format, names, body, line, only or (), newlines)
                if fast is not None:
                    yield fast
                else:
                    text = io.BytesIO(prefix + body)
                    result = read(plain_name, format=f.format, stream=text, options=options)
                    yield shift(renamed(result, f.name), line - (lines_before + 1))
            line += newlines
            if b'"' in body:
                quotes = (quotes + body.count(b'"')) % 2


def _header_prefix(stream: _Errors, name: str) -> tuple[bytes, int, bytes]:
    """Everything up to the end of the header line (blank lines, BOM), its line
    count, and the bytes read after it."""
    buf = b""
    pos = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            more = stream.read(CHUNK)
            if more:
                buf += more
                continue
            nl = len(buf) - 1  # the last line has no line end
            if not buf[pos:].strip(b" \t\r\n\xef\xbb\xbf"):
                raise InputError(name, "empty file")
        line = buf[pos : nl + 1]
        pos = nl + 1
        if line.strip(b" \t\r\n\xef\xbb\xbf"):
            return buf[:pos], buf[:pos].count(b"\n"), buf[pos:]


def _cut(buf: bytes, limit: int, quotes: int) -> int:
    """End of the last complete line in ``buf[:limit]`` that is not inside a quoted
    value (0 if none)."""
    if not quotes and buf.find(b'"', 0, limit) < 0:
        return buf.rfind(b"\n", 0, limit) + 1
    a = np.frombuffer(buf, dtype=np.uint8, count=min(limit, len(buf)))
    nl = np.flatnonzero(a == 10)
    inside = (quotes + np.cumsum(a == 34)[nl]) % 2 == 1
    ok = nl[~inside]
    return int(ok[-1]) + 1 if ok.size else 0


def _lone_cr(body: bytes) -> bool:
    """A CR not followed by LF (a line end to Python's csv module, not to ours)."""
    return b"\r" in body and body.count(b"\r") != body.count(b"\r\n")


class _Errors:
    """Read errors of a (gzip) stream as InputError naming the file (the reasons
    :mod:`airwitness.io` gives for the same damage)."""

    def __init__(self, name: str, f) -> None:  # type: ignore[no-untyped-def]
        self.name = name
        self.f = f

    def _guard(self, call):  # type: ignore[no-untyped-def]
        try:
            return call()
        except (gzip.BadGzipFile, zlib.error, isal_zlib.error):
            raise InputError(self.name, reasons.CORRUPT_GZIP) from None
        except EOFError:
            raise InputError(self.name, reasons.TRUNCATED_GZIP) from None
        except OSError as e:
            raise InputError(self.name, reasons.read_error(str(e.strerror or e))) from None

    def read(self, n: int) -> bytes:
        return self._guard(lambda: self.f.read() if n < 0 else self.f.read(n))
