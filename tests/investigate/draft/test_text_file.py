"""Reading the report a case is drafted from: UTF-8 (a BOM allowed), else InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from airwitness.errors import InputError
from airwitness.investigate.draft import read_text_file


def test_read_text_file(tmp_path: Path) -> None:
    good = tmp_path / "report.txt"
    good.write_bytes("\ufeffDrones entered Iran’s airspace.".encode())
    assert read_text_file(good) == "Drones entered Iran’s airspace."
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Drohnen über Polen".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_text_file(bad)
    with pytest.raises(InputError, match="cannot read"):
        read_text_file(tmp_path / "missing.txt")
