"""`airwitness airspace info`."""

from __future__ import annotations

import json

from tests.cli._cli import run


def test_airspace_info():
    result = run("airspace", "info", "--json")
    info = json.loads(result.stdout)
    assert info["provenance"]["version"] == "5.1.1"
    assert info["provenance"]["territorial_sea_m"] == 22224
    assert "AZE" not in info  # codes are counted, not listed
    assert info["codes"] == 250
