"""Roles: which country was entered (``into``), flown through (``via``) or flew (``operator``).

A handful of documented regular expressions (:data:`ROLE_PATTERNS`), each *strong*
or *weak*, run over the text with the countries found replaced by placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from airwitness.investigate.draft.countries import Mention
from airwitness.investigate.draft.fields import Field, quoted
from airwitness.investigate.draft.folding import fold

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
_CROSS = r"(?:crossed|crosses|cross|crossing|crossings)(?:\s+of)?"
#: The label of the rule that finds the country speaking ("Ukraine's air force said").
SPEAKER_LABEL = "X said/accused ... (the complaining party)"
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
        SPEAKER_LABEL,
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
    *(
        RolePattern(
            "via",
            False,
            "crossing of the X–Y border (direction not stated)",
            rf"\b{_CROSS}\s+(?:the\s+)?{pair}\s+(?:border|frontier)",
        )
        for pair in ("{R}[-–—/]{O}", "{O}[-–—/]{R}")
    ),
    RolePattern(
        "via",
        False,
        "crossed the border with X",
        rf"\b{_CROSS}\s+(?:the\s+)?(?:border|frontier)\s+with\s+(?:the\s+)?{{RN}}",
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
    folded = fold(text)
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
        check.append(f"role guessed from {quoted(best.quote)} ({best.label})")
    others = []
    for m in cands[1:]:
        if m.code != best.code and (m.strong or not best.strong) and m.code not in others:
            others.append(m.code)
            check.append(f"but {m.code} from {quoted(m.quote)}")
    return Field(best.code, check, "" if check else best.quote)


def resolve_routes(matches: Iterable[RoleMatch], exclude: str | None = None) -> Field | None:
    """Every airspace named as a route (``via``), the surest first, each with its words.

    One route is written as a code, several as a list (``[BLR, UKR]``); a route
    found only by a weak rule is marked CHECK.
    """
    cands = sorted(
        (m for m in matches if m.role == "via" and m.code != exclude),
        key=lambda m: (not m.strong, m.priority, m.position),
    )
    best: dict[str, RoleMatch] = {}
    for m in cands:
        best.setdefault(m.code, m)
    routes = list(best.values())
    if not routes:
        return None
    if len(routes) == 1:
        (m,) = routes
        check = [] if m.strong else [f"role guessed from {quoted(m.quote)} ({m.label})"]
        return Field(m.code, check, "" if check else m.quote)
    check = [
        f"{m.code}: role guessed from {quoted(m.quote)} ({m.label})" for m in routes if not m.strong
    ]
    words = "; ".join(f"{m.code} from {quoted(m.quote)}" for m in routes)
    return Field("[" + ", ".join(m.code for m in routes) + "]", check, "", words)


def find_speaker(matches: Iterable[RoleMatch]) -> RoleMatch | None:
    """The first country the text has speaking ("X said", "X accused"), if any."""
    said = [m for m in matches if m.label == SPEAKER_LABEL]
    return min(said, key=lambda m: m.position) if said else None
