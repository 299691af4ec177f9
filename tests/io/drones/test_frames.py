"""The frame walk shared by the drone-log readers, on a toy framing: ``<``, length, payload."""

from __future__ import annotations

import io
import re

from airwitness import reasons
from airwitness.io.drones._frames import Damage, FrameWalk, Window

MARKER = re.compile(rb"<")


def read_frame(w: Window) -> bytes | Damage:
    if not w.fill(2):
        return Damage(reasons.TRUNCATED_MESSAGE)
    if w.buf[w.pos] != ord("<"):
        return Damage(reasons.BAD_FRAME)
    n = w.buf[w.pos + 1]
    if not w.fill(2 + n):
        return Damage(reasons.TRUNCATED_MESSAGE)
    payload = w.buf[w.pos + 2 : w.pos + 2 + n]
    if payload == b"!":  # damage the reader skips itself
        w.skip(2 + n)
        return Damage(reasons.CORRUPT_MESSAGE, skipped=True)
    w.skip(2 + n)
    return payload


def walk(data: bytes, **kwargs) -> tuple[list[tuple[int, int, bytes]], FrameWalk, list[int]]:
    resyncs: list[int] = []

    def resync(w: Window) -> bool:
        resyncs.append(w.offset)
        return w.seek_marker(MARKER, 1)

    frames = FrameWalk(
        "toy", Window(io.BytesIO(data), chunk=3), read_frame, resync, reasons.BAD_FRAME, **kwargs
    )
    return list(frames), frames, resyncs


def damage(frames: FrameWalk) -> list[tuple[int, str, int | None]]:
    return [(r.record, r.reason, r.offset) for r in frames.damage]


def test_frames_in_order_with_their_index_and_offset():
    got, frames, resyncs = walk(b"<\x02ab<\x00<\x01c")
    assert got == [(1, 0, b"ab"), (2, 4, b""), (3, 6, b"c")]
    assert (frames.count, frames.decoded, frames.damage, resyncs) == (3, 3, [], [])


def test_damage_is_one_reject_and_the_walk_resumes_at_the_next_frame():
    got, frames, resyncs = walk(b"<\x02abxyz<\x01c")
    assert got == [(1, 0, b"ab"), (3, 7, b"c")]
    assert damage(frames) == [(2, reasons.BAD_FRAME, 4)]
    assert resyncs == [4]


def test_a_frame_cut_short_is_truncated_at_the_end_else_a_damaged_length():
    got, frames, _ = walk(b"<\x01c<\x05ab")
    assert got == [(1, 0, b"c")]
    assert damage(frames) == [(2, reasons.TRUNCATED_MESSAGE, 3)]
    got, frames, _ = walk(b"<\x09ab<\x01c")
    assert got == [(2, 4, b"c")]
    assert damage(frames) == [(1, reasons.BAD_FRAME, 0)]


def test_skipped_damage_is_not_resynchronised():
    got, frames, resyncs = walk(b"<\x01!<\x01c")
    assert got == [(2, 3, b"c")]
    assert damage(frames) == [(1, reasons.CORRUPT_MESSAGE, 0)]
    assert resyncs == []


def test_padding_at_the_tail_ends_the_walk():
    def padding(w: Window) -> bool:
        w.fill(64)
        if w.buf[w.pos :].strip(b"\x00"):
            return False
        w.skip(w.available())
        return True

    got, frames, _ = walk(b"<\x01c" + bytes(10), at_tail=padding)
    assert got == [(1, 0, b"c")]
    assert (frames.count, frames.damage) == (1, [])
