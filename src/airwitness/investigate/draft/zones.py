"""Time zones: the zone of a country, and the zones a text names ("Kyiv time", "UTC").

Both come from the IANA time-zone database as the ``tzdata`` package ships it:
a country's zones from ``zone1970.tab`` (ISO 3166 alpha-2 codes -> zones), a
city's from the zone names themselves (``Europe/Kyiv`` -> "Kyiv"). Only the
abbreviations news use for fixed offsets (:data:`ABBREVIATIONS`) are written by
hand: the database has no table of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from airwitness.investigate.draft.countries import find_countries
from airwitness.investigate.draft.fields import quoted
from airwitness.investigate.draft.gazetteer import CAPITALS, ISO_TO_NE
from airwitness.times import zone_names

#: Abbreviations of fixed offsets news write after a clock time, as hours from UTC.
#: Ambiguous ones (IST, CST, AST) are left out on purpose.
ABBREVIATIONS: dict[str, str] = {
    "UTC": "UTC",
    "GMT": "UTC",
    "Zulu": "UTC",
    "WET": "UTC",
    "WEST": "UTC+01:00",
    "BST": "UTC+01:00",
    "CET": "UTC+01:00",
    "CEST": "UTC+02:00",
    "EET": "UTC+02:00",
    "EEST": "UTC+03:00",
    "MSK": "UTC+03:00",
    "IRST": "UTC+03:30",
    "EST": "UTC-05:00",
    "EDT": "UTC-04:00",
    "PST": "UTC-08:00",
    "PDT": "UTC-07:00",
}

_TIME_WORD = r"(?i:(?:\s+(?:standard|summer|daylight(?:\s+saving)?))?\s+time)\b"
_OFFSET = r"(?:UTC|GMT)\s*(?P<sign>[+−-])\s*(?P<hh>\d{1,2})(?::?(?P<mm>\d\d))?(?!\d)"


@dataclass(frozen=True)
class ZoneMention:
    """A time zone the text names."""

    start: int
    end: int
    zone: str  # an IANA name or a fixed offset (UTC+03:30)
    quote: str  # as the text writes it: "Kyiv time", "UTC"


@cache
def _country_rows() -> tuple[tuple[tuple[str, ...], str], ...]:
    """``zone1970.tab``'s rows: (alpha-2 codes, zone), in the table's order."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        codes, _coords, name = line.split("\t")[:3]
        rows.append((tuple(codes.split(",")), name))
    return tuple(rows)


def _city(name: str) -> str:
    """The place a zone is named after: ``America/Argentina/Buenos_Aires`` -> "Buenos Aires"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def _alpha2(code: str) -> str | None:
    iso = {ne: iso for iso, ne in ISO_TO_NE.items()}.get(code, code)
    country = pycountry.countries.get(alpha_3=iso)
    return None if country is None else country.alpha_2


def country_zones(code: str) -> tuple[str, ...]:
    """The zones of country ``code`` (Natural Earth / ISO alpha-3), the one to use first:
    the zone named after its capital, else the first the table lists with the
    country first, else the first listed.

    >>> country_zones("UKR")
    ('Europe/Kyiv', 'Europe/Simferopol')
    >>> country_zones("IRN")
    ('Asia/Tehran',)
    """
    alpha2 = _alpha2(code)
    rows = [(codes, name) for codes, name in _country_rows() if alpha2 in codes]
    if not rows:
        return ()
    capitals = set(CAPITALS.get(code, ()))
    ranked = sorted(
        range(len(rows)),
        key=lambda k: (_city(rows[k][1]) not in capitals, rows[k][0][0] != alpha2, k),
    )
    return tuple(rows[k][1] for k in ranked)


@cache
def _places() -> dict[str, str]:
    """City -> zone for every canonical zone named after a place (``Kyiv``, ``Kiev``)."""
    out: dict[str, str] = {}
    for name in sorted(zone_names()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            out.setdefault(_city(name), name)
    return out


@cache
def _place_pattern() -> re.Pattern[str]:
    names = sorted(_places(), key=lambda k: (-len(k), k))
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w-])(?P<place>{alternation}){_TIME_WORD}")


_ABBREVIATION = re.compile(
    rf"(?<![\w+-])(?:{_OFFSET}|(?P<abbr>{'|'.join(sorted(ABBREVIATIONS, key=len, reverse=True))}))"
    r"(?![\w+-])"
)


def find_zones(text: str) -> list[ZoneMention]:
    """Zones the text names, in text order: "<city> time", "<country> time",
    UTC offsets and the abbreviations of :data:`ABBREVIATIONS`.

    >>> [(z.zone, z.quote) for z in find_zones("at 00:50 Kyiv time (21:50 UTC)")]
    [('Europe/Kyiv', 'Kyiv time'), ('UTC', 'UTC')]
    """
    found: dict[int, ZoneMention] = {}
    for m in _place_pattern().finditer(text):
        quote = " ".join(m.group(0).split())
        found[m.start()] = ZoneMention(m.start(), m.end(), _places()[m.group("place")], quote)
    for c in find_countries(text):
        tail = re.match(_TIME_WORD, text[c.end :])
        zones = country_zones(c.code)
        if tail and zones and c.start not in found:
            end = c.end + tail.end()
            found[c.start] = ZoneMention(
                c.start, end, zones[0], " ".join(text[c.start : end].split())
            )
    for m in _ABBREVIATION.finditer(text):
        if any(z.start <= m.start() < z.end for z in found.values()):
            continue
        if m.group("abbr"):
            name = ABBREVIATIONS[m.group("abbr")]
        else:
            sign = "-" if m.group("sign") in "-−" else "+"
            name = f"UTC{sign}{int(m.group('hh')):02d}:{m.group('mm') or '00'}"
        found[m.start()] = ZoneMention(m.start(), m.end(), name, " ".join(m.group(0).split()))
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class TextZone:
    """The zone whose local dates the text's dates are, and why it was chosen."""

    name: str | None  # an IANA name or a fixed offset; None: no zone known, UTC days
    label: str  # how comments name it: the text's words ("Kyiv time") or the zone's name
    check: tuple[str, ...]  # doubts about the choice
    source: str = ""  # the text's words naming it
    others: tuple[str, ...] = ()  # the country's other zones, when taken from a country
    country: str | None = None
    #: the country speaking and its zone, when the zone was taken from another country
    speaker: tuple[str, str] | None = None


def choose_text_zone(
    zones: list[ZoneMention], into: str | None, speaker: str | None = None
) -> TextZone:
    """The first zone the text names; else the zone of the country entered (``into``),
    else of the country speaking (``speaker``, "Ukraine said"), marked CHECK; else
    none (the dates are read as UTC days, marked CHECK).

    >>> choose_text_zone([], "IRN").name
    'Asia/Tehran'
    """
    if zones:
        first = zones[0]
        others = sorted({z.quote for z in zones if z.zone != first.zone and "/" in z.zone})
        check = (f"the text also names {', '.join(quoted(o) for o in others)}",) if others else ()
        return TextZone(first.zone, first.quote, check, first.quote)
    for code, role in ((into, "entered"), (speaker, "speaking")):
        country = country_zones(code) if code else ()
        if not country:
            continue
        why = f"local dates of {code}, the country {role} ({country[0]}): the text names no zone"
        spoken = country_zones(speaker) if speaker and speaker != code else ()
        return TextZone(
            country[0],
            country[0],
            (why,),
            others=country[1:],
            country=code,
            speaker=(speaker, spoken[0]) if spoken and spoken[0] != country[0] else None,
        )
    why = "the text names no time zone" + (
        f" and {into} has none in the time-zone database" if into else " and no country entered"
    )
    return TextZone(None, "UTC", (f"dates read as UTC days: {why}",))
