"""What a sheet shows that python-calamine does not report: hidden columns and rows, an .ods
sheet's merged cells, and numbers shown through a zero-padding number format (13 shown as 0013).

calamine gives each cell's value, each sheet's visibility, and the merged ranges of .xlsx and .xls
sheets. A clerk reads more than the values: a hidden column or row (hidden by hand or by a filter)
is not seen, a merged group header spans the columns under it, and a number formatted ``0000`` is
the text they see. This module reads those from the file itself, only the parts needed:

* .xlsx/.xlsm — ``<cols><col hidden="1">`` at the head of the sheet's XML; the zero-padding
  formats of ``xl/styles.xml`` (``numFmt`` + ``cellXfs``) and the number cells that use them
  (an .xlsx sheet's hidden rows are found by the scan that measures its extent before calamine
  parses it, :func:`.guards.xlsx.sheet_extent`, in the same pass over its XML);
* .ods — ``content.xml``: ``table:table-column`` and ``table:table-row`` with
  ``table:visibility="collapse"`` (or ``"filter"``, for rows), cells with
  ``table:number-columns-spanned``/``table:number-rows-spanned``, and number cells whose style's
  data style is a ``number:number-style`` with ``number:min-integer-digits`` and no decimals;
* .xls — the BIFF8 records of the Workbook stream: COLINFO (hidden columns), ROW (hidden rows:
  the fDyZero flag), FORMAT and XF (the zero-padding formats), and NUMBER/RK/MULRK cells that use
  them.

A folder of .csv files has none of these.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

from .xlsxparts import RowSpan, row_spans

__all__ = ["SheetLayout", "sheet_layouts"]

Range = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class SheetLayout:
    """One sheet's hidden columns, merged ranges (only where calamine has none: .ods),
    zero-padded number cells and hidden rows (.ods and .xls; an .xlsx sheet's come with its
    extent); rows and columns 0-based, as calamine's grid."""

    hidden_columns: frozenset[int] = frozenset()
    merges: tuple[Range, ...] = ()
    padded: dict[tuple[int, int], int] = field(default_factory=dict)  # cell -> digits shown
    hidden_rows: tuple[RowSpan, ...] = ()  # in order, not overlapping


_NONE = SheetLayout()
_PADDING = re.compile(r"^0{2,}$")  # 0000: a whole number shown with leading zeros


def sheet_layouts(path: Path) -> dict[str, SheetLayout]:
    """Each sheet's layout by sheet name; sheets with nothing to report are left out. A part that
    cannot be read is left to calamine to report (an empty answer here)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path)
        if suffix == ".ods":
            return _ods(path)
        if suffix == ".xls":
            return _xls(path)
    except (
        OSError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,  # a damaged deflate stream
        KeyError,
        ValueError,
        struct.error,
        IndexError,
    ):
        return {}
    except Exception as exc:  # defusedxml's refusals and ElementTree's parse errors
        if type(exc).__module__.startswith(("defusedxml", "xml")):
            return {}
        raise
    return {}


def padded_text(value: object, digits: int) -> str | None:
    """``13`` (or ``13.0``) shown through a format of ``digits`` zeros: ``0013``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    number = int(value)
    return f"{number:0{digits}d}" if number >= 0 else None


# --- .xlsx --------------------------------------------------------------------------------------

_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_COL = re.compile(rb"<col\b[^>]*>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_CELL_START = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*)>')
_HEAD_BYTES = 1 << 16


def _xlsx(path: Path) -> dict[str, SheetLayout]:
    from defusedxml import ElementTree

    from .xlsxparts import column_index, sheet_member

    layouts: dict[str, SheetLayout] = {}
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        names = [s.get("name") for s in book.iter(f"{_M}sheet")]
        padded_styles = _xlsx_padded_styles(archive)
        style_needles = [f's="{index}"'.encode() for index in padded_styles]
        for name in names:
            member = sheet_member(archive, name)
            if member is None:
                continue
            with archive.open(member) as stream:
                head = stream.read(_HEAD_BYTES)
            end = head.find(b"<sheetData")
            hidden: set[int] = set()
            for element in _COL.findall(head if end < 0 else head[:end]):
                attrs = dict(_ATTR.findall(element))
                if attrs.get(b"hidden") in (b"1", b"true"):
                    hidden.update(range(int(attrs[b"min"]) - 1, int(attrs[b"max"])))
            padded: dict[tuple[int, int], int] = {}
            if style_needles:
                xml = archive.read(member)
                if any(needle in xml for needle in style_needles):
                    for letters, row, attrs_text in _CELL_START.findall(xml):
                        attrs = dict(_ATTR.findall(attrs_text))
                        digits = padded_styles.get(int(attrs.get(b"s", b"0")))
                        if digits and attrs.get(b"t", b"n") == b"n":
                            padded[(int(row) - 1, column_index(letters.decode()))] = digits
            if hidden or padded:
                layouts[name] = SheetLayout(frozenset(hidden), (), padded)
    return layouts


def _xlsx_padded_styles(archive: zipfile.ZipFile) -> dict[int, int]:
    """cellXfs index -> digits, for the cell styles whose number format is 0000-like."""
    from defusedxml import ElementTree

    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    formats = {
        f.get("numFmtId"): len(f.get("formatCode", ""))
        for f in styles.iter(f"{_M}numFmt")
        if _PADDING.match(f.get("formatCode", ""))
    }
    if not formats:
        return {}
    xfs = styles.find(f"{_M}cellXfs")
    return {
        index: formats[xf.get("numFmtId")]
        for index, xf in enumerate(xfs if xfs is not None else [])
        if xf.get("numFmtId") in formats
    }


# --- .ods ---------------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_N = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods(path: Path) -> dict[str, SheetLayout]:
    """One streamed pass over content.xml: its data and cell styles (before the body), then each
    table's columns and rows, every row let go once read (a large sheet is never held whole)."""
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(path) as archive:
        padded_data = _ods_padded_data_styles(archive, "styles.xml")
        if not padded_data and not _ods_has_layout(archive):
            return {}  # nothing hidden, merged or padded: the sheets are not walked
        padded_cells: dict[str, int] = {}
        layouts: dict[str, SheetLayout] = {}
        table: _OdsTable | None = None
        with archive.open("content.xml") as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{_T}table":
                        table = _OdsTable(element.get(f"{_T}name", ""))
                    continue
                if tag == f"{_N}number-style":
                    digits = _padding_digits(element)
                    if digits:
                        padded_data[element.get(f"{_S}name")] = digits
                elif tag == f"{_S}style":
                    digits = padded_data.get(element.get(f"{_S}data-style-name"), 0)
                    if digits:
                        padded_cells[element.get(f"{_S}name")] = digits
                elif table is not None and tag == f"{_T}table-column":
                    table.column(element)
                elif table is not None and tag == f"{_T}table-row":
                    table.row(element, padded_cells)
                    element.clear()
                elif table is not None and tag == f"{_T}table":
                    layout = table.layout()
                    if layout != _NONE:
                        layouts[table.name] = layout
                    table = None
                    element.clear()
    return layouts


_ODS_LAYOUT = re.compile(
    rb'visibility="(?:collapse|filter)"|number-(?:columns|rows)-spanned="(?!1")'
    rb'|min-integer-digits="(?:[2-9]|\d\d)'
)


def _ods_has_layout(archive: zipfile.ZipFile) -> bool:
    """Whether content.xml has a hidden column or row, a merge or a padding number style, searched in
    pieces (a needle across two pieces is found in the bytes either side of the seam)."""
    tail = b""
    with archive.open("content.xml") as stream:
        while chunk := stream.read(1 << 20):
            if _ODS_LAYOUT.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _ods_padded_data_styles(archive: zipfile.ZipFile, member: str) -> dict[str, int]:
    """Data style name -> digits, for the number styles of ``member`` (styles.xml) showing a
    whole number with leading zeros."""
    from defusedxml import ElementTree

    try:
        xml = archive.read(member)
    except KeyError:
        return {}
    if b"min-integer-digits" not in xml:
        return {}
    found = {}
    for style in ElementTree.fromstring(xml).iter(f"{_N}number-style"):
        digits = _padding_digits(style)
        if digits:
            found[style.get(f"{_S}name")] = digits
    return found


def _padding_digits(style: Element) -> int:
    """The digits a number style pads a whole number to (0000 -> 4); 0 for any other style."""
    number = style.find(f"{_N}number")
    if number is None or len(style) != 1:
        return 0  # text or a second part besides the number: not a plain padding
    digits = int(number.get(f"{_N}min-integer-digits", "1"))
    return digits if digits >= 2 and number.get(f"{_N}decimal-places", "0") == "0" else 0


def _repeat(element: Element, attribute: str, limit: int) -> int:
    return min(int(element.get(f"{_T}{attribute}", "1")), limit)


class _OdsTable:
    """One table's hidden columns and rows, merged ranges and padded number cells, built row by
    row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.hidden: set[int] = set()
        self.columns = 0
        self.merges: list[Range] = []
        self.padded: dict[tuple[int, int], int] = {}
        self.rows = 0
        self.hidden_rows: list[RowSpan] = []

    def column(self, element: Element) -> None:
        count = _repeat(element, "number-columns-repeated", 16_384)
        if element.get(f"{_T}visibility") == "collapse":
            self.hidden.update(range(self.columns, self.columns + count))
        self.columns += count

    def row(self, element: Element, padded_cells: dict[str, int]) -> None:
        rows = _repeat(element, "number-rows-repeated", 1_048_576)
        if element.get(f"{_T}visibility") in ("collapse", "filter"):
            if self.hidden_rows and self.hidden_rows[-1][1] == self.rows:
                self.hidden_rows[-1] = (self.hidden_rows[-1][0], self.rows + rows)
            else:
                self.hidden_rows.append((self.rows, self.rows + rows))
        column = 0
        for cell in element:
            if cell.tag not in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                continue
            count = _repeat(cell, "number-columns-repeated", 16_384)
            across = int(cell.get(f"{_T}number-columns-spanned", "1"))
            down = int(cell.get(f"{_T}number-rows-spanned", "1"))
            if across > 1 or down > 1:
                self.merges.append(
                    ((self.rows, column), (self.rows + down - 1, column + across - 1))
                )
            digits = padded_cells.get(cell.get(f"{_T}style-name", ""))
            if digits and cell.get(f"{_O}value-type") == "float" and rows * count <= 65_536:
                for r in range(self.rows, self.rows + rows):
                    for c in range(column, column + count):
                        self.padded[(r, c)] = digits
            column += count
        self.rows += rows

    def layout(self) -> SheetLayout:
        return SheetLayout(
            frozenset(self.hidden), tuple(self.merges), self.padded, tuple(self.hidden_rows)
        )


# --- .xls ---------------------------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _FORMAT, _XF = 0x0809, 0x000A, 0x0085, 0x041E, 0x00E0
_COLINFO, _NUMBER, _RK, _MULRK = 0x007D, 0x0203, 0x027E, 0x00BD
_ROW = 0x0208
_ROW_HIDDEN = 0x0020  # ROW's fDyZero: the row is hidden (by hand or by a filter)


def _xls(path: Path) -> dict[str, SheetLayout]:
    from .guards.xls import _workbook_stream  # the compound file as calamine reads it

    data = path.read_bytes()
    stream = _workbook_stream(data) if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1") else None
    if stream is None:
        return {}
    formats: dict[int, int] = {}
    xf_formats: list[int] = []
    sheets: list[tuple[int, str]] = []
    for kind, body in _records(stream, 0):
        if kind == _FORMAT:
            code = _xls_string(body[2:])
            if _PADDING.match(code):
                formats[struct.unpack_from("<H", body)[0]] = len(code)
        elif kind == _XF:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == _BOUNDSHEET:
            sheets.append((struct.unpack_from("<I", body)[0], _xls_sheet_name(body[6:])))
        elif kind == _EOF:
            break
    padded_xfs = {i: formats[f] for i, f in enumerate(xf_formats) if f in formats}
    layouts: dict[str, SheetLayout] = {}
    for position, name in sheets:
        hidden: set[int] = set()
        padded: dict[tuple[int, int], int] = {}
        hidden_rows: list[int] = []
        for kind, body in _records(stream, position):
            if kind == _COLINFO:
                first, last, _, _, options = struct.unpack_from("<5H", body)
                if options & 0x0001:
                    hidden.update(range(first, last + 1))
            elif kind == _ROW:
                (row,) = struct.unpack_from("<H", body)
                (flags,) = struct.unpack_from("<I", body, 12)
                if flags & _ROW_HIDDEN:
                    hidden_rows.append(row)
            elif padded_xfs and kind in (_NUMBER, _RK):
                row, col, xf = struct.unpack_from("<3H", body)
                if xf in padded_xfs:
                    padded[(row, col)] = padded_xfs[xf]
            elif padded_xfs and kind == _MULRK:
                row, first = struct.unpack_from("<2H", body)
                for i in range((len(body) - 6) // 6):
                    (xf,) = struct.unpack_from("<H", body, 4 + 6 * i)
                    if xf in padded_xfs:
                        padded[(row, first + i)] = padded_xfs[xf]
            elif kind == _EOF:
                break
        if hidden or padded or hidden_rows:
            layouts[name] = SheetLayout(frozenset(hidden), (), padded, row_spans(hidden_rows))
    return layouts


def _records(stream: bytes, position: int) -> Iterator[tuple[int, bytes]]:
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        yield kind, stream[position + 4 : position + 4 + size]
        position += 4 + size


def _xls_string(data: bytes) -> str:
    """An XLUnicodeString (16-bit length, flags, characters)."""
    (length,) = struct.unpack_from("<H", data)
    wide = data[2] & 0x01
    raw = data[3 : 3 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1")


def _xls_sheet_name(data: bytes) -> str:
    """A BOUNDSHEET name (ShortXLUnicodeString: 8-bit length, flags, characters)."""
    length, flags = data[0], data[1]
    raw = data[2 : 2 + length * (2 if flags & 0x01 else 1)]
    return raw.decode("utf-16-le" if flags & 0x01 else "latin-1")


# --- the first rows of an .xlsx sheet, without parsing the sheet whole --------------------------


def xlsx_head_rows(path: Path, sheet_name: str, count: int) -> list[list] | None:
    """The values of the sheet's first ``count`` rows (text and numbers; dates as numbers), read
    from the start of its XML; None when the sheet has no part of its own."""
    from defusedxml.ElementTree import iterparse

    from .xlsxparts import column_index, sheet_member

    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None:
            return None
        rows: list[list] = [[] for _ in range(count)]
        strings: list[tuple[int, int, int]] = []  # (row, column, shared string index)
        with archive.open(member) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if element.tag != f"{_M}c":
                    if element.tag == f"{_M}row":
                        if int(element.get("r", "0")) >= count:
                            break
                        element.clear()
                    continue
                found = re.fullmatch(r"([A-Z]+)(\d+)", element.get("r", ""))
                if not found or int(found.group(2)) > count:
                    continue
                row, column = int(found.group(2)) - 1, column_index(found.group(1))
                kind = element.get("t", "n")
                value_element = element.find(f"{_M}v")
                raw = value_element.text if value_element is not None else None
                value: object = raw or ""
                if kind == "s" and raw is not None:
                    strings.append((row, column, int(raw)))
                elif kind == "inlineStr":
                    value = "".join(t.text or "" for t in element.iter(f"{_M}t"))
                cells = rows[row]
                cells.extend([""] * (column + 1 - len(cells)))
                cells[column] = value
        if strings:
            shared = _shared_strings(archive, max(index for _, _, index in strings))
            for row, column, index in strings:
                rows[row][column] = shared[index] if index < len(shared) else ""
    return rows


def _shared_strings(archive: zipfile.ZipFile, last: int) -> list[str]:
    """The shared strings up to index ``last`` (the rest of the part is not read)."""
    from defusedxml.ElementTree import iterparse

    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with stream:
        for _, element in iterparse(stream, events=("end",)):
            if element.tag == f"{_M}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{_M}t")))
                element.clear()
                if len(strings) > last:
                    break
    return strings
