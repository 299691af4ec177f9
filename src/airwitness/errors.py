"""The one exception for bad input, so the CLI can turn it into one line and exit 3."""

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
