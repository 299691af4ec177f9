"""How spill bytes reach the disk and come back: direct I/O where the filesystem allows it.

The spill is written once and read once: caching it would hold gigabytes of
memory for nothing, and every fresh page of cache costs the kernel a page to
find and fill (on a virtual machine, often a page the host must supply
first: 3 s of system time per GB measured on this project's 2-core VM, as
much as the rest of pass 1 at 100 M reports). So local spill files are
opened with ``O_DIRECT`` where the system and filesystem allow it; direct I/O
moves whole aligned blocks, so each write is padded to whole blocks (the
format, :mod:`airwitness.engine.spill`, says where every segment lies) and a
read takes the blocks around the bytes it wants. Elsewhere, and for a file
whose filesystem turns out to want another alignment, the page cache; a
spill folder given as a URI goes through its filesystem's streams.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

from airwitness.engine.sources import filesystem, is_uri

#: Buffers per ``writev`` call (the system's limit is 1,024)
_IOV_MAX = 1000
#: Remote spill files are written through a buffer of this size.
_WRITE_BUFFER = 4 << 20


class Sink:
    """Where a spill file's bytes go, from :attr:`position` on.

    A local file is written with direct I/O where the system allows it: each
    flush is copied into an aligned buffer, padded to whole blocks, and
    written by a background thread while the next flush is prepared (two
    buffers take turns). Elsewhere (no ``O_DIRECT``, or a filesystem that
    refuses it) ``writev`` straight from the arrays; a URI through its
    filesystem's buffered stream.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self.position = 0
        self._fd: int | None = None
        self._stream = None
        self._direct = False
        if is_uri(path):
            fs, name = filesystem(path)
            self._stream = fs.open_output_stream(name, buffer_size=_WRITE_BUFFER)
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self._fd, self._direct = open_local(path, flags, 0o600)
        if self._direct:
            self._buffers = [_Aligned(), _Aligned()]
            self._turn = 0
            self._writing: Future[None] | None = None
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="airwitness-spill-write")

    def take(self, size: int) -> np.ndarray:
        """``size`` bytes (aligned for any number) to fill and give to :meth:`write`
        alone, which then writes them where they are: with direct I/O, the buffer
        whose turn it is (its previous write is over); else one kept for the
        next flush."""
        if self._direct:
            return self._buffers[self._turn].take(_whole_blocks(size))[:size]
        if not hasattr(self, "_spare"):
            self._spare = _Aligned()
        return self._spare.take(size)

    def write(self, arrays: list[np.ndarray]) -> None:
        """Write ``arrays``' bytes one after the other from :attr:`position` on."""
        size = sum(a.nbytes for a in arrays)
        if self._direct:
            self._write_direct(arrays, size)
        elif self._fd is not None:
            _writev(self._fd, arrays)
            self.position += size
        else:
            for a in arrays:
                self._stream.write(a)
            self.position += size

    def _write_direct(self, arrays: list[np.ndarray], size: int) -> None:
        padded = _whole_blocks(size)
        block = self._buffers[self._turn].take(padded)
        if len(arrays) == 1 and arrays[0].ctypes.data == block.ctypes.data:
            at = size  # filled where it lies (:meth:`take`)
        else:
            at = 0
            for a in arrays:
                block[at : at + a.nbytes] = a.reshape(-1).view(np.uint8)
                at += a.nbytes
        block[at:] = 0
        self._wait()  # the other buffer's write: at most one in flight
        self._writing = self._thread.submit(self._put, block, self.position)
        self._turn ^= 1
        self.position += padded

    def _put(self, block: np.ndarray, offset: int) -> None:
        """Write a block (on the writer thread). A filesystem that accepted
        ``O_DIRECT`` but wants another alignment gets cached writes from here
        on (the file's layout does not change)."""
        try:
            _pwrite(self._fd, block, offset)
        except OSError as e:
            if e.errno != errno.EINVAL:
                raise
            os.close(self._fd)
            self._fd = os.open(self._path, os.O_WRONLY)
            _pwrite(self._fd, block, offset)

    def _wait(self) -> None:
        if self._direct and self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()  # a write's error is raised here

    def close(self) -> None:
        try:
            self._wait()
        finally:
            if self._direct:
                self._thread.shutdown(wait=True)
            if self._fd is not None:
                os.close(self._fd)
            else:
                self._stream.close()


#: Direct I/O moves whole blocks of this size between addresses aligned to it
#: (4 KiB covers disks of 512-byte and of 4 KiB sectors).
_BLOCK = 4096


def _whole_blocks(size: int) -> int:
    return -(-size // _BLOCK) * _BLOCK


def open_local(path: str, flags: int, mode: int = 0o600) -> tuple[int, bool]:
    """A file descriptor, with direct I/O (bypassing the page cache) when the
    system and filesystem allow it, and whether they did."""
    direct = getattr(os, "O_DIRECT", 0)
    if direct:
        try:
            return os.open(path, flags | direct, mode), True
        except OSError as e:
            if e.errno != errno.EINVAL:  # EINVAL: this filesystem has no direct I/O
                raise
    return os.open(path, flags, mode), False


class _Aligned:
    """A reusable byte buffer whose start is aligned for direct I/O."""

    def __init__(self) -> None:
        self._memory = np.empty(0, np.uint8)
        self._start = 0

    def take(self, size: int) -> np.ndarray:
        if self._start + size > len(self._memory):
            self._memory = np.empty(size + _BLOCK, np.uint8)
            self._start = -self._memory.ctypes.data % _BLOCK
        return self._memory[self._start : self._start + size]


def _pwrite(fd: int, data: np.ndarray, offset: int) -> None:
    view = memoryview(data)
    while view.nbytes:
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done


def _writev(fd: int, arrays: list[np.ndarray]) -> None:
    views = [memoryview(a).cast("B") for a in arrays if a.nbytes]
    while views:
        done = os.writev(fd, views[:_IOV_MAX])
        while views and done >= views[0].nbytes:  # drop what was written
            done -= views.pop(0).nbytes
        if done:
            views[0] = views[0][done:]


@contextmanager
def reader(path: str) -> Iterator:  # type: ignore[type-arg]
    """A function giving ``size`` bytes of the file from ``offset`` on, as a
    byte array that holds them until the next call (one buffer is reused:
    pass 2 reads thousands of segments a partition)."""
    if is_uri(path):
        fs, name = filesystem(path)
        with fs.open_input_file(name) as f:

            def read_remote(offset: int, size: int) -> np.ndarray:
                data = np.frombuffer(f.read_at(size, offset), dtype=np.uint8)
                _check(path, offset, size, len(data))
                return data

            yield read_remote
        return
    fd, direct = open_local(path, os.O_RDONLY)
    scratch = _Aligned()
    try:

        def read_local(offset: int, size: int) -> np.ndarray:
            nonlocal fd, direct
            if direct:
                start = offset - offset % _BLOCK  # whole aligned blocks around the bytes
                block = scratch.take(_whole_blocks(offset + size - start))
                try:
                    got = os.preadv(fd, [block], start) - (offset - start)
                except OSError as e:
                    if e.errno != errno.EINVAL:
                        raise
                    os.close(fd)  # another alignment wanted: cached reads from here on
                    fd, direct = os.open(path, os.O_RDONLY), False
                else:
                    _check(path, offset, size, max(0, min(got, size)))
                    return block[offset - start : offset - start + size]
            data = scratch.take(size)
            _check(path, offset, size, os.preadv(fd, [data], offset))
            return data

        yield read_local
    finally:
        os.close(fd)


def _check(path: str, offset: int, size: int, got: int) -> None:
    if got != size:
        raise ValueError(f"spill file {path}: {got} bytes at {offset}, its index says {size}")
