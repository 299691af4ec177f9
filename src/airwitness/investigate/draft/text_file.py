"""Reading the report a case is drafted from."""

from __future__ import annotations

from pathlib import Path

from airwitness.errors import InputError


def read_text_file(path: str | Path) -> str:
    """The text of a report file, UTF-8 (a BOM is allowed); InputError otherwise."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (bad byte at offset {exc.start})") from exc
    if "\x00" in text:
        raise InputError(str(path), "not a text file (contains NUL bytes)")
    return text
