"""Writing a draft case file: one YAML line per field, with its doubts or its source.

Each field is written as ``key: value`` followed by ``# CHECK: <why>`` when the
rules are unsure, or ``# from "<quote>"`` when a strong rule found it, then its
note (a window end's local time, the words each route came from). The
allegation's fields are written in the order given, so a new field is one more
entry in the mapping :func:`write_case` takes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import yaml

from airwitness.investigate.draft.fields import Field, quoted

#: The comment the draft starts with.
HEADER = (
    "# Draft case file written by `airwitness case draft` from a text, by fixed rules.",
    "# Every line marked CHECK needs an analyst's decision before `airwitness verify`.",
)

#: What follows the allegation: evidence, always left to the analyst, and the airspace set.
FOOTER = (
    "evidence: []  # CHECK: list the surveillance data files (paths relative to this file;"
    " globs allowed), e.g.",
    "#  - path: data/states.csv",
    "#    sensor: OpenSky receivers",
    "airspace: countries",
)


def write_case(title: Field, allegation: Mapping[str, Field]) -> str:
    """The YAML text: the header, ``title``, the ``allegation`` fields in the order
    given, then the footer."""
    lines = [*HEADER, _line("title", title), "allegation:"]
    lines += [_line(key, field, "  ") for key, field in allegation.items()]
    lines += FOOTER
    return "\n".join(lines) + "\n"


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
    """``key: value`` with the field's doubts as a CHECK comment, else its source;
    then its note."""
    body = f"{indent}{key}: {_scalar(field.value)}"
    parts = []
    if field.check:
        parts.append("CHECK: " + "; ".join(field.check))
    elif field.source:
        parts.append(f"from {quoted(field.source)}")
    if field.note:
        parts.append(field.note)
    return f"{body}  # " + "; ".join(parts) if parts else body
