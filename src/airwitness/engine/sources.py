"""Input files for the engines: expand folders and globs, detect formats, open any filesystem.

An input is a file, a folder (read recursively, in sorted order, skipping names
that start with ``.`` or ``_`` as ``pyarrow.dataset`` does; hive ``key=value``
folders are just folders: the columns must be in the files), a glob pattern,
or a URI that ``pyarrow.fs`` (or fsspec) opens, e.g. ``s3://bucket/states/``.
Each file is named in tables and messages exactly as expanded here, so the
in-memory and streaming engines name it the same way.
"""

from __future__ import annotations

import glob
import os
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from isal import igzip

from airwitness.errors import InputError
from airwitness.io import sniff
from airwitness.io.batches import CHUNK, GZIP_MAGIC, PARQUET_MAGIC, TABULAR, container, sniff_head
from airwitness.io.tabular import canonical

#: A Parquet file holding the canonical table (``airwitness.io.tabular.canonical``) is
#: read as it is: these columns tell it; others of the schema are optional.
CANONICAL = canonical.NAME
CANONICAL_KEYS = canonical.REQUIRED
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class InputFile:
    """One input file: how it is named, read and cut into work."""

    name: str
    format: str
    #: ``parquet`` (row groups), ``csv`` (text, streamed in chunks) or ``whole``
    container: str
    size: int
    gzip: bool = False
    #: rows of each row group (Parquet only)
    row_groups: tuple[int, ...] = ()
    #: where to open it from any process: absolute path or URI (``name`` is as given)
    path: str = ""
    #: text: the rows its size and first lines suggest (0: unknown)
    rows_hint: int = 0

    @property
    def location(self) -> str:
        return self.path or self.name


def is_uri(name: str) -> bool:
    return "://" in name and not name.startswith("file://")


def filesystem(name: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem holding ``name`` and the path within it."""
    if not is_uri(name):
        return pafs.LocalFileSystem(), name.removeprefix("file://")
    try:
        return pafs.FileSystem.from_uri(name)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        import fsspec  # other schemes, through fsspec's registry

        fs, path = fsspec.core.url_to_fs(name)
        return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


def open_file(location: str, name: str | None = None) -> BinaryIO:
    """A seekable binary file; InputError (naming ``name``) when it cannot be opened."""
    name = name or location
    if not is_uri(location):
        try:
            return open(location, "rb")
        except FileNotFoundError:
            raise InputError(name, "no such file") from None
        except PermissionError:
            raise InputError(name, "permission denied") from None
        except IsADirectoryError:
            raise InputError(name, "is a directory") from None
        except OSError as e:
            raise InputError(name, f"cannot open: {e.strerror or e}") from None
    fs, path = filesystem(location)
    try:
        return fs.open_input_file(path)
    except OSError as e:
        raise InputError(name, f"cannot open: {e}") from None


def open_parquet(location: str, name: str | None = None) -> pa.NativeFile | BinaryIO:
    """A Parquet file for reading: a local one memory-mapped read-only (no copy
    of the bytes through Python: its columns decode a tenth faster), any other
    as :func:`open_file` opens it."""
    if is_uri(location):
        return open_file(location, name)
    with open_file(location, name):  # the same messages for a missing or unreadable file
        pass
    try:
        return pa.memory_map(location, "r")
    except OSError as e:
        raise InputError(name or location, f"cannot open: {e}") from None


def expand(inputs: str | Path | Sequence[str | Path]) -> list[str]:
    """Every file named by the inputs, in order (a folder's files sorted by path)."""
    if isinstance(inputs, str | Path):
        inputs = [inputs]
    out: list[str] = []
    for item in inputs:
        name = str(item)
        if is_uri(name):
            out.extend(_expand_uri(name))
        elif os.path.isdir(name):
            out.extend(_walk(name))
        elif _GLOB_CHARS & set(name) and not os.path.exists(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                raise InputError(name, "no file matches the pattern")
            for m in matches:
                out.extend(_walk(m) if os.path.isdir(m) else [m])
        else:
            out.append(name)
    return out


def _hidden(part: str) -> bool:
    return part.startswith((".", "_"))


def _walk(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        found.extend(os.path.join(root, f) for f in files if not _hidden(f))
    if not found:
        raise InputError(folder, "no input files in the folder")
    return sorted(found)


def _expand_uri(name: str) -> list[str]:
    fs, path = filesystem(name)
    info = fs.get_file_info(path)
    if info.type != pafs.FileType.Directory:
        return [name]
    scheme = name.split("://", 1)[0]
    base = path.rstrip("/")
    found = []
    for f in fs.get_file_info(pafs.FileSelector(base, recursive=True)):
        rel = f.path[len(base) :].lstrip("/")
        if f.type == pafs.FileType.File and not any(_hidden(p) for p in rel.split("/")):
            found.append(f"{scheme}://{f.path}")
    if not found:
        raise InputError(name, "no input files in the folder")
    return sorted(found)


def detect(name: str, format: str | None = None) -> InputFile:
    """Format and container of one file, from its content (``format`` forces the reader)."""
    with open_file(name) as fh:
        head = fh.read(CHUNK)
        size = fh.seek(0, os.SEEK_END)
        if head.startswith(PARQUET_MAGIC):
            f = _parquet_file(name, fh, size, format)
        else:
            gz = head.startswith(GZIP_MAGIC)
            plain = _gunzip_head(head) if gz else head
            if format is None:
                format = _sniff_text(name, plain)
            csv_like = format in TABULAR and container(plain) == "csv" and not _utf16(plain)
            hint = _rows_hint(fh, size, gz, plain) if csv_like else 0
            f = InputFile(name, format, "csv" if csv_like else "whole", size, gz, rows_hint=hint)
    return replace(f, path=name if is_uri(name) else os.path.abspath(name))


def _parquet_file(name: str, fh: BinaryIO, size: int, format: str | None) -> InputFile:
    try:
        meta = pq.ParquetFile(fh).metadata
    except (OSError, ValueError) as e:  # ArrowInvalid is a ValueError
        raise InputError(name, f"unreadable Parquet: {e}") from None
    names = {n.lower() for n in meta.schema.to_arrow_schema().names}
    if format is None:
        format = parquet_format(name, names)
    groups = tuple(meta.row_group(i).num_rows for i in range(meta.num_row_groups))
    if format not in TABULAR and format != CANONICAL:
        return InputFile(name, format, "whole", size)
    return InputFile(name, format, "parquet", size, row_groups=groups)


def parquet_format(name: str, columns: set[str]) -> str:
    """``canonical`` with the canonical provenance columns, else as ``airwitness.io`` sniffs."""
    if set(CANONICAL_KEYS) <= columns:
        return CANONICAL
    for fmt, module in TABULAR.items():
        if set(module.REQUIRED) <= columns:
            return fmt
    raise InputError(
        name,
        "cannot detect the format (Parquet without the columns of the canonical table, "
        "opensky [time, icao24, lat, lon], traffic [timestamp, icao24, latitude, longitude] "
        "or csv [track_id, time, lat, lon])",
    )


def _sniff_text(name: str, plain_head: bytes) -> str:
    if not is_uri(name):
        return sniff(name)
    plain_name = name[:-3] if name.lower().endswith(".gz") else name  # head is gunzipped
    return sniff_head(plain_name, plain_head)


def _gunzip_head(head: bytes) -> bytes:
    """As much of the decompressed start as the first bytes give (for sniffing)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, CHUNK)
    except zlib.error:
        return b""  # corrupt gzip: the reader says so when it opens the file


def _rows_hint(fh: BinaryIO, size: int, gz: bool, plain_head: bytes) -> int:
    """Lines in a text file, from the length of its first lines and its decompressed
    size (a gzip file's last four bytes, when they can be it: one member under
    4 GiB); 0 when that is not known."""
    lines = plain_head.count(b"\n")
    if lines < 2:
        return 0
    plain_size = size
    if gz:
        fh.seek(size - 4)
        plain_size = int.from_bytes(fh.read(4), "little")
        if plain_size < size:  # several members, or 4 GiB and more: unknown
            return 0
    return int(plain_size / (plain_head.rfind(b"\n") + 1) * lines)


def _utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


@contextmanager
def open_text(f: InputFile) -> Iterator[BinaryIO]:
    """The decompressed bytes of a text file, as a stream."""
    with open_file(f.location, f.name) as raw:
        if not f.gzip:
            yield raw
            return
        with igzip.IGzipFile(fileobj=raw, mode="rb") as gz:  # gzip's format, ISA-L's speed
            yield gz


def estimated_rows(f: InputFile) -> int:
    """Rows a file will give, for sizing partitions: exact for Parquet, else from its size
    (and its first lines, when known)."""
    if f.container == "parquet":
        return sum(f.row_groups)
    if f.rows_hint:
        return f.rows_hint
    per_row = 25 if f.gzip else 80  # bytes per report: a short CSV line, or gzip of one
    return max(1, f.size // per_row)
