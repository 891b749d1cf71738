"""The archive's Word documents (the member's dossier) in the 公文 layout of
:mod:`perfscore.writers.official`: a title, a subtitle line, numbered headings (一、二、…), each
with its text and table, on A4 with the standard margins and page numbers.

A table of more than a few dozen cells is built in one piece
(:meth:`~perfscore.writers.official.OfficialDocument.long_table`): a member's five-year ledger
has hundreds of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..writers.commit import ResultSet
    from ..writers.official import OfficialStyle

__all__ = ["Section", "write_document"]

_NUMBERS = "一二三四五六七八九十"
_SMALL_TABLE_CELLS = 60  # up to this many cells, the cell-by-cell table (numbers centred)


@dataclass(frozen=True)
class Section:
    """A heading, then paragraphs of text, then a table (any may be empty)."""

    heading: str
    paragraphs: Sequence[str] = ()
    table: pd.DataFrame | None = None
    decimals: int = 2
    widths: Sequence[float] | None = None  # relative column widths (by content when None)


def write_document(
    out: Path,
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    *,
    style: OfficialStyle | None = None,
    into: ResultSet | None = None,
) -> Path:
    """Write the document to ``out`` atomically, as a file of the result set ``into`` (or as a
    set of its own). ``style`` is an :class:`~perfscore.writers.official.OfficialStyle` (the
    rules' ``documents:``; the GB/T 9704 defaults when None)."""
    from ..writers.official import OfficialDocument, OfficialStyle

    doc = OfficialDocument(style or OfficialStyle(), title=title)
    doc.title(title)
    if subtitle:
        doc.centred(subtitle)
    for index, section in enumerate(sections):
        number = _NUMBERS[index] if index < len(_NUMBERS) else str(index + 1)
        doc.heading(f"{number}、{section.heading}")
        for text in section.paragraphs:
            doc.paragraph(text)
        table = section.table
        if table is None:
            continue
        if table.empty:
            doc.paragraph("无。")
        elif table.size <= _SMALL_TABLE_CELLS:
            numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
            doc.table(table, numeric=numeric, decimals=section.decimals, widths=section.widths)
        else:
            doc.long_table(table, decimals=section.decimals, widths=section.widths)
    return doc.save(out, into=into)
