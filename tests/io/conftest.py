"""Fixtures for the reader tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text or bytes, gz=False) -> path of a new file in tmp_path."""

    def _write(name: str, content: str | bytes, gz: bool = False) -> Path:
        data = content.encode() if isinstance(content, str) else content
        path = tmp_path / name
        path.write_bytes(gzip.compress(data) if gz else data)
        return path

    return _write
