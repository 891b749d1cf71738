"""A small Word (.docx) writer for the archive's documents: a title, headed sections of text and
tables, on A4 portrait with 2.5 cm margins, tables repeating their header row on every page.

One function, :func:`write_document`, so that the documents can move to a shared 公文 layout
module without touching what they say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..writers.common import atomic_path

__all__ = ["Section", "write_document"]

_BODY_FONT = "SimSun"  # 宋体; Word and WPS substitute a CJK serif where it is missing
_HEADING_FONT = "SimHei"  # 黑体
_FIXED_TIME = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Section:
    """A heading, then paragraphs of text, then a table (any may be empty)."""

    heading: str
    paragraphs: Sequence[str] = ()
    table: pd.DataFrame | None = None
    decimals: int = 2
    widths_cm: Sequence[float] = field(default_factory=tuple)


def write_document(out: Path, title: str, subtitle: str, sections: Sequence[Section]) -> None:
    """Write the document to ``out`` atomically (a crash leaves ``out`` as it was)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    page = doc.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(2.5))
    props = doc.core_properties
    props.title, props.author = title, "perfscore"
    props.created = props.modified = _FIXED_TIME
    props.last_modified_by = "perfscore"
    props.revision = 1

    def font(run, name: str, size: float, bold: bool = False) -> None:
        run.font.name = name
        run.font.size = Pt(size)
        run.font.bold = bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(heading.add_run(title), _HEADING_FONT, 18, bold=True)
    if subtitle:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font(sub.add_run(subtitle), _BODY_FONT, 11)
    for section in sections:
        head = doc.add_paragraph()
        head.paragraph_format.space_before = Pt(12)
        head.paragraph_format.keep_with_next = True
        font(head.add_run(section.heading), _HEADING_FONT, 14, bold=True)
        for text in section.paragraphs:
            font(doc.add_paragraph().add_run(text), _BODY_FONT, 11)
        if section.table is None:
            continue
        if section.table.empty:
            font(doc.add_paragraph().add_run("（无）"), _BODY_FONT, 11)
            continue
        _table(doc, section, font)
    with atomic_path(out) as tmp:
        doc.save(str(tmp))


def _table(doc, section: Section, font) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    frame = section.table
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    header = table.rows[0]
    marker = OxmlElement("w:tblHeader")  # repeat the header row on every printed page
    marker.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(marker)
    for cell, name in zip(header.cells, frame.columns):
        font(cell.paragraphs[0].add_run(str(name)), _HEADING_FONT, 9, bold=True)
    texts = [_texts(frame[column], section.decimals) for column in frame.columns]
    for row in zip(*texts):
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            font(cell.paragraphs[0].add_run(text), _BODY_FONT, 9)
    for index, width in enumerate(section.widths_cm):
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _texts(series: pd.Series, decimals: int) -> list[str]:
    if pd.api.types.is_float_dtype(series):
        return ["" if v != v else f"{v:.{decimals}f}" for v in series.tolist()]
    return ["" if v is None or v != v else str(v) for v in series.astype(object).tolist()]
