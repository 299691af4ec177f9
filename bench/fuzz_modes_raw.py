"""Fuzz the timestamped raw-message reader (modes_raw) with mutated real data (hypothesis).

    python bench/fuzz_modes_raw.py [--seconds 120] [--per-input 5.0] [--seed N]

Seeds are the pyModeS 2.22.0 sample (tests/data/modes_raw/sample_data_adsb.csv,
2,000 real DF 17 messages of 406b90) in the containers the reader takes: the
header-less CSV as shipped, OpenSky-style CSV (``mintime,rawmsg``), JSON Lines
(``timestamp``/``frame``, ISO times) and a JSON array. Each input is a window
of 1–400 lines (records) of a seed, mutated by hypothesis (byte flips, tokens
such as quotes, commas, ``*``/``;``, hex digits, huge and non-finite numbers;
random bytes, deleted and duplicated ranges, truncation) and sometimes
gzip-compressed (and then possibly cut).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds; each record appears once as a
row or a reject, and for plain CSV (no quotes, no CR) the records are exactly
the non-blank lines (minus the header line when there is one); rows have the
canonical schema, times in the accepted window, lat/lon in range, finite
numbers, track ids of 6 hex digits. Findings (failing inputs after shrinking)
are written to ``--out`` and the run continues. Prints executions, executions/s,
outcomes and findings.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.batches import container
from airwitness.io.modes import modes_raw
from airwitness.schema import POSITION_SCHEMA, ReadResult
from bench._fuzz import Fuzz, byte_mutations, gzipped, mutate, parse_args, sane, time_limit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "modes_raw" / "sample_data_adsb.csv"
TOKENS = [
    b",", b"\n", b'"', b"*", b";", b"{", b"}", b"[", b"]", b":", b"0", b"f", b"F", b"8D",
    b"nan", b"inf", b"-1", b"1e999", b"99999999999999999999", b"2016-02-30T25:61:61Z",
    b"\x00", b"\xff\xfe", b" ", b"", b"0" * 28,
]  # fmt: skip
_TRACK = re.compile(r"^~?[0-9a-f]{6}$")


def seeds() -> list[tuple[bytes, list[bytes]]]:
    """(header, record lines) per container; a JSON array is framed in :func:`assemble`."""
    lines = SAMPLE.read_bytes().splitlines()
    pairs = [(int(x.split(b",")[0]), x.split(b",")[1].strip(b'"').decode()) for x in lines]
    opensky = [f"{t}.25,{m.lower()},406b90".encode() for t, m in pairs]
    jsonl = [
        json.dumps({"timestamp": f"{np.datetime64(t, 's')}.5Z", "frame": m}).encode()
        for t, m in pairs
    ]
    array = [json.dumps({"ts": t, "hex": f"*{m};"}).encode() for t, m in pairs]
    return [(b"", lines), (b"mintime,rawmsg,icao24", opensky), (b"", jsonl), (b"[", array)]


def assemble(header: bytes, lines: list[bytes]) -> bytes:
    if header == b"[":
        return b"[" + b",\n".join(lines) + b"]"
    body = b"\n".join(lines) + b"\n"
    return header + b"\n" + body if header else body


MUTATION = byte_mutations(TOKENS)


def check(data: bytes, gz_cut: int | None, limit_s: float) -> str:
    """Run the reader on one input; raise on a finding; return the outcome."""
    payload = gzipped(data, gz_cut)
    with time_limit(limit_s):
        try:
            result = modes_raw.read("fuzz.csv", io.BytesIO(payload))
        except InputError as e:
            return f"InputError {e.reason.split(':')[0][:60]!r}"
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert len(seen) == len(set(seen)) == result.records, "a record counted twice"
    assert not seen or seen[0] >= 1
    if gz_cut is None or gz_cut < 0:
        _plain_csv_lines(data, seen)
    sane(result, _TRACK)
    return "rows" if result.table.num_rows else "no rows"


def _plain_csv_lines(data: bytes, seen: list[int]) -> None:
    """For CSV without quotes or CRs, records are exactly the data lines."""
    if container(data[: 1 << 16]) != "csv" or b'"' in data or b"\r" in data:
        return
    numbered = [(i, ln) for i, ln in enumerate(data.split(b"\n"), start=1) if ln.strip()]
    if modes_raw._headerless(data[: 1 << 16]) is None:
        numbered = numbered[1:]
    assert seen == [i for i, _ in numbered], "records are not the data lines"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, "modes_raw", 5.0, argv)

    logs = seeds()
    modes_raw.read(SAMPLE)  # compile the numba kernels before timing inputs
    fuzz = Fuzz("modes_raw", args)

    @given(
        which=st.integers(0, len(logs) - 1),
        start=st.integers(0, 10**9),
        length=st.integers(1, 400),
        mutations=st.lists(MUTATION, max_size=12),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
    )
    def one(which, start, length, mutations, gz):
        header, lines = logs[which]
        i = start % len(lines)
        data = mutate(assemble(header, lines[i : i + length]), mutations)
        note = f"gzip cut: {gz!r}\n"
        fuzz.trial(data, note, lambda: check(data, gz, args.per_input))

    return fuzz.run(one)


if __name__ == "__main__":
    sys.exit(main())
