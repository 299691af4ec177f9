"""Every reason a record can be rejected for, one named constant each (docs/architecture.md §6).

A reject reason is a short fixed phrase: rejects are counted by it, reject files
and summaries print it, and tests compare it, so its text never changes. Code
names a reason only through these constants: a misspelt name is an error at
import, where a misspelt phrase would be a new reason that ``--strict`` treats
differently. :data:`BENIGN_REASONS` is built from them here.

A few reasons carry a detail (the column, the ASTERIX category): they are built
by the functions at the end, each from its ``*_PREFIX`` constant followed by the
detail, so every reason with a detail still starts with a fixed phrase.
"""

from __future__ import annotations

# --- any reader: a record's values ----------------------------------------

NO_POSITION = "no position"
BAD_LAT_LON = "bad lat/lon"
LAT_LON_OUT_OF_RANGE = "lat/lon out of range"
BAD_TIME = "bad time"
MISSING_TIME = "missing time"
BAD_TRACK_ID = "bad track_id"
MISSING_TRACK_ID = "missing track_id"
BAD_CALLSIGN_TEXT = "bad text in callsign"
BAD_ALT_KIND = "bad alt_kind"
BAD_ALTITUDE = "bad altitude"
#: followed by the name of the column or field: ``bad number in altitude``
BAD_NUMBER_PREFIX = "bad number in "

# --- text and JSON containers ----------------------------------------------

WRONG_NUMBER_OF_FIELDS = "wrong number of fields"
LINE_TOO_LONG = "line too long"
BAD_LINE = "bad line"
BAD_TEXT = "bad text"
BAD_HEX = "bad hex"
BAD_JSON = "bad JSON"
TRUNCATED_JSON = "truncated JSON"
NOT_AN_OBJECT = "not an object"

# --- a gzip stream that breaks off (the record where the readable part ends) --

CORRUPT_GZIP = "corrupt gzip data"
TRUNCATED_GZIP = "truncated gzip data"
#: followed by the operating system's message
READ_ERROR_PREFIX = "read error: "

# --- Mode S / ADS-B --------------------------------------------------------

UNDECODABLE_MESSAGE = "undecodable message"
UNSUPPORTED_MESSAGE = "unsupported message"
MISSING_MESSAGE = "missing message"
BAD_CRC = "bad CRC"
CPR_UNRESOLVED = "CPR unresolved"
OUT_OF_RECEIVER_RANGE = "position out of receiver range"
NO_TIMESTAMP = "no timestamp"
BAD_TIMESTAMP = "bad timestamp"
RECEIVER_CLOCK_RESET = "receiver clock reset"
NOT_A_BEAST_FRAME = "not a Beast frame"
UNKNOWN_FRAME_TYPE = "unknown frame type"
NOT_AN_SBS_MESSAGE = "not an SBS message"
BAD_HEX_IDENT = "bad hex ident"
NOT_A_TRACE_POINT = "not a trace point"
BAD_FLAGS = "bad flags"

# --- detections (radar plots, sightings) and the tracker ----------------------

MISSING_SENSOR = "missing sensor"
#: a detection that is in no confirmed track: clutter, or a target seen too
#: seldom to be tracked (benign: a radar's plots are mostly clutter)
CLUTTER = "clutter"
#: an anonymous plot received by ``airwitness watch``: the tracker runs on whole
#: recordings only, so live it is counted and stored, not tracked
NOT_TRACKED_LIVE = "plot not tracked live"

# --- ASTERIX ---------------------------------------------------------------

SERVICE_MESSAGE = "service message"
NO_RADAR_SITE = "no radar site"
NO_TARGET_ADDRESS = "no target address"
NO_TRACK_NUMBER = "no track number"
NO_TIME = "no time"
NO_DATE = "no date"
TIME_OUT_OF_RANGE = "time out of range"
BAD_RECORD = "bad record"
EMPTY_RECORD = "empty record"
TRUNCATED_BLOCK = "truncated block"
BAD_BLOCK_LENGTH = "bad block length"
NOT_ASTERIX = "not ASTERIX"
NOT_UDP = "not UDP"
TRUNCATED_PACKET = "truncated packet"
BAD_PACKET_HEADER = "bad packet header"
BAD_PCAP_RECORD = "bad pcap record"
IP_FRAGMENT = "IP fragment"
#: followed by the category number: ``unsupported category 1``
UNSUPPORTED_CATEGORY_PREFIX = "unsupported category "
#: followed by the category number: ``unknown category 99``
UNKNOWN_CATEGORY_PREFIX = "unknown category "

# --- drone logs and Remote ID ----------------------------------------------

TRUNCATED_MESSAGE = "truncated message"
BAD_FRAME = "bad frame"
CORRUPT_MESSAGE = "corrupt message"
BAD_MESSAGE_SIZE = "bad message size"
UNKNOWN_MESSAGE_ID = "unknown message id"
UNKNOWN_MESSAGE_TYPE = "unknown message type"
WRONG_MESSAGE_LENGTH = "wrong message length"
BAD_MESSAGE_PACK = "bad message pack"

# --- track cleaning (airwitness.tracks) ------------------------------------

DUPLICATE = "duplicate"
SAME_TIME_OTHER_POSITION = "same time, other position"
POSITION_OUTLIER = "position outlier"

#: Reasons that are part of normal data rather than damage: counted and
#: reported, but ``--strict`` does not fail on them.
BENIGN_REASONS = frozenset(
    {
        NO_POSITION,  # e.g. OpenSky rows, Mode S messages without a position
        SERVICE_MESSAGE,  # ASTERIX CAT034/065 and other non-target categories
        NOT_UDP,  # capture noise around ASTERIX packets
        CLUTTER,  # a detection in no confirmed track (airwitness.tracking)
        CPR_UNRESOLVED,  # Mode S position frame before its aircraft's first even/odd pair
    }
)


def bad_number_in(column: str) -> str:
    """The reason for a value of ``column`` that is not a number.

    >>> bad_number_in("altitude")
    'bad number in altitude'
    """
    return BAD_NUMBER_PREFIX + column


def read_error(detail: str) -> str:
    """The reason for bytes the operating system could not read (``detail`` says why)."""
    return READ_ERROR_PREFIX + detail


def unsupported_category(category: int) -> str:
    """An ASTERIX category the decoder knows but airwitness does not read."""
    return f"{UNSUPPORTED_CATEGORY_PREFIX}{category}"


def unknown_category(category: int) -> str:
    """An ASTERIX category the decoder does not know (its records cannot be framed)."""
    return f"{UNKNOWN_CATEGORY_PREFIX}{category}"
