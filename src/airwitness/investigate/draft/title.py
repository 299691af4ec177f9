"""A title for the case: the text's first sentence, for the analyst to rewrite."""

from __future__ import annotations

import re

from airwitness.investigate.draft.fields import Field

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
