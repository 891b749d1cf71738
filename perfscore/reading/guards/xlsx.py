"""Checks of an .xlsx/.ods zip before calamine reads it: the unpacked size, the compression
ratio of each part, and the area each sheet's cells span.

calamine lays a sheet's cells out in one dense block from the first to the last cell any
``<c>`` element names (32 bytes a cell), whatever ``<dimension>`` says and whether or not the
sheet has one, and Python's rows then run from A1 (8 bytes a cell). A 10 KB file naming a cell
at XFD1048576 beside A1 asks for 512 GiB, and a failed allocation in Rust aborts the process.
So a sheet's extent is read from its XML, in pieces, before calamine parses it: refused if it
spans more than ``cells_per_sheet`` cells, or more than its XML pays for (see
:func:`check_cell_budget`), so the memory a sheet costs is bounded by a multiple of its
uncompressed size.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ...errors import UsageError
from ..failures import unreadable
from ..xlsxparts import HIDDEN, HiddenRowScan, RowSpan, row_spans, sheet_member
from . import limits

__all__ = ["check_zip", "SheetExtent", "sheet_extent", "check_cell_budget", "too_many_cells"]


def check_zip(path: Path) -> None:
    """Refuse a zip whose parts unpack to an absurd size (a zip bomb) before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError) as exc:
        raise unreadable(path, exc) from None
    total = sum(p.file_size for p in parts)
    if total > limits.LIMITS.unzipped_bytes:
        raise UsageError(
            f"{path.name} 解压后达 {total / 1024**3:.1f} GB，超出可处理的范围；文件可能已损坏或不是正常的工作簿"
        )
    for part in parts:
        if part.file_size > 10 * 1024**2 and part.file_size > limits.LIMITS.compression_ratio * max(
            part.compress_size, 1
        ):
            raise UsageError(
                f"{path.name} 中的 {part.filename} 压缩比异常（{part.file_size:,} 字节压缩为 "
                f"{part.compress_size:,} 字节）；文件可能是恶意构造的，已拒绝读取"
            )


@dataclass(frozen=True)
class SheetExtent:
    """What a sheet's XML says about its cells: the last row and column any cell names
    (1-based; 0 for a sheet without cells), the XML's size, whether any cell holds a value, and
    the rows it marks hidden (0-based runs; found in the same pass)."""

    rows: int
    columns: int
    xml_bytes: int
    has_values: bool
    hidden_rows: tuple[RowSpan, ...] = ()


_PIECE = 1 << 22
_CARRY = 48  # longer than any reference the fast scan reads: ` r="` + 4 letters + 8 digits
_BIG = 10**9  # a reference beyond Excel's own (four letters, eight digits): far enough to refuse
_WHITE = np.array([0x20, 0x09, 0x0A, 0x0D], dtype=np.uint8)
_CELL_END = np.array([0x20, 0x09, 0x0A, 0x0D, 0x2F, 0x3E], dtype=np.uint8)  # white, '/', '>'
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)[\s>]")


def sheet_extent(path: Path, name: str) -> SheetExtent | None:
    """The extent of the sheet called ``name`` in the .xlsx at ``path``, read from its XML in
    pieces; None if the workbook has no such sheet part (calamine reports it).

    Every cell names its place as ``r="B7"`` in the files Excel, WPS, LibreOffice and the Python
    writers make, and those references are read with numpy, a piece at a time. A cell without a
    reference (calamine places it after the cell before it, in the row after the row before it)
    or a reference written another way (single quotes, spaces around ``=``), or a hidden row
    without its number, sends the sheet to :func:`_exact_extent`, which follows every row and cell
    as calamine does."""
    with zipfile.ZipFile(path) as archive:
        member = sheet_member(archive, name)
        if member is None:
            return None
        rows = columns = size = 0
        has_values = exact = False
        hidden = HiddenRowScan()
        with archive.open(member) as stream:
            carry = b""
            while True:
                chunk = stream.read(_PIECE)
                hidden.feed(chunk)
                buffer = carry + chunk
                last = not chunk
                # up to the last element that starts before the final stretch: every cell
                # counted then has its whole tag, its reference included, in this piece
                cut = len(buffer) if last else max(buffer.rfind(b"<", 0, len(buffer) - _CARRY), 0)
                size += len(chunk)
                found = _scan_piece(buffer, cut)
                if found is None:
                    exact = True
                    break
                rows, columns = max(rows, found[0]), max(columns, found[1])
                if not has_values:
                    has_values = _VALUE.search(buffer, 0, min(len(buffer), cut + 8)) is not None
                if last:
                    break
                carry = buffer[cut:]
        hidden_rows = None if exact else hidden.result()
        if hidden_rows is None:
            with archive.open(member) as stream:
                return _exact_extent(stream)
    return SheetExtent(rows, columns, size, has_values, hidden_rows)


def _scan_piece(buffer: bytes, cut: int) -> tuple[int, int] | None:
    """(last row, last column) that the cell references starting before ``cut`` name; None if a
    cell in that stretch has no reference of the form ``r="A1"`` (see :func:`_exact_extent`)."""
    if not cut:
        return 0, 0
    data = np.frombuffer(buffer + bytes(_CARRY), dtype=np.uint8)
    # every ` r="`: the attribute of a cell (letters, then digits) or of a row (digits). One
    # comparison over the piece, then only the bytes around each `r` are looked at.
    at = np.flatnonzero(data[1 : cut + 1] == 0x72) + 1
    at = at[(data[at + 1] == 0x3D) & (data[at + 2] == 0x22)]
    at = at[_is_any(data[at - 1], _WHITE)] + 3  # the first character of the value
    letters = np.zeros(len(at), dtype=np.int64)
    column = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for k in range(4):
        char = data[at + k] | 0x20  # lower case
        going &= (char >= 0x61) & (char <= 0x7A)
        letters += going
        column = np.where(going, column * 26 + (char.astype(np.int64) - 0x60), column)
    column[letters == 4] = _BIG
    row = np.zeros(len(at), dtype=np.int64)
    digits = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    start = at + letters
    for k in range(8):
        char = data[start + k]
        going &= (char >= 0x30) & (char <= 0x39)
        digits += going
        row = np.where(going, row * 10 + (char.astype(np.int64) - 0x30), row)
    row[digits == 8] = _BIG
    cells = letters > 0
    # every cell element, `<c …` or `<x:c …`: as many as the references found, or one lacks one
    opened = np.flatnonzero(data[1 : cut + 1] == 0x63) + 1
    opened = opened[
        ((data[opened - 1] == 0x3C) | (data[opened - 1] == 0x3A))
        & _is_any(data[opened + 1], _CELL_END)
    ]
    if len(opened) != int(cells.sum()):
        return None
    if not cells.any():
        return 0, 0
    return int(row[cells].max()), int(column[cells].max())


def _is_any(values: np.ndarray, choices: np.ndarray) -> np.ndarray:
    found = np.zeros(len(values), dtype=bool)
    for choice in choices:
        found |= values == choice
    return found


_ELEMENT = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REFERENCE = re.compile(rb"""\sr\s*=\s*["']\s*([A-Za-z]*)\s*(\d*)""")


def _exact_extent(stream: IO[bytes]) -> SheetExtent:
    """The extent as calamine finds it, element by element: a row without ``r`` follows the
    row before it, a cell without ``r`` the cell before it in its row."""
    rows = columns = size = 0
    has_values = False
    row = column = 0  # 1-based: the current row; the last column used in it
    hidden: list[int] = []
    tail = b""
    while chunk := stream.read(_PIECE):
        size += len(chunk)
        buffer = tail + chunk
        end = buffer.rfind(b"<")
        if end < 0:
            tail = b""
            continue
        has_values = has_values or _VALUE.search(buffer, 0, end) is not None
        for closing, kind, attributes in _ELEMENT.findall(buffer, 0, end):
            if closing:
                continue
            found = _REFERENCE.search(attributes)
            letters, digits = (found.group(1), found.group(2)) if found else (b"", b"")
            if kind == b"row":
                row = _number(digits) if digits else row + 1
                column = 0
                if HIDDEN.search(attributes):
                    hidden.append(row - 1)
                continue
            if letters:
                column = _letters(letters)
                row = _number(digits) if digits else row
            else:
                column += 1
            rows, columns = max(rows, row), max(columns, column)
        tail = buffer[end:]
    return SheetExtent(rows, columns, size, has_values, row_spans(hidden))


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) < 9 else _BIG


def _letters(letters: bytes) -> int:
    if len(letters) > 3:
        return _BIG
    index = 0
    for char in letters.upper():
        index = index * 26 + char - 0x40
    return index


def check_cell_budget(name: str, extent: SheetExtent) -> None:
    """Refuse a sheet whose cells, laid out from A1 to the last row and column, would be more
    than ``cells_per_sheet``, or more than ``sparse_cells`` and more than one per
    ``xml_bytes_per_cell`` bytes of the sheet's XML: a real register fills most of its area, so
    a few bytes of XML never stand for millions of empty cells."""
    too_many_cells(name, extent.rows, extent.columns)
    cells = extent.rows * extent.columns
    budget = max(limits.LIMITS.sparse_cells, extent.xml_bytes // limits.LIMITS.xml_bytes_per_cell)
    if cells > budget:
        raise UsageError(
            f"工作表“{name}”的数据区域为 {extent.rows:,} 行 × {extent.columns:,} 列，"
            f"而其中填写的内容很少（{extent.xml_bytes:,} 字节），超出可处理的范围；"
            "请删除表格右侧和下方多余的行列（可能是误填的单元格）"
        )


def too_many_cells(name: str, height: int, width: int) -> None:
    """Refuse a sheet of ``height`` rows by ``width`` columns beyond the cell limit."""
    if height * width > limits.LIMITS.cells_per_sheet:
        raise UsageError(
            f"工作表“{name}”的数据区域为 {height:,} 行 × {width:,} 列，超出可处理的范围"
            f"（{limits.LIMITS.cells_per_sheet:,} 个单元格）；请删除表格右侧和下方多余的行列（可能是误填的单元格）"
        )
