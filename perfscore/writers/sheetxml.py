"""A table's rows as worksheet XML, made a column at a time and written straight into the row
stream of an xlsxwriter worksheet in constant-memory mode.

Why: xlsxwriter does a good deal of work on every cell (argument checks, a cell tuple, then a
Python XML writer per cell). A perfscore table is simpler than what that machinery allows for: each
column has one kind (number, date, yes/no or text) and one format, with a second format only
for text that looks like a formula and a colour per grade. So each column is prepared at once
with vectorised tests (which cells are missing, which text needs escaping, which starts or ends
with a space, which takes another format) and each cell is then a single f-string. That is
cheaper than building the cells with numpy object-array addition or pandas ``str.cat``, which
are also one Python string operation per element, several times over (docs/performance.md).
Serialising is the one place that touches
each value once; the decisions about values stay vectorised.

The XML is what xlsxwriter writes for the same calls, byte for byte (a test compares the two on
a table with every kind of cell), with one deliberate difference: text that looks like
xlsxwriter's rich-string markup (``<r>…</r>``) is escaped like any other text; xlsxwriter
copies it into the file raw, which lets a cell's text break the workbook.

Rows are written in blocks of :data:`BLOCK_ROWS`, so memory holds one block's XML at a time.
"""

from __future__ import annotations

import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..text import TEXT_SEPARATOR, rows_matching, text_array
from .safety import formula_rows

__all__ = [
    "TableSheet",
    "ColumnStyle",
    "BLOCK_ROWS",
    "WIDE_CHARACTER",
    "pixel_height",
    "close_workbook",
    "ZIP_LEVEL",
]

BLOCK_ROWS = 20_000
_STRING_MAX = 32_767  # Excel's limit on a cell's text, in UTF-16 units; longer text is cut
_EXCEL_EPOCH = np.datetime64("1899-12-31")
_DAY = np.timedelta64(1, "D")
# Text that is not written as it is: &, < and >; control characters (Excel's _xHHHH_ escape,
# and a literal _xHHHH_ must itself be escaped); the two non-characters; a space at either end.
_UNUSUAL = re.compile(
    r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|"
    + TEXT_SEPARATOR
    + r"\s|\s(?="
    + TEXT_SEPARATOR
    + r"|\Z)"
)  # joined as rows_matching does
WIDE_CHARACTER = r"[^\x00-\u2e80]"  # two columns wide on screen and paper: CJK and all after it
_EDGE_SPACE = re.compile(r"^\s|\s$")  # xlsxwriter's test for xml:space="preserve"


@dataclass(frozen=True)
class ColumnStyle:
    """How one column's cells are written: its kind (date, bool, int, float, text), its format,
    and for text the format of formula-like text and of each grade word (``by_text``)."""

    kind: str
    format: Format
    quoted: Format | None = None
    by_text: dict[str, Format] | None = None
    wrap_width: float | None = None  # text columns that wrap: rows grow to show every line
    blank: Format | None = None  # empty cells written with this format (a border), else left out


def pixel_height(points: float) -> int:
    """A row height in points as xlsxwriter stores it (whole pixels)."""
    return int(points * 4.0 / 3.0 + 0.5)


class TableSheet(Worksheet):
    """An xlsxwriter worksheet (constant-memory mode) that also takes a table's rows at once.

    Use it through ``workbook.add_worksheet(name, worksheet_class=TableSheet)``; write the header
    row with the ordinary API first, then call :meth:`write_table` once.
    """

    previous_row: int  # xlsxwriter's: the row its constant-memory mode has not yet written

    def write_table(
        self,
        table: pd.DataFrame,
        styles: Sequence[ColumnStyle],
        *,
        first_row: int = 1,
        line_height: float = 15,
        row_height: float | None = None,
    ) -> None:
        """Write ``table``'s rows from ``first_row`` (0-based) down, one column per style.

        Missing values leave the cell empty (written with the column's ``blank`` format when it
        has one); a row with no cell at all is left out, as xlsxwriter would. A row holding
        wrapped text gets the height of its tallest cell at ``line_height`` points a line
        (LibreOffice does not grow such rows by itself), plus 2; with ``row_height``, every
        other row gets that height."""
        if not self.constant_memory:
            raise ValueError("TableSheet.write_table needs a workbook in constant_memory mode")
        if self.table and self.previous_row >= first_row:
            raise ValueError(
                f"row {self.previous_row} is still pending at or below first_row {first_row}"
            )
        # Write the pending rows (the header) before the table's, as the next write_* call would.
        self._write_single_row(first_row)
        letters = [xl_col_to_name(col) for col in range(len(styles))]
        last = first_row - 1
        for start in range(0, len(table), BLOCK_ROWS):
            block = table.iloc[start : start + BLOCK_ROWS]
            rows = range(
                first_row + start + 1, first_row + start + len(block) + 1
            )  # Excel's 1-based numbers
            columns = [_prepare(block.iloc[:, col], style) for col, style in enumerate(styles)]
            _index_formats(columns)
            cells = [column.xml(letter, rows) for column, letter in zip(columns, letters)]
            heights = _row_heights(block, styles, line_height, row_height)
            filled = (
                ~np.logical_and.reduce([column.missing & ~column.blank for column in columns])
                if columns
                else np.zeros(len(block), bool)
            )
            xml = [
                f'<row r="{r}"{h}>{"".join(row)}</row>'
                for r, h, row, keep in zip(rows, heights, zip(*cells), filled.tolist())
                if keep
            ]
            self.fh.write("".join(xml))
            if filled.any():
                last = first_row + start + int(np.flatnonzero(filled)[-1])
        if last >= first_row:
            self._check_dimensions(last, len(styles) - 1)
            self._check_dimensions(first_row, 0)
        self.previous_row = first_row + len(table)


@dataclass(frozen=True)
class _PreparedCells:
    """One column of a block, ready to serialise: which format each cell takes (``choice``
    into ``formats``), the values as XML text, and for text whether to keep edge spaces."""

    formats: list[Format]
    choice: np.ndarray
    missing: np.ndarray
    values: list
    preserve: list[str] | None  # None for numbers
    blank: np.ndarray  # missing cells written empty with a format of their own

    def first_use(self) -> list[tuple[int, int]]:
        """(row, index into formats) of each format in use, at its first row."""
        used = []
        written = ~self.missing | self.blank
        for index in range(len(self.formats)):
            hits = np.flatnonzero((self.choice == index) & written)
            if len(hits):
                used.append((int(hits[0]), index))
        return used

    def xml(self, letter: str, rows: range) -> list[str]:
        """One ``<c>`` element per row, '' where the cell is empty and has no format."""
        # Only the formats in use: asking a format its number gives it one in the file.
        used = {index for _, index in self.first_use()}
        xfs = [
            fmt._get_xf_index() if index in used else 0 for index, fmt in enumerate(self.formats)
        ]
        per_cell: Iterable[int] = (
            repeat(xfs[0]) if len(xfs) == 1 else np.array(xfs, dtype=np.int64)[self.choice].tolist()
        )
        empty: Iterable[str] = repeat("")
        if self.blank.any():  # the blank format is among the formats: per_cell is a list
            empty = [
                f'<c r="{letter}{r}" s="{xf}"/>' if b else ""
                for r, xf, b in zip(rows, per_cell, self.blank.tolist())
            ]
        if self.preserve is None:
            return [
                e if gone else f'<c r="{letter}{r}" s="{xf}"><v>{v:.16G}</v></c>'
                for r, xf, v, gone, e in zip(
                    rows, per_cell, self.values, self.missing.tolist(), empty
                )
            ]
        return [
            e if gone else f'<c r="{letter}{r}" s="{xf}" t="inlineStr"><is><t{p}>{v}</t></is></c>'
            for r, xf, p, v, gone, e in zip(
                rows, per_cell, self.preserve, self.values, self.missing.tolist(), empty
            )
        ]


def _index_formats(columns: list[_PreparedCells]) -> None:
    """Number the formats in the order xlsxwriter would meet them, row by row and left to
    right: a format gets its number in the file on first use, so the bytes stay the same."""
    for _, col, index in sorted(
        (row, col, index) for col, column in enumerate(columns) for row, index in column.first_use()
    ):
        columns[col].formats[index]._get_xf_index()


def _prepare(series: pd.Series, style: ColumnStyle) -> _PreparedCells:
    series = series.reset_index(drop=True)
    missing = series.isna().to_numpy()
    if style.kind in ("int", "float", "date"):
        numbers = _excel_serials(series) if style.kind == "date" else series
        if style.kind == "float" and not np.isfinite(numbers.to_numpy(dtype=float)[~missing]).all():
            raise ValueError(
                f"列“{series.name}”含有无穷大的数值，无法写入工作簿"
            )  # Excel has no infinity
        formats, choice = [style.format], np.zeros(len(series), dtype=np.int16)
        return _PreparedCells(
            formats,
            choice,
            missing,
            numbers.tolist(),
            None,
            _blanks(style, missing, formats, choice),
        )
    if style.kind == "bool":
        texts = np.where(series.fillna(False).astype(bool).to_numpy(), "是", "否").astype(object)
    else:
        texts = text_array(series)
    listed = texts.tolist()
    formats = [style.format]
    choice = np.zeros(len(texts), dtype=np.int16)  # which of ``formats`` each cell takes
    if style.quoted is not None:
        formats.append(style.quoted)
        choice[formula_rows(listed)] = 1
    for word, fmt in (style.by_text or {}).items():  # a grade's colour wins over the formula quote
        hit = texts == word
        if hit.any():
            formats.append(fmt)
            choice[hit] = len(formats) - 1
    values, preserve = _as_xml_text(listed)
    blank = _blanks(style, missing, formats, choice)
    return _PreparedCells(formats, choice, missing, values, preserve, blank)


def _blanks(
    style: ColumnStyle, missing: np.ndarray, formats: list[Format], choice: np.ndarray
) -> np.ndarray:
    """Which missing cells are written empty with the column's ``blank`` format (added to
    ``formats`` and chosen for them in ``choice``): all of them when it has one."""
    if style.blank is None or not missing.any():
        return np.zeros(len(missing), dtype=bool)
    formats.append(style.blank)
    choice[missing] = len(formats) - 1
    return missing.copy()


def _as_xml_text(texts: list[str]) -> tuple[list[str], list[str]]:
    """Texts as XML character data, as xlsxwriter prepares an inline string (cut to Excel's
    length, control characters as _xHHHH_, then &, < and > escaped), and the ``xml:space``
    attribute of those that start or end with a space. One regex pass over all the texts
    finds the few that need any of it; only those are worked on one by one."""
    values = list(texts)
    preserve = [""] * len(values)
    unusual = rows_matching(values, _UNUSUAL, TEXT_SEPARATOR)
    if values and max(map(len, values)) > _STRING_MAX // 2:
        unusual |= (
            np.fromiter(map(len, values), dtype=np.int64, count=len(values)) > _STRING_MAX // 2
        )
    for index in np.flatnonzero(unusual).tolist():
        text = _excel_text(values[index])
        if _EDGE_SPACE.search(text):
            preserve[index] = ' xml:space="preserve"'
        values[index] = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return values, preserve


def _excel_text(value: str) -> str:
    """xlsxwriter's own treatment of a string (its length cut and control-character escape)."""
    from xlsxwriter.utility import _utf16_len, _utf16_truncate

    if len(value) > _STRING_MAX // 2 and _utf16_len(value) > _STRING_MAX:
        value = _utf16_truncate(value, _STRING_MAX)
    return Worksheet._escape_control_characters(value)


def _excel_serials(series: pd.Series) -> pd.Series:
    """Dates as Excel serial numbers (1900 system, with Excel's 29 Feb 1900 counted)."""
    values = series.to_numpy(dtype="datetime64[s]")  # in ns, 2200 less 1899 would overflow
    serial = (values - _EXCEL_EPOCH) / _DAY
    serial = np.where(serial > 59, serial + 1, serial)
    return pd.Series(serial, index=series.index)


def _row_heights(
    block: pd.DataFrame,
    styles: Sequence[ColumnStyle],
    line_height: float,
    row_height: float | None = None,
) -> list[str]:
    """The ``ht``/``customHeight`` attributes of each row ('' for the default height)."""
    single = (
        f' ht="{pixel_height(row_height) * 0.75:.16g}" customHeight="1"'
        if row_height is not None
        else ""
    )
    wrapped = [(col, style.wrap_width) for col, style in enumerate(styles) if style.wrap_width]
    if not wrapped:
        return [single] * len(block)
    lines = np.ones(len(block), dtype=np.int64)
    for col, width in wrapped:
        lines = np.maximum(lines, _lines(block.iloc[:, col], width))
    heights = np.where(
        lines > 1,
        [
            f' ht="{pixel_height(line_height * n + 2) * 0.75:.16g}" customHeight="1"'
            for n in lines.tolist()
        ],
        single,
    )
    return heights.tolist()


def _lines(series: pd.Series, width: float) -> np.ndarray:
    """Lines each text cell takes in a column ``width`` characters wide (a CJK character is
    two); missing cells take one."""
    usable = max(width - 2, 1)
    codes, distinct = pd.factorize(text_array(series))
    parts = pd.Series(distinct, dtype=object).str.split("\n").explode()
    display = parts.str.len() + parts.str.count(WIDE_CHARACTER)
    per_part = np.maximum(1, np.ceil(display.to_numpy(dtype=float) / usable)).astype(np.int64)
    per_text = pd.Series(per_part, index=parts.index).groupby(level=0, sort=False).sum()
    return per_text.sort_index().to_numpy(dtype=np.int64)[codes]


# --- the zip --------------------------------------------------------------------------------------

# zlib's level for the workbook's parts. Sheet XML is repetitive: level 1 deflates it in a fraction
# of the time of zlib's default (6), into a somewhat larger file (docs/performance.md).
ZIP_LEVEL = 1
# The file of the workbook close_workbook is closing in this context, and its level.
_TARGET: ContextVar[tuple[object, int] | None] = ContextVar("perfscore_zip_target", default=None)
_SWAP_LOCK = threading.Lock()
_closing = 0  # close_workbook calls in progress in any thread; guarded by _SWAP_LOCK
_original: type[zipfile.ZipFile] = zipfile.ZipFile


class _LevelledZipFile(zipfile.ZipFile):
    """The ZipFile xlsxwriter packs a workbook with while :func:`close_workbook` runs: the file
    of the workbook it closes is deflated at its level, every other file at zlib's default."""

    def __init__(self, file: Any, *args: Any, **kwargs: Any) -> None:
        target = _TARGET.get()
        if target is not None and file is target[0]:
            kwargs.setdefault("compresslevel", target[1])
        super().__init__(file, *args, **kwargs)


def close_workbook(book: Workbook, level: int = ZIP_LEVEL) -> None:
    """Close ``book``, writing its file with the parts deflated at zlib ``level``.

    xlsxwriter has no option for the level: ``Workbook._store_workbook`` packs the parts with the
    ``ZipFile`` of its module. While a close runs, that name is :class:`_LevelledZipFile`, which
    applies ``level`` to ``book``'s own file only (matched by identity, in this context), so a
    workbook anyone else closes meanwhile, in this thread or another, keeps zlib's default. The
    module's own ``ZipFile`` is put back when the last close in progress ends."""
    global _closing, _original
    import xlsxwriter.workbook as module

    with _SWAP_LOCK:
        if _closing == 0:
            _original = module.ZipFile
            module.ZipFile = _LevelledZipFile
        _closing += 1
    token = _TARGET.set((book.filename, level))
    try:
        book.close()
    finally:
        _TARGET.reset(token)
        with _SWAP_LOCK:
            _closing -= 1
            if _closing == 0:
                module.ZipFile = _original
