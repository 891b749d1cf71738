"""Text clean-up shared by the reader and the normaliser: width folding, spaces, name lists.

Width folding only (full-width ASCII -> ASCII, ideographic space -> space): full NFKC would also
rewrite circled numbers and compatibility ideographs, which changes what clerks typed.
All functions here work on whole pandas Series (vectorised) or on single strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "fold_width",
    "clean_series",
    "per_distinct",
    "rows_matching",
    "text_array",
    "TEXT_SEPARATOR",
    "NAME_SEPARATORS",
    "LIST_SEPARATORS",
    "split_names",
    "strip_name_tag",
    "where_matching",
    "WHITE_SPACE",
    "excel_column",
    "number_text",
    "percent_text",
]

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_WIDTH_TABLE: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update(
    {
        0x3000: 0x20,
        0x00A0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x200B: None,
        0xFEFF: None,
    }
)

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
    The clean-up runs once per distinct text (a register repeats names, types and dates a
    lot), and equal cells share one string object in the result.
    """
    if isinstance(values.dtype, pd.StringDtype):  # text already: only the empty cells to fill
        as_text = values.fillna("") if values.hasnans else values
    elif values.dtype == object:
        return _clean_objects(values)
    else:
        as_text = values.astype("object").where(values.notna(), "").astype(str)
    return per_distinct(as_text, _clean_text)


def _clean_objects(
    values: pd.Series, factorized: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.Series:
    """Cells of mixed kinds (dates, numbers, text): each distinct cell is made text once.
    Except numbers: 1, 1.0 and True (or 0.0 and -0.0) are one value to pandas but not one text,
    so number cells are made text one by one. ``factorized``: the cells' ``pd.factorize(...,
    use_na_sentinel=False)`` when the caller has it already."""
    cells = values.to_numpy(dtype=object)
    codes, distinct = (
        factorized if factorized is not None else pd.factorize(cells, use_na_sentinel=False)
    )
    empty = pd.isna(distinct)
    text = pd.Series(distinct, dtype=object).where(~empty, "").astype(str)
    result = _clean_text(text).array.take(codes)
    is_number = (
        np.fromiter(
            (isinstance(v, (int, float)) for v in distinct), dtype=bool, count=len(distinct)
        )
        & ~empty
    )
    if is_number.any():
        rows = np.isin(codes, np.flatnonzero(is_number))
        result[rows] = per_distinct(pd.Series(cells[rows]).astype(str), _clean_text).array
    return pd.Series(result, index=values.index, name=values.name)


# What can change a text in _clean_text: a character the width table maps, white space, ".0".
_CLEANABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WIDTH_TABLE) + r"\s]|\.0")


def _clean_text(text: pd.Series) -> pd.Series:
    """Texts -> clean texts; only those that contain something to clean are worked on."""
    change = rows_matching(text.tolist(), _CLEANABLE)
    if not change.any():
        return text
    changed = text[change].str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    changed = changed.str.translate(_WIDTH_TABLE).str.strip()
    text = text.copy()
    text[change] = changed
    return text


# Joins texts for a search that must see where each one starts and ends (rows_matching): a
# private-use character, which is not white space, not a control character, and not in text
# perfscore writes. A text that holds it can only be picked when it need not be (a candidate).
TEXT_SEPARATOR = "\ue000"


def rows_matching(texts: list[str], pattern: re.Pattern, separator: str = "") -> np.ndarray:
    """Which of ``texts`` contain a match of ``pattern``: one search over all the texts joined,
    each match placed in its text by the texts' lengths (C speed, not a Python call per text).

    A match that runs over the end of one text into the next may mark that text too, so use it
    for patterns of single characters, or to pick candidates that are then checked exactly.

    With a ``separator`` (TEXT_SEPARATOR), each text is preceded by it, and a match starting on
    a text's separator belongs to that text: ``\\ue000=`` finds the texts that start with =,
    ``\\s(?=\\ue000|\\Z)`` those that end with a space. (A lookbehind such as ``(?<=\\ue000)``
    would work too, but costs a regex attempt at every position: eight times slower.)"""
    if not texts:
        return np.zeros(0, dtype=bool)
    size = len(separator)
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + size)
    joined = separator + separator.join(texts) if size else "".join(texts)
    starts = np.fromiter((m.start() for m in pattern.finditer(joined)), dtype=np.int64)
    found = np.zeros(len(texts), dtype=bool)
    found[np.searchsorted(ends, starts, side="right")] = True
    return found


def text_array(series: pd.Series) -> np.ndarray:
    """A column as str objects, '' where missing (what writers serialise)."""
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        return series.to_numpy(dtype=object, na_value="")
    return series.astype(object).where(series.notna(), "").astype(str).to_numpy(dtype=object)


def per_distinct(values: pd.Series, function: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``function(values)`` computed on the distinct values only and spread back to every row.

    ``function`` must work value by value (each result depends on its own value only) and
    keep the index of what it is given; NaN, if any, is passed in as a value too. Values are
    told apart as they print, not as pandas compares them: floats by their bits (0.0 and -0.0
    are one value to pandas), and a column of mixed objects (1, 1.0 and True are one value to
    pandas) is passed whole."""
    if pd.api.types.is_float_dtype(values):
        codes, bits = pd.factorize(values.to_numpy(dtype=np.float64).view(np.int64))
        distinct = pd.Series(bits.view(np.float64), dtype=values.dtype)
    elif (
        pd.api.types.is_object_dtype(values)
        and pd.api.types.infer_dtype(values, skipna=True) != "string"
    ):
        return function(values)
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        distinct = pd.Series(uniques)
    if len(distinct) == len(values):  # nothing repeats: no gain from the detour
        return function(values)
    result = function(distinct)
    return pd.Series(result.array.take(codes), index=values.index, name=values.name)


def split_names(values: pd.Series) -> pd.Series:
    """Name-list cells -> one row per name, order kept, index repeated; empties dropped.

    The result's index is the index of the cell each name came from; ``position`` (1-based)
    can be had with ``groupby(level=0).cumcount() + 1``.
    """
    names = values.str.split(NAME_SEPARATORS, regex=True).explode()
    return names[names.notna() & (names != "")]


def strip_name_tag(names: pd.Series) -> pd.Series:
    """Drop one trailing bracketed tag: '张三（民盟）' -> '张三'. Spaces inside a name go too."""
    return where_matching(
        names,
        _TAG_OR_SPACE,
        lambda part: part.str.replace(_NAME_TAG, "", regex=True).str.replace(
            r"\s+", "", regex=True
        ),
    )


# A name strip_name_tag changes has a closing bracket (its tag ends the name) or white space.
_TAG_OR_SPACE = re.compile(r"[）)】\]\s]")
WHITE_SPACE = re.compile(r"\s")


def where_matching(
    values: pd.Series, pattern: re.Pattern[str], function: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    """``function(values)``, computed only for the values that contain a match of ``pattern``
    (a pattern of single characters, see :func:`rows_matching`); ``function`` must leave every
    value without a match as it is, work value by value and keep the index."""
    try:
        change = rows_matching(values.tolist(), pattern)
    except TypeError:  # not all text (NaN, numbers): the plain way
        return function(values)
    if not change.any():
        return values
    if change.all():
        return function(values)
    result = values.copy()
    result[change] = function(values[change])
    return result


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
