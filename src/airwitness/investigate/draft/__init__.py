"""Draft a case file from a news report or statement (``airwitness case draft``).

Rule-based and transparent, so an analyst can see why each value is there:

* **Countries** are found by name (``pycountry`` names, official and common
  names), adjective/demonym, capital and a few government metonyms (the
  gazetteer, :mod:`.gazetteer`), and written as Natural Earth ``ADM0_A3`` codes,
  which for nearly all countries equal ISO 3166-1 alpha-3 (exceptions in
  ``ISO_TO_NE``); :mod:`.countries`, over text folded by :mod:`.folding`.
* **Roles** come from a handful of regular expressions (``ROLE_PATTERNS`` in
  :mod:`.roles`), each marked *strong* or *weak*. A value found only by a weak
  pattern, or contradicted by another match, is written with ``# CHECK: <why>``;
  a value found by a strong pattern gets a plain ``# from "<quote>"`` comment.
* **Dates** (:mod:`.dates`): own regular expressions for the usual news forms
  ("between 13 and 24 June", "June 13-24, 2025", "on 13 June", "13.06.2025"),
  then ``dateparser`` for what they miss ("13 Jun 25"); relative dates
  ("yesterday") are reported, never resolved. The year is only ever taken from
  the text: a date whose year the text does not state is written
  ``"????-MM-DD"``. One range is the window; otherwise the span of the dates
  named, marked CHECK (:mod:`.window`).
* **Aircraft** classes from words (drone -> uav, fighter jet -> jet, ...;
  :mod:`.aircraft`); the **title** is the first sentence (:mod:`.title`).

Nothing is invented: what the text does not say is ``null`` (or ``any``) with a
CHECK comment, and the same text always gives the same bytes. :mod:`.case` puts
the findings in their fields (:mod:`.fields`) and :mod:`.writer` writes the YAML;
:mod:`.text_file` reads the report.
"""

from __future__ import annotations

from airwitness.investigate.draft.case import draft_case
from airwitness.investigate.draft.countries import find_countries
from airwitness.investigate.draft.dates import find_dates
from airwitness.investigate.draft.text_file import read_text_file

__all__ = ["draft_case", "find_countries", "find_dates", "read_text_file"]
