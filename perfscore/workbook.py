"""Stage 1 — read: a workbook file -> one raw table per register, with Excel row numbers.

Sheets are found by name or alias, the header row is found by its words (a title row above it,
merged header cells and two-row headers are common), and every cell keeps its place: each
table carries the Excel row number of every row and the column letter of every declared
column, so later stages can say ``提案!F14``.

Reading uses python-calamine (Rust): several times faster than openpyxl, and it reads .xlsx,
.xlsm, .xls and .ods alike; a folder of .csv files (one per sheet) is read too.
``to_python(skip_empty_area=False)`` gives the grid from A1, empty leading rows and columns
included, so list positions are Excel rows and columns as they are. (fastexcel reads faster
but starts at the first filled cell without saying where that is, writes dates and booleans
as its own text, and needs pyarrow.) Cells are cleaned once per distinct text. The input is
opened read-only and never written. Before anything is loaded, sizes are checked, so a hostile
file (a zip bomb, a sheet claiming a million rows by sixteen thousand columns) is refused with
a message instead of exhausting memory.
"""

from __future__ import annotations

import csv
import datetime
import gc
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import DataError, Problem, Reason, Severity, UsageError
from .inputformat import DEFAULT_FORMAT, InputFormat, Sheet
from .text import _clean_objects, _clean_text, clean_series, excel_column, fold_width, rows_matching

__all__ = ["RawTable", "RawWorkbook", "read_workbook", "SUPPORTED_SUFFIXES", "match_key", "LIMITS"]

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_HEADER_SEARCH_ROWS = 15
# A total row starts with 合计/总计/小计, alone or followed by a count: 合计、合计：2件、合计(2)
_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计)(?:$|[:：(（\d])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    """What perfscore agrees to read. Far beyond any real register (xlsx itself stops at
    1,048,576 rows); a file beyond them is refused before it is loaded."""

    cells_per_sheet: int = 40_000_000  # rows × columns of a sheet's used range
    unzipped_bytes: int = 4 * 1024**3  # the whole .xlsx/.ods, uncompressed
    compression_ratio: int = 200  # uncompressed / compressed, for any part larger than 10 MB


LIMITS = Limits()


@dataclass(frozen=True)
class RawTable:
    """One register as read: a column per declared column key, plus ``row`` (Excel row number).

    Values are the cells' text after width folding and trimming ('' for empty). ``letters``
    maps a column key to its Excel column letter (the first one, for names spread over several
    columns); undeclared columns are not kept.
    """

    sheet: Sheet
    sheet_name: str
    frame: pd.DataFrame
    letters: dict[str, str]

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters.get(key, '')}{row}"


@dataclass(frozen=True)
class RawWorkbook:
    path: Path
    tables: dict[str, RawTable]  # by sheet key ('roster', 'proposals', …)
    problems: list[Problem] = field(default_factory=list)


def read_workbook(path: str | Path, input_format: InputFormat = DEFAULT_FORMAT) -> RawWorkbook:
    """Read every register the input format declares. Raises DataError if the roster cannot be
    read; other registers' problems travel in ``RawWorkbook.problems``."""
    with cyclic_gc_paused():
        return _read_workbook(Path(path), input_format)


@contextmanager
def cyclic_gc_paused():
    """Python's cycle collector paused for a stage that makes millions of lists and few cycles.

    Reading a sheet makes a list per row (a million at L) and everything is kept: each collection
    the allocations trigger walks every list made so far, for nothing (about 1 s of 8 at L). The
    collector is restored as it was when the stage ends, and any cycle made meanwhile is collected
    then as usual. Reference counting frees everything else as before, so memory does not grow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_workbook(path: Path, input_format: InputFormat) -> RawWorkbook:
    source = _open(path)
    by_name = {match_key(name): name for name in source.sheet_names}
    found = [
        (
            sheet,
            next((by_name[match_key(n)] for n in sheet.all_names if match_key(n) in by_name), None),
        )
        for sheet in input_format.sheets
    ]
    try:
        source.read_ahead([actual for _, actual in found if actual is not None])
        return _read_sheets(path, source, found, input_format)
    finally:
        source.close()


def _read_sheets(
    path: Path,
    source: _Source,
    found: list[tuple[Sheet, str | None]],
    input_format: InputFormat,
) -> RawWorkbook:
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    used: set[str] = set()
    for sheet, actual in found:
        if actual is not None:
            used.add(actual)
        if actual is None:
            if sheet.required:
                problems.append(
                    Problem(
                        Severity.ERROR,
                        Reason.MISSING_SHEET,
                        f"缺少工作表“{sheet.name}”",
                        sheet.name,
                        suggestion=f"工作簿中的工作表：{'、'.join(source.sheet_names) or '（无）'}；"
                        f"可用的表名：{'、'.join(dict.fromkeys(sheet.all_names))}",
                    )
                )
            continue
        merged = source.merged(actual)
        table = _table_from_rows(sheet, actual, source.rows(actual), merged, problems)
        if table is not None:
            tables[sheet.key] = table
            problems.extend(_flagged_cell_problems(table, source.flagged_cells(actual)))
    problems.extend(_unread_sheets(source, used, input_format))
    if "roster" not in tables:  # without the roster no record can be matched to a member
        raise DataError(f"{path.name} 无法读取：{len(problems)} 处问题", problems)
    # Other registers with errors are left out here; normalise reports these problems together
    # with every fault it finds in the registers that could be read.
    return RawWorkbook(path=path, tables=tables, problems=problems)


# Sheets offices keep beside the registers that are not data.
_NOT_REGISTERS = ("说明", "填表说明", "目录", "封面", "汇总", "统计", "选项")


def _unread_sheets(source: _Source, used: set[str], input_format: InputFormat) -> list[Problem]:
    """A warning for every sheet with content that no register took: a renamed 提案 sheet must
    not silently score nothing."""
    problems = []
    known = "、".join(sheet.name for sheet in input_format.sheets)
    for name in source.sheet_names:
        if (
            name in used
            or match_key(name).endswith(_NOT_REGISTERS)
            or source.is_hidden(name)
            or not source.has_content(name)
        ):
            continue
        problems.append(
            Problem(
                Severity.WARNING,
                Reason.MISSING_SHEET,
                f"工作表“{name}”未读取：它的名称不是 perfscore 认识的登记表",
                name,
                suggestion=f"如是登记表，请改用这些表名之一：{known}；或在规则文件 input.sheets 中登记这个表名",
            )
        )
    return problems


def match_key(text: str) -> str:
    """How sheet names, headers and words are compared: width, case, white space and
    traditional characters folded (委員名單 = 委员名单; 姓　名 = 姓名; 提交\\n日期 = 提交日期)."""
    return _to_simplified(_SPACES.sub("", fold_width(str(text))).lower())


@lru_cache(maxsize=4096)
def _to_simplified(text: str) -> str:
    if text.isascii():
        return text
    return _converter().convert(text)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# --- sources: a calamine workbook, or a folder of CSV files -----------------------------------


def _open(path: Path) -> _Source:
    if path.name.startswith("~$"):
        raise UsageError(
            f"{path.name} 是 Excel/WPS 打开文件时留下的锁定文件，不是工作簿；请指定原文件"
        )
    if not path.exists():
        raise UsageError(f"找不到文件：{path}")
    if path.is_dir():
        return _CsvFolder(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UsageError(
            f"不支持的文件类型“{path.suffix}”：请使用 {'、'.join(SUPPORTED_SUFFIXES)}，或存放 .csv 文件的文件夹"
        )
    return _CalamineBook(path)


READ_AHEAD = 2  # sheets parsed ahead of the one being read: enough to keep calamine busy


class _CalamineBook:
    def __init__(self, path: Path):
        from python_calamine import CalamineError, CalamineWorkbook

        from .xlsguard import check_xls

        self.path = path
        self._errors = (CalamineError, ValueError, OSError)
        if zipfile.is_zipfile(path):
            _check_zip(path)
        check_xls(
            path, LIMITS.cells_per_sheet
        )  # an OLE2 .xls: what calamine would allocate, checked before it does
        try:
            self.book = CalamineWorkbook.from_path(str(path))
        except self._errors as exc:
            raise _unreadable(path, exc) from None
        except (
            BaseException
        ) as exc:  # a panic inside calamine (pyo3 PanicException) on a damaged file
            raise _unreadable_or_reraise(path, exc) from None
        self.sheet_names = list(self.book.sheet_names)
        self._sheets: dict[str, CalamineSheet] = {}
        self._ends: dict[str, tuple[int, int] | None] = {}  # sheets already read and let go
        self._scanner: ThreadPoolExecutor | None = None
        self._scans: dict[str, Future] = {}  # sheet name -> its flagged cells, being found ahead
        self._order: list[str] = []  # the sheets to be read, in order (read_ahead)
        self._loader: ThreadPoolExecutor | None = None
        # the sheet being parsed ahead -> its calamine sheet
        self._ahead: dict[str, Future[CalamineSheet]] = {}

    def _sheet(self, name: str) -> CalamineSheet:
        if name not in self._sheets:
            ahead = self._ahead.pop(name, None)
            if ahead is None:
                self._settle()
            self._sheets[name] = ahead.result() if ahead is not None else self._parse(name)
        return self._sheets[name]

    def _parse(self, name: str) -> CalamineSheet:
        """calamine's parse of one sheet (on the read-ahead thread or this one)."""
        _check_declared_size(self.path, name)
        try:
            return self.book.get_sheet_by_name(name)
        except self._errors as exc:
            raise _unreadable(self.path, exc) from None
        except BaseException as exc:
            raise _unreadable_or_reraise(self.path, exc) from None

    def _settle(self) -> None:
        """Wait for the sheet being parsed ahead: the calamine book serves one thread at a time."""
        if self._ahead:
            wait(self._ahead.values())

    def _read_next_after(self, name: str) -> None:
        """Start parsing the sheet that will be read after ``name`` (see :meth:`read_ahead`)."""
        if self._loader is None or name not in self._order:
            return
        following = [
            n
            for n in self._order[self._order.index(name) + 1 :]
            if n not in self._ends and n not in self._sheets
        ]
        for sheet in following[:READ_AHEAD]:
            if sheet not in self._ahead:
                self._ahead[sheet] = self._loader.submit(self._parse, sheet)

    def rows(self, name: str) -> list[list]:
        sheet = self._sheet(name)
        self._read_next_after(name)
        height, width = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if height * width > LIMITS.cells_per_sheet:
            raise UsageError(
                f"工作表“{name}”的数据区域为 {height:,} 行 × {width:,} 列，超出可处理的范围"
                f"（{LIMITS.cells_per_sheet:,} 个单元格）；请删除表格右侧和下方多余的行列（可能是误填的单元格）"
            )
        try:
            rows = sheet.to_python(skip_empty_area=False)
        except self._errors as exc:
            raise _unreadable(self.path, exc) from None
        except BaseException as exc:
            raise _unreadable_or_reraise(self.path, exc) from None
        # A sheet is read once: let calamine free its cells now rather than hold every sheet
        # until the whole workbook is read (hundreds of MB at a million rows).
        self._ends[name] = sheet.end
        del self._sheets[name], sheet
        return rows

    def has_content(self, name: str) -> bool:
        return bool(self._ends[name] if name in self._ends else self._sheet(name).end)

    def is_hidden(self, name: str) -> bool:
        """Hidden sheets hold lists for dropdowns and the like, not registers."""
        from python_calamine import SheetVisibleEnum

        self._settle()
        return any(
            meta.name == name and meta.visible != SheetVisibleEnum.Visible
            for meta in self.book.sheets_metadata
        )

    def merged(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return list(self._sheet(name).merged_cell_ranges or [])

    def read_ahead(self, names: list[str]) -> None:
        """These sheets will be read in this order: while one is turned into Python rows and a
        table (which holds the GIL), calamine parses the next on a second thread (it releases
        the GIL), and flagged cells are looked for on a third (:func:`_xlsx_flagged_cells`),
        which unzips and searches each sheet's XML. Up to READ_AHEAD sheets are parsed ahead, so
        calamine holds at most READ_AHEAD + 1 sheets' cells at once (besides the Python rows of
        the one being read). At L this took 0.1-0.3 s off a 6-7 s read: calamine's own parse, which
        cannot be split, is most of it."""
        self._order = list(dict.fromkeys(names))
        if len(self._order) > 1:
            self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfscore-read")
        if self.path.suffix.lower() not in (".xlsx", ".xlsm") or not names:
            return
        self._scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfscore-scan")
        self._scans = {
            name: self._scanner.submit(_xlsx_flagged_cells, self.path, name) for name in self._order
        }

    def close(self) -> None:
        """Stop the scans not started yet (reading ended early); the running one ends by itself.
        A sheet still being parsed ahead is waited for, so no parse outlives the read."""
        if self._loader is not None:
            self._loader.shutdown(wait=True, cancel_futures=True)
            self._loader = None
            self._ahead.clear()
        if self._scanner is not None:
            self._scanner.shutdown(wait=False, cancel_futures=True)
            self._scanner = None

    def flagged_cells(self, name: str) -> dict[tuple[int, int], tuple[str, str]]:
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return {}
        scan = self._scans.pop(name, None)
        return scan.result() if scan is not None else _xlsx_flagged_cells(self.path, name)


class _CsvFolder:
    """A folder of .csv files, one per sheet, named like the sheets (委员名单.csv, 提案.csv …)."""

    def __init__(self, path: Path):
        self.files = {
            f.stem: f for f in sorted(path.glob("*.csv")) if not f.name.startswith(("~$", "."))
        }
        if not self.files:
            raise UsageError(
                f"{path} 是文件夹，但其中没有 .csv 文件；请指定工作簿文件，或存放各登记表 .csv 的文件夹"
            )
        self.sheet_names = list(self.files)

    def rows(self, name: str) -> list[list]:
        data = self.files[name].read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):  # Excel and WPS in China often save CSV as GBK
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UsageError(
                f"{self.files[name].name} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV"
            )
        return [list(row) for row in csv.reader(text.splitlines())]

    def has_content(self, name: str) -> bool:
        return self.files[name].stat().st_size > 0

    def is_hidden(self, name: str) -> bool:
        return False

    def merged(self, name: str) -> list:
        return []

    def flagged_cells(self, name: str) -> dict:
        return {}

    def read_ahead(self, names: list[str]) -> None:
        pass

    def close(self) -> None:
        pass


def _unreadable(path: Path, exc: BaseException) -> UsageError:
    hint = (
        "文件已加密，请先取消密码"
        if type(exc).__name__ == "PasswordError"
        else "文件是否损坏、未保存完整，或不是 Excel/WPS 表格？"
    )
    return UsageError(f"无法读取工作簿 {path.name}：{exc}（{hint}）")


def _unreadable_or_reraise(path: Path, exc: BaseException) -> UsageError:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
        raise exc
    return _unreadable(path, exc)


_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def _check_declared_size(path: Path, name: str) -> None:
    """An .xlsx sheet declares its used range; refuse an absurd one before calamine allocates it."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    try:
        head = _sheet_xml(path, name, limit=4096) or b""
    except Exception:  # unreadable parts are calamine's to report
        return
    found = _DIMENSION.search(head)
    if found:
        height, width = int(found.group(2)), _column_index(found.group(1).decode()) + 1
        if height * width > LIMITS.cells_per_sheet:
            raise UsageError(
                f"工作表“{name}”的数据区域为 {height:,} 行 × {width:,} 列，超出可处理的范围"
                f"（{LIMITS.cells_per_sheet:,} 个单元格）；请删除表格右侧和下方多余的行列（可能是误填的单元格）"
            )


def _check_zip(path: Path) -> None:
    """Refuse a zip whose parts unpack to an absurd size (a zip bomb) before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    total = sum(p.file_size for p in parts)
    if total > LIMITS.unzipped_bytes:
        raise UsageError(
            f"{path.name} 解压后达 {total / 1024**3:.1f} GB，超出可处理的范围；文件可能已损坏或不是正常的工作簿"
        )
    for part in parts:
        if part.file_size > 10 * 1024**2 and part.file_size > LIMITS.compression_ratio * max(
            part.compress_size, 1
        ):
            raise UsageError(
                f"{path.name} 中的 {part.filename} 压缩比异常（{part.file_size:,} 字节压缩为 "
                f"{part.compress_size:,} 字节）；文件可能是恶意构造的，已拒绝读取"
            )


# --- xlsx cells calamine reads as empty: error values, formulas never computed ----------------

_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _xlsx_flagged_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], tuple[str, str]]:
    """(Excel row, column index) -> ('error', '#N/A') or ('formula', '=SUM(...)') for cells
    whose value a reader sees as empty. Only sheets that have such cells are scanned in full."""
    try:
        # Streamed first: most sheets have no such cell, and a million-row sheet is 100 MB of XML.
        if not _sheet_xml_contains(path, sheet_name, (b't="e"', b"<f")):
            return {}
        xml = _sheet_xml(path, sheet_name)
    except Exception as exc:  # a damaged part calamine read leniently: the file is not sound
        raise _unreadable(path, exc) from None
    if xml is None:
        return {}
    flagged: dict[tuple[int, int], tuple[str, str]] = {}
    for letters, row, attrs, body in _cells_holding(xml, _FLAG):
        body = body or b""
        column = _column_index(letters.decode())
        if b't="e"' in attrs:
            value = _VALUE.search(body)
            flagged[(int(row), column)] = ("error", value.group(1).decode() if value else "#错误")
        elif b"<f" in body and not ((computed := _VALUE.search(body)) and computed.group(1)):
            formula = re.search(rb"<f[^>]*>([^<]*)</f>", body)
            flagged[(int(row), column)] = (
                "formula",
                "=" + (formula.group(1).decode() if formula else ""),
            )
    return flagged


_FLAG = re.compile(rb't="e"|<f')


def _cells_holding(
    xml: bytes, needle: re.Pattern
) -> Iterator[tuple[bytes, bytes, bytes, bytes | None]]:
    """The cells (as ``_CELL``'s groups) whose XML holds ``needle``, in order. Only the cells
    around each hit are parsed: a million-row sheet with one formula is not made into ten
    million tuples (gigabytes) to find it."""
    parsed_to = 0
    for hit in needle.finditer(xml):
        if hit.start() < parsed_to:
            continue  # in the cell just parsed
        start = xml.rfind(b"<c ", 0, hit.start())
        cell = _CELL.match(xml, start) if start >= 0 else None
        if cell is None or cell.end() <= hit.start():
            continue  # not inside a cell (a filter, say)
        parsed_to = cell.end()
        letters, row, attrs, body = cell.groups()
        yield letters, row, attrs, body


def _sheet_xml(path: Path, sheet_name: str, limit: int | None = None) -> bytes | None:
    """The sheet's XML (its first ``limit`` bytes when given); None if the workbook has no such part."""
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet_name)
        if member is None:
            return None
        if limit is None:
            return archive.read(member)
        with archive.open(member) as stream:
            return stream.read(limit)


_SCAN_PIECE = 1 << 20


def _sheet_xml_contains(path: Path, sheet_name: str, needles: tuple[bytes, ...]) -> bool:
    """Whether the sheet's XML contains any of ``needles``, read in pieces (a damaged part
    fails here as it would when read whole: up to the end when no needle is found)."""
    overlap = max(len(n) for n in needles) - 1
    searches = [
        re.compile(re.escape(n)).search for n in needles
    ]  # a regex finds a literal faster than `in`
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet_name)
        if member is None:
            return False
        tail = b""
        with archive.open(member) as stream:
            # Pieces of 1 MB (on the scanning thread, larger ones stay resident in its malloc arena);
            # a needle across two pieces is found in the few bytes either side of the seam.
            while chunk := stream.read(_SCAN_PIECE):
                if any(search(tail + chunk[:overlap]) or search(chunk) for search in searches):
                    return True
                tail = (tail + chunk[-overlap:])[-overlap:]
        return False


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    from defusedxml import ElementTree

    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    rel_id = next(
        (
            s.get(f"{{{ns['r']}}}id")
            for s in workbook.iterfind("m:sheets/m:sheet", ns)
            if s.get("name") == sheet_name
        ),
        None,
    )
    target = next(
        (r.get("Target") for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == rel_id),
        None,
    )
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _flagged_cell_problems(
    table: RawTable, flagged: dict[tuple[int, int], tuple[str, str]]
) -> list[Problem]:
    """Problems for flagged cells in the table's own rows and columns."""
    if not flagged:
        return []
    rows = set(table.frame["row"])
    columns = {_column_index(letter): key for key, letter in table.letters.items()}
    columns.update(
        {
            index: key
            for key, indexes in table.frame.attrs.get("extra_columns", {}).items()
            for index in indexes
        }
    )
    problems = []
    for (row, column), (kind, value) in sorted(flagged.items()):
        if row not in rows or column not in columns:
            continue
        cell = f"{excel_column(column)}{row}"
        header = table.sheet.column(columns[column]).header
        if kind == "error":
            problems.append(
                Problem(
                    Severity.ERROR,
                    Reason.EXCEL_ERROR,
                    f"“{header}”是 Excel 错误值",
                    table.sheet_name,
                    cell,
                    value,
                    "请改正公式或填入实际的值",
                )
            )
        else:
            problems.append(
                Problem(
                    Severity.WARNING,
                    Reason.UNCOMPUTED_FORMULA,
                    f"“{header}”是公式，但文件中没有保存计算结果，按空白处理",
                    table.sheet_name,
                    cell,
                    value,
                    "请在 Excel 或 WPS 中打开此文件、保存一次后再运行",
                )
            )
    return problems


# --- header and rows --------------------------------------------------------------------------


def _table_from_rows(
    sheet: Sheet, actual_name: str, rows: list[list], merged: list, problems: list[Problem]
) -> RawTable | None:
    head = _filled_head(rows[: _HEADER_SEARCH_ROWS + 1], merged)
    header_index, last_header, positions = _find_header(sheet, head)
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
    if header_index is None or missing:
        where = (
            f"第 {header_index + 1} 行"
            if header_index is not None
            else f"前 {_HEADER_SEARCH_ROWS} 行"
        )
        for col in missing or [c for c in sheet.columns if c.required]:
            problems.append(
                Problem(
                    Severity.ERROR,
                    Reason.MISSING_COLUMN,
                    f"{where}找不到必填的列“{col.header}”",
                    actual_name,
                    f"{header_index + 1}:{header_index + 1}"
                    if header_index is not None
                    else "",  # Excel's whole-row reference
                    suggestion=f"表头可写作：{'、'.join(dict.fromkeys(col.all_headers))}",
                )
            )
        return None

    width = max(map(len, rows), default=0)
    frame = _body_frame(rows[last_header + 1 :], width, positions, last_header)
    del rows
    frame.attrs["extra_columns"] = {
        key: indexes[1:] for key, indexes in positions.items() if len(indexes) > 1
    }
    letters = {key: excel_column(indexes[0]) for key, indexes in positions.items()}
    return RawTable(sheet=sheet, sheet_name=actual_name, frame=frame, letters=letters)


def _body_frame(
    data: list[list], width: int, positions: dict[str, list[int]], last_header: int
) -> pd.DataFrame:
    """The rows below the header -> one clean text column per declared column key, plus ``row``;
    blank rows and total rows left out.

    Each column is factorized once: the clean-up runs per distinct cell, and which rows are blank
    or total rows is decided per distinct cell too, then spread to the rows by the codes. Gives
    exactly what :func:`_body_frame_plain` (a DataFrame of the rows, then column by column) gives."""
    if not data:
        return _body_frame_plain(data, width, positions, last_header)
    cells = _object_grid(data, width)
    del data
    columns = {i: _Column.of(cells[:, i]) for indexes in positions.values() for i in indexes}
    empty: np.ndarray | None = None
    full: dict[str, pd.Series] = {}  # keys whose text is built for every row first
    for key, indexes in positions.items():
        if len(indexes) == 1 and columns[indexes[0]].text is not None:
            is_empty = columns[indexes[0]].empty
        else:
            parts = [columns[i].series() for i in indexes]
            combined = parts[0]
            for part in parts[
                1:
            ]:  # names spread over several columns (第一提案人, 附议人 …), in order
                combined = (
                    (combined + "、" + part).str.strip("、").str.replace("、、+", "、", regex=True)
                )
            full[key] = combined
            is_empty = (combined == "").to_numpy(dtype=bool)
        empty = is_empty if empty is None else empty & is_empty
    assert empty is not None  # every table has at least one column
    keep = np.flatnonzero(~empty & ~_total_rows_of(cells, columns))
    del cells
    frame = pd.DataFrame(
        {
            key: pd.Series(
                full[key].array.take(keep) if key in full else columns[indexes[0]].take(keep),
                copy=False,
            )
            for key, indexes in positions.items()
        }
    )
    frame["row"] = keep + (last_header + 2)  # Excel rows are 1-based, below the header
    return frame


def _body_frame_plain(
    data: list[list], width: int, positions: dict[str, list[int]], last_header: int
) -> pd.DataFrame:
    """:func:`_body_frame` the plain way: a DataFrame of the rows, then column by column (kept for
    a table without rows, and as the reference the fast way is tested against)."""
    body = pd.DataFrame(data)
    del data
    body = body.reindex(columns=range(width))
    columns: dict[str, pd.Series] = {}
    for key, indexes in positions.items():
        parts = [clean_series(body[i]) for i in indexes]
        combined = parts[0]
        for part in parts[1:]:
            combined = (
                (combined + "、" + part).str.strip("、").str.replace("、、+", "、", regex=True)
            )
        columns[key] = combined
    frame = pd.DataFrame(columns, index=body.index)
    frame["row"] = body.index + last_header + 2
    keep = ~_blank(frame, list(positions)) & ~_total_rows(body)
    return frame[keep].reset_index(drop=True)


def _object_grid(data: list[list], width: int) -> np.ndarray:
    """The rows as one 2-D object array, short rows padded with NaN: the array pandas builds a
    DataFrame of rows from (pandas' own C routine, several times faster than np.array here)."""
    try:
        from pandas._libs.lib import to_object_array  # type: ignore[attr-defined]  # private, untyped in pandas-stubs
    except ImportError:  # pragma: no cover - pandas moved it: the public (slower) way
        return pd.DataFrame(data, dtype=object).reindex(columns=range(width)).to_numpy(dtype=object)
    return to_object_array(data, min_width=width)


@dataclass
class _Column:
    """One column of cells, factorized: ``codes`` into ``distinct`` (the raw cells, NaN/None kept).

    ``text`` is the clean text per distinct cell when every cell is text or empty (nearly always);
    otherwise the column is cleaned as before, from a Series of its cells as pandas builds it
    (``cleaned``), since numbers, dates and booleans become text according to the column's type."""

    codes: np.ndarray
    distinct: np.ndarray
    text: pd.api.extensions.ExtensionArray | None = None
    empty: np.ndarray | None = None  # per row: the clean text is '' (only with ``text``)
    cleaned: pd.Series | None = None

    @classmethod
    def of(cls, cells: np.ndarray) -> _Column:
        codes, distinct = pd.factorize(cells, use_na_sentinel=False)
        missing = pd.isna(distinct)
        kinds = {type(value) for value in distinct[~missing]}
        if kinds <= {str}:  # what pandas would make a 'str' column of
            text = distinct.copy()
            text[missing] = ""
            clean = _clean_text(pd.Series(text, dtype=str))
            return cls(codes, distinct, clean.array, (clean == "").to_numpy(dtype=bool)[codes])
        if str in kinds or kinds <= {datetime.date, datetime.time}:  # an object column to pandas
            cleaned = _clean_objects(pd.Series(cells, dtype=object), (codes, distinct))
        else:  # numbers, date-times, booleans …: the column's type as pandas infers it from the rows
            cleaned = clean_series(pd.DataFrame(cells[:, None].tolist())[0])
        return cls(codes, distinct, cleaned=cleaned)

    def series(self) -> pd.Series:
        """The clean text of every row."""
        if self.cleaned is not None:
            return self.cleaned.reset_index(drop=True)
        assert self.text is not None  # a column holds its clean text or its cleaned series
        return pd.Series(self.text.take(self.codes), copy=False)

    def take(self, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The clean text of ``rows``."""
        if self.cleaned is not None:
            return self.cleaned.array.take(rows)
        assert self.text is not None
        return self.text.take(self.codes[rows])


def _total_rows_of(cells: np.ndarray, columns: dict[int, _Column]) -> np.ndarray:
    """:func:`_total_rows` from the grid: whether a cell is filled and whether it reads as a
    total is decided once per distinct cell for the columns already factorized."""
    total = np.zeros(len(cells), dtype=bool)
    pending = np.arange(len(cells))
    for index in range(cells.shape[1]):
        if not len(pending):
            break
        column = columns.get(index)
        if column is not None:
            filled_d = ~pd.isna(column.distinct)
            filled_d[filled_d] = column.distinct[filled_d] != ""
            total_d = np.zeros(len(filled_d), dtype=bool)
            total_d[filled_d] = _total_texts(column.distinct[filled_d])
            codes = column.codes[pending]
            filled = filled_d[codes]
            total[pending[filled]] = total_d[codes[filled]]
        else:
            values = cells[pending, index]
            filled = ~pd.isna(values)
            filled[filled] = values[filled] != ""
            total[pending[filled]] = _total_texts(values[filled])
        pending = pending[~filled]
    return total


def _total_texts(values: np.ndarray) -> np.ndarray:
    """Which of these filled cells start with 合计/总计/小计 (as text)."""
    text = pd.Series(values, dtype=object).astype(str)
    total = np.zeros(len(text), dtype=bool)
    candidates = rows_matching(text.tolist(), _TOTAL_CHARACTERS)  # only these can be total rows
    if candidates.any():
        total[candidates] = (
            text[candidates]
            .str.replace(r"\s+", "", regex=True)
            .str.contains(_TOTAL_ROW)
            .to_numpy(dtype=bool)
        )
    return total


def _filled_head(rows: list[list], merged: list) -> list[list[str]]:
    """The first rows as text, each merged range's value copied into all its cells (openpyxl
    and calamine give the value only in the top-left cell)."""
    head = [[str(v) if v not in (None, "") else "" for v in row] for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(head):
            continue
        value = head[r0][c0] if c0 < len(head[r0]) else ""
        for r in range(r0, min(r1, len(head) - 1) + 1):
            for c in range(c0, c1 + 1):
                if c < len(head[r]) and not head[r][c]:
                    head[r][c] = value
    return head


def _find_header(
    sheet: Sheet, head: list[list[str]]
) -> tuple[int | None, int, dict[str, list[int]]]:
    """The header: the row, or two rows read together, whose cells name the most declared columns.

    Returns (first header row, last header row, column key -> column indexes). A two-row header
    reads each column from its lower cell where that names a column, else its upper cell.
    """
    lookup = {match_key(h): col.key for col in sheet.columns for h in col.all_headers}
    multi = {col.key for col in sheet.columns if col.kind == "names"}
    best: tuple[int, int | None, int, dict[str, list[int]]] = (0, None, -1, {})
    for index in range(min(len(head), _HEADER_SEARCH_ROWS)):
        candidates = [(index, head[index])]
        if index + 1 < len(head):
            upper, lower = head[index], head[index + 1]
            width = max(len(upper), len(lower))
            combined = [
                (
                    lower[c]
                    if c < len(lower) and match_key(lower[c]) in lookup
                    else (upper[c] if c < len(upper) else "")
                )
                for c in range(width)
            ]
            candidates.append((index + 1, combined))
        for last, cells in candidates:
            positions: dict[str, list[int]] = {}
            for col_index, value in enumerate(cells):
                key = lookup.get(match_key(value)) if value else None
                if key is None:
                    continue
                if key not in positions:
                    positions[key] = [col_index]
                elif key in multi and col_index not in positions[key]:
                    positions[key].append(col_index)
            if len(positions) > best[0]:
                best = (len(positions), index, last, positions)
    return best[1], best[2], best[3]


def _blank(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    return (frame[keys] == "").all(axis=1)


def _total_rows(body: pd.DataFrame) -> pd.Series:
    """Rows whose first filled cell — in any column, 序号 included — starts with 合计/总计/小计."""
    if body.empty:
        return pd.Series(False, index=body.index)
    # Left to right over the few columns, each step over the rows still without a filled cell
    # (a row-wise bfill of a million-row sheet transposes it: seconds instead of milliseconds).
    first = np.full(len(body), "", dtype=object)
    pending = np.arange(len(body))
    for column in body.columns:
        if not len(pending):
            break
        values = body[column].to_numpy(dtype=object)[pending]
        filled = ~pd.isna(values)
        filled[filled] = values[filled] != ""
        first[pending[filled]] = values[filled]
        pending = pending[~filled]
    text = pd.Series(first, index=body.index).astype(str)
    total = pd.Series(False, index=body.index)
    candidates = rows_matching(text.tolist(), _TOTAL_CHARACTERS)  # only these can be total rows
    if candidates.any():
        total[candidates] = (
            text[candidates].str.replace(r"\s+", "", regex=True).str.contains(_TOTAL_ROW)
        )
    return total


_TOTAL_CHARACTERS = re.compile("[合总小]")


if TYPE_CHECKING:
    from python_calamine import CalamineSheet

    # A workbook file read through calamine, or a folder of CSV files.
    _Source = _CalamineBook | _CsvFolder
