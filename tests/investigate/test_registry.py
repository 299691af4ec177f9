"""investigate.registry: ICAO 24-bit address -> state of registry, and the shipped table."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from airwitness.investigate.registry import (
    block_table,
    parse_icao24,
    provenance,
    state_of_registry,
)

ROOT = Path(__file__).resolve().parents[2]
TRAFFIC_WHEEL_SHA256 = "5e0cd61d931d03103294361542188f08f959a55e862d5cba80ab61291021e66c"


def test_known_addresses():
    ids = ["4b43ac", "3c6444", "4ca8b1", "730c4a", "600a1c", "896458", "4bb1c2"]
    assert state_of_registry(ids) == ["CHE", "DEU", "IRL", "IRN", "AZE", "ARE", "TUR"]


def test_flarm_address_is_in_a_block_allocated_to_no_state():
    # ddb056 (the franconia glider) lies in D00000-DFFFFF, "reserved for future use".
    t = block_table()
    k = int(np.searchsorted(t.start, 0xDDB056, side="right") - 1)
    assert (t.start[k], t.end[k]) == (0xD00000, 0xDFFFFF)
    assert t.state[k] == "Unassigned (reserved for future use)"
    assert t.iso3[k] is None
    assert state_of_registry(["ddb056"]) == [None]


def test_non_icao_ids_and_malformed_addresses_have_no_state():
    ids = ["UAV-1", None, "", "4b43a", "4b43ac0", "4b43ag", " 4b43a", "radar:17", "ä0000"]
    assert state_of_registry(ids) == [None] * len(ids)


def test_upper_case_hex_is_accepted():
    assert state_of_registry(["4B43AC", "600A1C"]) == ["CHE", "AZE"]


def test_nested_blocks_resolve_to_the_most_specific():
    # Azerbaijan 600800-600BFF sits inside the unassigned MID-region block 600000-67FFFF,
    # Armenia 600000-6003FF at its start.
    ids = ["600000", "6003ff", "600400", "6007ff", "600800", "600bff", "600c00", "67ffff"]
    assert state_of_registry(ids) == ["ARM", "ARM", None, None, "AZE", "AZE", None, None]


def test_addresses_outside_every_block():
    # 000000-003FFF is in no block at all; 0xFFFFFF is reserved.
    assert state_of_registry(["000000", "003fff", "ffffff"]) == [None, None, None]


def test_arrow_input_chunked_and_sliced():
    chunked = pa.chunked_array([["UAV-1", "4b43ac"], ["600a1c"]])
    assert state_of_registry(chunked) == [None, "CHE", "AZE"]
    sliced = pa.array(["x", "y", "730c4a"]).slice(2)
    assert state_of_registry(sliced) == ["IRN"]
    assert state_of_registry([]) == []


def test_parse_icao24_values():
    assert parse_icao24(["000001", "ffffff", "4B43AC", "nope"]).tolist() == [
        1,
        0xFFFFFF,
        0x4B43AC,
        -1,
    ]


def test_shipped_table_is_sorted_disjoint_and_coded():
    t = block_table()
    assert len(t.start) == 226
    assert np.all(t.start <= t.end)
    assert np.all(t.start[1:] > t.end[:-1])
    codes = {c for c in t.iso3 if c is not None}
    assert len(codes) == 188
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes)
    for state, code in zip(t.state, t.iso3, strict=True):
        assert (code is None) == state.startswith(("Unassigned", "ICAO "))


def test_provenance_names_the_source_and_hashes():
    p = provenance()
    assert p["source"]["wheel"] == "traffic-2.13-py3-none-any.whl"
    assert p["source"]["wheel_sha256"] == TRAFFIC_WHEEL_SHA256
    assert p["source"]["member"] == "traffic/data/basic/patterns.json"
    assert "Annex 10 Vol III" in p["source"]["cites"][0]
    csv_bytes = resources.files("airwitness").joinpath("data", "icao_blocks.csv").read_bytes()
    assert p["csv_sha256"] == hashlib.sha256(csv_bytes).hexdigest()
    assert p["rows"] == 226


def _builder():
    path = ROOT / "scripts" / "build_icao_blocks.py"
    spec = importlib.util.spec_from_file_location("build_icao_blocks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def test_builder_flattens_nested_blocks_and_refuses_partial_overlaps():
    b = _builder()
    region = b.Block(0x600000, 0x67FFFF, "Unassigned (MID region)", "")
    arm = b.Block(0x600000, 0x6003FF, "Armenia", "ARM")
    aze = b.Block(0x600800, 0x600BFF, "Azerbaijan", "AZE")
    got = [(p.start, p.end, p.iso3) for p in b.flatten(sorted([region, arm, aze]))]
    assert got == [
        (0x600000, 0x6003FF, "ARM"),
        (0x600400, 0x6007FF, ""),
        (0x600800, 0x600BFF, "AZE"),
        (0x600C00, 0x67FFFF, ""),
    ]
    # a state wins a tie with a non-state allocation of the same block
    twn = b.Block(0x899000, 0x8993FF, "Taiwan", "TWN")
    special = b.Block(0x899000, 0x8993FF, "ICAO (special use)", "")
    assert [p.iso3 for p in b.flatten(sorted([special, twn]))] == ["TWN"]
    with pytest.raises(SystemExit, match="partial overlap"):
        b.flatten([b.Block(0, 0xFF, "A", "AAA"), b.Block(0x80, 0x1FF, "B", "BBB")])


@pytest.mark.skipif(
    not Path("/tmp/wheels/traffic-2.13-py3-none-any.whl").is_file(),
    reason="development copy of the traffic wheel not present",
)
def test_builder_reproduces_the_shipped_files(tmp_path):
    b = _builder()
    b.build(Path("/tmp/wheels/traffic-2.13-py3-none-any.whl"), tmp_path)
    data = resources.files("airwitness").joinpath("data")
    for name in ("icao_blocks.csv", "icao_blocks.provenance.json"):
        assert (tmp_path / name).read_bytes() == data.joinpath(name).read_bytes()
