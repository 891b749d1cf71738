"""Markdown that survives being pasted into a message, converted to a document, or copied on
into a spreadsheet: escaped inline text, tables whose cells cannot break the table or become
formulas, and atomic writes.

Text from the workbook (names, groups, items) goes through :func:`inline` or :func:`cell`;
numbers perfscore formats itself are passed to :func:`table` through ``formats`` and are only
escaped, so ``-2.00`` stays a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from .commit import ResultSet, checkpoint
from .safety import neutralise

__all__ = ["inline", "cell", "table", "write_markdown"]

_MARKUP = re.compile(r"([\\`*_\[\]<>|])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def inline(value: object) -> str:
    """Text shown as itself: on one line, Markdown's special characters (and |) escaped."""
    if _missing(value):
        return ""
    return _MARKUP.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)).strip())


def cell(value: object) -> str:
    """A table cell from workbook text: :func:`inline`, and text that starts like a formula
    (= + - @, not a plain signed number) is prefixed with an apostrophe, as spreadsheets do for
    text (:func:`perfscore.writers.safety.neutralise`), so it stays text once copied there."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return inline(f"{value:g}" if isinstance(value, float) else value)
    return inline(neutralise(_LINE_BREAKS.sub(" ", str(value)).strip()))


def table(
    frame: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]] | None = None
) -> list[str]:
    """A pipe table, one line per row. Columns named in ``formats`` are rendered by their
    function (perfscore's own numbers: escaped, not neutralised); the others through :func:`cell`."""
    formats = formats or {}
    columns = list(frame.columns)
    rendered = [
        [
            inline(formats[name](v)) if name in formats else cell(v)
            for v in frame[name].astype(object).tolist()
        ]
        for name in columns
    ]
    numeric = [name in formats or pd.api.types.is_numeric_dtype(frame[name]) for name in columns]
    lines = [
        "| " + " | ".join(cell(name) for name in columns) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*rendered)]
    return lines


def write_markdown(text: str, out: Path, *, into: ResultSet | None = None) -> None:
    """Write ``text`` as UTF-8 with \\n line ends, atomically: as a file of the result set
    ``into`` (the caller commits it), or as a set of its own."""
    out = Path(out)
    with nullcontext(into) if into is not None else ResultSet(out.parent) as result:
        with open(result.path(out.name), "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        checkpoint("markdown")


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)
