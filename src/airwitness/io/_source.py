"""Opening an input: a path or an already-open stream, gzip or not.

Every failure to get at the bytes (missing file, permission, a ``.gz`` name on
a file that is not gzip, corrupt or truncated gzip data, an empty file) becomes
an :class:`~airwitness.errors.InputError` here, so readers only deal with
content. Input files are only ever opened for reading.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from airwitness import reasons
from airwitness.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 16


class Source:
    """One input: ``name`` is the path as given (used in tables and messages).

    ``stream`` (optional) is read instead of opening ``name``, e.g. an upload;
    it is read once into memory, so it need not be seekable.
    """

    def __init__(self, name: str | Path, stream: BinaryIO | None = None) -> None:
        self.name = str(name)
        self.path = Path(name)
        self._data: bytes | None = stream.read() if stream is not None else None
        self._gzip: bool | None = None

    @property
    def stem(self) -> str:
        """File name without ``.gz`` and the format extension (fallback track id)."""
        name = self.path.name
        if name.lower().endswith(".gz"):
            name = name[:-3]
        return Path(name).stem or name

    @property
    def extension(self) -> str:
        """Lower-case format extension, ignoring a trailing ``.gz`` (``.gpx``)."""
        name = self.path.name.lower()
        if name.endswith(".gz"):
            name = name[:-3]
        return Path(name).suffix

    def fail(self, reason: str, record: int | None = None) -> InputError:
        return InputError(self.name, reason, record)

    @contextmanager
    def _raw(self) -> Iterator[BinaryIO]:
        if self._data is not None:
            yield io.BytesIO(self._data)
            return
        try:
            f = open(self.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise self.fail("no such file") from None
        except PermissionError:
            raise self.fail("permission denied") from None
        except IsADirectoryError:
            raise self.fail("is a directory") from None
        except OSError as e:
            raise self.fail(f"cannot open: {e.strerror or e}") from None
        with f:
            yield f

    def is_gzip(self) -> bool:
        """True when the content starts with the gzip magic bytes."""
        if self._gzip is None:
            with self._raw() as f:
                magic = _read(self, f, 2)
            self._gzip = magic == GZIP_MAGIC
            if not self._gzip and self.path.name.lower().endswith(".gz"):
                if not magic:
                    raise self.fail("empty file")
                raise self.fail("named .gz but not gzip-compressed")
        return self._gzip

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The decompressed content as a stream (read errors become InputError)."""
        gz = self.is_gzip()
        with self._raw() as raw:
            yield _Guarded(self, gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw)

    def head(self, n: int = CHUNK) -> bytes:
        """The first ``n`` decompressed bytes (fewer if the file is shorter)."""
        with self.open() as f:
            return f.read(n)

    def read_all(self) -> bytes:
        """The whole decompressed content."""
        with self.open() as f:
            return f.read()

    def local_path(self) -> Path | None:
        """The path itself when the bytes can be read from it directly (not gzip, no stream)."""
        if self._data is None and not self.is_gzip():
            return self.path
        return None


def _read(src: Source, f: BinaryIO, n: int = -1) -> bytes:
    try:
        return f.read(n)
    except (gzip.BadGzipFile, zlib.error):
        raise src.fail(reasons.CORRUPT_GZIP) from None
    except EOFError:
        raise src.fail(reasons.TRUNCATED_GZIP) from None
    except IsADirectoryError:
        raise src.fail("is a directory") from None
    except OSError as e:
        raise src.fail(reasons.read_error(str(e.strerror or e))) from None


class _Guarded(io.RawIOBase):
    """A read-only stream whose read errors are InputErrors naming the file."""

    def __init__(self, src: Source, f: BinaryIO) -> None:
        self._src = src
        self._f = f

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        return _read(self._src, self._f, -1 if n is None else n)

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


SALVAGE_PIECE = 256  # read size when salvaging the tail of a damaged gzip stream


class Salvage:
    """The decompressed content in blocks, keeping what precedes damage in a gzip stream.

    A truncated or corrupt gzip stream ends the iteration instead of raising;
    ``damage`` then holds the reason (the InputError's: ``corrupt gzip data``,
    ``truncated gzip data`` or a read error, see :mod:`airwitness.reasons`),
    which readers report as the reject of the record where the stream broke
    off, and ``done`` the number of good bytes. The
    block that failed is read again in pieces of :data:`SALVAGE_PIECE` bytes,
    so at most that much before the damage is lost. Raises InputError when not
    a single byte can be read.
    """

    def __init__(self, src: Source, size: int = CHUNK) -> None:
        self.src = src
        self.size = size
        self.damage: str | None = None
        self.done = 0

    def __iter__(self) -> Iterator[bytes]:
        with self.src.open() as f:
            try:
                while block := f.read(self.size):
                    self.done += len(block)
                    yield block
                return
            except InputError as e:
                reason = e.reason
        with self.src.open() as f:
            todo = self.done
            while todo > 0:  # these bytes decompressed fine the first time
                skipped = f.read(min(self.size, todo))
                if not skipped:
                    break
                todo -= len(skipped)
            try:
                while piece := f.read(SALVAGE_PIECE):
                    self.done += len(piece)
                    yield piece
            except InputError as e:
                reason = e.reason
        if self.done == 0:
            raise self.src.fail(reason)
        self.damage = reason
