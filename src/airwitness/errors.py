"""The exceptions the CLI turns into one line and an exit code: bad input (3),
bad usage (2), no room for a streaming run's spill (4)."""

from __future__ import annotations


class InputError(Exception):
    """An input file (or one record in it) cannot be read.

    ``record`` is the 1-based line number for text, the message index for
    binary streams, or ``None`` when the whole file is at fault.
    """

    def __init__(self, file: str, reason: str, record: int | None = None) -> None:
        self.file = file
        self.reason = reason
        self.record = record
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.record is None else f"{self.file}:{self.record}"
        return f"{where}: {self.reason}"


class UsageError(Exception):
    """Invalid options or arguments (exit 2)."""


class SpillError(Exception):
    """The spill folder of a streaming run cannot take its partitions: it cannot
    be created, or its disk or quota is full (exit 4)."""
