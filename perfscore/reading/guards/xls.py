"""Check an .xls file before calamine opens it, from the numbers calamine would allocate by.

python-calamine (calamine 0.37) parses every sheet of an .xls as soon as the workbook is opened,
and it allocates memory from what the file declares before it looks at any cell. One changed byte
can make a declared number absurd, and a failed allocation in Rust aborts the whole process
(SIGABRT, "memory allocation of … failed"): no Python code runs after it, not even perfscore's
size checks. So this module reads the file first, the way calamine reads it, and raises a
UsageError (exit 2, a message naming the file and the sheet) where calamine would abort:

* the compound file (OLE2/CFB) that holds the workbook: calamine follows the DIFAT chain, and the
  directory chain, until they end, and a chain whose declared length is huge until it has that
  many bytes — a chain that loops back grows until memory runs out;
* each DIMENSIONS record (0x0200) of a sheet: calamine reserves rows × columns cells (40 bytes
  each) for it, rows counted in wrapping 32-bit arithmetic, so a first row after the last one
  asks for billions of cells;
* the cells: at the end of a sheet calamine lays them out in one dense block up to the last row
  and column that a cell record names (16 bits each: up to 65,536 × 65,536).

Sizes are held to the same limit as an .xlsx sheet's declared range (``Limits.cells_per_sheet``);
an undamaged .xls (at most 65,536 rows × 256 columns) never reaches it. Any other refusal is of a
compound file calamine cannot read either. What calamine does was read from its source and from
the machine code of the installed build (0.37.0); tests/test_xlsguard.py reproduces each abort and
checks the rule against calamine itself.

A file that is not an OLE2 compound file, has no Workbook stream, is encrypted, or whose records
calamine cannot parse anyway is left to calamine, which reports it as it did before.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from ...errors import UsageError
from .limits import check_whole_book

__all__ = ["check_xls", "reserved_cells"]

_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_END_OF_CHAIN = 0xFFFF_FFFE
_FIRST_MARKER = (
    0xFFFF_FFFA  # sector ids from here on mark free, FAT and DIFAT sectors, a chain's end
)
_MINI_CUTOFF = 4096  # calamine's, whatever the header says
_MINI_SECTOR = 64
_DAMAGED_HINT = "（文件是否损坏、未保存完整，或不是 Excel/WPS 表格？）"

# BIFF record types
_EOF, _BOF, _FILEPASS, _CODEPAGE, _BOUNDSHEET = 0x000A, 0x0809, 0x002F, 0x0042, 0x0085
_DIMENSIONS, _MULRK = 0x0200, 0x00BD
# Records calamine keeps a cell for, at the (row, column) of their first two 16-bit fields:
# FORMULA, RSTRING, LABELSST, NUMBER, LABEL, BOOLERR, RK (STRING takes its FORMULA's place).
_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})
_XLS_ROWS, _XLS_COLUMNS = 65_536, 256  # the most an .xls sheet can hold


class _Damaged(Exception):
    """The compound file cannot be followed the way calamine follows it."""


def check_xls(path: Path, cells_per_sheet: int) -> None:
    """Raise UsageError if calamine, opening ``path`` as an .xls, would allocate more than
    ``cells_per_sheet`` cells for a sheet, or would follow a compound-file chain without end.
    Files that are not OLE2 compound files are left alone (calamine reports them)."""
    try:
        with open(path, "rb") as file:
            if file.read(8) != _MAGIC:
                return
            data = _MAGIC + file.read()
    except OSError:
        return  # calamine reports it
    try:
        stream = _workbook_stream(data)
    except _Damaged as exc:
        raise UsageError(f"无法读取工作簿 {path.name}：{exc}{_DAMAGED_HINT}") from None
    if stream is not None:
        _check_sheets(stream, cells_per_sheet, path.name)


# --- the compound file ------------------------------------------------------------------------


def _u32s(data: bytes) -> tuple[int, ...]:
    return struct.unpack_from(f"<{len(data) // 4}I", data)


class _Compound:
    """An OLE2 compound file read as calamine's cfb module reads it: the sector size from the
    header, the FAT from the header's DIFAT entries and the DIFAT sectors, the directory, and the
    mini stream with its own FAT. Every chain is bounded by the number of sectors in the file, so
    a chain that loops is reported instead of followed."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise _Damaged("文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _Damaged(f"OLE 文件头中的扇区大小无效（{shift}、{mini_shift}）")
        self.data = data
        self.size = 1 << shift
        if len(data) <= self.size:  # the header takes the whole first sector
            raise _Damaged("文件头之后没有数据")
        self.count = -(-(len(data) - self.size) // self.size)  # the last sector may be cut short
        directory_sectors, _, directory_start = struct.unpack_from("<III", data, 40)
        minifat_start, minifat_sectors, difat_start = struct.unpack_from("<III", data, 60)
        self.fat = self._fat(struct.unpack_from("<109I", data, 76), difat_start)
        directory = self._chain(
            directory_start, self.fat, self._sector, directory_sectors * self.size, self.count
        )
        self.entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not self.entries:
            raise _Damaged("OLE 目录为空")
        self.mini = b""
        self.minifat: tuple[int, ...] = ()
        if minifat_sectors:
            root_start, root_size = self._place(self.entries[0])
            self.mini = self._chain(root_start, self.fat, self._sector, root_size, self.count)
            self.minifat = _u32s(
                self._chain(
                    minifat_start, self.fat, self._sector, minifat_sectors * self.size, self.count
                )
            )

    def stream(self, name: str) -> bytes | None:
        """The stream of the first directory entry called ``name``; None if there is none."""
        entry = next((e for e in self.entries if _entry_name(e) == name), None)
        if entry is None:
            return None
        start, size = self._place(entry)
        if size < _MINI_CUTOFF:
            return self._chain(
                start, self.minifat, self._mini_sector, size, -(-len(self.mini) // _MINI_SECTOR)
            )
        return self._chain(start, self.fat, self._sector, size, self.count)

    def _fat(self, header_ids: tuple[int, ...], difat_start: int) -> tuple[int, ...]:
        """The FAT entries of the file's sectors. calamine reads every FAT sector the DIFAT lists;
        only the entries of sectors that exist can be looked up, so only those are kept."""
        per_sector = self.size // 4
        needed = -(-self.count // per_sector)  # FAT sectors that cover every sector of the file
        ids = [i for i in header_ids if i < _FIRST_MARKER][:needed]
        sector, walked = difat_start, 0
        while sector < _FIRST_MARKER:  # the DIFAT sectors: 127 (or 1023) ids, then the next one's
            walked += 1
            if walked > self.count:
                raise _Damaged("OLE 的 DIFAT 扇区链循环")
            entries = _u32s(self._sector(sector))
            if not entries:
                raise _Damaged(f"OLE 的 DIFAT 扇区 {sector} 不完整")
            if len(ids) < needed:
                ids.extend(i for i in entries[:-1] if i < _FIRST_MARKER)
                del ids[needed:]
            sector = entries[-1]
        return tuple(
            entry for i in ids for entry in _u32s(self._sector(i))
        )  # calamine: whole entries of each

    def _sector(self, sector: int) -> bytes:
        if sector >= self.count:
            raise _Damaged(f"OLE 扇区 {sector:#x} 超出文件末尾")
        start = (sector + 1) * self.size
        return self.data[start : start + self.size]

    def _mini_sector(self, sector: int) -> bytes:
        start = sector * _MINI_SECTOR
        if sector >= _FIRST_MARKER or start >= len(self.mini):
            raise _Damaged(f"OLE 小扇区 {sector:#x} 超出迷你流末尾")
        return self.mini[start : start + _MINI_SECTOR]

    def _place(self, entry: bytes) -> tuple[int, int]:
        """An entry's first sector and size (32 bits in a version 3 file, 64 in version 4)."""
        (start,) = struct.unpack_from("<I", entry, 116)
        (size,) = struct.unpack_from("<I" if self.size == 512 else "<Q", entry, 120)
        return start, size

    @staticmethod
    def _chain(
        sector: int,
        table: tuple[int, ...],
        read: Callable[[int], bytes],
        length: int,
        limit: int,
    ) -> bytes:
        """The bytes of the chain from ``sector``: until its end, or until ``length`` bytes when
        ``length`` is not 0. More than ``limit`` sectors means the chain loops."""
        parts: list[bytes] = []
        got = steps = 0
        while sector != _END_OF_CHAIN:
            part = read(sector)
            steps += 1
            if steps > limit:
                raise _Damaged("OLE 扇区链循环")
            if length:
                part = part[: length - got]
            parts.append(part)
            got += len(part)
            if length and got >= length:
                break
            if sector >= len(table):
                raise _Damaged(f"OLE 扇区 {sector:#x} 不在分配表中")
            sector = table[sector]
        return b"".join(parts)


def _entry_name(entry: bytes) -> str:
    """A directory entry's name as calamine decodes it: the first 64 bytes as UTF-16LE (a byte
    order mark switches the encoding), up to the first NUL."""
    raw = entry[:64]
    if raw[:3] == b"\xef\xbb\xbf":
        text = raw[3:].decode("utf-8", "replace")
    elif raw[:2] == b"\xff\xfe":
        text = raw[2:].decode("utf-16-le", "replace")
    elif raw[:2] == b"\xfe\xff":
        text = raw[2:].decode("utf-16-be", "replace")
    else:
        text = raw.decode("utf-16-le", "replace")
    return text.split("\x00", 1)[0]


def _workbook_stream(data: bytes) -> bytes | None:
    """The BIFF stream: "Workbook", or "Book" (Excel 5/95) if that one is missing or unreadable;
    None if the compound file holds neither (an encrypted .xlsx, say): calamine reports it."""
    compound = _Compound(data)
    try:
        stream = compound.stream("Workbook")
    except _Damaged as exc:
        book = compound.stream("Book")
        if book is None:
            raise exc from None
        return book
    return stream if stream is not None else compound.stream("Book")


# --- the BIFF records -------------------------------------------------------------------------


def _check_sheets(stream: bytes, cells_per_sheet: int, file_name: str) -> None:
    """Each sheet within ``cells_per_sheet``; and, since calamine holds every sheet of an .xls
    at once, all of them together within :func:`~.limits.whole_book_cells`."""
    padded = stream + bytes(4)  # every record header can be read with the 4 bytes after it
    areas = []
    for index, (position, name) in enumerate(_sheet_list(stream)):
        name = name or f"第 {index + 1} 个工作表"
        cells = _check_sheet(padded, len(stream), position, name, cells_per_sheet, file_name)
        areas.append((cells, name))
    check_whole_book(file_name, areas, len(stream))


def _sheet_list(stream: bytes) -> list[tuple[int, str]]:
    """(stream position, name) of each sheet the workbook globals list (BOUNDSHEET records up to
    the globals' EOF). Empty when calamine stops before reading any sheet: an encrypted workbook
    (FILEPASS) or a record cut short, which calamine reports itself."""
    sheets: list[tuple[int, str]] = []
    biff8, codepage = True, 1200
    position, end = 0, len(stream)
    while position < end:
        if end - position < 4:
            return []
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if position > end:
            return []
        if kind == _EOF:
            break
        if kind == _FILEPASS and (size < 2 or body[:2] != b"\x00\x00"):
            return []
        if kind == _BOF and size >= 2:
            (version,) = struct.unpack_from("<H", body)
            sheet_type = struct.unpack_from("<H", body, 2)[0] if size >= 4 else 0
            biff8 = version not in (0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500) and not (
                version == 0 and sheet_type == 0x1000
            )
        elif kind == _CODEPAGE and size >= 2:
            (codepage,) = struct.unpack_from("<H", body)
        elif kind == _BOUNDSHEET:
            if size < 4:
                return []
            sheets.append(
                (struct.unpack_from("<I", body)[0], _sheet_name(body[6:], biff8, codepage))
            )
    return sheets


def _sheet_name(data: bytes, biff8: bool, codepage: int) -> str:
    """A BOUNDSHEET name, for messages only (never raises)."""
    if not data:
        return ""
    count, data = data[0], data[1:]
    if biff8:  # a flags byte: bit 0 set for UTF-16, clear for one byte a character
        wide, data = bool(data[:1]) and data[0] & 1 == 1, data[1:]
        text = (
            data[: 2 * count].decode("utf-16-le", "replace")
            if wide
            else data[:count].decode("latin-1")
        )
    else:
        try:
            text = data[:count].decode(f"cp{codepage}", "replace")
        except LookupError:
            text = data[:count].decode("latin-1")
    return text.replace("\x00", "")


# A record's type and length, and the first two 16-bit fields of its body: a cell's row and column.
_RECORD = struct.Struct("<4H").unpack_from


def _check_sheet(
    padded: bytes, end: int, position: int, name: str, cells_per_sheet: int, file_name: str
) -> int:
    """One sheet's records from its BOF to its EOF, as calamine's sheet loop sees them: records
    inside an embedded substream (a chart's BOF … EOF) are skipped, a record cut short ends the
    sheet (calamine stops there with an error). ``padded`` is the stream and 4 more bytes, so
    that one read takes a header and the fields after it."""
    last_row = last_column = -1
    depth, seen_bof = 0, False
    cells = _CELLS
    while end - position >= 4:
        kind, size, row, column = _RECORD(padded, position)
        body = position + 4
        position = body + size
        if position > end:
            break
        if depth:
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
        elif kind in cells:
            if size >= 4:
                if row > last_row:
                    last_row = row
                if column > last_column:
                    last_column = column
        elif kind == _MULRK:
            if size >= 6:  # (row, first column), then 6 bytes a cell, then the last column
                last_row, last_column = (
                    max(last_row, row),
                    max(last_column, column + max(-(-(size - 6) // 6), 1) - 1),
                )
        elif kind == _DIMENSIONS:
            _check_dimensions(padded[body:position], name, cells_per_sheet, file_name)
        elif kind == _BOF:
            depth, seen_bof = (1 if seen_bof else 0), True
        elif kind == _EOF:
            break
    height, width = last_row + 1, last_column + 1
    if height * width > cells_per_sheet:
        raise UsageError(_too_large(file_name, name, height, width, cells_per_sheet))
    return height * width


def _check_dimensions(record: bytes, name: str, cells_per_sheet: int, file_name: str) -> None:
    declared = reserved_cells(record)
    if declared is None:
        return
    rows, columns, first_row, row_end = declared
    if rows * columns <= cells_per_sheet:
        return
    if first_row < row_end:
        raise UsageError(_too_large(file_name, name, rows, columns, cells_per_sheet))
    raise UsageError(
        f"无法读取工作簿 {file_name}：工作表“{name}”声明的数据区域无效（起始行 {first_row + 1:,} 在结束行 "
        f"{row_end:,} 之后），文件已损坏；请在 Excel 或 WPS 中打开、另存为 .xlsx 后再试"
    )


def reserved_cells(record: bytes) -> tuple[int, int, int, int] | None:
    """The rows and columns calamine reserves cells for on reading a DIMENSIONS record's body,
    with the record's first row and row end: (rows, columns, first row, row end). None for a
    body of a length calamine refuses (it reports that itself).

    calamine reserves (row end − first row) × (column end − first column) cells, the row count
    wrapping at 2³² (a first row after the row end asks for about four billion rows); a first
    column after the column end, or beyond 255, counts as column A; a row end or column end of 0
    reserves one cell."""
    if len(record) == 10:  # BIFF5 and older: 16-bit rows
        first_row, row_end, first_column, column_end = struct.unpack_from("<4H", record)
    elif len(record) in (14, 16):
        first_row, row_end, first_column, column_end = struct.unpack_from("<IIHH", record)
    else:
        return None
    if column_end < first_column or first_column >= _XLS_COLUMNS:
        first_column = 0
    if not row_end or not column_end:
        return 1, 1, first_row, row_end
    return (row_end - first_row) & 0xFFFF_FFFF, column_end - first_column, first_row, row_end


def _too_large(file_name: str, name: str, height: int, width: int, cells_per_sheet: int) -> str:
    if height > _XLS_ROWS or width > _XLS_COLUMNS:
        hint = (
            f".xls 工作表最多 {_XLS_ROWS:,} 行 × {_XLS_COLUMNS} 列，文件已损坏；"
            "请在 Excel 或 WPS 中打开、另存为 .xlsx 后再试"
        )
    else:
        hint = "请删除表格右侧和下方多余的行列（可能是误填的单元格）"
    return (
        f"无法读取工作簿 {file_name}：工作表“{name}”的数据区域为 {height:,} 行 × {width:,} 列，"
        f"超出可处理的范围（{cells_per_sheet:,} 个单元格）；{hint}"
    )
