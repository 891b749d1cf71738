"""Stage 1 — read: a workbook file -> one raw table per register, with Excel row numbers.

Sheets are found by name or alias, the header row is found by its words (a title row above it
is common), and every cell keeps its place: each table carries the Excel row number of every
row and the column letter of every declared column, so later stages can say ``提案!F14``.

Reading uses python-calamine (Rust): several times faster than openpyxl, and it reads .xlsx,
.xlsm, .xls and .ods alike. The input file is opened read-only and never written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError, Problem, Reason, Severity, UsageError
from .inputformat import DEFAULT_FORMAT, InputFormat, Sheet
from .text import clean_series, excel_column, fold_width

__all__ = ["RawTable", "RawWorkbook", "read_workbook", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_HEADER_SEARCH_ROWS = 15
# A total row starts with 合计/总计/小计, alone or followed by a count: 合计、合计：2件、合计(2)
_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计)(?:$|[:：(（\d])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RawTable:
    """One register as read: a column per declared column key, plus ``row`` (Excel row number).

    Values are the cells' text after width folding and trimming ('' for empty). ``letters``
    maps a column key to its Excel column letter; undeclared columns are not kept.
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
    path = Path(path)
    _check_path(path)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return _read_registers(path, book, input_format)
    except (CalamineError, ValueError, OSError) as exc:
        # calamine reports broken zips, XML and encrypted files with its own errors; a file cut
        # short may only show it when a sheet is read.
        hint = "文件已加密，请先取消密码" if type(exc).__name__ == "PasswordError" else "文件是否损坏、未保存完整，或不是 Excel/WPS 表格？"
        raise UsageError(f"无法读取工作簿 {path.name}：{exc}（{hint}）") from None


def _read_registers(path: Path, book, input_format: InputFormat) -> RawWorkbook:
    by_folded_name = {fold_width(name).lower(): name for name in book.sheet_names}
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    for sheet in input_format.sheets:
        actual = next((by_folded_name[n.lower()] for n in sheet.all_names if n.lower() in by_folded_name), None)
        if actual is None:
            if sheet.required:
                problems.append(Problem(
                    Severity.ERROR, Reason.MISSING_SHEET, f"缺少工作表“{sheet.name}”", sheet.name,
                    suggestion=f"工作簿中的工作表：{'、'.join(book.sheet_names)}；可用的表名：{'、'.join(sheet.all_names)}",
                ))
            continue
        rows = book.get_sheet_by_name(actual).to_python(skip_empty_area=False)
        table = _table_from_rows(sheet, actual, rows, problems)
        if table is not None:
            tables[sheet.key] = table
    if "roster" not in tables:  # without the roster no record can be matched to a member
        raise DataError(f"{path.name} 无法读取：{len(problems)} 处问题", problems)
    # Other registers with errors are left out here; normalise reports these problems together
    # with every fault it finds in the registers that could be read.
    return RawWorkbook(path=path, tables=tables, problems=problems)


def _check_path(path: Path) -> None:
    if path.name.startswith("~$"):
        raise UsageError(f"{path.name} 是 Excel/WPS 打开文件时留下的锁定文件，不是工作簿；请指定原文件")
    if not path.exists():
        raise UsageError(f"找不到文件：{path}")
    if path.is_dir():
        raise UsageError(f"{path} 是文件夹，请指定工作簿文件")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UsageError(f"不支持的文件类型“{path.suffix}”：请使用 {'、'.join(SUPPORTED_SUFFIXES)}")


def _table_from_rows(sheet: Sheet, actual_name: str, rows: list[list], problems: list[Problem]) -> RawTable | None:
    header_index, positions = _find_header(sheet, rows)
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
    if header_index is None or missing:
        where = f"第 {header_index + 1} 行" if header_index is not None else f"前 {_HEADER_SEARCH_ROWS} 行"
        for col in missing or [c for c in sheet.columns if c.required]:
            problems.append(Problem(
                Severity.ERROR, Reason.MISSING_COLUMN, f"{where}找不到必填的列“{col.header}”", actual_name,
                f"{header_index + 1}:{header_index + 1}" if header_index is not None else "",  # Excel's whole-row reference
                suggestion=f"表头可写作：{'、'.join(dict.fromkeys(col.all_headers))}",
            ))
        return None

    body = pd.DataFrame(rows[header_index + 1:])
    if body.empty:
        body = pd.DataFrame(columns=range(len(rows[header_index]) if rows else 0))
    frame = pd.DataFrame(
        {key: clean_series(body[index]) if index in body else pd.Series("", index=body.index, dtype=object)
         for key, index in positions.items()},
        index=body.index,
    )
    frame["row"] = body.index + header_index + 2  # Excel rows are 1-based, below the header
    frame = _drop_blank_and_total_rows(frame, list(positions))
    letters = {key: excel_column(index) for key, index in positions.items()}
    return RawTable(sheet=sheet, sheet_name=actual_name, frame=frame.reset_index(drop=True), letters=letters)


def _header_key(text: str) -> str:
    """Header cells compare without width, case or any white space: 姓　名 / 提交\n日期 match."""
    return _SPACES.sub("", fold_width(text)).lower()


def _find_header(sheet: Sheet, rows: list[list]) -> tuple[int | None, dict[str, int]]:
    """The row among the first few whose cells name the most declared columns."""
    lookup = {_header_key(h): col.key for col in sheet.columns for h in col.all_headers}
    best: tuple[int, int | None, dict[str, int]] = (0, None, {})
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        for col_index, value in enumerate(row):
            key = lookup.get(_header_key(str(value))) if value not in ("", None) else None
            if key is not None and key not in positions:
                positions[key] = col_index
        if len(positions) > best[0]:
            best = (len(positions), index, positions)
    return best[1], best[2]


def _drop_blank_and_total_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    values = frame[keys]
    blank = (values == "").all(axis=1)
    first_filled = values.replace("", pd.NA).bfill(axis=1).iloc[:, 0].fillna("")
    total = first_filled.astype(str).str.replace(r"\s+", "", regex=True).str.contains(_TOTAL_ROW)
    return frame[~blank & ~total]
