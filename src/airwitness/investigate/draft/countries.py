"""Countries named in a text, by name, adjective, capital or metonym.

Written as Natural Earth ``ADM0_A3`` codes, which for nearly all countries equal
ISO 3166-1 alpha-3 (exceptions in :data:`.gazetteer.ISO_TO_NE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry

from airwitness.investigate.draft.folding import fold
from airwitness.investigate.draft.gazetteer import (
    ADJECTIVES,
    CAPITALS,
    EXTRA_NAMES,
    ISO_TO_NE,
    METONYMS,
    NOT_COUNTRIES,
)

#: Acronyms match only in capitals ("US" but not "us").
_ACRONYM = re.compile(r"^[A-Z.]+$")


NAME, ADJ = "N", "A"  # a mention's form: a noun (name, capital, metonym) or an adjective


@dataclass(frozen=True)
class Mention:
    """A country named in the text."""

    start: int
    end: int
    code: str
    surface: str
    form: str  # NAME or ADJ


@cache
def _lexicon() -> tuple[dict[str, tuple[str | None, str, str]], re.Pattern[str]]:
    """Folded lower-case surface -> (code or None, form, exact spelling of an acronym)."""
    lex: dict[str, tuple[str | None, str, str]] = {}

    def add(surface: str, code: str | None, form: str) -> None:
        surface = surface.strip()
        if not surface:
            return
        key = fold(surface).casefold()
        lex.setdefault(key, (code, form, surface if _ACRONYM.match(surface) else ""))

    for phrase in NOT_COUNTRIES:
        add(phrase, None, NAME)
    for table, form in ((EXTRA_NAMES, NAME), (CAPITALS, NAME), (METONYMS, NAME), (ADJECTIVES, ADJ)):
        for code, words in sorted(table.items()):
            for word in words:
                add(word, code, form)
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        code = ISO_TO_NE.get(country.alpha_3, country.alpha_3)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name:
                continue
            name = re.sub(r"\s*\(.*?\)", "", name)  # "Holy See (Vatican City State)"
            if name.lower().startswith("the "):
                name = name[4:]
            if "," in name:  # "Iran, Islamic Republic of": news never write it so
                continue
            add(name, code, NAME)
    alternation = "|".join(re.escape(k) for k in sorted(lex, key=lambda k: (-len(k), k)))
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
    return lex, pattern


def find_countries(text: str) -> list[Mention]:
    """Every country named in ``text`` by name, adjective, capital or metonym."""
    lex, pattern = _lexicon()
    folded = fold(text)
    found = []
    for m in pattern.finditer(folded):
        code, form, exact = lex.get(m.group(0).casefold(), (None, NAME, ""))
        surface = text[m.start() : m.end()]
        if code is None:
            continue  # not a country ("New Mexico") or not in the lexicon after folding
        if exact and m.group(0) != exact:
            continue  # "us" is not the US
        if not exact and not surface[0].isupper():
            continue  # "polish", "turkey", "chad": not proper nouns here
        found.append(Mention(m.start(), m.end(), code, surface, form))
    return found
