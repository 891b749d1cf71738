"""A sheet's XML inside an .xlsx, found through the workbook's relationships and read in pieces;
the cells calamine reads as empty although they hold something (error values and formulas whose
result was never computed); and the rows the XML marks hidden (by hand or by a filter)."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .failures import unreadable

__all__ = [
    "RowSpan",
    "row_spans",
    "HiddenRowScan",
    "column_index",
    "sheet_member",
    "sheet_xml",
    "sheet_xml_contains",
    "xlsx_flagged_cells",
    "cells_holding",
]


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


# --- xlsx cells calamine reads as empty: error values, formulas never computed ----------------

CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
FLAG = re.compile(rb't="e"|<f')


def xlsx_flagged_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], tuple[str, str]]:
    """(Excel row, column index) -> ('error', '#N/A') or ('formula', '=SUM(...)') for cells
    whose value a reader sees as empty. Only sheets that have such cells are scanned in full."""
    try:
        # Streamed first: most sheets have no such cell, and a million-row sheet is 100 MB of XML.
        if not sheet_xml_contains(path, sheet_name, (b't="e"', b"<f")):
            return {}
        xml = sheet_xml(path, sheet_name)
    except Exception as exc:  # a damaged part calamine read leniently: the file is not sound
        raise unreadable(path, exc) from None
    if xml is None:
        return {}
    flagged: dict[tuple[int, int], tuple[str, str]] = {}
    for letters, row, attrs, body in cells_holding(xml, FLAG):
        body = body or b""
        column = column_index(letters.decode())
        if b't="e"' in attrs:
            value = _VALUE.search(body)
            flagged[(int(row), column)] = (
                "error",
                _xml_text(value.group(1)) if value else "#错误",
            )
        elif b"<f" in body and not ((computed := _VALUE.search(body)) and computed.group(1)):
            formula = re.search(rb"<f[^>]*>([^<]*)</f>", body)
            flagged[(int(row), column)] = (
                "formula",
                "=" + (_xml_text(formula.group(1)) if formula else ""),
            )
    return flagged


def _xml_text(raw: bytes) -> str:
    """Element text as written in the XML, its character references (&#26446;, which writers
    using lxml emit) and entities (&amp;) resolved."""
    return html.unescape(raw.decode())


def cells_holding(
    xml: bytes, needle: re.Pattern
) -> Iterator[tuple[bytes, bytes, bytes, bytes | None]]:
    """The cells (as ``CELL``'s groups) whose XML holds ``needle``, in order. Only the cells
    around each hit are parsed: a million-row sheet with one formula is not made into ten
    million tuples (gigabytes) to find it."""
    parsed_to = 0
    for hit in needle.finditer(xml):
        if hit.start() < parsed_to:
            continue  # in the cell just parsed
        start = xml.rfind(b"<c ", 0, hit.start())
        cell = CELL.match(xml, start) if start >= 0 else None
        if cell is None or cell.end() <= hit.start():
            continue  # not inside a cell (a filter, say)
        parsed_to = cell.end()
        letters, row, attrs, body = cell.groups()
        yield letters, row, attrs, body


# --- rows hidden by hand or by a filter ---------------------------------------------------------

RowSpan = tuple[int, int]  # rows start..stop, 0-based, stop excluded


def row_spans(rows: Iterable[int]) -> tuple[RowSpan, ...]:
    """Row numbers -> the runs of consecutive rows they make, in order: 2, 3, 4, 9 -> (2, 5), (9, 10)."""
    spans: list[list[int]] = []
    for row in sorted(set(rows)):
        if spans and spans[-1][1] == row:
            spans[-1][1] = row + 1
        else:
            spans.append([row, row + 1])
    return tuple((start, stop) for start, stop in spans)


HIDDEN = re.compile(rb'hidden="(?:1|true)"')  # LibreOffice writes hidden="false" on every row
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\s[^>]*>")
_ROW_NUMBER = re.compile(rb'\sr="(\d{1,7})"')  # a sheet has at most 1,048,576 rows
_SEAM = len(b'hidden="true"')
_PENDING_LIMIT = 1 << 16  # an unfinished tag longer than this is no row tag


class HiddenRowScan:
    """The rows a sheet's XML marks hidden (``<row … hidden="1">``, or ``"true"``), fed the XML in
    order, in the pieces another scan reads it in (no second pass over the XML).

    Each piece is searched for the attribute, a byte search; only around a hit is the tag looked at,
    and it counts when it is a ``<row>`` tag (not a hidden column, not text in a cell). A piece
    without a hit is not copied: only what follows its last ``<`` (perhaps an unfinished tag) is
    kept for the next."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        self._pending = b""
        self.numbered = True  # False once a hidden row tag has no ``r`` (its place then counts)

    def feed(self, chunk: bytes) -> None:
        if HIDDEN.search(self._pending + chunk[:_SEAM]) is None and HIDDEN.search(chunk) is None:
            last = chunk.rfind(b"<")
            pending = chunk[last:] if last >= 0 else self._pending + chunk
            self._pending = pending[-_PENDING_LIMIT:]
            return
        data = self._pending + chunk
        last = data.rfind(b"<")
        self._find(data, max(last, 0))
        self._pending = data[max(last, 0) :][-_PENDING_LIMIT:]

    def result(self) -> tuple[RowSpan, ...] | None:
        """The hidden rows (0-based runs) once the whole XML is fed; None when a hidden row tag
        has no ``r``."""
        self._find(self._pending, len(self._pending))
        self._pending = b""
        return row_spans(self._rows) if self.numbered else None

    def _find(self, data: bytes, end: int) -> None:
        for hit in HIDDEN.finditer(data, 0, end):
            start = data.rfind(b"<", 0, hit.start())
            tag = _ROW_TAG.match(data, start) if start >= 0 else None
            if tag is None or tag.end() <= hit.start():
                continue  # a hidden column, or text that reads hidden="1"
            number = _ROW_NUMBER.search(tag.group(0))
            if number is None:
                self.numbered = False
            else:
                self._rows.append(int(number.group(1)) - 1)


# --- a sheet's part -----------------------------------------------------------------------------


def sheet_xml(path: Path, sheet_name: str, limit: int | None = None) -> bytes | None:
    """The sheet's XML (its first ``limit`` bytes when given); None if the workbook has no such part."""
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None:
            return None
        if limit is None:
            return archive.read(member)
        with archive.open(member) as stream:
            return stream.read(limit)


SCAN_PIECE = 1 << 20


def sheet_xml_contains(path: Path, sheet_name: str, needles: tuple[bytes, ...]) -> bool:
    """Whether the sheet's XML contains any of ``needles``, read in pieces (a damaged part
    fails here as it would when read whole: up to the end when no needle is found)."""
    overlap = max(len(n) for n in needles) - 1
    searches = [
        re.compile(re.escape(n)).search for n in needles
    ]  # a regex finds a literal faster than `in`
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, sheet_name)
        if member is None:
            return False
        tail = b""
        with archive.open(member) as stream:
            # Pieces of 1 MB (on the scanning thread, larger ones stay resident in its malloc arena);
            # a needle across two pieces is found in the few bytes either side of the seam.
            while chunk := stream.read(SCAN_PIECE):
                if any(search(tail + chunk[:overlap]) or search(chunk) for search in searches):
                    return True
                tail = (tail + chunk[-overlap:])[-overlap:]
        return False


def sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding the sheet called ``sheet_name``; None if there is none. Elements
    and the relationship id are matched by local name in any namespace (transitional or strict
    OOXML, any prefix), so a part calamine finds is found here too."""
    sheets, relationships = _workbook_parts(
        archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels")
    )
    rel_id = next((rel_id for name, rel_id in sheets if name == sheet_name), None)
    target = next((target for id_, target in relationships if id_ == rel_id), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


@lru_cache(maxsize=2)
def _workbook_parts(
    workbook_xml: bytes, rels_xml: bytes
) -> tuple[tuple[tuple[str | None, str | None], ...], tuple[tuple[str | None, str | None], ...]]:
    """(each sheet's name and relationship id, each relationship's id and target), in the
    files' order: parsed once per workbook, which every sheet's lookup reads again."""
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(workbook_xml)
    rels = ElementTree.fromstring(rels_xml)
    sheets = tuple(
        (s.get("name"), next((v for k, v in s.attrib.items() if k.endswith("}id")), None))
        for s in workbook.iterfind("{*}sheets/{*}sheet")
    )
    relationships = tuple((r.get("Id"), r.get("Target")) for r in rels.iterfind("{*}Relationship"))
    return sheets, relationships
