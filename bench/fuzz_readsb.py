"""Fuzz the readsb / tar1090 trace reader with mutated real traces (hypothesis).

    python bench/fuzz_readsb.py [--seconds 120] [--per-input 2.0] [--seed N]

The seed is the real trace of the traffic sample
(tests/data/readsb/trace_full_ac671b.json.gz, 2,500 points). Each input is a
trace of 1–120 consecutive points of it, built in one of three layouts
(readsb's own: one point per line; compact ``json.dumps``; pretty-printed
with ``indent=1``), with some points or header values replaced by arbitrary
JSON values, then mutated at the byte level by hypothesis (byte flips,
inserted tokens and random bytes, deleted and duplicated ranges, truncation),
and sometimes gzip-compressed (and then possibly truncated).

For every input the reader must return a ReadResult or raise InputError —
nothing else — within ``--per-input`` seconds, and the result must reconcile:
records are exactly 1..n, each once (rows and rejects together); an input
that is valid JSON reads every point of its trace; rows have the canonical
schema, times in the accepted window, lat/lon in range, no infinities.
Findings are written to ``--out`` and the run continues.
Prints executions, executions/s and findings.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import given
from hypothesis import strategies as st

from airwitness.errors import InputError
from airwitness.io.modes import readsb
from airwitness.schema import POSITION_SCHEMA, ReadResult
from bench._fuzz import Fuzz, byte_mutations, gzipped, mutate, parse_args, sane, time_limit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "readsb" / "trace_full_ac671b.json.gz"
TOKENS = [
    b",", b"[", b"]", b"{", b"}", b'"', b":", b"\n", b"\n    [", b"null", b"true", b"NaN",
    b"Infinity", b"-Infinity", b"1e999", b"-0", b"9" * 400, b'"ground"', b"\\u0000",
    b"\x00", b"\xff\xfe", b"\xc3", b" ", b"[" * 50, b'"trace":[', b'"timestamp":',
]  # fmt: skip

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["ground", "", "adsb_icao", "~abc123"])
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=16) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def build(doc: dict, points: list, layout: int) -> bytes:
    """Serialise like readsb (one point per line), compactly, or pretty-printed."""
    if layout == 1:
        return json.dumps({**doc, "trace": points}).encode()
    if layout == 2:
        return json.dumps({**doc, "trace": points}, indent=1).encode()
    head = json.dumps(doc)[:-1]  # without the closing brace
    body = ",".join("\n    " + json.dumps(p, separators=(",", ":")) for p in points)
    return f'{head},\n  "trace":[{body} ]\n}}\n'.encode()


MUTATION = byte_mutations(TOKENS, max_delete=300, max_dup=600)


def check(data: bytes, gz_cut: int | None, limit_s: float) -> str:
    """Run the reader on one input; raise AssertionError/Hang on a finding; return an outcome."""
    payload = gzipped(data, gz_cut)
    with time_limit(limit_s):
        try:
            result = readsb.read("trace_full_fuzz.json", io.BytesIO(payload))
        except InputError as e:
            return f"InputError {e.reason.split(' (')[0]!r}"
    assert isinstance(result, ReadResult)
    assert result.table.schema == POSITION_SCHEMA
    seen = sorted(result.table["source_record"].to_pylist() + [r.record for r in result.rejects])
    assert seen == list(range(1, len(seen) + 1)), "records are not 1..n once each"
    assert result.records == len(seen)
    if gz_cut is None or gz_cut < 0:
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("trace"), list):
            assert len(seen) == len(doc["trace"]), "a valid trace must be read point for point"
    sane(result)
    return "read" if not result.rejects else "rejects"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__, "readsb", 2.0, argv)

    sample = json.loads(gzip.decompress(SAMPLE.read_bytes()))
    header = {k: v for k, v in sample.items() if k != "trace"}
    trace = sample["trace"]
    fuzz = Fuzz("readsb", args)

    @given(
        start=st.integers(0, len(trace) - 1),
        length=st.integers(1, 120),
        layout=st.integers(0, 2),
        replace_points=st.lists(st.tuples(st.integers(0, 299), JSON), max_size=2),
        replace_fields=st.lists(
            st.tuples(st.integers(0, 299), st.integers(0, 13), JSON), max_size=4
        ),
        replace_header=st.lists(st.tuples(st.sampled_from(sorted(header)), JSON), max_size=2),
        mutations=st.lists(MUTATION, max_size=10),
        gz=st.one_of(st.none(), st.just(-1), st.integers(0, 10**6)),
    )
    def one(start, length, layout, replace_points, replace_fields, replace_header, mutations, gz):
        points = [list(p) for p in trace[start : start + length]]
        for i, value in replace_points:
            points[i % len(points)] = value
        for i, j, value in replace_fields:
            point = points[i % len(points)]
            if isinstance(point, list) and point:
                point[j % len(point)] = value
        doc = dict(header)
        for key, value in replace_header:
            doc[key] = value
        data = mutate(build(doc, points, layout), mutations)
        note = f"gzip cut: {gz!r}\n"
        fuzz.trial(data, note, lambda: check(data, gz, args.per_input))

    return fuzz.run(one)


if __name__ == "__main__":
    sys.exit(main())
