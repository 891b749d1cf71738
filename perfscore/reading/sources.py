"""Sources: where a workbook's sheets come from, behind one interface.

* :class:`CalamineBook` — an .xlsx, .xlsm, .xls or .ods file read by python-calamine (Rust),
  with the next sheets parsed ahead on a second thread and the cells calamine reads as empty
  (errors, uncomputed formulas) looked for on a third;
* :class:`CsvFolder` — a folder of .csv files, one per sheet.

Both give, per sheet name: ``rows`` (the grid from A1 as Python lists, so list positions are
Excel rows and columns), ``merged``, ``flagged_cells``, ``has_content``, ``is_hidden`` and
``hidden_rows``.
Every check of :mod:`.guards` runs before the reader allocates for what it checks.
"""

from __future__ import annotations

import csv
import os
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .failures import unreadable, unreadable_or_reraise
from .guards import limits
from .guards import xls as xls_guard
from .guards.files import open_regular, read_bounded, shown_name
from .guards.ods import check_ods
from .guards.xlsx import SheetExtent, check_cell_budget, check_zip, sheet_extent, too_many_cells
from .layout import xlsx_head_rows
from .xlsxparts import RowSpan, xlsx_flagged_cells

__all__ = [
    "SUPPORTED_SUFFIXES",
    "READ_AHEAD",
    "open_source",
    "open_workbook",
    "CalamineBook",
    "CsvFolder",
]

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def open_source(path: Path) -> CalamineBook | CsvFolder:
    """The source for ``path``: a workbook file, or a folder of .csv files."""
    if path.name.startswith("~$"):
        raise UsageError(
            f"{path.name} 是 Excel/WPS 打开文件时留下的锁定文件，不是工作簿；请指定原文件"
        )
    if not path.exists():
        raise UsageError(f"找不到文件：{path}")
    if path.is_dir():
        return CsvFolder(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UsageError(
            f"不支持的文件类型“{path.suffix}”：请使用 {'、'.join(SUPPORTED_SUFFIXES)}，或存放 .csv 文件的文件夹"
        )
    return CalamineBook(path)


def open_workbook(path: Path) -> CalamineBook:
    """A workbook file of any name, read through every guard: for readers of perfscore's own
    outputs (``--previous``, archives) as much as for registers. Close it after use."""
    return CalamineBook(Path(path))


READ_AHEAD = 2  # sheets parsed ahead of the one being read: enough to keep calamine busy


class CalamineBook:
    def __init__(self, path: Path):
        from python_calamine import CalamineError, CalamineWorkbook

        self.path = path
        self._errors = (CalamineError, ValueError, OSError)
        # Held open while the book is read: the file checked is the file read.
        self._fd = open_regular(path, "工作簿")
        try:
            if zipfile.is_zipfile(path):
                check_zip(path)
                check_ods(path)
            # an OLE2 .xls: what calamine would allocate, checked before it does
            xls_guard.check_xls(path, limits.LIMITS.cells_per_sheet)
            try:
                self.book = CalamineWorkbook.from_path(self._calamine_path())
            except self._errors as exc:
                raise unreadable(path, exc) from None
            except BaseException as exc:  # a panic inside calamine on a damaged file
                raise unreadable_or_reraise(path, exc) from None
        except BaseException:
            os.close(self._fd)
            raise
        self.sheet_names = list(self.book.sheet_names)
        self._sheets: dict[str, CalamineSheet] = {}
        self._ends: dict[str, tuple[int, int] | None] = {}  # sheets already read and let go
        self._scanner: ThreadPoolExecutor | None = None
        self._scans: dict[str, Future] = {}  # sheet name -> its flagged cells, being found ahead
        self._order: list[str] = []  # the sheets to be read, in order (read_ahead)
        self._loader: ThreadPoolExecutor | None = None
        # the sheet being parsed ahead -> its calamine sheet
        self._ahead: dict[str, Future[CalamineSheet]] = {}
        self._xml = path.suffix.lower() in (".xlsx", ".xlsm") and zipfile.is_zipfile(path)
        self._extents: dict[str, SheetExtent | None] = {}  # an .xlsx sheet's, from its XML

    def _calamine_path(self) -> str:
        """The path calamine opens. Rust paths are UTF-8: a name that is not (GBK bytes) is
        reached through the descriptor already open, where the system offers one."""
        name = str(self.path)
        try:
            name.encode("utf-8")
            return name
        except UnicodeEncodeError:
            proc = f"/proc/self/fd/{self._fd}"
            return proc if os.path.exists(proc) else name

    def _sheet(self, name: str) -> CalamineSheet:
        if name not in self._sheets:
            ahead = self._ahead.pop(name, None)
            if ahead is None:
                self._settle()
            self._sheets[name] = ahead.result() if ahead is not None else self._parse(name)
        return self._sheets[name]

    def _extent(self, name: str) -> SheetExtent | None:
        """The extent of an .xlsx sheet, read from its XML without parsing it (None for other
        files, or a sheet without a part of its own)."""
        if not self._xml:
            return None
        if name not in self._extents:
            try:
                self._extents[name] = sheet_extent(self.path, name)
            except Exception as exc:  # a damaged part: the file is not sound
                raise unreadable(self.path, exc) from None
        return self._extents[name]

    def _parse(self, name: str) -> CalamineSheet:
        """calamine's parse of one sheet (on the read-ahead thread or this one), once the sheet's
        extent has passed :func:`check_cell_budget`."""
        extent = self._extent(name)
        if self._xml and extent is None:  # no part to measure: nothing calamine may lay out
            raise UsageError(
                f"无法读取工作簿 {shown_name(self.path)}：找不到工作表“{name}”的内容"
                "（文件是否损坏、未保存完整，或不是 Excel/WPS 表格？）"
            )
        if extent is not None:
            check_cell_budget(name, extent)
        try:
            return self.book.get_sheet_by_name(name)
        except self._errors as exc:
            raise unreadable(self.path, exc) from None
        except BaseException as exc:
            raise unreadable_or_reraise(self.path, exc) from None

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
        too_many_cells(name, height, width)
        try:
            rows = sheet.to_python(skip_empty_area=False)
        except self._errors as exc:
            raise unreadable(self.path, exc) from None
        except BaseException as exc:
            raise unreadable_or_reraise(self.path, exc) from None
        # A sheet is read once: let calamine free its cells now rather than hold every sheet
        # until the whole workbook is read (hundreds of MB at a million rows).
        self._ends[name] = sheet.end
        del self._sheets[name], sheet
        return rows

    def has_content(self, name: str) -> bool:
        """Whether any cell holds a value. An .xlsx sheet that is not read is not parsed for it:
        its XML is searched."""
        if name in self._ends:
            return bool(self._ends[name])
        if self._xml and name not in self._sheets and name not in self._ahead:
            extent = self._extent(name)
            return extent is not None and extent.has_values
        return bool(self._sheet(name).end)

    def head_rows(self, name: str, count: int) -> list[list]:
        """The first ``count`` rows of a sheet that is not read as a register: an .xlsx sheet's
        from the start of its XML, without parsing the sheet."""
        if self._xml and name not in self._sheets:
            try:
                head = xlsx_head_rows(self.path, name, count)
            except Exception as exc:  # a damaged part: the file is not sound
                raise unreadable(self.path, exc) from None
            if head is not None:
                return head
        return self.rows(name)[:count]

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

    def hidden_rows(self, name: str) -> tuple[RowSpan, ...] | None:
        """An .xlsx sheet's hidden rows (0-based runs), found by the scan that measured its extent
        before calamine parsed it (no pass of their own); None for an .xls or .ods, whose rows
        :mod:`.layout` reads."""
        if not self._xml:
            return None
        extent = self._extent(name)
        return extent.hidden_rows if extent is not None else ()

    def read_ahead(self, names: list[str]) -> None:
        """These sheets will be read in this order: while one is turned into Python rows and a
        table (which holds the GIL), calamine parses the next on a second thread (it releases
        the GIL), and flagged cells are looked for on a third (:func:`xlsx_flagged_cells`),
        which unzips and searches each sheet's XML. Up to READ_AHEAD sheets are parsed ahead, so
        calamine holds at most READ_AHEAD + 1 sheets' cells at once (besides the Python rows of
        the one being read)."""
        self._order = list(dict.fromkeys(names))
        if len(self._order) > 1:
            self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfscore-read")
        if self.path.suffix.lower() not in (".xlsx", ".xlsm") or not names:
            return
        self._scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfscore-scan")
        self._scans = {
            name: self._scanner.submit(xlsx_flagged_cells, self.path, name) for name in self._order
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
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def flagged_cells(self, name: str) -> dict[tuple[int, int], tuple[str, str]]:
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return {}
        scan = self._scans.pop(name, None)
        return scan.result() if scan is not None else xlsx_flagged_cells(self.path, name)


class CsvFolder:
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
        """The file's rows, held to the same limits as a workbook sheet: its size, and its
        cells (rows × the widest row) to ``cells_per_sheet`` and to one a byte beyond
        ``sparse_cells``, checked row by row as it is parsed."""
        file = self.files[name]
        data = read_bounded(file, limits.LIMITS.csv_bytes, "CSV 文件")
        for encoding in ("utf-8-sig", "gb18030"):  # Excel and WPS in China often save CSV as GBK
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UsageError(f"{shown_name(file)} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV")
        budget = min(limits.LIMITS.cells_per_sheet, max(limits.LIMITS.sparse_cells, len(data)))
        rows: list[list] = []
        width = 0
        try:
            for row in csv.reader(text.splitlines()):
                width = max(width, len(row))
                rows.append(row)
                if len(rows) * width > budget:
                    raise UsageError(
                        f"{shown_name(file)} 的第 {len(rows):,} 行有 {len(row):,} 列，"
                        f"整个表格超出可处理的范围（{budget:,} 个单元格）；"
                        "请检查该行是否有多余的逗号，或文件是否不是登记表"
                    )
        except csv.Error as exc:
            raise UsageError(
                f"{shown_name(file)} 的第 {len(rows) + 1:,} 行无法读取（{exc}）；"
                "请在 Excel 或 WPS 中打开、另存为 CSV 后再试"
            ) from None
        return rows

    def has_content(self, name: str) -> bool:
        return self.files[name].stat().st_size > 0

    def head_rows(self, name: str, count: int) -> list[list]:
        return self.rows(name)[:count]

    def is_hidden(self, name: str) -> bool:
        return False

    def merged(self, name: str) -> list:
        return []

    def hidden_rows(self, name: str) -> tuple[RowSpan, ...]:
        return ()

    def flagged_cells(self, name: str) -> dict:
        return {}

    def read_ahead(self, names: list[str]) -> None:
        pass

    def close(self) -> None:
        pass


if TYPE_CHECKING:
    from python_calamine import CalamineSheet
