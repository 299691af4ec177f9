"""The spill's compiled loops: a flush's rows grouped by track straight into the bytes written.

A flush (:class:`airwitness.engine.spill.SpillWriter`) holds a few batches as
numpy views of their Arrow buffers. Each row's *bucket* (its partition, then
its track there) comes from its track's dictionary entry, and the rows of a
bucket keep their input order: a stable counting sort. Nothing is gathered
into grouped copies first:

1. :func:`note_changes` walks the rows once and counts, per bucket, where the
   four columns stored as runs (file number, records' high 32 bits, position
   error, leg start) change value; :func:`plan_runs` turns the counts into
   each partition's runs (a bucket's first run merges with the bucket before
   when their values meet) and where each bucket's runs go.
2. :func:`place_rows` walks the rows again: each row's place in its segment
   (``dest``: its 8-byte word in the flush's buffer, and its partition), and
   the runs' starts and values written where they go.
3. :func:`scatter`, a column at a time (fewer places written at once than
   all columns in one loop: measured 9 against 14 ns a report), puts the
   five columns stored one value per row in their places, and
   :func:`close_runs` turns the runs' starts into their ends.

Values of the run columns are compared as float64 (every int32 and float32
is exact there): NaN differs from everything, so each unknown error is a run
of its own, as ``np.not_equal`` made it. Null altitudes and leg starts are
read from Arrow's validity bitmaps (an empty bitmap: no nulls; empty leg
starts: every one false).
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: The columns stored as runs, in segment order after the track's
RUN_COLUMNS = 4


# The two walks over a batch's rows below read the run columns' values with
# the same lines, written out in each: a compiled helper taking the arrays
# costs 20-30 ns a call (it is not inlined), the loop 2 ns a row; with
# ``inline="always"`` the spill of rows whose files alternate took 90-95 ns a
# report against 48-49. For the same reason ``place_runs`` repeats the six lines
# of ``place_rows`` that place a row, rather than a second walk over the batch.


@nb.njit(cache=True, nogil=True)
def note_changes(
    track, bucket_of, seen, first, last, changes,
    file, file_of, record, sigma_code, sigma_of, sigma, leg, leg_valid, leg_at,
):  # fmt: skip
    """One batch's rows: per bucket, the run columns' first values, last values
    and changes of value (``seen``: rows of the bucket met so far). A row's
    values: its file number, its record's high 32 bits, its position error
    (``sigma_of`` its code where codes are given, else ``sigma``) and its
    leg start."""
    coded, legs, valid = sigma_code.shape[0] > 0, leg.shape[0] > 0, leg_valid.shape[0] > 0
    values = np.zeros(RUN_COLUMNS)
    for i in range(track.shape[0]):
        b = bucket_of[track[i]]
        values[0] = file_of[file[i]]
        values[1] = np.int32(record[i] >> 32)
        values[2] = sigma_of[sigma_code[i]] if coded else sigma[i]
        if legs:
            at = leg_at + i
            bit = (leg[at >> 3] >> (at & 7)) & 1
            values[3] = bit & (leg_valid[at >> 3] >> (at & 7)) if valid else bit
        for c in range(RUN_COLUMNS):
            v = values[c]
            if seen[b] == 0:
                first[b, c] = v
            elif v != last[b, c]:
                changes[b, c] += 1
            last[b, c] = v
        seen[b] += 1


@nb.njit(cache=True, nogil=True)
def plan_runs(per_bucket, first_bucket, first, last, changes, merged, slot):
    """Each partition's runs per run column, from the buckets' changes: a run
    starts at each bucket's first row, unless its value is the last of the
    bucket with rows before it in the partition (``merged``). ``slot``: where
    each bucket's first run goes among its partition's runs of that column."""
    partitions = first_bucket.shape[0] - 1
    runs = np.zeros((partitions, RUN_COLUMNS), dtype=np.int64)
    for p in range(partitions):
        before = -1
        for b in range(first_bucket[p], first_bucket[p + 1]):
            if per_bucket[b] == 0:
                continue
            for c in range(RUN_COLUMNS):
                merged[b, c] = before >= 0 and first[b, c] == last[before, c]
                slot[b, c] = runs[p, c]
                runs[p, c] += 1 + changes[b, c] - merged[b, c]
            before = b
    return runs


@nb.njit(cache=True, nogil=True)
def place_rows(track, bucket_of, cursor, part_of, word, dest, part):
    """One batch's rows' places in their segments (``cursor``: each bucket's next
    row there), as ``dest``, their 8-byte words in the buffer (a segment's
    first is ``word[p]``), and ``part``, their partitions."""
    for i in range(track.shape[0]):
        b = bucket_of[track[i]]
        row = cursor[b]
        cursor[b] = row + 1
        p = part_of[b]
        dest[i] = word[p] + row
        part[i] = p


@nb.njit(cache=True, nogil=True)
def one_run_each(file, high, sigma, leg, rows, values_at, out32, out_f32, out8):
    """The value of the one run of each run column in every segment (its end,
    the segment's rows, is :func:`finish_segments`')."""
    for p in range(rows.shape[0]):
        if rows[p]:
            out32[values_at[p, 0]] = file
            out32[values_at[p, 1]] = high
            out_f32[values_at[p, 2]] = sigma
            out8[values_at[p, 3]] = leg


@nb.njit(cache=True, nogil=True)
def place_runs(
    track, bucket_of, cursor, start, part_of, word, dest, part, last, merged, slot,
    ends_at, values_at, out32, out_f32, out8,
    file, file_of, record, sigma_code, sigma_of, sigma, leg, leg_valid, leg_at,
):  # fmt: skip
    """One batch's rows' places (:func:`place_rows`; ``start``: each bucket's
    first row in its segment), and the runs they start: their start row at 4-byte
    word ``ends_at[p, c]`` + the run's slot, their value from word
    ``values_at[p, c]`` on (from that byte for the one-byte leg starts)."""
    coded, legs, valid = sigma_code.shape[0] > 0, leg.shape[0] > 0, leg_valid.shape[0] > 0
    values = np.zeros(RUN_COLUMNS)
    for i in range(track.shape[0]):
        b = bucket_of[track[i]]
        row = cursor[b]
        cursor[b] = row + 1
        p = part_of[b]
        dest[i] = word[p] + row
        part[i] = p
        values[0] = file_of[file[i]]  # as in note_changes
        values[1] = np.int32(record[i] >> 32)
        values[2] = sigma_of[sigma_code[i]] if coded else sigma[i]
        if legs:
            at = leg_at + i
            bit = (leg[at >> 3] >> (at & 7)) & 1
            values[3] = bit & (leg_valid[at >> 3] >> (at & 7)) if valid else bit
        opening = row == start[b]
        for c in range(RUN_COLUMNS):
            v = values[c]
            if (opening and not merged[b, c]) or (not opening and v != last[b, c]):
                k = slot[b, c]
                slot[b, c] = k + 1
                out32[ends_at[p, c] + k] = row
                if c == 2:
                    out_f32[values_at[p, c] + k] = np.float32(v)
                elif c == 3:
                    out8[values_at[p, c] + k] = np.uint8(v)
                else:
                    out32[values_at[p, c] + k] = np.int32(v)
            last[b, c] = v


@nb.njit(cache=True, nogil=True)
def scatter(values, dest, part, shift, out):
    """``out[dest + shift[part]] = values``: one column into its segments."""
    for i in range(values.shape[0]):
        out[dest[i] + shift[part[i]]] = values[i]


@nb.njit(cache=True, nogil=True)
def scatter_nullable(values, valid, at, dest, part, shift, out):
    """:func:`scatter` of floating-point values, NaN where the validity bitmap
    ``valid`` (from bit ``at``; empty: no nulls) says null."""
    if valid.shape[0] == 0:
        scatter(values, dest, part, shift, out)
        return
    for i in range(values.shape[0]):
        j = at + i
        known = (valid[j >> 3] >> (j & 7)) & 1
        out[dest[i] + shift[part[i]]] = values[i] if known else np.nan


@nb.njit(cache=True, nogil=True)
def scatter_low(record, dest, part, shift, out32):
    """:func:`scatter` of the low 32 bits of the record numbers."""
    for i in range(record.shape[0]):
        out32[dest[i] + shift[part[i]]] = np.uint32(record[i] & 0xFFFFFFFF)


@nb.njit(cache=True, nogil=True)
def close_runs(runs, rows, ends_at, out32):
    """Each partition's runs' starts (as :func:`place_rows` wrote them) turned
    into their ends: the next run's start, the segment's rows for the last."""
    for p in range(runs.shape[0]):
        for c in range(runs.shape[1]):
            w = ends_at[p, c]
            for k in range(runs[p, c] - 1):
                out32[w + k] = out32[w + k + 1]
            if runs[p, c]:
                out32[w + runs[p, c] - 1] = rows[p]


@nb.njit(cache=True, nogil=True)
def finish_segments(
    per_bucket, first_bucket, track_at, runs, rows, ends_at, end, stop, out32, out8
):
    """Each partition's segment completed: its track runs (one per bucket with
    rows: its end row, then the track's number in the partition) from word
    ``track_at[p]``, the other runs' ends (:func:`close_runs`), and zeros from
    byte ``end[p]`` up to the next segment (``stop[p]``)."""
    close_runs(runs, rows, ends_at, out32)
    for p in range(rows.shape[0]):
        if rows[p] == 0:
            continue
        w = track_at[p]
        n = 0
        for b in range(first_bucket[p], first_bucket[p + 1]):
            n += per_bucket[b] > 0
        row = 0
        k = 0
        for b in range(first_bucket[p], first_bucket[p + 1]):
            if per_bucket[b] > 0:
                row += per_bucket[b]
                out32[w + k] = row
                out32[w + n + k] = b - first_bucket[p]
                k += 1
        for byte in range(end[p], stop[p]):
            out8[byte] = 0


@nb.njit(cache=True, nogil=True)
def decode_segment(
    data, rows, track_runs, file_runs, high_runs, sigma_runs, leg_runs, track_at, name_at,
    time, lon, lat, alt, record, track, file, leg, sigma,
):  # fmt: skip
    """A segment's bytes (``data``, the format of :mod:`airwitness.engine.spill`)
    into one array per column: the plain columns copied, the runs written out a
    value a row (track and file numbers translated by ``track_at`` and
    ``name_at``), the record numbers from their low 32 bits and the runs of
    their high ones. False for runs that do not cover the rows exactly or a
    number with no translation: a damaged file."""
    k = rows
    time[:] = data[: 8 * k].view(np.int64)
    lon[:] = data[8 * k : 16 * k].view(np.float64)
    lat[:] = data[16 * k : 24 * k].view(np.float64)
    alt[:] = data[24 * k : 32 * k].view(np.float64)
    low = data[32 * k : 36 * k].view(np.uint32)
    at = 36 * k
    ends = data[at : at + 4 * track_runs].view(np.int32)
    codes = data[at + 4 * track_runs : at + 8 * track_runs].view(np.int32)
    ok = _expand_codes(track, ends, codes, track_at)
    at += 8 * track_runs
    ends = data[at : at + 4 * file_runs].view(np.int32)
    codes = data[at + 4 * file_runs : at + 8 * file_runs].view(np.int32)
    ok &= _expand_codes(file, ends, codes, name_at)
    at += 8 * file_runs
    ends = data[at : at + 4 * high_runs].view(np.int32)
    highs = data[at + 4 * high_runs : at + 8 * high_runs].view(np.int32)
    ok &= _covers(ends, k)
    if ok:
        start = 0
        for r in range(high_runs):
            top = np.int64(highs[r]) << 32
            for i in range(start, ends[r]):
                record[i] = top | np.int64(low[i])
            start = ends[r]
    at += 8 * high_runs
    ends = data[at : at + 4 * sigma_runs].view(np.int32)
    ok &= _covers(ends, k)
    if ok:
        _expand(sigma, ends, data[at + 4 * sigma_runs : at + 8 * sigma_runs].view(np.float32))
    at += 8 * sigma_runs
    ends = data[at : at + 4 * leg_runs].view(np.int32)
    ok &= _covers(ends, k)
    if ok:
        _expand(leg, ends, data[at + 4 * leg_runs : at + 5 * leg_runs])
    return ok


@nb.njit(cache=True, nogil=True)
def _covers(ends, rows):
    """Run ends that never go back and end at the last row."""
    start = 0
    for r in range(ends.shape[0]):
        if ends[r] < start or ends[r] > rows:
            return False
        start = ends[r]
    return start == rows


@nb.njit(cache=True, nogil=True)
def _expand(out, ends, values):
    start = 0
    for r in range(ends.shape[0]):
        for i in range(start, ends[r]):
            out[i] = values[r]
        start = ends[r]


@nb.njit(cache=True, nogil=True)
def _expand_codes(out, ends, codes, translated):
    """:func:`_expand` of numbers translated by ``translated``, when each has one."""
    if not _covers(ends, out.shape[0]):
        return False
    for r in range(codes.shape[0]):
        if codes[r] < 0 or codes[r] >= translated.shape[0]:
            return False
    start = 0
    for r in range(ends.shape[0]):
        value = translated[codes[r]]
        for i in range(start, ends[r]):
            out[i] = value
        start = ends[r]
    return True
