"""Word documents in the 公文 layout (after GB/T 9704-2012): what every .docx perfscore writes
is built with, so a 通报, a 公示 and a 办法 look alike and print alike.

The layout: A4; margins 上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm; the title in 小标宋 2号 (22 pt),
centred; body text in 仿宋 3号 (16 pt), first line indented two characters, a fixed line pitch
(22 lines a page); 一级标题 (一、) in 黑体, 二级标题 ((一)) in 楷体; tables in 仿宋 at a smaller
size; the page number "— 1 —" (a PAGE field) in the footer. Fonts are named for East Asian
text (``w:rFonts w:eastAsia``) and the text language is zh-CN, so Word, WPS and LibreOffice
choose Chinese fonts (LibreOffice falls back to Noto CJK SC where the 公文 fonts are missing).
Fonts and sizes are an :class:`OfficialStyle`; an office sets them in its rules file
(``documents:``, see docs/rules.md) and :meth:`OfficialStyle.from_rules` reads them.

Use::

    doc = OfficialDocument(OfficialStyle())
    doc.title("关于2023年度委员履职考核情况的通报")
    doc.centred("〔    〕  号")
    doc.heading("一、总体情况")
    doc.paragraph("全体委员 320 人参加考核……")
    doc.table(frame, numeric=["总分"])
    doc.signature("政协××市委员会办公室", "    年  月  日")
    doc.save(path)                      # atomic; the same content gives the same bytes

Saving is deterministic: document properties (times, revision, author) are fixed and the zip
entries carry a fixed timestamp, so the same content gives the same file byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..rules import Rules

from .commit import ResultSet, checkpoint

__all__ = ["OfficialStyle", "OfficialDocument", "FIXED_TIME"]

FIXED_TIME = datetime(2000, 1, 1)  # document properties: the same every run
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


@dataclass(frozen=True)
class OfficialStyle:
    """Fonts (names as Word knows them) and sizes (points) of the 公文 layout.

    The defaults follow GB/T 9704-2012; an office whose machines name the fonts otherwise
    (仿宋 instead of 仿宋_GB2312, 华文中宋 for the title …) sets them in its rules file."""

    title_font: str = "方正小标宋简体"
    body_font: str = "仿宋_GB2312"
    heading1_font: str = "黑体"
    heading2_font: str = "楷体_GB2312"
    latin_font: str = "Times New Roman"
    title_size: float = 22  # 2号
    body_size: float = 16  # 3号
    table_size: float = 12  # 小4号
    page_number_size: float = 14  # 4号
    line_pitch: float = 28.95  # points between body lines: 22 lines on the type area
    margin_top: float = 37  # millimetres
    margin_bottom: float = 35
    margin_left: float = 28
    margin_right: float = 26

    @classmethod
    def from_rules(cls, rules: Rules) -> OfficialStyle:
        """The style a rules file's ``documents:`` section asks for (defaults where not given)."""
        spec = getattr(rules, "documents", None)
        if spec is None:
            return cls()
        names = {f.name for f in fields(cls)}
        given = {k: v for k, v in spec.model_dump(exclude_none=True).items() if k in names}
        return cls(**given)


class OfficialDocument:
    """A Word document being written in the 公文 layout: add blocks in reading order, then save."""

    def __init__(self, style: OfficialStyle | None = None, *, title: str = ""):
        import docx
        from docx.shared import Mm

        self.style = style or OfficialStyle()
        self._doc = docx.Document()
        self._doc.core_properties.title = title
        section = self._doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        s = self.style
        section.top_margin, section.bottom_margin = Mm(s.margin_top), Mm(s.margin_bottom)
        section.left_margin, section.right_margin = Mm(s.margin_left), Mm(s.margin_right)
        section.header_distance, section.footer_distance = Mm(15), Mm(20)
        self._defaults()
        self._page_number(section)
        body = self._doc.element.body  # the template's one empty paragraph
        for paragraph in list(body.iterchildren()):
            if paragraph.tag.endswith("}p"):
                body.remove(paragraph)

    # --- blocks ----------------------------------------------------------------------------------

    def title(self, text: str) -> None:
        """The document's title: 小标宋 2号, centred, with a blank line's space after it."""
        p = self._paragraph(align="center", indent=False, after=self.style.line_pitch)
        self._run(p, text, self.style.title_font, self.style.title_size)
        p.paragraph_format.line_spacing = _pt(self.style.title_size * 1.5)

    def centred(self, text: str, *, size: float | None = None) -> None:
        """A centred line in the body font: the 文号 line, a subtitle, a (公示期 …) line."""
        p = self._paragraph(align="center", indent=False)
        self._run(p, text, self.style.body_font, size or self.style.body_size)

    def heading(self, text: str, level: int = 1) -> None:
        """一级标题 (一、…) in 黑体 or 二级标题 ((一) …) in 楷体, at the body size, indented like body text."""
        font = self.style.heading1_font if level == 1 else self.style.heading2_font
        p = self._paragraph(keep_with_next=True)
        self._run(p, text, font, self.style.body_size)

    def paragraph(self, text: str, *, bold_lead: str = "", indent: bool = True) -> None:
        """Body text (仿宋 3号), the first line indented two characters. ``bold_lead`` is a
        lead-in (一是……) set in the body font, bold, before the text."""
        p = self._paragraph(indent=indent)
        if bold_lead:
            self._run(p, bold_lead, self.style.body_font, self.style.body_size, bold=True)
        self._run(p, text, self.style.body_font, self.style.body_size)

    def signature(self, unit: str, date_text: str) -> None:
        """The 落款: the issuing unit and the date, right-aligned, after a blank line."""
        self._paragraph(indent=False)
        for text in (unit, date_text):
            p = self._paragraph(align="right", indent=False)
            p.paragraph_format.right_indent = _pt(self.style.body_size * 2)
            self._run(p, text, self.style.body_font, self.style.body_size)

    def table(
        self,
        frame: pd.DataFrame,
        *,
        numeric: Sequence[str] = (),
        decimals: int = 2,
        widths: Sequence[float] | None = None,
        caption: str = "",
    ) -> None:
        """A table with a bold header row repeated on every page, no row split across pages;
        the ``numeric`` columns and short values centred. Floats get ``decimals`` places; missing values stay empty.
        ``widths`` are relative column widths (by content when None)."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_LINE_SPACING
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        if caption:
            p = self._paragraph(align="center", indent=False, keep_with_next=True)
            self._run(p, caption, self.style.heading1_font, self.style.table_size + 2)
        headers = [str(c) for c in frame.columns]
        texts = [[_cell_text(v, decimals) for v in frame[c].tolist()] for c in frame.columns]
        table = self._doc.add_table(rows=len(frame) + 1, cols=len(headers))
        table.style = self._doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        share = self._widths(headers, texts, widths)
        for col, width in enumerate(share):
            table.columns[col].width = Mm(width)
        centred = set(numeric)
        rows = table.rows
        header_pr = rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_pr.append(repeat)
        for row in rows:  # a row is never split across two pages
            keep = OxmlElement("w:cantSplit")
            keep.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().insert(0, keep)
        for col, header in enumerate(headers):
            short = all(_display_width(t) <= 8 for t in texts[col])
            align = "center" if header in centred or short else "left"
            for row_index, text in enumerate([header, *texts[col]]):
                cell = rows[row_index].cells[col]
                cell.width = Mm(share[col])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                self._format(p, align="center" if row_index == 0 else align, indent=False)
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                self._run(p, text, self.style.body_font, self.style.table_size, bold=row_index == 0)
        self._paragraph(indent=False)  # space after the table

    def long_table(
        self, frame: pd.DataFrame, *, decimals: int = 2, widths: Sequence[float] | None = None
    ) -> None:
        """A table of many rows (a ledger): the look of :meth:`table` — header bold and
        repeated on every page, rows never split, 仿宋 at the table size, widths by content —
        built as one piece of XML, as :meth:`table`'s cell-by-cell calls cost about a
        millisecond a cell. Cells are left-aligned, the header centred."""
        from docx.oxml import parse_xml

        headers = [str(c) for c in frame.columns]
        texts = [[_cell_text(v, decimals) for v in frame[c].tolist()] for c in frame.columns]
        share = self._widths(headers, texts, widths)
        twips = [round(mm * 1440 / 25.4) for mm in share]
        s = self.style
        fonts = (
            f'<w:rFonts w:ascii="{_xml(s.latin_font)}" w:hAnsi="{_xml(s.latin_font)}" '
            f'w:eastAsia="{_xml(s.body_font)}"/>'
        )
        size = (
            f'<w:sz w:val="{round(s.table_size * 2)}"/><w:szCs w:val="{round(s.table_size * 2)}"/>'
        )
        plain = f"<w:rPr>{fonts}{size}</w:rPr>"
        bold = f"<w:rPr>{fonts}<w:b/>{size}</w:rPr>"

        def cell(text: str, width: int, props: str, align: str) -> str:
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr><w:r>{props}'
                f'<w:t xml:space="preserve">{_xml(text)}</w:t></w:r></w:p></w:tc>'
            )

        header = "".join(cell(h, w, bold, "center") for h, w in zip(headers, twips))
        rows = "".join(
            '<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>'
            + "".join(cell(t, w, plain, "left") for t, w in zip(row, twips))
            + "</w:tr>"
            for row in zip(*texts)
        )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        table = parse_xml(
            f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
            f'<w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="true"/></w:trPr>'
            f"{header}</w:tr>{rows}</w:tbl>"
        )
        self._doc.styles["Table Grid"]  # the style the table names must be in the document
        body = self._doc.element.body
        last = body.find(f"{{{_W}}}sectPr")  # the section's properties stay the body's last child
        if last is not None:
            last.addprevious(table)
        else:
            body.append(table)
        self._paragraph(indent=False)  # space after the table

    def _widths(
        self, headers: list[str], texts: list[list[str]], relative: Sequence[float] | None
    ) -> list[float]:
        """Column widths in millimetres filling the type area. By content: a column of short
        values (names, numbers) gets room for its widest value on one line; the long text
        columns share what is left."""
        usable = 210 - self.style.margin_left - self.style.margin_right
        if relative is not None:
            return [w / sum(relative) * usable for w in relative]
        unit = self.style.table_size / 2 * 25.4 / 72  # half a CJK character, in millimetres
        padding = 4.0  # the cell's left and right margins
        natural = [
            max(
                [_display_width(h) for h in _header_lines(header)]
                + [_display_width(t) for t in column]
                + [2]
            )
            * unit
            + padding
            for header, column in zip(headers, texts)
        ]
        if sum(natural) <= usable:
            spare = usable - sum(natural)
            return [w + spare * w / sum(natural) for w in natural]
        short = [w <= 14 * unit + padding for w in natural]
        fixed = sum(w for w, s in zip(natural, short) if s)
        long_total = sum(w for w, s in zip(natural, short) if not s)
        left = max(usable - fixed, usable * 0.3)
        return [w if s else w / long_total * left for w, s in zip(natural, short)]

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self._doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- saving ----------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The .docx as bytes: fixed properties, fixed zip timestamps and order."""
        props = self._doc.core_properties
        props.author = "perfscore"
        props.last_modified_by = "perfscore"
        props.comments = ""
        props.revision = 1
        props.created = props.modified = FIXED_TIME
        buffer = io.BytesIO()
        self._doc.save(buffer)
        return _fixed_zip(buffer.getvalue())

    def save(self, path: str | Path, *, into: ResultSet | None = None) -> Path:
        """Write the document to ``path`` atomically: as a file of the result set ``into`` (the
        caller commits it), or as a set of its own."""
        path = Path(path)
        data = self.to_bytes()
        with nullcontext(into) if into is not None else ResultSet(path.parent) as result:
            result.path(path.name).write_bytes(data)
            checkpoint("document")
        return path

    # --- internals -------------------------------------------------------------------------------

    def _paragraph(
        self,
        *,
        align: str = "justify",
        indent: bool = True,
        after: float = 0,
        keep_with_next: bool = False,
    ) -> Any:
        p = self._doc.add_paragraph()
        self._format(p, align=align, indent=indent, after=after)
        p.paragraph_format.keep_with_next = keep_with_next
        return p

    def _format(self, p: Any, *, align: str, indent: bool, after: float = 0) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

        f = p.paragraph_format
        f.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        f.space_before = _pt(0)
        f.space_after = _pt(after)
        f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        f.line_spacing = _pt(self.style.line_pitch)
        f.first_line_indent = _pt(self.style.body_size * 2) if indent else None
        f.widow_control = True

    def _run(self, p: Any, text: str, font: str, size: float, *, bold: bool = False) -> Any:
        from docx.shared import Pt

        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold or None
        _set_fonts(run._r.get_or_add_rPr(), font, self.style.latin_font)
        return run

    def _defaults(self) -> None:
        """Document defaults and the styles used: the body font for East Asian text, zh-CN."""
        from docx.oxml.ns import qn
        from docx.shared import Pt

        styles = self._doc.styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, self.style.body_font, self.style.latin_font)
        for name in ("Normal", "Footer", "Header", "Table Grid"):
            style = self._doc.styles[name]
            style.font.size = Pt(self.style.body_size if name == "Normal" else 10.5)
            _set_fonts(style.element.get_or_add_rPr(), self.style.body_font, self.style.latin_font)
        normal = self._doc.styles["Normal"].paragraph_format
        normal.space_after = Pt(0)

    def _page_number(self, section: Any) -> None:
        """Footer: — n — centred, n a PAGE field (Word, WPS and LibreOffice fill it in)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p = section.footer.paragraphs[0]
        self._format(p, align="center", indent=False)
        p.paragraph_format.line_spacing = 1.0
        font, size = self.style.body_font, self.style.page_number_size
        self._run(p, "— ", font, size)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
            run = self._run(p, "", font, size)
            if kind:
                mark = OxmlElement("w:fldChar")
                mark.set(qn("w:fldCharType"), kind)
                run._r.append(mark)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text
        end = self._run(p, "", font, size)
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), "end")
        end._r.append(mark)
        self._run(p, " —", font, size)


def _set_fonts(rpr: Any, east_asian: str, latin: str) -> None:
    """Name ``east_asian`` for CJK text and ``latin`` for the rest; language zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for key, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        fonts.set(qn(f"w:{key}"), value)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _xml(text: str) -> str:
    """Text for an XML element or attribute: escaped, without the control characters XML forbids."""
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32).translate(_XML_ESCAPES)


def _pt(points: float) -> Any:
    from docx.shared import Pt

    return Pt(points)


def _cell_text(value: Any, decimals: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    if isinstance(value, pd.Timestamp | datetime):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _header_lines(header: str) -> list[str]:
    """A header of more than four characters may wrap onto two lines."""
    if len(header) <= 4:
        return [header]
    half = (len(header) + 1) // 2
    return [header[:half], header[half:]]


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01 (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
