"""The assessment workbook (考核结果.xlsx) and :func:`write_tables`, which writes every workbook
perfscore writes (assessment, progress report, shortlists), so they all look and print alike.

Sheets of the assessment workbook: 领导阅览版 (the ranking as leadership reads it, see
:func:`write_tables`'s ``front``), 总排名, 分项得分, 双五个一, 积分明细, 分组统计, 图表, 规则, 数据提示
(when there were warnings), then the award shortlists when the rules define awards.

What every sheet gets from :func:`write_tables`:

* on screen: a frozen header row and frozen key columns (up to 姓名/界别, so a member stays in
  view when scrolling sideways), an autofilter, column widths measured in display columns
  (a CJK character is two wide; long text wraps), numbers with the rules' decimal places
  (negative in red), grades coloured by band (best green … worst red);
* fonts: every format names an East Asian font (:data:`SHEET_FONT`, 宋体 with the GB2312
  character set), so Excel, WPS and LibreOffice set the Chinese in a Chinese font;
* marks: 未完成 in any text column is red;
* on paper: A4, landscape when the sheet is wide, fitted to the page width, the header row
  repeated on every page, a page header with the title (which names the year) and the sheet,
  a footer "第 n 页，共 m 页", gridlines printed;
* safety: text is always written as text (a name starting with = stays a name), and text that
  looks like a formula carries Excel's quote prefix, so editing the cell keeps it text;
* the same bytes for the same input: xlsxwriter in constant-memory mode with a fixed creation
  date; formats and charts are created in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from xlsxwriter.chart import Chart as XlsxChart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..assessment import Assessment
from ..layout import LEDGER_LABELS, SHEETS
from .background import Background
from .charts import CHART_SHEET, GRADE_WORD_COLOURS, Chart, assessment_charts, band_colours
from .commit import ResultSet, checkpoint
from .common import shortlist_sheets, table_views
from .csv import safe_csv_lines
from .safety import looks_like_formula, neutralise
from .sheetxml import WIDE_CHARACTER, ColumnStyle, TableSheet, close_workbook

__all__ = [
    "write_xlsx",
    "write_tables",
    "ledger_csv_paths",
    "Chart",
    "MAX_SHEET_ROWS",
    "LEDGER_SHEET_LINES",
    "KEY_COLUMNS",
    "GRADE_WORDS",
    "SHEET_FONT",
    "SHEET_FONT_PROPERTIES",
    "FrontSheet",
    "FRONT_SHEET",
]

MAX_SHEET_ROWS = 1_048_576  # Excel's limit, header included
# A longer ledger is written beside the workbook as CSV (see _write_ledger_csv): a sheet of a few
# hundred thousand lines makes the whole workbook slow to open in Excel or WPS (writing it would
# take about a second), and no one reads a million lines in a sheet; the workbook's 积分明细
# sheet then says where the lines are.
LEDGER_SHEET_LINES = 100_000
_CSV_BLOCK_LINES = 100_000  # the CSV is made this many lines at a time, so memory stays flat
_FIXED_CREATED = dt.datetime(2000, 1, 1)

# Frozen at the left when among a sheet's first columns: the columns up to the last of these.
KEY_COLUMNS = ("姓名", "界别", "分组")
# Grade words coloured when a workbook is written without the rules' bands.
GRADE_WORDS = tuple(GRADE_WORD_COLOURS)

MAX_WIDTH = 40  # wider text wraps
LANDSCAPE_WIDTH = 100  # sheets wider than this (in character columns) print landscape
_KEY_SEARCH = 6  # key columns are looked for among the first six
_FROZEN_MAX_WIDTH = 60
_A4 = 9
_HEADER_FILL = "#DDEBF7"
_SERIES_FILL = "#5B9BD5"
_LINE_HEIGHT = 15  # points per line of 11-point text
# The workbook's font: named for East Asian text (charset 134 is GB2312), at Excel's usual size,
# and not tied to the theme (a "minor" scheme font would show the theme's Calibri in Excel).
SHEET_FONT = "宋体"
SHEET_FONT_PROPERTIES = {
    "font_name": SHEET_FONT,
    "font_size": 11,
    "font_charset": 134,
    "font_scheme": "none",
}
_MISSING_WORD = "未完成"  # red wherever it stands in a text column
_MISSING_COLOUR = "#C00000"
FRONT_SHEET = "领导阅览版"
_FRONT_SIZE = 12  # points; printed at 100 %, so the paper shows 12 pt


@dataclass(frozen=True)
class FrontSheet:
    """A sheet to be read on paper (the leadership sheet, a public version): a title, a line
    with the unit, the year and the date, an optional notice (red), then ``table`` (such as 名次,
    姓名, 界别, 总分, 等次, 说明) in 12 pt with numbers centred, printed at 100 % on A4 portrait with
    the title and header repeated on every page. Columns of long text share the page width."""

    title: str
    subtitle: str
    table: pd.DataFrame
    notice: str = ""
    name: str = FRONT_SHEET


def write_xlsx(assessment: Assessment, out: Path, *, into: ResultSet | None = None) -> None:
    """The assessment workbook: one sheet per table view (数据提示 only if needed), the charts
    after 分组统计, and the award shortlists when the rules define awards.

    The workbook and its ledger CSV files are one result set: replaced together, with any
    ledger CSV files of the old set that the new one does not have (see
    :mod:`perfscore.writers.commit`); ``into`` adds them to a set the caller commits."""
    out = Path(out)
    sheets: list[tuple[str, pd.DataFrame | Sequence[Chart]]] = []
    rules = assessment.rules.rules
    decimals = rules.settings.decimals
    lines = None
    for key, view in table_views():
        table = view(assessment)
        if key == "problems" and table.empty:
            continue
        if key == "checklist" and rules.checklist is None:
            continue  # no checklist in the rules: no sheet for one
        if key == "bodies" and not rules.bodies:
            continue  # no bodies in the rules: no 单位统计 sheet
        if key == "ledger" and len(table) > LEDGER_SHEET_LINES:
            lines, table = table, _ledger_note(table, out, decimals)
        sheets.append((SHEETS[key], table))
        if key == "groups":
            sheets.append((CHART_SHEET, assessment_charts(assessment)))
    if assessment.shortlists:
        sheets.extend(shortlist_sheets(assessment.shortlists))
    from ..rules.example import example_notice
    from .common import leadership_table

    title = f"{assessment.year}年度委员履职考核结果"
    notice = example_notice(assessment.rules)
    unit = rules.documents.unit or "____________"
    front = FrontSheet(
        title=title,
        subtitle=f"单位：{unit}    考核年度：{assessment.year} 年    制表日期：      年    月    日",
        table=leadership_table(assessment),
        notice=notice,
    )
    with nullcontext(into) if into is not None else ResultSet(out.parent) as result:
        result.retire(_ledger_csv_names(out))
        staged = result.path(out.name)
        if lines is not None:
            for path in ledger_csv_paths(out, len(lines)):
                result.path(path.name)
        # A long ledger's CSV files are written on the other core while this one writes the
        # workbook; both land in the staging folder, committed together.
        beside = (
            nullcontext()
            if lines is None
            else Background(lambda: _write_ledger_csv(lines, staged, decimals))
        )
        with beside:
            write_tables(
                out,
                sheets,
                title=title + ("（示例办法计算）" if notice else ""),
                decimals=decimals,
                grades=[band.grade for band in rules.grades],
                front=front,
                into=result,
            )


def ledger_csv_paths(out: Path, lines: int) -> list[Path]:
    """Where a ledger too long for the workbook goes: ``<out>-积分明细.csv`` beside it, then
    ``-积分明细-2.csv`` … so that no file has more lines than an Excel sheet can open."""
    out = Path(out)
    parts = max(1, math.ceil(lines / (MAX_SHEET_ROWS - 1)))
    return [
        out.with_name(f"{out.stem}-{SHEETS['ledger']}{'' if i == 0 else f'-{i + 1}'}.csv")
        for i in range(parts)
    ]


def _ledger_csv_names(out: Path) -> list[str]:
    """The ledger CSV files of ``out``'s earlier result set, found beside it."""
    pattern = re.compile(re.escape(out.stem) + r"-积分明细(-[0-9]+)?\.csv")
    try:
        return [p.name for p in out.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return []


def _write_ledger_csv(table: pd.DataFrame, out: Path, decimals: int) -> None:
    """A long ledger as CSV files beside the workbook ``out`` (in its staging folder): every
    line (none is dropped), in files no longer than a sheet."""
    per_file = MAX_SHEET_ROWS - 1
    for index, path in enumerate(ledger_csv_paths(out, len(table))):
        part = table.iloc[index * per_file : (index + 1) * per_file]
        with open(path, "w", encoding="utf-8-sig", newline="") as file:
            for start in range(0, len(part), _CSV_BLOCK_LINES):  # memory stays flat
                file.write(
                    safe_csv_lines(
                        part.iloc[start : start + _CSV_BLOCK_LINES],
                        decimals=decimals,
                        header=start == 0,
                    )
                )
                if index == 0 and start == 0:
                    file.flush()
                    checkpoint("ledger-csv")


def _ledger_note(table: pd.DataFrame, out: Path, decimals: int) -> pd.DataFrame:
    """What the workbook's 积分明细 sheet shows when the ledger is beside it: how many lines,
    where, how to check."""
    paths = ledger_csv_paths(out, len(table))
    names = "、".join(f"“{p.name}”" for p in paths)
    total = float(table[LEDGER_LABELS["points"]].sum())
    return pd.DataFrame(
        {
            "说明": [
                f"{SHEETS['ledger']}共 {len(table):,} 行，超过 {LEDGER_SHEET_LINES:,} 行，未写在本工作簿中，而是写在本工作簿旁的文件 {names} 中。",
                f"这些文件是 UTF-8 编码的 CSV，列与“{SHEETS['ledger']}”表相同（{'、'.join(LEDGER_LABELS.values())}），"
                "Excel 或 WPS 可直接打开；每个文件不超过一张工作表的行数。",
                f"全部明细的分值合计 {total:,.{decimals}f} 分；每位委员的总分等于其各行分值之和。",
                "逐条查看一位委员的得分：perfscore explain 工作簿 姓名（或委员编号）。",
            ]
        }
    )


def write_tables(
    out: Path,
    sheets: Sequence[tuple[str, pd.DataFrame | Sequence[Chart]]],
    *,
    title: str,
    decimals: int = 2,
    grades: Sequence[str] = (),
    grade_column: str = "等次",
    key_columns: Sequence[str] = KEY_COLUMNS,
    landscape: bool | None = None,
    front: FrontSheet | Sequence[FrontSheet] | None = None,
    into: ResultSet | None = None,
) -> None:
    """Write ``sheets`` as one workbook, atomically, with perfscore's formatting (see the module).

    Each sheet is ``(name, table)``, or ``(name, [Chart, …])`` for a chart sheet: each chart's
    small table with the native chart beside it, one chart per printed page.

    ``title`` is printed at the top of every page: name the year in it ("2023年度…").
    ``decimals``: decimal places of float columns. ``grades``: the rules' grade names, best first;
    cells of the ``grade_column`` are coloured by band (without ``grades``, the usual words
    优秀 … 不称职 are recognised). ``key_columns``: headers frozen at the left (see KEY_COLUMNS).
    ``landscape``: None decides per sheet by its width. ``front`` is a :class:`FrontSheet` (or
    several) written before ``sheets``. ``into``: the result set the workbook belongs to (the
    caller commits it); without it the workbook is a set of its own. Either way xlsxwriter's
    temporary row files stay in the set's staging folder.
    """
    import xlsxwriter

    layout = _Layout(
        title=title, grade_column=grade_column, key_columns=tuple(key_columns), landscape=landscape
    )
    out = Path(out)
    with nullcontext(into) if into is not None else ResultSet(out.parent) as result:
        book = xlsxwriter.Workbook(
            str(result.path(out.name)),
            {
                "constant_memory": True,
                "tmpdir": str(result.scratch),
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_format_properties": dict(SHEET_FONT_PROPERTIES),
            },
        )
        book.set_properties({"title": title, "created": _FIXED_CREATED, "author": "perfscore"})
        styles = _Styles(book, decimals, grades)
        for sheet in [front] if isinstance(front, FrontSheet) else front or []:
            _write_front(book, sheet, styles, layout)
        for name, content in sheets:
            if isinstance(content, pd.DataFrame):
                _write_table(book, name, content, styles, layout)
            else:
                _write_charts(book, name, list(content), styles, layout)
        close_workbook(book)
        checkpoint("workbook")


@dataclass(frozen=True)
class _Layout:
    title: str
    grade_column: str
    key_columns: tuple[str, ...]
    landscape: bool | None


class _Styles:
    """Formats made on first use and cached, so each distinct look is one format in the file."""

    def __init__(self, book: Workbook, decimals: int, grades: Sequence[str]) -> None:
        self._book = book
        self._cache: dict[tuple, object] = {}
        self.decimals = decimals
        places = "0." + "0" * decimals if decimals else "0"
        self.number_format = f"{places};[Red]-{places}"
        self.header = self.get(
            bold=True,
            bg_color=_HEADER_FILL,
            border=1,
            text_wrap=True,
            align="center",
            valign="vcenter",
        )
        self.header_quoted = self.get(
            bold=True,
            bg_color=_HEADER_FILL,
            border=1,
            text_wrap=True,
            align="center",
            valign="vcenter",
            quote_prefix=True,
        )
        self.title = self.get(bold=True, font_size=14)
        self.title_quoted = self.get(bold=True, font_size=14, quote_prefix=True)
        self.grade_colours = (
            dict(zip(grades, band_colours(len(grades)))) if grades else dict(GRADE_WORD_COLOURS)
        )

    def header_row(self, sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
        """Header cells; a header that looks like a formula (a category or checklist item named
        from the rules) carries the quote prefix, as data cells do."""
        for col, header in enumerate(headers):
            quoted = looks_like_formula(header)
            sheet.write_string(row, col, header, self.header_quoted if quoted else self.header)

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format(dict(props))
        return self._cache[key]


# --- table sheets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ColumnShape:
    """How a table column looks on every sheet it spans: its header, the kind of its values,
    its width, whether its text wraps, and how many lines its header takes."""

    header: str
    kind: str  # date, bool, int, float, text
    width: float
    wrap: bool
    header_lines: int


def _write_table(
    book: Workbook, title: str, table: pd.DataFrame, styles: _Styles, layout: _Layout
) -> None:
    """One table on one sheet, continued on 积分明细(2), (3) … beyond Excel's row limit."""
    per_sheet = MAX_SHEET_ROWS - 1
    chunks = max(1, math.ceil(len(table) / per_sheet))
    columns = _measure(table, styles.decimals)  # once, so continued sheets look the same
    for index in range(chunks):
        name = title if index == 0 else f"{title}({index + 1})"
        part = table.iloc[index * per_sheet : (index + 1) * per_sheet]
        _write_sheet(
            book.add_worksheet(name, worksheet_class=TableSheet), part, columns, styles, layout
        )


def _write_sheet(
    sheet: TableSheet,
    table: pd.DataFrame,
    columns: list[_ColumnShape],
    styles: _Styles,
    layout: _Layout,
) -> None:
    widths = [c.width for c in columns]
    sheet.freeze_panes(1, _frozen_columns([c.header for c in columns], widths, layout.key_columns))
    looks = [_column_style(c, styles, layout) for c in columns]
    for col, (column, look) in enumerate(zip(columns, looks)):
        sheet.set_column(col, col, column.width, look.format)
    lines = max((c.header_lines for c in columns), default=1)
    if lines > 1:
        sheet.set_row(0, _LINE_HEIGHT * lines + 3)
    styles.header_row(sheet, 0, [c.header for c in columns])
    sheet.write_table(table[[c.header for c in columns]], looks, line_height=_LINE_HEIGHT)
    if len(table) and columns:
        sheet.autofilter(0, 0, len(table), len(columns) - 1)
    _print_setup(sheet, layout, wide=sum(widths) > LANDSCAPE_WIDTH, repeat_header=True)


def _measure(table: pd.DataFrame, decimals: int) -> list[_ColumnShape]:
    """Kind and width of each column. Long headers wrap onto a second line rather than widen
    a column of short values (专委会内名次 over ranks)."""
    columns = []
    for header in table.columns:
        series = table[header]
        kind = _kind(series)
        data = _data_width(series, kind, decimals)
        head = _display_width(str(header))
        needed = max(data, head if head <= max(data, 8) else math.ceil(head / 2))
        width = min(max(needed + 2, 6), MAX_WIDTH)
        header_lines = max(1, math.ceil(head / max(width - 2, 1)))
        columns.append(
            _ColumnShape(
                str(header),
                kind,
                width,
                wrap=kind == "text" and data + 2 > MAX_WIDTH,
                header_lines=min(header_lines, 3),
            )
        )
    return columns


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "text"


def _data_width(series: pd.Series, kind: str, decimals: int) -> int:
    """Display width of the widest value, sampled for long tables."""
    sample = series.head(2000).dropna()
    if not len(sample):
        return 0
    if kind == "date":
        return 10
    if kind == "bool":
        return 2
    if kind == "float":  # the widest is the largest or the most negative value
        return max(len(f"{float(v):.{decimals}f}") for v in (sample.max(), sample.min()))
    return max(map(_display_width, set(sample.astype(str).tolist())))  # each text once


def _display_width(text: str) -> int:
    return len(text) + len(_WIDE.findall(text))


_WIDE = re.compile(WIDE_CHARACTER)


def _frozen_columns(headers: list[str], widths: list[float], key_columns: tuple[str, ...]) -> int:
    """How many columns to freeze: up to the last key column among the first few, as long as
    they leave most of the screen to scroll."""
    keys = [i for i, h in enumerate(headers[:_KEY_SEARCH]) if h in key_columns]
    count = keys[-1] + 1 if keys else 0
    while count and sum(widths[:count]) > _FROZEN_MAX_WIDTH:
        count -= 1
    return count


def _base_props(column: _ColumnShape, styles: _Styles) -> dict:
    props: dict = {"valign": "vcenter"}
    if column.kind == "date":
        props["num_format"] = "yyyy-mm-dd"
    elif column.kind == "int":
        props["num_format"] = "0"
    elif column.kind == "float":
        props["num_format"] = styles.number_format
    elif column.wrap:
        props["text_wrap"] = True
    return props


def _plain(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    values = series.astype(object).where(series.notna(), None)
    return values.tolist()


def _column_style(column: _ColumnShape, styles: _Styles, layout: _Layout) -> ColumnStyle:
    """How a column's cells look: its format; for text, the quoted format of formula-like text
    and, in the grade column, each grade's colours; for wrapped text, the width rows grow by."""
    base = _base_props(column, styles)
    fmt = styles.get(**base)
    if column.kind != "text":
        return ColumnStyle(column.kind, fmt)
    by_grade = {_MISSING_WORD: styles.get(**base, font_color=_MISSING_COLOUR)}
    if column.header == layout.grade_column:
        by_grade = {
            grade: styles.get(
                **base,
                bg_color=fill,
                font_color=font,
                **({"quote_prefix": True} if looks_like_formula(grade) else {}),
            )
            for grade, (fill, font) in styles.grade_colours.items()
        }
    return ColumnStyle(
        "text",
        fmt,
        quoted=styles.get(**base, quote_prefix=True),
        by_text=by_grade,
        wrap_width=column.width if column.wrap else None,
    )


def _print_setup(sheet: Worksheet, layout: _Layout, *, wide: bool, repeat_header: bool) -> None:
    sheet.set_paper(_A4)
    if layout.landscape if layout.landscape is not None else wide:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
    if repeat_header:
        sheet.repeat_rows(0)
    title = layout.title.replace("&", "&&")
    sheet.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.7)
    # The size goes before the font: "&12" followed by "2023年度…" would read as size 122023.
    sheet.set_header(f'&L&12&"-,Bold"{title}&R&A', {"margin": 0.3})
    sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})
    sheet.center_horizontally()
    sheet.hide_gridlines(0)  # gridlines on screen and on paper


# --- the leadership sheet -----------------------------------------------------------------------

_FRONT_WIDTHS = {
    "名次": 5,
    "序号": 5,
    "姓名": 9,
    "界别": 12,
    "专委会": 14,
    "总分": 8,
    "等次": 7,
    "进度": 7,
    "界别内名次": 7,
    "专委会内名次": 7,
}
# Character columns that fit A4 portrait at 100 % inside the margins (measured in LibreOffice:
# a column unit of the 11-point workbook font prints about 7.5 pt wide; the page has 537 pt).
_FRONT_PAGE_WIDTH = 68
_CENTRED = {"名次", "序号", "总分", "等次", "进度", "界别内名次", "专委会内名次"}


def _write_front(book: Workbook, front: FrontSheet, styles: _Styles, layout: _Layout) -> None:
    """The leadership sheet: see :class:`FrontSheet`."""
    sheet = book.add_worksheet(front.name, worksheet_class=TableSheet)
    table = front.table
    headers = [str(c) for c in table.columns]
    widths = [_FRONT_WIDTHS.get(h, 0) for h in headers]
    free = widths.count(0)  # the columns of long text (说明, a title) share what is left
    rest = max((_FRONT_PAGE_WIDTH - sum(widths)) // max(free, 1), 12)
    widths = [w or rest for w in widths]
    last = len(headers) - 1
    size = {"font_size": _FRONT_SIZE}
    border = {"border": 1, "valign": "vcenter", **size}
    title = styles.get(bold=True, font_size=18, align="center", valign="vcenter")
    subtitle = styles.get(align="center", valign="vcenter", **size)
    notice = styles.get(
        font_color=_MISSING_COLOUR, text_wrap=True, valign="vcenter", bold=True, **size
    )
    header = styles.get(bold=True, bg_color=_HEADER_FILL, align="center", text_wrap=True, **border)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = 0
    sheet.set_row(row, 30)
    sheet.merge_range(row, 0, row, last, front.title, title)
    row += 1
    sheet.set_row(row, 20)
    sheet.merge_range(row, 0, row, last, front.subtitle, subtitle)
    row += 1
    if front.notice:
        # Wrapped text breaks at words and punctuation: allow a fifth of each line unused.
        lines = math.ceil(_display_width(front.notice) / (sum(widths) * 0.8))
        sheet.set_row(row, 18 * lines + 4)
        sheet.merge_range(row, 0, row, last, front.notice, notice)
        row += 1
    header_row = row
    sheet.write_row(header_row, 0, headers, header)
    looks = []
    for h, width in zip(headers, widths):
        props = {**border, "align": "center" if h in _CENTRED else "left"}
        if h == "总分":
            props["num_format"] = styles.number_format
        if h not in _FRONT_WIDTHS:
            props["text_wrap"] = True
        by_grade = None
        if h == layout.grade_column:
            by_grade = {
                grade: styles.get(
                    **props,
                    bg_color=fill,
                    font_color=font,
                    **({"quote_prefix": True} if looks_like_formula(grade) else {}),
                )
                for grade, (fill, font) in styles.grade_colours.items()
            }
        looks.append(
            ColumnStyle(
                _kind(table[h]),
                styles.get(**props),
                quoted=styles.get(**props, quote_prefix=True),
                by_text=by_grade,
                # a long text wraps; one character is kept free at the cell's edge
                wrap_width=width + 1 if h not in _FRONT_WIDTHS else None,
                blank=styles.get(**props),
            )
        )
    shown = table[headers]
    rows = shown.where(shown != "")  # an empty text: an empty bordered cell
    sheet.write_table(rows, looks, first_row=header_row + 1, line_height=18, row_height=20)
    sheet.set_paper(_A4)
    sheet.set_portrait()
    sheet.set_print_scale(100)
    sheet.repeat_rows(0, header_row)
    sheet.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.7)
    page_title = layout.title.replace("&", "&&")
    sheet.set_header(f'&L&12&"-,Bold"{page_title}&R&A', {"margin": 0.3})
    sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})
    sheet.center_horizontally()
    sheet.freeze_panes(header_row + 1, 0)


# --- chart sheets -------------------------------------------------------------------------------

_CHART_FONT = {"name": SHEET_FONT, "charset": 134}  # the charts' text in the workbook's font
_CHART_WIDTH = 760  # pixels: with the table beside it, one landscape page wide
_ROW_PIXELS = 20
_BAR_PIXELS = 30  # per category of a bar chart, so that every label shows


def _write_charts(
    book: Workbook, name: str, charts: list[Chart], styles: _Styles, layout: _Layout
) -> None:
    """Each chart's table at the left, the chart beside it; a page break before each chart."""
    sheet = book.add_worksheet(name)
    charts = [chart for chart in charts if len(chart.data)]  # nothing to draw without categories
    measured = [_measure(chart.data, styles.decimals) for chart in charts]
    ncols = max((len(c.data.columns) for c in charts), default=1)
    widths = [8.0] * ncols
    for columns in measured:
        for col, column in enumerate(columns):
            widths[col] = max(widths[col], column.width)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_column(ncols, ncols, 2)
    row, breaks = 0, []
    for chart, columns in zip(charts, measured):
        if row:
            breaks.append(row)
        title_format = styles.title_quoted if looks_like_formula(chart.title) else styles.title
        sheet.write_string(row, 0, chart.title, title_format)
        header_row = row + 1
        lines = max(math.ceil(c.header_lines * c.width / widths[i]) for i, c in enumerate(columns))
        if lines > 1:
            sheet.set_row(header_row, _LINE_HEIGHT * lines + 3)
        styles.header_row(sheet, header_row, [c.header for c in columns])
        props = [
            {
                **_base_props(c, styles),
                "border": 1,
                **({"num_format": chart.formats[c.header]} if c.header in chart.formats else {}),
            }
            for c in columns
        ]
        formats = [styles.get(**p) for p in props]
        quoted = [styles.get(**p, quote_prefix=True) for p in props]
        for offset, values in enumerate(
            zip(*[_plain(chart.data[c]) for c in chart.data.columns]), start=1
        ):
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(header_row + offset, col, value, formats[col])
                else:
                    text = str(value)
                    sheet.write_string(
                        header_row + offset,
                        col,
                        text,
                        quoted[col] if looks_like_formula(text) else formats[col],
                    )
        height = max(400, _BAR_PIXELS * len(chart.data) + 120) if chart.kind == "bar" else 400
        sheet.insert_chart(
            header_row,
            ncols + 1,
            _chart(book, name, chart, header_row, styles, height),
            {"object_position": 1},
        )
        row = header_row + max(len(chart.data) + 1, math.ceil(height / _ROW_PIXELS)) + 2
    if breaks:
        sheet.set_h_pagebreaks(breaks)
    _print_setup(sheet, layout, wide=True, repeat_header=False)
    sheet.hide_gridlines(2)  # a chart page: the tables have their own borders


def _chart(
    book: Workbook, sheet_name: str, spec: Chart, header_row: int, styles: _Styles, height: int
) -> XlsxChart:
    chart = book.add_chart(
        {"type": spec.kind, **({"subtype": spec.subtype} if spec.subtype else {})}
    )
    columns = [str(c) for c in spec.data.columns]
    first, last = header_row + 1, header_row + len(spec.data)
    plotted = spec.plotted()
    for index, name in enumerate(plotted):
        col = columns.index(name)
        decimals = 0 if pd.api.types.is_integer_dtype(spec.data[name]) else styles.decimals
        series = {
            "name": [sheet_name, header_row, col],
            "categories": [sheet_name, first, 0, last, 0],
            "values": [sheet_name, first, col, last, col],
            "data_labels": {
                "value": spec.labels,
                "num_format": spec.formats.get(name, "0." + "0" * decimals if decimals else "0"),
                "font": dict(_CHART_FONT),
            },
            "fill": {
                "color": spec.series_colours[index % len(spec.series_colours)]
                if spec.series_colours
                else _SERIES_FILL
            },
            "gap": 50,
        }
        if spec.colours:
            series["points"] = [
                {"fill": {"color": colour}, "border": {"color": "#7F7F7F"}}
                for colour in spec.colours
            ]
        chart.add_series(series)
    # A title starting with = would be written as a reference to a cell (<c:f>): text that
    # looks like a formula is shown with the apostrophe the text outputs give it.
    chart.set_title(
        {"name": neutralise(spec.title), "name_font": {**_CHART_FONT, "size": 13, "bold": True}}
    )
    if len(plotted) <= 1:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"font": dict(_CHART_FONT)})
    if spec.kind != "pie":
        value_axis = {
            "min": 0,
            "name": neutralise(spec.value_title),
            "name_font": dict(_CHART_FONT),
            "num_font": dict(_CHART_FONT),
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
        category_axis: dict[str, object] = {"interval_unit": 1, "num_font": dict(_CHART_FONT)}
        if (
            spec.kind == "bar"
        ):  # categories top-down in table order, the value axis still at the bottom
            category_axis.update(reverse=True, crossing="max")
            chart.set_x_axis(value_axis)
            chart.set_y_axis(category_axis)
        else:
            chart.set_x_axis(category_axis)
            chart.set_y_axis(value_axis)
    chart.set_size({"width": _CHART_WIDTH, "height": height})
    return chart
