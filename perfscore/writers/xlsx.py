"""The assessment workbook (考核结果.xlsx): 总排名, 分项得分, 双五个一, 积分明细, 分组统计, 规则,
and 数据提示 when there were warnings.

Written with xlsxwriter in constant-memory mode. Text is always written as text (a name starting
with = stays a name, never a formula), and the file's creation date is fixed so that the same
input and rules give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from ..assessment import Assessment
from .common import atomic_path, sheet_titles, shortlist_sheets, table_views

__all__ = ["write_xlsx", "write_tables", "MAX_SHEET_ROWS"]

MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header included
_FIXED_CREATED = dt.datetime(2000, 1, 1)


def write_xlsx(assessment: Assessment, out: Path) -> None:
    """The assessment workbook: one sheet per table view (the 数据提示 sheet only if needed)."""
    sheets = []
    for key, view in table_views(assessment):
        table = view(assessment)
        if key == "problems" and table.empty:
            continue
        sheets.append((sheet_titles[key], table))
    if assessment.shortlists:
        sheets.extend(shortlist_sheets(assessment.shortlists))
    write_tables(out, sheets, title=f"{assessment.year}年度委员履职考核结果",
                 decimals=assessment.rules.rules.settings.decimals)


def write_tables(out: Path, sheets: list[tuple[str, pd.DataFrame]], *, title: str, decimals: int = 2) -> None:
    """Write ``sheets`` (name, table) as one workbook, atomically, with perfscore's formatting.

    Every workbook perfscore writes goes through here, so formatting, formula safety and
    deterministic bytes hold for all of them.
    """
    import xlsxwriter

    with atomic_path(out) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        book.set_properties({"title": title, "created": _FIXED_CREATED, "author": "perfscore"})
        formats = _Formats(book, decimals)
        for name, table in sheets:
            _write_table(book, name, table, formats)
        book.close()


class _Formats:
    def __init__(self, book, decimals: int):
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.number = book.add_format({"num_format": "0." + "0" * decimals if decimals else "0"})
        self.integer = book.add_format({"num_format": "0"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.text = book.add_format({})


def _write_table(book, title: str, table: pd.DataFrame, formats: _Formats) -> None:
    """One table on one sheet, continued on 积分明细(2), (3) … beyond Excel's row limit."""
    per_sheet = MAX_SHEET_ROWS - 1
    chunks = max(1, math.ceil(len(table) / per_sheet))
    for index in range(chunks):
        name = title if index == 0 else f"{title}({index + 1})"
        part = table.iloc[index * per_sheet:(index + 1) * per_sheet]
        sheet = book.add_worksheet(name)
        _write_sheet(sheet, part, formats)


def _write_sheet(sheet, table: pd.DataFrame, formats: _Formats) -> None:
    columns = list(table.columns)
    sheet.freeze_panes(1, 0)
    for col, name in enumerate(columns):
        sheet.set_column(col, col, _width(table[name], name), _column_format(table[name], formats))
    sheet.write_row(0, 0, columns, formats.header)
    # constant_memory mode writes row by row; each column is converted to plain Python values once.
    values = [_plain(table[name]) for name in columns]
    writers = [_cell_writer(sheet, table[name], formats) for name in columns]
    for row, cells in enumerate(zip(*values), start=1):
        for col, value in enumerate(cells):
            if value is not None:
                writers[col](row, col, value)
    if len(table):
        sheet.autofilter(0, 0, len(table), len(columns) - 1)


def _plain(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    values = series.astype(object).where(series.notna(), None)
    return values.tolist()


def _cell_writer(sheet, series: pd.Series, formats: _Formats):
    if pd.api.types.is_datetime64_any_dtype(series):
        return lambda r, c, v: sheet.write_datetime(r, c, v, formats.date)
    if pd.api.types.is_bool_dtype(series):
        return lambda r, c, v: sheet.write_string(r, c, "是" if v else "否")
    if pd.api.types.is_numeric_dtype(series):
        return sheet.write_number
    return lambda r, c, v: sheet.write_string(r, c, str(v))


def _column_format(series: pd.Series, formats: _Formats):
    if pd.api.types.is_integer_dtype(series):
        return formats.integer
    if pd.api.types.is_float_dtype(series):
        return formats.number
    return None


def _width(series: pd.Series, header: str) -> float:
    """Display width: CJK characters count two columns. Sampled for long tables."""
    sample = [str(v) for v in series.head(2000).tolist() if not pd.isna(v)]
    longest = max([_display_width(header), *(_display_width(v) for v in sample)], default=4)
    return min(max(longest + 2, 6), 60)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
