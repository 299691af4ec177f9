"""Draft a case file from a news report or statement (``airwitness case draft``).

Rule-based and transparent, so an analyst can see why each value is there:

* **Countries** are found by name (``pycountry`` names, official and common
  names), adjective/demonym, capital and a few government metonyms (the
  gazetteer below), and written as Natural Earth ``ADM0_A3`` codes, which for
  nearly all countries equal ISO 3166-1 alpha-3 (exceptions in ``ISO_TO_NE``).
* **Roles** come from a handful of regular expressions (``ROLE_PATTERNS``),
  each marked *strong* or *weak*. A value found only by a weak pattern, or
  contradicted by another match, is written with ``# CHECK: <why>``; a value
  found by a strong pattern gets a plain ``# from "<quote>"`` comment.
* **Dates**: own regular expressions for the usual news forms ("between 13 and
  24 June", "June 13-24, 2025", "on 13 June", "13.06.2025"), then ``dateparser``
  for what they miss ("13 Jun 25"); relative dates ("yesterday") are reported,
  never resolved. The year is only ever taken from the text: a date whose year
  the text does not state is written ``"????-MM-DD"``. One range is the window;
  otherwise the span of the dates named, marked CHECK.
* **Aircraft** classes from words (drone -> uav, fighter jet -> jet, ...).

Nothing is invented: what the text does not say is ``null`` (or ``any``) with a
CHECK comment, and the same text always gives the same bytes.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pycountry
import yaml

from airwitness.errors import InputError

__all__ = ["draft_case", "read_text_file"]

# --------------------------------------------------------------------------- gazetteer

#: ISO 3166-1 alpha-3 -> Natural Earth 5.1.1 ADM0_A3 where they differ. Kosovo has
#: no ISO code (pycountry lacks it; the EU/IMF use XKX): Natural Earth says KOS, so
#: the gazetteer maps "Kosovo" to KOS directly. ISO codes of territories that
#: Natural Earth folds into a parent (GLP, GUF, MTQ, MYT, REU -> FRA; BES -> NLD;
#: BVT, SJM -> NOR; CCK, CXR -> IOA; TKL) are left as they are and, when the
#: airspace codes are given, flagged with CHECK.
ISO_TO_NE = {"SSD": "SDS", "PSE": "PSX", "ESH": "SAH", "ALA": "ALD"}

#: Adjectives and demonyms ("Israeli drones", "Azerbaijani airspace").
ADJECTIVES: dict[str, tuple[str, ...]] = {
    "AFG": ("Afghan",),
    "ALB": ("Albanian",),
    "DZA": ("Algerian",),
    "ARM": ("Armenian",),
    "AUS": ("Australian",),
    "AUT": ("Austrian",),
    "AZE": ("Azerbaijani", "Azerbaijanian", "Azeri"),
    "BHR": ("Bahraini",),
    "BLR": ("Belarusian", "Belarussian", "Belorussian", "Byelorussian"),
    "BEL": ("Belgian",),
    "BIH": ("Bosnian",),
    "BRA": ("Brazilian",),
    "BGR": ("Bulgarian",),
    "CAN": ("Canadian",),
    "CHN": ("Chinese",),
    "HRV": ("Croatian",),
    "CUB": ("Cuban",),
    "CYP": ("Cypriot",),
    "CZE": ("Czech",),
    "DNK": ("Danish",),
    "EGY": ("Egyptian",),
    "ARE": ("Emirati",),
    "EST": ("Estonian",),
    "ETH": ("Ethiopian",),
    "FIN": ("Finnish",),
    "FRA": ("French",),
    "GEO": ("Georgian",),
    "DEU": ("German",),
    "GRC": ("Greek",),
    "HUN": ("Hungarian",),
    "ISL": ("Icelandic",),
    "IND": ("Indian",),
    "IDN": ("Indonesian",),
    "IRN": ("Iranian",),
    "IRQ": ("Iraqi",),
    "IRL": ("Irish",),
    "ISR": ("Israeli",),
    "ITA": ("Italian",),
    "JPN": ("Japanese",),
    "JOR": ("Jordanian",),
    "KAZ": ("Kazakh", "Kazakhstani"),
    "KOS": ("Kosovar", "Kosovan"),
    "KWT": ("Kuwaiti",),
    "KGZ": ("Kyrgyz",),
    "LVA": ("Latvian",),
    "LBN": ("Lebanese",),
    "LBY": ("Libyan",),
    "LTU": ("Lithuanian",),
    "MEX": ("Mexican",),
    "MDA": ("Moldovan",),
    "MNG": ("Mongolian",),
    "MNE": ("Montenegrin",),
    "MAR": ("Moroccan",),
    "NLD": ("Dutch",),
    "PRK": ("North Korean",),
    "MKD": ("North Macedonian", "Macedonian"),
    "NOR": ("Norwegian",),
    "OMN": ("Omani",),
    "PAK": ("Pakistani",),
    "PSX": ("Palestinian",),
    "POL": ("Polish",),
    "PRT": ("Portuguese",),
    "QAT": ("Qatari",),
    "ROU": ("Romanian",),
    "RUS": ("Russian",),
    "SAU": ("Saudi", "Saudi Arabian"),
    "SRB": ("Serbian",),
    "SVK": ("Slovak", "Slovakian"),
    "SVN": ("Slovenian", "Slovene"),
    "SOM": ("Somali",),
    "ZAF": ("South African",),
    "KOR": ("South Korean",),
    "SDS": ("South Sudanese",),
    "ESP": ("Spanish",),
    "SDN": ("Sudanese",),
    "SWE": ("Swedish",),
    "CHE": ("Swiss",),
    "SYR": ("Syrian",),
    "TWN": ("Taiwanese",),
    "TJK": ("Tajik", "Tajikistani"),
    "TUN": ("Tunisian",),
    "TUR": ("Turkish",),
    "TKM": ("Turkmen",),
    "UKR": ("Ukrainian",),
    "GBR": ("British",),
    "USA": ("American",),
    "UZB": ("Uzbek",),
    "VEN": ("Venezuelan",),
    "VNM": ("Vietnamese",),
    "YEM": ("Yemeni",),
}

#: Names news use that pycountry lacks or spells differently.
EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "BLR": ("Belorussia", "Byelorussia"),
    "CIV": ("Ivory Coast",),
    "CPV": ("Cape Verde",),
    "CZE": ("Czech Republic",),
    "COD": ("DR Congo", "Democratic Republic of the Congo", "Congo-Kinshasa"),
    "COG": ("Congo-Brazzaville",),
    "GBR": ("Britain", "Great Britain", "UK", "U.K."),
    "KOS": ("Kosovo",),
    "MKD": ("Macedonia",),
    "MMR": ("Burma",),
    "PSX": ("Palestine", "Gaza", "Gaza Strip", "West Bank"),
    "RUS": ("Russia",),
    "SWZ": ("Swaziland",),
    "TLS": ("East Timor",),
    "TUR": ("Turkey", "Turkiye"),
    "ARE": ("UAE", "U.A.E.", "Emirates"),
    "USA": ("United States", "US", "U.S.", "USA", "U.S.A."),
    "VAT": ("Vatican", "Vatican City"),
}

#: Capitals and seats of government, as news use them ("Tehran accused Baku").
#: Jerusalem -> ISR follows news usage (seat of Israel's government), not a
#: position on its status.
CAPITALS: dict[str, tuple[str, ...]] = {
    "AFG": ("Kabul",),
    "ARE": ("Abu Dhabi",),
    "ARM": ("Yerevan",),
    "AUT": ("Vienna",),
    "AZE": ("Baku",),
    "BEL": ("Brussels",),
    "BGR": ("Sofia",),
    "BHR": ("Manama",),
    "BLR": ("Minsk",),
    "CHE": ("Bern",),
    "CHN": ("Beijing",),
    "CYP": ("Nicosia",),
    "CZE": ("Prague",),
    "DEU": ("Berlin",),
    "DNK": ("Copenhagen",),
    "EGY": ("Cairo",),
    "EST": ("Tallinn",),
    "FIN": ("Helsinki",),
    "FRA": ("Paris",),
    "GBR": ("London",),
    "GEO": ("Tbilisi",),
    "GRC": ("Athens",),
    "HUN": ("Budapest",),
    "IND": ("New Delhi",),
    "IRN": ("Tehran", "Teheran"),
    "IRQ": ("Baghdad",),
    "ISR": ("Tel Aviv", "Jerusalem"),
    "ITA": ("Rome",),
    "JOR": ("Amman",),
    "JPN": ("Tokyo",),
    "KAZ": ("Astana",),
    "KGZ": ("Bishkek",),
    "KOR": ("Seoul",),
    "KOS": ("Pristina",),
    "LBN": ("Beirut",),
    "LTU": ("Vilnius",),
    "LVA": ("Riga",),
    "MDA": ("Chisinau",),
    "NLD": ("Amsterdam", "The Hague"),
    "NOR": ("Oslo",),
    "PAK": ("Islamabad",),
    "POL": ("Warsaw",),
    "PRK": ("Pyongyang",),
    "PRT": ("Lisbon",),
    "QAT": ("Doha",),
    "ROU": ("Bucharest",),
    "RUS": ("Moscow",),
    "SAU": ("Riyadh",),
    "SRB": ("Belgrade",),
    "SVK": ("Bratislava",),
    "SWE": ("Stockholm",),
    "SYR": ("Damascus",),
    "TJK": ("Dushanbe",),
    "TKM": ("Ashgabat",),
    "TUR": ("Ankara",),
    "TWN": ("Taipei",),
    "UKR": ("Kyiv", "Kiev"),
    "USA": ("Washington",),
    "UZB": ("Tashkent",),
    "YEM": ("Sanaa",),
}

#: Government metonyms and state forces named in statements.
METONYMS: dict[str, tuple[str, ...]] = {
    "FRA": ("Elysee", "Élysée"),
    "GBR": ("Downing Street", "Whitehall"),
    "IRN": ("Islamic Republic", "IRGC", "Revolutionary Guards", "Revolutionary Guard"),
    "ISR": ("Knesset", "IDF", "Israel Defense Forces"),
    "RUS": ("Kremlin",),
    "UKR": ("Bankova",),
    "USA": ("White House", "Pentagon"),
}

#: Phrases that contain a country word but name no country; they are matched
#: (longest match wins) and then ignored. "Congo" and "Korea" alone are ambiguous.
NOT_COUNTRIES = (
    "New Mexico",
    "New Jersey",
    "New South Wales",
    "New Guinea",
    "Gulf of Oman",
    "Gulf of Mexico",
    "Gulf of Guinea",
    "Sea of Japan",
    "Indian Ocean",
    "Latin American",
    "South American",
    "North American",
    "Central American",
    "Korea",
    "Korean",
    "Congo",
    "Congolese",
    "Jordan River",
    "Washington State",
    "Georgia State",
)

#: Acronyms match only in capitals ("US" but not "us").
_ACRONYM = re.compile(r"^[A-Z.]+$")

# --------------------------------------------------------------------------- text folding


def _fold(text: str) -> str:
    """Strip accents and unify apostrophes, keeping every character's position."""
    out = []
    for ch in text:
        if ch in "’‘`´":
            out.append("'")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


# --------------------------------------------------------------------------- countries

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
        key = _fold(surface).casefold()
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
    folded = _fold(text)
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


# --------------------------------------------------------------------------- roles

SPACE = r"(?:air[\s-]?space|territory|territorial\s+waters|skies|sky)"
AIRCRAFT_WORD = (
    r"(?:drones?|UAVs?|UASs?|unmanned\s+[\w-]+|quadcopters?|multicopters?|Shahed(?:-\d+)?s?"
    r"|Geran(?:-\d+)?s?|Hermes(?:[- ]?\d+)?|Herons?|Bayraktars?|Harops?|Orlan(?:-\d+)?s?"
    r"|loitering\s+munitions?|jets?|fighter\s+(?:jets?|aircraft|planes?)|warplanes?|aircraft"
    r"|airplanes?|planes?|helicopters?|balloons?|bombers?|airliners?)"
)
#: Words that end a noun phrase: "Azerbaijan's role after drones" is no operator.
_NOT_MODIFIER = (
    r"(?!(?:after|before|of|and|or|with|to|from|as|that|which|who|in|on|at|by|for|said|says"
    r"|the|a|an|its|their|was|were|is|are|has|have|had|about|over|into|than|not|no)\b)"
)
_WHY_NOT_OPERATOR = (  # "Polish jets scrambled": the defender, not the intruder
    r"\s+(?:(?:were|was|had\s+been|have\s+been)\s+)?scrambled|\s+(?:shot|brought)\s+down\b"
    r"|\s+intercepted\b(?!\s+by)|\s+downed\b"
)


@dataclass(frozen=True)
class RolePattern:
    """One documented rule: a regex over the text with countries as placeholders."""

    role: str  # into | via | operator
    strong: bool
    label: str  # what it looks for, shown to the analyst
    template: str
    not_before: str = ""  # regex the 30 characters before the match must not end with
    not_after: str = ""  # regex the text right after the match must not start with
    pronoun: bool = False  # "its airspace": the role is the nearest preceding name
    needs_aircraft: bool = False  # only in a sentence that names an aircraft


_ENTER = (
    r"(?:entered|enters|entering|enter|penetrated|penetrating|violated|violating|violate"
    r"|invaded|intruded\s+into|strayed\s+into|crossed\s+into|incursions?\s+into)"
)
_SAY = (
    r"(?:said|says|reported|reports|complained|complains|accused|accuses|protested|protests"
    r"|claimed|claims|alleged|alleges|asked|asks|demanded|demands|summoned|summons)"
)

#: The rules, in priority order within a role. ``{R}`` is the country given the
#: role (any form), ``{RN}`` a country named as a noun, ``{RA}`` by adjective,
#: ``{O}`` another country; ``{LOC}`` "X", "X's airspace", "X-ian airspace" or
#: "the airspace of X"; ``{LOCS}`` the same but with an airspace word required.
ROLE_PATTERNS: tuple[RolePattern, ...] = (
    # --- the airspace entered
    RolePattern(
        "into", True, "entered X / violated X('s) airspace", rf"\b{_ENTER}\s+(?:the\s+)?{{LOC}}"
    ),
    RolePattern(
        "into",
        True,
        "into X('s airspace)",
        r"\binto\s+(?:the\s+)?{LOC}",
        not_before=r"(?:investigation|inquiry|probe|look|looking|looked|looks|insight|research)\s*$",
    ),
    RolePattern("into", True, "in X's airspace", r"\b(?:in|inside|within)\s+(?:the\s+)?{LOCS}"),
    RolePattern("into", False, "over X", r"\b(?:over|above)\s+(?:the\s+)?{LOC}"),
    RolePattern("into", False, "towards X", r"\btowards?\s+(?:the\s+)?{LOC}"),
    RolePattern(
        "into", False, "reached X", r"\b(?:reached|reaching|reach|reaches)\s+(?:the\s+)?{R}"
    ),
    RolePattern(
        "into",
        False,
        "X entered/violated its airspace (pronoun)",
        rf"\b(?:{_ENTER}|into|in|over)\s+its\s+{SPACE}",
        pronoun=True,
    ),
    RolePattern(
        "into",
        False,
        "X said/accused ... (the complaining party)",
        rf"{{R}}(?:'s|')?(?:\s+[\w-]+){{{{0,3}}}}?\s+{_SAY}\b",
        needs_aircraft=True,
    ),
    # --- the airspace passed through
    RolePattern(
        "via",
        True,
        "through/via/across X's airspace",
        r"\b(?:through|via|across|transiting|transited|crossing|crossed)\s+(?:the\s+)?{LOCS}",
    ),
    RolePattern("via", True, "from X's airspace", r"\bfrom\s+(?:the\s+)?{LOCS}"),
    RolePattern(
        "via",
        True,
        "entered Y('s airspace) from X",
        rf"\b(?:{_ENTER}|into)\s+(?:the\s+)?{{O}}(?:'s|')?(?:\s+{SPACE})?\s+from\s+(?:the\s+)?"
        r"(?:direction\s+of\s+)?{RN}",
    ),
    RolePattern(
        "via",
        True,
        "X's airspace was used / used X's airspace",
        r"(?:{LOCS}\s+(?:was|were|is|had\s+been|has\s+been|being)\s+used"
        r"|\b(?:used|use|uses|using)\s+(?:the\s+)?{LOCS})",
    ),
    RolePattern(
        "via",
        False,
        "through/via/across X",
        r"\b(?:through|via|across)\s+(?:the\s+)?{RN}",
        not_after=rf"(?:'s|')?\s+{SPACE}",
    ),
    RolePattern("via", False, "from X", r"\bfrom\s+(?:the\s+)?(?:direction\s+of\s+)?{RN}"),
    RolePattern(
        "via",
        False,
        "use/through its airspace (pronoun)",
        rf"\b(?:use|used|uses|using|through|via|across|from)\s+its\s+{SPACE}",
        pronoun=True,
    ),
    RolePattern(
        "via",
        False,
        "its airspace was used (pronoun)",
        rf"\bits\s+{SPACE}\s+(?:was|were|is|had\s+been|has\s+been|being)\s+used",
        pronoun=True,
    ),
    RolePattern(
        "via",
        False,
        "accused X of letting/allowing",
        r"\baccused\s+{RN}\s+of\s+(?:letting|allowing|permitting|helping|enabling|facilitating)",
    ),
    # --- who allegedly flew
    RolePattern(
        "operator",
        True,
        "launched/operated by X",
        r"\b(?:launched|operated|flown|sent|fired|deployed|dispatched|controlled|piloted)\s+by\s+"
        r"(?:the\s+)?{R}",
    ),
    RolePattern(
        "operator",
        True,
        "X-ian drones / X's jets",
        rf"(?:{{RA}}|{{RN}}(?:'s|'))(?:\s+{_NOT_MODIFIER}[\w-]+){{{{0,2}}}}?\s+{AIRCRAFT_WORD}\b",
        not_after=_WHY_NOT_OPERATOR,
    ),
    RolePattern(
        "operator",
        True,
        "X launched/sent drones",
        rf"{{RN}}\s+(?:launched|sent|flew|fired|deployed|dispatched)\s+(?:[\w-]+\s+){{{{0,3}}}}?"
        rf"{AIRCRAFT_WORD}\b",
    ),
    RolePattern(
        "operator",
        False,
        "X-made drones (maker, not necessarily operator)",
        rf"{{RA}}-(?:made|built|designed|produced|supplied)\s+(?:[\w-]+\s+){{{{0,2}}}}?{AIRCRAFT_WORD}\b",
    ),
)

_PH = "\ue000"  # placeholder brackets for countries in the tokenised text
_PH_END = "\ue001"
_SENTENCE_END = re.compile(r"[.!?;]\s")


@dataclass(frozen=True)
class RoleMatch:
    role: str
    strong: bool
    label: str
    priority: int
    position: int
    code: str
    quote: str


def _compile(template: str) -> re.Pattern[str]:
    """Expand placeholders into groups: r<n> for the role's country, none for others."""
    counter = iter(range(1000))

    def slot(kind: str) -> str:
        form = {"": "[NA]", "N": "N", "A": "A"}[kind]
        return rf"{_PH}{form}(?P<r{next(counter)}>\d+){_PH_END}"

    def loc(strict: bool) -> str:
        noun = slot("N") + r"(?:'s|')?" + ("" if not strict else rf"\s+{SPACE}")
        if not strict:
            noun += rf"(?:\s+{SPACE})?"
        return rf"(?:{noun}|{slot('A')}\s+{SPACE}|{SPACE}\s+of\s+(?:the\s+)?{slot('N')})"

    out = template.replace("{{", "\0").replace("}}", "\1")
    out = re.sub(
        r"\{(LOCS|LOC|RN|RA|R|O)\}",
        lambda m: {
            "LOC": lambda: loc(False),
            "LOCS": lambda: loc(True),
            "R": lambda: slot(""),
            "RN": lambda: slot("N"),
            "RA": lambda: slot("A"),
            "O": lambda: rf"{_PH}[NA]\d+{_PH_END}",
        }[m.group(1)](),
        out,
    )
    return re.compile(out.replace("\0", "{").replace("\1", "}"), re.IGNORECASE)


@cache
def _compiled() -> tuple[re.Pattern[str], ...]:
    return tuple(_compile(p.template) for p in ROLE_PATTERNS)


def _tokenise(text: str, mentions: list[Mention]) -> str:
    parts, last = [], 0
    for i, m in enumerate(mentions):
        parts.append(text[last : m.start])
        parts.append(f"{_PH}{m.form}{i}{_PH_END}")
        last = m.end
    parts.append(text[last:])
    return "".join(parts)


def _untokenise(tok: str, mentions: list[Mention]) -> str:
    return re.sub(rf"{_PH}[NA](\d+){_PH_END}", lambda m: mentions[int(m.group(1))].surface, tok)


def find_roles(text: str, mentions: list[Mention]) -> list[RoleMatch]:
    """Every match of every role pattern, in pattern order then text order."""
    folded = _fold(text)
    tok = _tokenise(folded, mentions)
    raw_tok = _tokenise(text, mentions)  # same offsets, original characters for quotes
    aircraft = re.compile(rf"\b{AIRCRAFT_WORD}\b", re.IGNORECASE)
    out = []
    for priority, (rule, rx) in enumerate(zip(ROLE_PATTERNS, _compiled(), strict=True)):
        for m in rx.finditer(tok):
            if rule.not_before and re.search(
                rule.not_before, tok[max(0, m.start() - 30) : m.start()], re.IGNORECASE
            ):
                continue
            if rule.not_after and re.match(rule.not_after, tok[m.end() :], re.IGNORECASE):
                continue
            sent_start = _sentence_start(tok, m.start())
            if rule.needs_aircraft:
                sent_end = _SENTENCE_END.search(tok, m.end())
                sentence = tok[sent_start : sent_end.start() if sent_end else len(tok)]
                if not aircraft.search(sentence):
                    continue
            if rule.pronoun:
                antecedent = _antecedent(tok, sent_start, m.start())
                if antecedent is None:
                    continue
                index, start = antecedent
            else:
                groups = [v for k, v in sorted(m.groupdict().items()) if v is not None]
                index, start = int(groups[0]), m.start()
            quote = _untokenise(raw_tok[start : m.end()], mentions)
            out.append(
                RoleMatch(
                    rule.role,
                    rule.strong,
                    rule.label,
                    priority,
                    m.start(),
                    mentions[index].code,
                    " ".join(quote.split()),
                )
            )
    return out


_PREPOSITION = re.compile(
    r"\b(?:from|by|of|over|into|through|via|across|in|with|to|near)\s+(?:the\s+)?$", re.IGNORECASE
)


def _antecedent(tok: str, start: int, end: int) -> tuple[int, int] | None:
    """What "its" refers to: the nearest country named as a noun before it, skipping
    names after a preposition ("balloons from Belarus violated its airspace")."""
    for m in reversed(list(re.finditer(rf"{_PH}N(\d+){_PH_END}", tok[start:end]))):
        if not _PREPOSITION.search(tok[start : start + m.start()]):
            return int(m.group(1)), start + m.start()
    return None


def _sentence_start(tok: str, pos: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(tok, 0, pos)]
    return ends[-1] if ends else 0


@dataclass(frozen=True)
class Field:
    """A value for the YAML and the comment that goes with it."""

    value: str | None
    check: list[str]
    source: str = ""  # the quote behind a sure value


def _quote(s: str, limit: int = 70) -> str:
    s = " ".join(s.split()).replace('"', "'")
    return '"' + (s if len(s) <= limit else s[: limit - 1] + "…") + '"'


def resolve_role(
    matches: Iterable[RoleMatch], role: str, exclude: str | None = None
) -> Field | None:
    """Pick the strongest, highest-priority, earliest match; say why when unsure."""
    cands = [m for m in matches if m.role == role and m.code != exclude]
    if not cands:
        return None
    cands.sort(key=lambda m: (not m.strong, m.priority, m.position))
    best = cands[0]
    check = []
    if not best.strong:
        check.append(f"role guessed from {_quote(best.quote)} ({best.label})")
    others = []
    for m in cands[1:]:
        if m.code != best.code and (m.strong or not best.strong) and m.code not in others:
            others.append(m.code)
            check.append(f"but {m.code} from {_quote(m.quote)}")
    return Field(best.code, check, "" if check else best.quote)


# --------------------------------------------------------------------------- dates

_FULL_MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_ABBR_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name} | {"Sept": 9}
_MONTHS = _FULL_MONTHS | _ABBR_MONTHS
_MONTH_RX = (
    "|".join(sorted(_FULL_MONTHS, key=lambda k: (-len(k), k)))
    + "|(?:"
    + "|".join(sorted(_ABBR_MONTHS, key=lambda k: (-len(k), k)))
    + r")\.?"
)
_SEP = r"(?P<sep>\s*[-–—]\s*|\s+(?:to|and|until|till|through|thru|-|–|—)\s+)"


def _d(n: str) -> str:
    return rf"(?<![\w.:/])(?:the\s+)?(?P<d{n}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"


def _m(n: str) -> str:
    return rf"(?P<m{n}>{_MONTH_RX})(?!\w)"


def _y(n: str) -> str:
    return rf"(?P<y{n}>(?:19|20)\d\d)(?!\d)"


_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx))
    for kind, rx in (
        (
            "range",
            rf"{_d('1')}(?:(?:\s+of)?\s+{_m('1')}(?:,?\s+{_y('1')})?)?{_SEP}"
            rf"{_d('2')}(?:\s+of)?\s+{_m('2')}(?:,?\s+{_y('2')})?",
        ),
        (
            "range",
            rf"{_m('1')}\s+{_d('1')}(?:,?\s+{_y('1')})?{_SEP}(?:{_m('2')}\s+)?{_d('2')}"
            rf"(?:,?\s+{_y('2')})?",
        ),
        (
            "range",
            rf"(?<!\d){_y('1')}-(?P<m1>\d\d)-(?P<d1>\d\d){_SEP}"
            rf"{_y('2')}-(?P<m2>\d\d)-(?P<d2>\d\d)",
        ),
        ("day", rf"{_d('1')}(?:\s+of)?\s+{_m('1')}(?:,?\s+{_y('1')})?"),
        ("day", rf"{_m('1')}\s+{_d('1')}(?:,?\s+{_y('1')})?"),
        ("day", rf"(?<![\w./]){_y('1')}(?P<s>[-/.])(?P<m1>\d\d?)(?P=s)(?P<d1>\d\d?)(?![\d:])"),
        ("numeric", rf"(?<![\w./])(?P<d1>\d{{1,2}})(?P<s>[./])(?P<m1>\d{{1,2}})(?P=s){_y('1')}"),
        ("month", rf"{_m('1')}\s+{_y('1')}"),
        ("month", rf"\b(?:in|during|throughout|since|early|mid-|late)\s*{_m('1')}(?!\s*\d)"),
    )
)
_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?![\d,])")

YMD = tuple[int | None, int, int]  # year (None: not stated), month, day


@dataclass(frozen=True)
class DateMention:
    """A date or a range of dates the text names."""

    start: int
    end: int
    kind: str  # range | day | month
    first: YMD
    last: YMD
    quote: str
    check: tuple[str, ...] = ()  # doubts about this mention itself


def _valid(ymd: YMD) -> bool:
    y, m, d = ymd
    if not 1 <= m <= 12:
        return False
    return 1 <= d <= calendar.monthrange(y if y is not None else 2024, m)[1]  # 2024: leap


def _month_number(s: str) -> int:
    s = s.rstrip(".")
    return _MONTHS[s] if s in _MONTHS else int(s)


def _from_match(kind: str, m: re.Match[str]) -> DateMention | str:
    g = m.groupdict()
    y1 = int(g["y1"]) if g.get("y1") else None
    y2 = int(g["y2"]) if g.get("y2") else None
    quote = " ".join(m.group(0).split())
    check: list[str] = []
    if kind == "month":
        month = _month_number(g["m1"])
        last_day = calendar.monthrange(y1 if y1 is not None else 2023, month)[1]
        if y1 is None and month == 2:
            check.append("February: 28 or 29 days depending on the year")
        return DateMention(
            m.start(), m.end(), kind, (y1, month, 1), (y1, month, last_day), quote, tuple(check)
        )
    if kind == "day":
        ymd = (y1, _month_number(g["m1"]), int(g["d1"]))
        return DateMention(m.start(), m.end(), kind, ymd, ymd, quote) if _valid(ymd) else quote
    if kind == "numeric":  # 13.06.2025, 13/06/2025: day first unless that is impossible
        a, b = int(g["d1"]), int(g["m1"])
        if b > 12 >= a:
            a, b = b, a
            check.append(f"{_quote(quote)} read month first")
        elif a <= 12 and b <= 12 and a != b:
            check.append(f"{_quote(quote)} read day first; could be month first")
        ymd = (y1, b, a)
        return (
            DateMention(m.start(), m.end(), "day", ymd, ymd, quote, tuple(check))
            if _valid(ymd)
            else quote
        )
    m1 = _month_number(g["m1"] or g["m2"])  # "13 and 24 June" / "June 13-24"
    m2 = _month_number(g["m2"] or g["m1"])
    d1, d2 = int(g["d1"]), int(g["d2"])
    if y1 is None and y2 is not None:
        if (m1, d1) <= (m2, d2):
            y1 = y2
        else:
            check.append("range crosses a year end")
    elif y2 is None and y1 is not None and (m1, d1) <= (m2, d2):
        y2 = y1
    first, last = (y1, m1, d1), (y2, m2, d2)
    if not (_valid(first) and _valid(last)):
        return quote
    if None not in (y1, y2) and first > last:
        return quote
    if y1 is None and y2 is None and (m1, d1) > (m2, d2):
        check.append("range crosses a year end")
    return DateMention(m.start(), m.end(), kind, first, last, quote, tuple(check))


def find_dates(text: str) -> tuple[list[DateMention], list[str]]:
    """Dates the text names, and notes on what was seen but not used."""
    work = text
    found: list[DateMention] = []
    notes: list[str] = []

    def take(kind: str, rx: re.Pattern[str]) -> None:
        nonlocal work
        for m in list(rx.finditer(work)):
            if kind == "range" and m.group("sep").strip() in {"to", "and", "until", "till"}:
                rest = work[m.end() :]
                if "m2" in m.groupdict() and m.group("m2") is None and re.match(r"\s+[a-z]", rest):
                    continue  # "June 13 and 24 drones": a count, not a day
            got = _from_match(kind, m)
            if isinstance(got, str):
                notes.append(f"impossible date {_quote(got)} ignored")
            else:
                found.append(got)
            work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]

    for kind, rx in _DATE_PATTERNS:
        if kind != "month":
            take(kind, rx)
    parsed, more_notes = _dateparser_dates(work)
    found += parsed
    notes += more_notes
    for d in parsed:  # mask what dateparser read so no month pattern reads it again
        work = work[: d.start] + " " * (d.end - d.start) + work[d.end :]
    for kind, rx in _DATE_PATTERNS:
        if kind == "month":
            take(kind, rx)
    found.sort(key=lambda d: d.start)
    return found, notes


_DP_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    # Without this "on Tuesday night" or "in June" come back as dates near today.
    "REQUIRE_PARTS": ["day", "month"],
    "DATE_ORDER": "DMY",
    # Fixed, so output never depends on today; the year is re-read from the text.
    "RELATIVE_BASE": datetime(2000, 1, 1),  # noqa: DTZ001 - dateparser wants it naive
}


_RELATIVE = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|last|ago|this|next|week|weekend|night|morning"
    r"|evening|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.IGNORECASE,
)


def _dateparser_dates(text: str) -> tuple[list[DateMention], list[str]]:
    """What dateparser finds that the patterns above did not (mostly numeric dates)."""
    from dateparser.search import search_dates  # slow import; only when drafting

    hits = search_dates(text, languages=["en"], settings=_DP_SETTINGS) or []
    found, notes, cursor = [], [], 0
    for substring, when in hits:
        start = text.find(substring, cursor)
        if start < 0:
            start = text.find(substring)
        cursor = max(cursor, start + len(substring))
        quote = re.sub(r"[\s,]+(?:and|or|to|until|the)?$", "", " ".join(substring.split()))
        numeric = re.search(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./]((?:19|20)?\d\d)(?!\d)", substring)
        named = re.search(rf"\b(?:{_MONTH_RX})(?!\w)", substring) and re.search(r"\d", substring)
        if not (numeric or named):
            if _RELATIVE.search(substring):
                notes.append(f"relative date {_quote(quote)} not resolved")
            continue  # other hits ("1, at 21:40 UTC, 10") are numbers, not dates
        check = [f"read by dateparser from {_quote(quote)}"]
        stated = _YEAR.search(substring)  # a two-digit year is not taken
        if numeric:
            a, b = int(numeric.group(1)), int(numeric.group(2))
            if a <= 12 and b <= 12 and a != b:
                check.append("day/month order ambiguous; read as day first")
        ymd = (when.year if stated else None, when.month, when.day)
        found.append(
            DateMention(start, start + len(substring), "day", ymd, ymd, quote, tuple(check))
        )
    return found, notes


def _ymd_text(ymd: YMD) -> str:
    y, m, d = ymd
    return f"{'????' if y is None else f'{y:04d}'}-{m:02d}-{d:02d}"


def _order_key(ymd: YMD, any_unknown: bool) -> tuple[int, ...]:
    return ymd[1:] if any_unknown else (ymd[0] or 0, ymd[1], ymd[2])


def choose_window(text: str, mentions: list[DateMention], notes: list[str]) -> tuple[Field, Field]:
    """since/until from the dates named: a range if there is one, else their span."""
    if not mentions:
        why = ["no date in the text", *notes]
        years = sorted(set(_YEAR.findall(text)))
        if years:
            why.append(f"it mentions {', '.join(years)}")
        return Field(None, why), Field(None, list(why))
    days = [d for d in mentions if d.kind != "month"]
    ranges = [d for d in days if d.kind == "range"]
    check: list[str] = list(notes)
    pool = days or mentions
    unknown = any(d.first[0] is None or d.last[0] is None for d in pool)
    if ranges:
        chosen = ranges[0]
        first, last = chosen.first, chosen.last
        check += chosen.check
        lo, hi = _order_key(first, unknown), _order_key(last, unknown)
        outside = [
            d.quote
            for d in pool
            if d is not chosen
            and not (lo <= _order_key(d.first, unknown) and _order_key(d.last, unknown) <= hi)
        ]
        if outside:
            check.append("the text also names " + ", ".join(_quote(q) for q in outside))
        source = chosen.quote
    else:
        earliest = min(pool, key=lambda d: _order_key(d.first, unknown))
        latest = max(pool, key=lambda d: _order_key(d.last, unknown))
        first, last = earliest.first, latest.last
        if not days:
            check.append("only a month named: " + ", ".join(_quote(d.quote) for d in pool))
        elif len(pool) == 1:
            check.append(f"one date named ({_quote(pool[0].quote)}); window is that day only")
        else:
            check.append(
                "window spans the dates named: " + ", ".join(_quote(d.quote) for d in pool)
            )
        source = pool[0].quote if len(pool) == 1 else ""
    since_check, until_check = list(check), list(check)
    if not ranges:  # each end keeps the doubts of the date it came from
        since_check = [*earliest.check, *check]
        until_check = [*latest.check, *check]
    years = sorted(set(_YEAR.findall(text)))
    for ymd, ch in ((first, since_check), (last, until_check)):
        if ymd[0] is None:
            ch.insert(
                0, "year not stated" + (f" (the text mentions {', '.join(years)})" if years else "")
            )
    return (
        Field(_ymd_text(first), since_check, source if not since_check else ""),
        Field(_ymd_text(last), until_check, source if not until_check else ""),
    )


# --------------------------------------------------------------------------- aircraft

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


# --------------------------------------------------------------------------- title

_SENTENCE_SPLIT = re.compile(r"(?<=[a-z0-9)\"”'][.!?])\s+(?=[A-Z\"“'(])")


def find_title(text: str) -> Field:
    """The first sentence (or headline line), trimmed to 100 characters."""
    lines = [line.strip() for line in text.strip().splitlines()]
    first = next((line for line in lines if line), "")
    if not first:
        return Field(None, ["the text is empty"])
    sentence = _SENTENCE_SPLIT.split(" ".join(first.split()), maxsplit=1)[0].rstrip(".")
    if len(sentence) > 100:
        cut = sentence[:99].rsplit(" ", 1)[0]
        sentence = cut.rstrip(",;:") + "…"
    return Field(sentence, ["first sentence of the text; write what the case is about"])


# --------------------------------------------------------------------------- YAML


def _scalar(value: str | None) -> str:
    """A YAML scalar that reads back as this string (quoted only when it must be)."""
    if value is None:
        return "null"
    if value.startswith("[") and value.endswith("]"):
        return value  # a flow list we built ourselves
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return value  # a date, read back as one, as in a hand-written case file
    if "?" in value:
        return json.dumps(value, ensure_ascii=False)  # "????-06-13": plain would be fragile
    try:
        if yaml.safe_load(value) == value and "#" not in value and ": " not in value:
            return value
    except yaml.YAMLError:
        pass  # not plain-safe: fall through to quoting
    return json.dumps(value, ensure_ascii=False)


def _line(key: str, field: Field, indent: str = "") -> str:
    body = f"{indent}{key}: {_scalar(field.value)}"
    if field.check:
        return f"{body}  # CHECK: " + "; ".join(field.check)
    if field.source:
        return f"{body}  # from {_quote(field.source)}"
    return body


def _check_code(field: Field, codes: Collection[str] | None) -> Field:
    if codes is None or field.value is None or field.value in codes:
        return field
    return Field(field.value, [*field.check, f"{field.value} is not a code of the airspace set"])


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
    >>> allegation["into"], allegation["via"], str(allegation["since"])
    ('POL', 'BLR', '2025-09-09')
    """
    text = _UNPRINTABLE.sub(" ", text)
    mentions = find_countries(text)
    roles = find_roles(text, mentions)
    named = sorted({m.code for m in mentions})
    listing = f"countries named: {', '.join(named)}" if named else "no country named in the text"

    into = resolve_role(roles, "into")
    if into is None:
        into = Field(None, [f"no country named as the airspace entered ({listing})"])
    via = resolve_role(roles, "via", exclude=into.value)
    if via is None:
        via = Field(None, [f"no country named as the route ({listing})"])
    operator = resolve_role(roles, "operator")
    if operator is None:
        operator = Field(None, ["no operator named"])
    into, via, operator = (_check_code(f, codes) for f in (into, via, operator))

    date_mentions, notes = find_dates(text)
    since, until = choose_window(text, date_mentions, notes)

    lines = [
        "# Draft case file written by `airwitness case draft` from a text, by fixed rules.",
        "# Every line marked CHECK needs an analyst's decision before `airwitness verify`.",
        _line("title", find_title(text)),
        "allegation:",
        _line("into", into, "  "),
        _line("via", via, "  "),
        _line("since", since, "  "),
        _line("until", until, "  "),
        _line("aircraft", find_aircraft(text), "  "),
        _line("operator", operator, "  "),
        "evidence: []  # CHECK: list the surveillance data files (paths relative to this file;"
        " globs allowed), e.g.",
        "#  - path: data/states.csv",
        "#    sensor: OpenSky receivers",
        "airspace: countries",
    ]
    return "\n".join(lines) + "\n"


def read_text_file(path: str | Path) -> str:
    """The text of a report file, UTF-8 (a BOM is allowed); InputError otherwise."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (bad byte at offset {exc.start})") from exc
    if "\x00" in text:
        raise InputError(str(path), "not a text file (contains NUL bytes)")
    return text
