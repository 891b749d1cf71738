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
    """Write the document to ``out``: a path inside a result set's staging folder
    (:class:`perfscore.writers.commit.ResultSet`), which makes the write atomic."""
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
        _table(doc, section)
    doc.save(str(out))


def _table(doc, section: Section) -> None:
    """The table as WordprocessingML built in one piece (python-docx's cell-by-cell calls cost
    about a millisecond a cell): a header row repeated on every page, then the rows."""
    from docx.oxml import parse_xml

    frame = section.table
    texts = [_texts(frame[column], section.decimals) for column in frame.columns]
    header = "".join(_cell(str(name), bold=True) for name in frame.columns)
    rows = "".join(
        "<w:tr>" + "".join(_cell(text) for text in row) + "</w:tr>" for row in zip(*texts)
    )
    width = _TEXT_WIDTH_TWIPS // max(1, len(frame.columns))
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in frame.columns)
    table = parse_xml(
        f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/>'
        f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>{rows}</w:tbl>"
    )
    body = doc.element.body
    last = body.find(f"{{{_W}}}sectPr")  # the section's properties stay the body's last child
    if last is not None:
        last.addprevious(table)
    else:
        body.append(table)


_TEXT_WIDTH_TWIPS = 9070  # 16 cm: A4 less two 2.5 cm margins
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _cell(text: str, *, bold: bool = False) -> str:
    fonts = _HEADING_FONT if bold else _BODY_FONT
    props = (
        f'<w:rPr><w:rFonts w:ascii="{fonts}" w:hAnsi="{fonts}" w:eastAsia="{fonts}"/>'
        + ("<w:b/>" if bold else "")
        + '<w:sz w:val="18"/></w:rPr>'
    )
    clean = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32).translate(_ESCAPES)
    return f'<w:tc><w:p><w:r>{props}<w:t xml:space="preserve">{clean}</w:t></w:r></w:p></w:tc>'


def _texts(series: pd.Series, decimals: int) -> list[str]:
    if pd.api.types.is_float_dtype(series):
        return ["" if v != v else f"{v:.{decimals}f}" for v in series.tolist()]
    return ["" if v is None or v != v else str(v) for v in series.astype(object).tolist()]
