"""Tables: a sheet's rows -> a :class:`RawTable` of clean text, one column per declared column.

Below the header, blank rows and total rows (合计/总计/小计) are left out; every kept row keeps
its Excel row number and every declared column its letter, so later stages can say ``提案!F14``.
Each column is factorized once and cleaned per distinct cell (registers repeat names, types and
dates a lot).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem, Reason, Severity
from ..inputformat import Sheet
from ..text import _clean_objects, _clean_text, clean_series, excel_column, rows_matching
from .header import HEADER_SEARCH_ROWS, filled_head, find_header, merge_fills
from .layout import SheetLayout, padded_text
from .xlsxparts import RowSpan, column_index, row_spans

__all__ = [
    "RawTable",
    "table_from_rows",
    "body_frame",
    "flagged_cell_problems",
    "hidden_rows_read",
]

# A total row starts with 合计/总计/小计, alone or followed by a count: 合计、合计：2件、合计(2)
TOTAL_ROW = re.compile(r"^(?:合计|总计|小计)(?:$|[:：(（\d])")
TOTAL_CHARACTERS = re.compile("[合总小]")


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
    above: tuple[tuple[str, ...], ...] = ()  # rows above the header's last row, as text (单位：…)

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters.get(key, '')}{row}"


def table_from_rows(
    sheet: Sheet,
    actual_name: str,
    rows: list[list],
    merged: list,
    problems: list[Problem],
    layout: SheetLayout | None = None,
) -> RawTable | None:
    """The register in ``rows``; None (with the problems added) if its header lacks a required
    column or names one field by two columns. ``layout`` is what the file shows besides the
    values (hidden columns, .ods merges, numbers shown through a 0000 format)."""
    layout = layout or SheetLayout()
    merged = list(merged) or list(layout.merges)
    head = filled_head(rows[: HEADER_SEARCH_ROWS + 1], merged)
    header = find_header(sheet, head, merge_fills(merged))
    header_index, last_header, positions = header.first, header.last, header.positions
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
    if header_index is None or missing:
        where = (
            f"第 {header_index + 1} 行"
            if header_index is not None
            else f"前 {HEADER_SEARCH_ROWS} 行"
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
    if header.twice:
        problems.extend(_two_columns(sheet, actual_name, head, last_header, header.twice, layout))
        return None
    problems.extend(_hidden_columns_read(sheet, actual_name, last_header, positions, layout))
    _show_padded(rows, layout, last_header)

    width = max(map(len, rows), default=0)
    frame = body_frame(rows[last_header + 1 :], width, positions, last_header)
    del rows
    frame.attrs["extra_columns"] = {
        key: indexes[1:] for key, indexes in positions.items() if len(indexes) > 1
    }
    letters = {key: excel_column(indexes[0]) for key, indexes in positions.items()}
    above = tuple(tuple(row) for row in head[:last_header])  # a title row may read as a header
    return RawTable(sheet=sheet, sheet_name=actual_name, frame=frame, letters=letters, above=above)


def _header_cell(head: list[list[str]], last_header: int, column: int) -> tuple[str, str]:
    """(the header text, its cell) of a column: the lowest header row's cell that holds text."""
    for row in range(last_header, max(last_header - 2, -1), -1):
        if column < len(head[row]) and head[row][column]:
            return head[row][column], f"{excel_column(column)}{row + 1}"
    return "", f"{excel_column(column)}{last_header + 1}"


def _two_columns(
    sheet: Sheet,
    actual_name: str,
    head: list[list[str]],
    last_header: int,
    twice: dict[str, list[int]],
    layout: SheetLayout,
) -> list[Problem]:
    """An error per field named by two columns: which one the clerk meant cannot be told."""
    problems = []
    for key, columns in twice.items():
        named = []
        for column in columns:
            text, cell = _header_cell(head, last_header, column)
            hidden = "（隐藏的列）" if column in layout.hidden_columns else ""
            named.append(f"{cell}“{text}”{hidden}")
        first_cell = _header_cell(head, last_header, columns[0])[1]
        problems.append(
            Problem(
                Severity.ERROR,
                Reason.DUPLICATE_COLUMN,
                f"“{sheet.column(key).header}”有 {len(columns)} 列：{' 和 '.join(named)}，"
                "无法确定该读哪一列",
                actual_name,
                first_cell,
                suggestion="删除不用的列（隐藏的列也要删除），或把它的表头改成本表不读取的名称",
            )
        )
    return problems


def _hidden_columns_read(
    sheet: Sheet,
    actual_name: str,
    last_header: int,
    positions: dict[str, list[int]],
    layout: SheetLayout,
) -> list[Problem]:
    """A warning for each hidden column that is read: the clerk may not know it is there."""
    return [
        Problem(
            Severity.WARNING,
            Reason.HIDDEN_READ,
            f"读取了隐藏的列“{sheet.column(key).header}”（{excel_column(column)} 列）",
            actual_name,
            f"{excel_column(column)}{last_header + 1}",
            suggestion="请确认这一列的内容无误；不用的列请删除",
        )
        for key, columns in positions.items()
        for column in columns
        if column in layout.hidden_columns
    ]


def _show_padded(rows: list[list], layout: SheetLayout, last_header: int) -> None:
    """Numbers shown through a zero-padding format become the text they show (13 -> 0013)."""
    for (row, column), digits in layout.padded.items():
        if row <= last_header or row >= len(rows) or column >= len(rows[row]):
            continue
        shown = padded_text(rows[row][column], digits)
        if shown is not None:
            rows[row][column] = shown


def body_frame(
    data: list[list], width: int, positions: dict[str, list[int]], last_header: int
) -> pd.DataFrame:
    """The rows below the header -> one clean text column per declared column key, plus ``row``;
    blank rows and total rows left out.

    A key spread over several columns also keeps each column's text as ``key@0``, ``key@1`` …
    (so that each name can cite the cell it is in).

    A row is blank when every declared column's clean text is ''; a total row is one whose first
    filled cell (in any column, 序号 included) starts with 合计/总计/小计. A column of one kind of
    cell becomes text as pandas' own conversion of that column would make it (numbers that are
    whole lose their ``.0``); a key spread over several columns joins their texts with 、.

    Each column is factorized once: the clean-up runs per distinct cell, and which rows are blank
    or total rows is decided per distinct cell too, then spread to the rows by the codes."""
    if not data:
        frame = pd.DataFrame({key: pd.Series([], dtype=str) for key in positions})
        frame["row"] = pd.Series([], dtype="int64")
        return frame
    cells = _object_grid(data, width)
    del data
    columns = {
        i: FactorizedColumn.of(cells[:, i]) for indexes in positions.values() for i in indexes
    }
    empty: np.ndarray | None = None
    full: dict[str, pd.Series] = {}  # keys whose text is built for every row first
    for key, indexes in positions.items():
        if len(indexes) == 1 and columns[indexes[0]].text is not None:
            is_empty = columns[indexes[0]].empty
        else:
            parts = [columns[i].series() for i in indexes]
            combined = parts[0]
            # names spread over several columns (第一提案人, 附议人 …), in order
            for part in parts[1:]:
                combined = (
                    (combined + "、" + part).str.strip("、").str.replace("、、+", "、", regex=True)
                )
            full[key] = combined
            is_empty = (combined == "").to_numpy(dtype=bool)
        empty = is_empty if empty is None else empty & is_empty
    assert empty is not None  # every table has at least one column
    keep = np.flatnonzero(~empty & ~_total_rows(cells, columns))
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
    for key, indexes in positions.items():  # each column of a spread key, for its own cells
        if len(indexes) > 1:
            for number, at in enumerate(indexes):
                frame[f"{key}@{number}"] = pd.Series(columns[at].take(keep), copy=False)
    frame["row"] = keep + (last_header + 2)  # Excel rows are 1-based, below the header
    return frame


def _object_grid(data: list[list], width: int) -> np.ndarray:
    """The rows as one 2-D object array, short rows padded with NaN: the array pandas builds a
    DataFrame of rows from (pandas' own C routine, several times faster than np.array here)."""
    try:
        from pandas._libs.lib import to_object_array  # type: ignore[attr-defined]  # private, untyped in pandas-stubs
    except ImportError:  # pragma: no cover - pandas moved it: the public (slower) way
        return pd.DataFrame(data, dtype=object).reindex(columns=range(width)).to_numpy(dtype=object)
    return to_object_array(data, min_width=width)


@dataclass
class FactorizedColumn:
    """One column of cells, factorized: ``codes`` into ``distinct`` (the raw cells, NaN/None kept).

    ``text`` is the clean text per distinct cell when every cell is text or empty (nearly always);
    otherwise the column is cleaned from a Series of its cells as pandas builds it (``cleaned``),
    since numbers, dates and booleans become text according to the column's type."""

    codes: np.ndarray
    distinct: np.ndarray
    text: pd.api.extensions.ExtensionArray | None = None
    empty: np.ndarray | None = None  # per row: the clean text is '' (only with ``text``)
    cleaned: pd.Series | None = None

    @classmethod
    def of(cls, cells: np.ndarray) -> FactorizedColumn:
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


def _total_rows(cells: np.ndarray, columns: dict[int, FactorizedColumn]) -> np.ndarray:
    """Rows whose first filled cell — in any column, 序号 included — starts with 合计/总计/小计.
    Left to right over the columns, each step over the rows still without a filled cell; whether
    a cell is filled and whether it reads as a total is decided once per distinct cell for the
    columns already factorized."""
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
    candidates = rows_matching(text.tolist(), TOTAL_CHARACTERS)  # only these can be total rows
    if candidates.any():
        total[candidates] = (
            text[candidates]
            .str.replace(r"\s+", "", regex=True)
            .str.contains(TOTAL_ROW)
            .to_numpy(dtype=bool)
        )
    return total


def flagged_cell_problems(
    table: RawTable, flagged: dict[tuple[int, int], tuple[str, str]]
) -> list[Problem]:
    """Problems for flagged cells (error values, uncomputed formulas) in the table's own rows
    and columns."""
    if not flagged:
        return []
    rows = set(table.frame["row"])
    columns = {column_index(letter): key for key, letter in table.letters.items()}
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


_SHOWN_SPANS = 10  # runs of hidden rows the warning names; the rest are counted


def hidden_rows_read(table: RawTable, hidden: tuple[RowSpan, ...]) -> list[Problem]:
    """One warning for the hidden rows (by hand or by a filter) among the table's rows read:
    a clerk may not see them, and they are scored as written. ``hidden``: the sheet's hidden
    rows, 0-based runs in order. Blank rows (below the data, say) are not read: not named."""
    rows = table.frame["row"].to_numpy()  # Excel row numbers
    if not hidden or not len(rows):
        return []
    starts = np.fromiter((start for start, _ in hidden), dtype=np.int64, count=len(hidden))
    stops = np.fromiter((stop for _, stop in hidden), dtype=np.int64, count=len(hidden))
    span = np.searchsorted(starts, rows - 1, side="right") - 1
    inside = span >= 0
    inside[inside] = rows[inside] - 1 < stops[span[inside]]
    read = rows[inside]
    if not len(read):
        return []
    spans = row_spans((read - 1).tolist())
    named = "、".join(
        str(start + 1) if stop == start + 1 else f"{start + 1}–{stop}"
        for start, stop in spans[:_SHOWN_SPANS]
    )
    if len(spans) > _SHOWN_SPANS:
        named += f" 等，共 {len(read):,} 行"
    first = int(read.min())
    return [
        Problem(
            Severity.WARNING,
            Reason.HIDDEN_READ,
            f"第 {named} 行是隐藏的行（手动隐藏或被筛选隐藏），照常读取并计分",
            table.sheet_name,
            f"{first}:{first}",  # Excel's whole-row reference
            suggestion="请取消隐藏（或清除筛选）核对这些行；不用的行请删除",
        )
    ]
