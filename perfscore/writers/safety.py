"""Formula safety: text that a spreadsheet would run as a formula stays text in every output.

A member named ``=HYPERLINK("http://x","y")`` or a proposal title starting with ``+``, ``-`` or
``@`` would become a live formula when a CSV file or a pasted Markdown table is opened in Excel
or WPS (CSV/formula injection). xlsx cells are written as typed strings, which is safe by itself;
the text outputs (CSV, Markdown) get a leading apostrophe, the convention spreadsheets use for
"this is text": ``'=HYPERLINK(...)``. Plain numbers such as ``-2`` or ``+1.5`` are left alone
(a spreadsheet reads them as numbers, never as formulas).
"""

from __future__ import annotations

import re

import numpy as np

from ..text import TEXT_SEPARATOR, rows_matching

__all__ = ["FORMULA_TRIGGERS", "looks_like_formula", "formula_rows", "neutralise"]

# What a spreadsheet may start a formula (or DDE call) with; tab and CR as OWASP lists them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")
_FORMULA_START = re.compile(
    TEXT_SEPARATOR + "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
)  # see rows_matching


def looks_like_formula(text: str) -> bool:
    """True when ``text`` starts like a formula and is not merely a signed number."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text)


def formula_rows(texts: list[str]) -> np.ndarray:
    """:func:`looks_like_formula` for many texts at once: one regex pass finds the texts that
    start with a trigger, and only those are looked at one by one."""
    found = rows_matching(texts, _FORMULA_START, TEXT_SEPARATOR)
    for index in np.flatnonzero(found).tolist():
        found[index] = looks_like_formula(texts[index])
    return found


def neutralise(text: str) -> str:
    """``'=1+1`` for ``=1+1``; other text unchanged."""
    return "'" + text if looks_like_formula(text) else text
