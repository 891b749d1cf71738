"""Text clean-up shared by the reader and the normaliser: width folding, spaces, name lists.

Width folding only (full-width ASCII -> ASCII, ideographic space -> space): full NFKC would also
rewrite circled numbers and compatibility ideographs, which changes what clerks typed.
All functions here work on whole pandas Series (vectorised) or on single strings.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "fold_width",
    "clean_series",
    "NAME_SEPARATORS",
    "LIST_SEPARATORS",
    "split_names",
    "strip_name_tag",
    "excel_column",
    "number_text",
    "percent_text",
]

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: None, 0xFEFF: None})

# Separators clerks use between names in one cell: 、，, ; ； / and any white space.
NAME_SEPARATORS = r"[、，,;；/／\s]+"
# The same without white space: a space may also pad a two-character name (张 三).
LIST_SEPARATORS = r"[、，,;；/／]+"
# A trailing tag in brackets: 张三（民盟） / 张三(民盟) / 张三【特邀】
_NAME_TAG = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]$")


def fold_width(text: str) -> str:
    """Fold full-width ASCII and odd spaces to their plain forms; strip the ends."""
    return text.translate(_WIDTH_TABLE).strip()


def clean_series(values: pd.Series) -> pd.Series:
    """Cell values -> clean strings ('' for empty), vectorised.

    Numbers that are whole (an ID typed as 12 and read as 12.0) lose the ``.0``.
    """
    as_text = values.astype("object").where(values.notna(), "").astype(str)
    as_text = as_text.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return as_text.str.translate(_WIDTH_TABLE).str.strip()


def split_names(values: pd.Series) -> pd.Series:
    """Name-list cells -> one row per name, order kept, index repeated; empties dropped.

    The result's index is the index of the cell each name came from; ``position`` (1-based)
    can be had with ``groupby(level=0).cumcount() + 1``.
    """
    names = values.str.split(NAME_SEPARATORS, regex=True).explode()
    return names[names.notna() & (names != "")]


def strip_name_tag(names: pd.Series) -> pd.Series:
    """Drop one trailing bracketed tag: '张三（民盟）' -> '张三'. Spaces inside a name go too."""
    return names.str.replace(_NAME_TAG, "", regex=True).str.replace(r"\s+", "", regex=True)


def number_text(value: float) -> str:
    """2.0 -> '2', 1.25 -> '1.25': a number as a note or message shows it."""
    return f"{float(value):g}"


def percent_text(share: float) -> str:
    """0.6 -> '60%'."""
    return f"{share * 100:g}%"


def excel_column(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
