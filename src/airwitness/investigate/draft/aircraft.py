"""Aircraft classes from the words a text uses (drone -> uav, fighter jet -> jet, ...)."""

from __future__ import annotations

import re

from airwitness.investigate.draft.fields import Field

AIRCRAFT_CLASSES: tuple[tuple[str, str], ...] = (
    (
        "jet",
        r"\b(?:jets?|fighter\s+(?:jets?|aircraft|planes?)|warplanes?|airliners?|bombers?"
        r"|F-\d+\w*|Su-\d+\w*|MiG-\d+\w*)\b",
    ),
    ("propeller", r"\b(?:propeller(?:-driven)?|turboprops?|Cessnas?|light\s+aircraft|piston)\b"),
    ("helicopter", r"\b(?:helicopters?|choppers?|rotorcraft|Mi-\d+\w*)\b"),
    (
        "uav",
        r"\b(?:drones?|UAVs?|UASs?|RPAS|unmanned|quadcopters?|quadrocopters?|multicopters?"
        r"|Shahed(?:-\d+)?s?|Geran(?:-\d+)?s?|Hermes(?:[- ]?\d+)?|Herons?|Bayraktars?|TB2s?"
        r"|Harops?|Orlan(?:-\d+)?s?|Mohajer(?:-\d+)?s?|loitering\s+munitions?)\b",
    ),
    ("unknown", r"\bballoons?\b"),
)


def find_aircraft(text: str) -> Field:
    """Aircraft classes from the words used, in the case file's order."""
    classes, words = [], []
    for name, rx in AIRCRAFT_CLASSES:
        hit = re.search(rx, text, re.IGNORECASE)
        if hit:
            classes.append(name)
            words.append(hit.group(0))
    if not classes:
        return Field("any", ["no aircraft type named"])
    check = []
    if len(classes) > 1:
        check.append("several types named; keep those the allegation is about")
    if "unknown" in classes:
        check.append("balloons have no class of their own; listed as unknown")
    return Field("[" + ", ".join(classes) + "]", check, ", ".join(words))
