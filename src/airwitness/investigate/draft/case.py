"""Drafting a case file from a text: the finders' results put in their fields and written."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from airwitness.investigate.draft.aircraft import find_aircraft
from airwitness.investigate.draft.clock import find_clock_times
from airwitness.investigate.draft.countries import find_countries
from airwitness.investigate.draft.dates import find_dates
from airwitness.investigate.draft.fields import Field
from airwitness.investigate.draft.roles import (
    find_roles,
    find_speaker,
    resolve_role,
    resolve_routes,
)
from airwitness.investigate.draft.title import find_title
from airwitness.investigate.draft.window import choose_window
from airwitness.investigate.draft.writer import write_case
from airwitness.investigate.draft.zones import choose_text_zone, find_zones


def _check_code(field: Field, codes: Collection[str] | None) -> Field:
    """``field`` marked CHECK for each of its codes (one, or a list) not among the
    airspace set's ``codes``."""
    if codes is None or field.value is None:
        return field
    unknown = [c for c in field.value.strip("[]").split(", ") if c not in codes]
    if not unknown:
        return field
    return replace(
        field, check=[*field.check, *(f"{c} is not a code of the airspace set" for c in unknown)]
    )


#: Characters a YAML stream may not contain, and our own placeholder brackets.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue002-\ufffd\U00010000-\U0010ffff]")


def draft_case(text: str, *, codes: Collection[str] | None = None) -> str:
    """The YAML text of a draft case file for the allegation described in ``text``.

    ``codes`` are the codes of the airspace set the case will use (Natural Earth
    ADM0_A3 for the built-in set); when given, a country code not among them is
    marked CHECK. Fields the rules are not sure of carry ``# CHECK: <why>``.

    >>> import yaml
    >>> text = "Drones entered Polish airspace from Belarus on 9 September 2025."
    >>> allegation = yaml.safe_load(draft_case(text))["allegation"]
    >>> allegation["into"], allegation["via"], allegation["since"], allegation["timezone"]
    ('POL', 'BLR', '2025-09-08T22:00Z', 'Europe/Warsaw')
    """
    text = _UNPRINTABLE.sub(" ", text)
    mentions = find_countries(text)
    roles = find_roles(text, mentions)
    named = sorted({m.code for m in mentions})
    listing = f"countries named: {', '.join(named)}" if named else "no country named in the text"

    into = resolve_role(roles, "into")
    if into is None:
        into = Field(None, [f"no country named as the airspace entered ({listing})"])
    via = resolve_routes(roles, exclude=into.value)
    if via is None:
        via = Field(
            None,
            [f"no country named as the route ({listing}); any: an entry from anywhere"],
        )
    operator = resolve_role(roles, "operator")
    if operator is None:
        operator = Field(None, ["no operator named"])
    into, via, operator = (_check_code(f, codes) for f in (into, via, operator))

    zones = find_zones(text)
    clocks = find_clock_times(text, zones)
    date_mentions, notes = find_dates(text, skip=[(c.start, c.end) for c in clocks])
    speaker = find_speaker(roles)
    text_zone = choose_text_zone(zones, into.value, speaker.code if speaker else None)
    since, until, timezone = choose_window(text, date_mentions, notes, clocks, text_zone)

    allegation = {
        "into": into,
        "via": via,
        "since": since,
        "until": until,
        "timezone": timezone,
        "aircraft": find_aircraft(text),
        "operator": operator,
    }
    return write_case(find_title(text), allegation)
