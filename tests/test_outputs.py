"""Outputs a person can print, read and trust: every workbook perfscore writes is formatted and
print-ready, the assessment workbook has charts, text never turns into a formula, names can be
masked everywhere, the flat CSV and the JSON read back into pandas, and the bytes are the same
for the same input. (Printing through LibreOffice is tested in test_print.py.)"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.cli import app
from perfscore.privacy import NameMask, mask_assessment, mask_frame, masked_name
from perfscore.writers.charts import band_colours
from perfscore.writers.common import ranking_table
from perfscore.writers.csv import csv_table
from perfscore.writers.safety import looks_like_formula, neutralise
from perfscore.writers.xlsx import write_tables

from .conftest import SAMPLE, roster, sha256, write_workbook

HOSTILE = '=HYPERLINK("http://x","y")'
TITLE = "2023年度委员履职考核结果"


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory, sample_result):
    out = tmp_path_factory.mktemp("book") / "2023-考核结果.xlsx"
    perfscore.write_outputs(sample_result, out)
    return openpyxl.load_workbook(out)


def _table_sheets(book):
    """The sheets of one table each (not 图表, not the leadership sheet with its title rows)."""
    return [ws for ws in book.worksheets if ws.title not in ("图表", "领导阅览版")]


def _xml_text(path: Path) -> str:
    """Every part of an xlsx file (sheets, strings, charts, properties) as one text."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())


def _column(ws, header: str) -> str:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise KeyError(header)


# --- 1. formatting on screen ---------------------------------------------------------------------


def test_the_charts_sheet_follows_the_group_summaries(sample_book):
    names = sample_book.sheetnames
    assert names[:9] == [
        "领导阅览版",
        "总排名",
        "分项得分",
        "双五个一",
        "双五个一来源",
        "积分明细",
        "分组统计",
        "图表",
        "规则",
    ]


def test_every_table_sheet_has_a_frozen_header_row_and_an_autofilter(sample_book):
    for ws in _table_sheets(sample_book):
        assert re.fullmatch(r"[A-Z]+2", ws.freeze_panes), ws.title
        if ws.max_row > 1:
            assert (
                ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
            ), ws.title


def test_name_and_sector_stay_in_view_when_scrolling_sideways(sample_book):
    # frozen up to 姓名/界别: 名次 委员编号 姓名 界别 | …
    assert sample_book["总排名"].freeze_panes == "E2"
    assert sample_book["分项得分"].freeze_panes == "E2"
    assert sample_book["双五个一"].freeze_panes == "D2"
    assert sample_book["积分明细"].freeze_panes == "C2"
    assert sample_book["分组统计"].freeze_panes == "C2"
    assert sample_book["规则"].freeze_panes == "A2"


def test_column_widths_count_cjk_characters_as_two(sample_book, sample_result):
    ws = sample_book["总排名"]
    longest_sector = max(len(s) for s in sample_result.members["sector"])  # 医药卫生界, 无党派人士
    assert ws.column_dimensions[_column(ws, "界别")].width >= 2 * longest_sector + 1
    assert (
        ws.column_dimensions[_column(ws, "委员编号")].width
        < ws.column_dimensions[_column(ws, "界别")].width
    )


def test_widths_wrap_long_text_and_wrap_long_headers_over_short_values(tmp_path):
    out = tmp_path / "t.xlsx"
    table = pd.DataFrame(
        {
            "姓名": ["欧阳明"],
            "英文": ["abcdefghijkl"],
            "很长很长的名次表头": [1],
            "说明": ["长" * 60],
        }
    )
    write_tables(out, [("表", table)], title="2023年度测试")
    ws = openpyxl.load_workbook(out)["表"]
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths[0] == pytest.approx(8, abs=1)  # 3 CJK characters = 6 columns, + 2
    assert widths[1] == pytest.approx(14, abs=1)  # 12 Latin characters + 2
    assert widths[2] < 18  # the header wraps (18 columns on one line)
    assert widths[3] == pytest.approx(40, abs=1)  # capped; the text wraps
    assert ws["D2"].alignment.wrap_text
    assert ws.row_dimensions[2].height >= 45  # 120 columns of text in a 40-wide column: 3+ lines
    assert ws.row_dimensions[1].height >= 30  # two header lines


def _written_cell_by_cell(sheet, table, styles, *, first_row=1, line_height=15, row_height=None):
    """The reference for TableSheet.write_table: the same cells written one at a time through
    xlsxwriter's public API."""
    for row, values in enumerate(table.itertuples(index=False), start=first_row):
        lines = 1
        for value, style in zip(values, styles):
            if style.wrap_width and not pd.isna(value):
                usable = max(style.wrap_width - 2, 1)
                lines = max(
                    lines,
                    sum(
                        max(1, -(-sum(2 if ord(ch) > 0x2E80 else 1 for ch in part) // usable))
                        for part in str(value).split("\n")
                    ),
                )
        if lines > 1:
            sheet.set_row(row, line_height * lines + 2)
        elif row_height is not None:
            sheet.set_row(row, row_height)
        for col, (value, style) in enumerate(zip(values, styles)):
            if pd.isna(value):
                if style.blank is not None:
                    sheet.write_blank(row, col, None, style.blank)
                continue
            if style.kind == "date":
                sheet.write_datetime(row, col, value.to_pydatetime(), style.format)
            elif style.kind == "bool":
                sheet.write_string(row, col, "是" if value else "否", style.format)
            elif style.kind in ("int", "float"):
                sheet.write_number(row, col, value, style.format)
            else:
                text = str(value)
                fmt = (style.by_text or {}).get(text) or (
                    style.quoted if looks_like_formula(text) else style.format
                )
                sheet.write_string(row, col, text, fmt)


def _every_kind_of_cell(rows: int) -> pd.DataFrame:
    texts = [
        "欧阳明",
        "a & b <c>",
        "  前后空格 ",
        "控制\x01字符",
        "_x0041_ 字面",
        "=1+1",
        "-2",
        "+1.5%",
        "@SUM(A1)",
        "优秀",
        "不称职",
        "",
        "行\n换行",
        "结尾回车\r",
        "长" * 70 + "\n" + "x" * 90,
        "\ufffe",
        "a" * 40_000,
    ]
    dates = pd.to_datetime(["1900-01-15", "1900-03-01", "2023-06-30", None, "2200-12-31"])
    return pd.DataFrame(
        {
            "整数": pd.array([i * 7 - 3 for i in range(rows)], dtype="Int64"),
            "小数": [None if i % 5 == 3 else (i - 4) * 1.25 + 1e-3 * (i % 2) for i in range(rows)],
            "是否": pd.array([i % 3 == 0 for i in range(rows)], dtype="boolean"),
            "日期": [dates[i % len(dates)] for i in range(rows)],
            "等次": [texts[i % len(texts)] for i in range(rows)],
            "说明": [None if i % 4 == 1 else texts[(i * 5) % len(texts)] for i in range(rows)],
        }
    )


def test_tables_are_written_exactly_as_xlsxwriter_writes_them_cell_by_cell(tmp_path, monkeypatch):
    """The column-at-a-time table writer gives the same file, byte for byte, as xlsxwriter's own
    cell-by-cell writing: every kind of cell (numbers, missing values, dates before and after
    Excel's 1900 leap day, yes/no, text to escape, control characters, edge spaces, formula-like
    text, grade colours, wrapped rows, text past Excel's length limit), over several blocks."""
    from perfscore.writers import sheetxml

    monkeypatch.setattr(
        sheetxml, "BLOCK_ROWS", 7
    )  # several blocks, and formats first met in later ones
    table = _every_kind_of_cell(40)
    table.loc[5, :] = None  # a row with no value at all is left out
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    write_tables(
        fast, [("表", table)], title="2023年度测试", grades=["优秀", "良好", "称职", "不称职"]
    )
    monkeypatch.setattr(sheetxml.TableSheet, "write_table", _written_cell_by_cell)
    write_tables(
        slow, [("表", table)], title="2023年度测试", grades=["优秀", "良好", "称职", "不称职"]
    )
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(slow) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert fast.read_bytes() == slow.read_bytes()
    ws = openpyxl.load_workbook(fast)["表"]
    assert ws["E3"].value == "a & b <c>" and ws["D4"].value == dt.datetime(2023, 6, 30)
    assert ws["E24"].value == "=1+1" and ws["E24"].data_type == "s" and ws["E24"].quotePrefix
    assert [c.value for c in ws[7]] == [None] * 6 and ws.max_row == 41


def test_the_leadership_sheet_is_written_as_xlsxwriter_writes_it_cell_by_cell(
    tmp_path, monkeypatch
):
    """The leadership sheet's rows, through the column-at-a-time writer: bordered empty cells,
    every row 20 points high or as high as its wrapped text, grade colours, formula-like names."""
    from perfscore.writers import sheetxml
    from perfscore.writers.xlsx import FrontSheet

    monkeypatch.setattr(sheetxml, "BLOCK_ROWS", 7)
    rows = 30
    table = pd.DataFrame(
        {
            "名次": list(range(1, rows + 1)),
            "姓名": ["=HYPERLINK" if i == 4 else f"委员{i}" for i in range(rows)],
            "界别": ["" if i % 6 == 2 else "经济界" for i in range(rows)],
            "专委会": [None if i % 5 == 1 else "提案委" for i in range(rows)],
            "总分": [90.5 - i for i in range(rows)],
            "等次": [["优秀", "良好", "称职", "不称职", ""][i % 5] for i in range(rows)],
            "说明": [
                "" if i % 3 else "未完成双五个一：" + "践一诺、" * (i % 9) for i in range(rows)
            ],
        }
    )
    front = FrontSheet("2023年度履职考核", "单位：测试", table, notice="注意：测试")
    grades = ["优秀", "良好", "称职", "不称职"]
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    write_tables(fast, [], title="2023年度测试", grades=grades, front=front)
    monkeypatch.setattr(sheetxml.TableSheet, "write_table", _written_cell_by_cell)
    write_tables(slow, [], title="2023年度测试", grades=grades, front=front)
    assert fast.read_bytes() == slow.read_bytes()
    ws = openpyxl.load_workbook(fast)[front.name]
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == "名次")
    assert ws.cell(header + 3, 3).value is None and ws.cell(header + 3, 3).border.left.style
    heights = {ws.row_dimensions[r].height for r in range(header + 1, header + rows + 1)}
    assert 20 in {round(h) for h in heights} and max(heights) > 20  # one line, and wrapped


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The plain way safe_csv_lines is checked against: every text cell neutralised one by one."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def test_csv_fields_made_once_per_distinct_value_keep_values_that_print_differently_apart():
    """Repeating columns are formatted once per distinct value; 0.0 and -0.0 (equal to pandas)
    and 1, 1.0 and True in one object column still print as pandas prints each."""
    from perfscore.writers.csv import safe_csv_lines

    table = pd.DataFrame(
        {
            "姓名": ["张三"] * 8,
            "分值": [0.0, -0.0, 0.0, -0.0, float("nan"), 2.5, 2.5, -0.0],
            "备注": pd.Series([1, 1.0, True, 1, None, float("nan"), "=1", "=1"], dtype=object),
            "日期": pd.to_datetime(["2023-05-24"] * 7 + [None]),
        }
    )
    expected = neutralised(table).to_csv(
        index=False, lineterminator="\r\n", float_format="%.1f", date_format="%Y-%m-%d"
    )
    written = safe_csv_lines(table, decimals=1)
    assert written == expected
    assert "张三,-0.0,1.0," in written and "张三,0.0,True," in written and "'=1" in written


def test_workbooks_are_deflated_at_the_fast_level_and_other_workbooks_are_left_alone(
    tmp_path: Path,
) -> None:
    """perfscore's workbooks are zipped at zlib level 1 (ZIP_LEVEL; a third of the time of the
    default level 6); a workbook xlsxwriter writes for anyone else in the same process keeps
    zlib's default level."""
    import zlib

    import xlsxwriter

    from perfscore.writers.sheetxml import ZIP_LEVEL

    def deflated_at(path: Path, level: int) -> bool:
        with zipfile.ZipFile(path) as book:

            def size(info):
                packer = zlib.compressobj(level, zlib.DEFLATED, -15)
                return len(packer.compress(book.read(info)) + packer.flush())

            return all(info.compress_size == size(info) for info in book.infolist())

    ours = tmp_path / "ours.xlsx"
    table = pd.DataFrame(
        {"姓名": [f"委员{i}" for i in range(3000)], "分值": [i / 7 for i in range(3000)]}
    )
    write_tables(ours, [("表", table)], title="2023年度测试")
    assert ZIP_LEVEL == 1 and deflated_at(ours, 1) and not deflated_at(ours, 6)

    theirs = tmp_path / "theirs.xlsx"
    book = xlsxwriter.Workbook(str(theirs))
    book.add_worksheet().write_column(0, 0, table["姓名"].tolist())
    book.close()
    assert deflated_at(theirs, 6) and not deflated_at(theirs, 1)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile, "xlsxwriter's ZipFile is put back"

    # A workbook closed by someone else while perfscore's is being closed keeps the default.
    from perfscore.writers.sheetxml import close_workbook

    meanwhile = tmp_path / "meanwhile.xlsx"

    class ClosesAnotherFirst(xlsxwriter.Workbook):
        def close(self) -> None:
            other = xlsxwriter.Workbook(str(meanwhile))
            other.add_worksheet().write_column(0, 0, table["姓名"].tolist())
            other.close()
            super().close()

    levelled = tmp_path / "levelled.xlsx"
    book = ClosesAnotherFirst(str(levelled))
    book.add_worksheet().write_column(0, 0, table["姓名"].tolist())
    close_workbook(book)
    assert deflated_at(levelled, 1) and not deflated_at(levelled, 6)
    assert deflated_at(meanwhile, 6) and not deflated_at(meanwhile, 1)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


_CSV_TEXT = st.one_of(
    st.none(), st.text(alphabet=st.sampled_from(list("ab张, \"\r\n=+-@\t.1%'")), max_size=8)
)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _CSV_TEXT,
            _CSV_TEXT,
            st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
            st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))),
            st.integers(-(10**6), 10**6),
        ),
        max_size=12,
    ),
    decimals=st.integers(0, 3),
)
def test_the_ledger_csv_is_what_pandas_writes_after_neutralising(rows, decimals):
    """safe_csv_lines, used for the long ledger, gives pandas' to_csv bytes on the neutralised
    table: quoting of commas, quotes and line breaks, formula-like text, missing values,
    decimals and dates."""
    from perfscore.writers.csv import safe_csv_lines

    table = pd.DataFrame(rows, columns=["姓名", "说,明", "分值", "日期", "序号"])
    table["分值"] = table["分值"].astype(float)
    table["日期"] = pd.to_datetime(table["日期"])
    table["序号"] = table["序号"].astype("int64")
    for column in ("姓名", "说,明"):
        table[column] = table[column].astype(object)
    expected = neutralised(table).to_csv(
        index=False, lineterminator="\r\n", float_format=f"%.{decimals}f", date_format="%Y-%m-%d"
    )
    assert safe_csv_lines(table, decimals=decimals) == expected
    assert safe_csv_lines(table, decimals=decimals, header=False) == expected.split("\r\n", 1)[1]


def test_numbers_carry_the_rules_decimal_places(sample_book, tmp_path):
    ws = sample_book["总排名"]
    total = ws[f"{_column(ws, '总分')}2"]
    assert total.value == 100  # a number, shown as 100.00
    assert total.number_format == "0.00;[Red]-0.00"
    assert ws[f"{_column(ws, '名次')}2"].number_format == "0"
    out = tmp_path / "one.xlsx"
    write_tables(
        out, [("表", pd.DataFrame({"总分": [86.5], "名次": [1]}))], title="2023年度测试", decimals=1
    )
    ws = openpyxl.load_workbook(out)["表"]
    assert ws["A2"].number_format == "0.0;[Red]-0.0" and ws["B2"].number_format == "0"


def test_grades_are_coloured_by_band_best_green_worst_red(sample_book, sample_result):
    ws = sample_book["总排名"]
    col = _column(ws, "等次")
    fills: dict[str, set[str]] = {}
    for row in range(2, ws.max_row + 1):
        cell = ws[f"{col}{row}"]
        fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb)
    bands = [band.grade for band in sample_result.rules.rules.grades]
    expected = band_colours(len(bands))
    for band, (fill, _font) in zip(bands, expected):
        if band in fills:
            assert fills[band] == {"FF" + fill.lstrip("#").upper()}, band
    assert expected[0][0] == "#C6EFCE" and expected[-1][0] == "#FFC7CE"


def test_grade_words_are_coloured_without_the_rules(tmp_path):
    out = tmp_path / "t.xlsx"
    write_tables(
        out,
        [("表", pd.DataFrame({"姓名": ["甲", "乙"], "等次": ["优秀", "不称职"]}))],
        title="2023年度测试",
    )
    ws = openpyxl.load_workbook(out)["表"]
    assert ws["B2"].fill.fgColor.rgb == "FFC6EFCE" and ws["B3"].fill.fgColor.rgb == "FFFFC7CE"


# --- 2. print-ready ------------------------------------------------------------------------------


def test_every_sheet_prints_on_a4_fitted_to_width_with_title_year_and_page_numbers(sample_book):
    for ws in sample_book.worksheets:
        setup = ws.page_setup
        assert str(setup.paperSize) == "9", ws.title  # A4
        assert TITLE in ws.oddHeader.left.text, ws.title
        assert ws.oddHeader.right.text == "&A", ws.title  # the sheet's name
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
        if ws.title == "领导阅览版":  # printed at 100 %, laid out to fit (tests/test_documents.py)
            assert not ws.sheet_properties.pageSetUpPr.fitToPage
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title  # one page wide
        if ws.title != "图表":
            assert ws.print_title_rows == "$1:$1", ws.title  # header on every page


def test_wide_sheets_print_landscape_and_narrow_ones_portrait(sample_book):
    assert sample_book["总排名"].page_setup.orientation == "landscape"
    assert sample_book["积分明细"].page_setup.orientation == "landscape"
    assert sample_book["图表"].page_setup.orientation == "landscape"
    assert sample_book["规则"].page_setup.orientation == "portrait"


def test_a_title_with_an_ampersand_or_leading_digits_prints_as_written(tmp_path):
    out = tmp_path / "t.xlsx"
    write_tables(out, [("表", pd.DataFrame({"a": [1]}))], title="2023年度提案&信息")
    ws = openpyxl.load_workbook(out)["表"]
    assert ws.oddHeader.left.text == "2023年度提案&&信息"  # && is how a header says &
    assert ws.oddHeader.left.size == 12 and ws.oddHeader.left.font == "-,Bold"


# --- 3. charts -----------------------------------------------------------------------------------


def test_chart_sheet_has_native_charts_of_grades_groups_and_checklist(sample_book, sample_result):
    ws = sample_book["图表"]
    charts = ws._charts
    assert [c.type if hasattr(c, "type") else c.barDir for c in charts] == [
        "col",
        "bar",
        "bar",
        "bar",
    ]
    titles = [
        cell.value
        for cell in ws["A"]
        if isinstance(cell.value, str) and cell.font.b and cell.font.sz == 14
    ]
    assert titles == [
        f"等次分布（共 {len(sample_result.members)} 人）",
        "各界别平均分",
        "各专委会平均分",
        f"双五个一各项完成人数（共 {len(sample_result.members)} 人）",
    ]
    for chart in charts:  # each series reads its values from the table on this sheet
        ref = chart.series[0].val.numRef.f
        assert ref.startswith("图表!$") or ref.startswith("'图表'!$"), ref


def test_chart_tables_hold_the_numbers_shown(tmp_path, sample_result):
    from perfscore.writers.charts import assessment_charts

    charts = {c.title: c.data for c in assessment_charts(sample_result)}
    grades = charts[f"等次分布（共 {len(sample_result.members)} 人）"]
    assert grades["人数"].sum() == len(sample_result.members)
    assert list(grades["等次"]) == [b.grade for b in sample_result.rules.rules.grades]
    sectors = charts["各界别平均分"]
    m = sample_result.members
    for row in sectors.itertuples(index=False):
        assert row.平均分 == pytest.approx(
            m.loc[m["sector"] == row.界别, "total"].mean(), abs=0.006
        )
    assert sectors["平均分"].is_monotonic_decreasing
    items = charts[f"双五个一各项完成人数（共 {len(m)} 人）"]
    done = sample_result.checklist.groupby("item")["done"].sum()
    assert dict(zip(items["项目"], items["完成人数"])) == done.to_dict()


# --- 4. formula safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (HOSTILE, True),
        ("+张三", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(1)", True),
        ("\t=1", True),
        ("-2", False),
        ("+1.5", False),
        ("-10%", False),
        ("张三", False),
        ("", False),
        ("2023-01-05", False),
    ],
)
def test_what_looks_like_a_formula(text, expected):
    assert looks_like_formula(text) is expected
    assert neutralise(text) == ("'" + text if expected else text)


@pytest.fixture
def hostile_workbook(tmp_path) -> Path:
    """Hostile text where registers put text: names, a 界别, a committee, proposal titles. The
    workbook keeps no register but the proposals: it is read with allow_missing_sheets."""
    return write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["0001", "=HYPERLINK", "经济界", "=SUM(1,2)"],
                ["0002", "+张三", "-教育界"],
                ["0003", "@李四", "教育界"],
            ),
            "提案": [
                ["提案编号", "提案标题", "提交日期", "提案人", "立案情况"],
                ["2023001", HOSTILE, dt.date(2023, 3, 1), "0001", "立案"],
                ["2023002", "-2+3+cmd|' /C calc'!A0", dt.date(2023, 3, 2), "0002", "立案"],
                ["2023003", "@SUM(1+1)*cmd|' /C calc'!A0", dt.date(2023, 3, 3), "0003", "立案"],
            ],
        },
    )


def _with_name(a, member_id: str, name: str):
    """The assessment with one member renamed everywhere (the reader strips a trailing (…) from
    roster names, so a name like =HYPERLINK("…","…") is put in at the data level)."""
    old = a.members.loc[a.members["member_id"] == member_id, "name"].iloc[0]
    return dataclasses.replace(
        a,
        members=a.members.assign(name=a.members["name"].replace(old, name)),
        ledger=a.ledger.assign(name=a.ledger["name"].replace(old, name)),
    )


def _assert_no_formulas(path: Path) -> None:
    text = _xml_text(path)
    assert "<f>" not in text and "<f " not in text, f"{path.name} has a formula"


def test_hostile_text_stays_text_in_xlsx_csv_and_json(hostile_workbook, tmp_path, runner):
    result = _with_name(
        perfscore.assess(hostile_workbook, allow_missing_sheets=True), "0001", HOSTILE
    )
    xlsx, csv_path, json_path = (
        perfscore.write_outputs(result, tmp_path / f"out.{s}") for s in ("xlsx", "csv", "json")
    )

    _assert_no_formulas(xlsx)
    book = openpyxl.load_workbook(xlsx)
    seen = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.append(cell.value)
    assert (
        HOSTILE in seen
        and "-2+3+cmd|' /C calc'!A0" in seen
        and "@SUM(1+1)*cmd|' /C calc'!A0" in seen
    )
    assert "=SUM(1,2)" in seen and "+张三" in seen and "-教育界" in seen

    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert (
        "'" + HOSTILE in cells and "'+张三" in cells and "'@李四" in cells and "'-教育界" in cells
    )
    assert not [c for c in cells if looks_like_formula(c)]

    doc = json.loads(
        json_path.read_text(encoding="utf-8")
    )  # JSON keeps the text exactly: it is never evaluated
    assert doc["members"][[m["member_id"] for m in doc["members"]].index("0001")]["name"] == HOSTILE


def test_hostile_text_stays_text_through_the_command_line(hostile_workbook, tmp_path, runner):
    outs = [tmp_path / "r.xlsx", tmp_path / "r.csv"]
    for out in outs:
        run = runner.invoke(
            app, ["assess", str(hostile_workbook), "--out", str(out), "--allow-missing-sheets"]
        )
        assert run.exit_code == 0, run.output
    _assert_no_formulas(outs[0])
    text = outs[1].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK," in text and '"\'=SUM(1,2)"' in text and "'-教育界" in text


def test_hostile_text_stays_text_in_markdown(tmp_path, runner):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"""\
scheme: 测试
categories:
  - id: acts
    name: 活动
    items:
      - id: visit
        name: '{HOSTILE}'
        match: {{kind: activity}}
        points: 1
grades:
  - {{grade: 合格}}
""",
        encoding="utf-8",
    )
    run = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert run.exit_code == 0, run.output
    assert f"| '{HOSTILE} |" in run.output


def test_hostile_names_stay_text_in_the_progress_report(hostile_workbook, tmp_path):
    from perfscore.quarterly import assess_progress, parse_quarter
    from perfscore.writers.quarterly import write_progress

    report = assess_progress(hostile_workbook, parse_quarter("2023Q2"), allow_missing_sheets=True)
    report = dataclasses.replace(
        report, members=report.members.replace({"name": {"=HYPERLINK": HOSTILE}})
    )
    xlsx, md, docx = write_progress(report, tmp_path)
    _assert_no_formulas(xlsx)
    assert f"'{HOSTILE}" in md.read_text(encoding="utf-8")
    with zipfile.ZipFile(docx) as z:  # a Word document has no formulas: the text as written
        assert HOSTILE.replace('"', "&quot;") in z.read("word/document.xml").decode() or (
            HOSTILE in z.read("word/document.xml").decode()
        )


# --- 5. masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, shown", [("张三", "张**"), ("欧阳明", "欧**"), ("王", "王**"), ("", "")]
)
def test_a_masked_name_keeps_the_first_character(name, shown):
    assert masked_name(name) == shown


def test_names_are_masked_inside_text_also_spaced_or_tagged_and_longest_first():
    mask = NameMask({"欧阳明": "欧**", "欧阳": "欧**", "张三": "张**"})
    assert mask.text("张 三（民盟）、欧阳明和欧阳") == "张**（民盟）、欧**和欧**"
    frame = pd.DataFrame({"姓名": ["张三"], "说明": ["与张三合作"], "分值": [1.0]})
    masked = mask_frame(frame, mask)
    assert masked.to_dict("records") == [{"姓名": "张**", "说明": "与张**合作", "分值": 1.0}]
    assert frame["姓名"].iloc[0] == "张三"  # the input is not changed


def test_mask_assessment_masks_every_table_and_message(sample_result):
    masked = mask_assessment(sample_result)
    assert masked.mask == "name" and sample_result.mask == ""
    assert (masked.members["name"] == sample_result.members["name"].map(masked_name)).all()
    assert (masked.members["total"] == sample_result.members["total"]).all()
    warning = next(p for p in masked.problems if p.reason == "outside_term")
    assert "胡**（0320）" in warning.message
    by_ids = mask_assessment(sample_result, mode="id")
    assert (by_ids.members["name"] == by_ids.members["member_id"]).all()
    assert (by_ids.ledger["name"] == by_ids.ledger["member_id"]).all()
    assert next(p for p in by_ids.problems if p.reason == "outside_term").message.startswith(
        "0320的记录日期"
    )


def _real_names(result) -> list[str]:
    return sorted({n for n in result.members["name"] if len(n) >= 2})


def _leaks(text: str, names: list[str]) -> list[str]:
    return [n for n in names if n in text]


@pytest.mark.slow
def test_mask_leaves_no_real_name_in_any_output(runner, sample_copy, sample_result, tmp_path):
    names = _real_names(sample_result)
    outputs: dict[str, str] = {}
    run = runner.invoke(app, ["assess", str(sample_copy), "--mask"], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    outputs["terminal: assess"] = run.output
    public = sample_copy.with_name("2023-考核结果-公开版.xlsx")
    assert public.exists() and not sample_copy.with_name("2023-考核结果.xlsx").exists()
    masked = mask_assessment(sample_result)
    default = perfscore.write_outputs(masked, tmp_path / "公示.xlsx")  # the whole, masked
    for suffix in ("json", "csv"):
        perfscore.write_outputs(masked, tmp_path / f"公示.{suffix}")
    m = sample_result.members
    unique = m.loc[~m["name"].duplicated(keep=False), "name"].iloc[5]
    run = runner.invoke(
        app, ["explain", str(sample_copy), unique, "--mask"], env={"COLUMNS": "200"}
    )
    assert run.exit_code == 0, run.output
    assert run.output.startswith(masked_name(unique))
    outputs["terminal: explain"] = run.output
    from perfscore.explanation import MemberNotFound, explain

    with pytest.raises(MemberNotFound) as typo:  # "did you mean …" suggests masked names
        explain(sample_result, unique[:-1] + "鑫", mask="name")
    outputs["explain: not found"] = typo.value.message

    from perfscore.quarterly import assess_progress, parse_quarter
    from perfscore.writers.quarterly import write_progress

    report_dir = tmp_path / "通报"
    report_dir.mkdir()
    write_progress(
        mask_assessment(assess_progress(sample_copy, parse_quarter("2023Q2"))), report_dir
    )

    files = [public, *tmp_path.glob("公示.*"), *report_dir.iterdir()]
    for path in files:
        outputs[path.name] = (
            _xml_text(path)
            if path.suffix in (".xlsx", ".docx")
            else path.read_text(encoding="utf-8-sig")
        )
        outputs[f"file name {path.name}"] = path.name
    assert len(files) == 7
    leaks = {where: _leaks(text, names) for where, text in outputs.items()}
    assert not {where: found for where, found in leaks.items() if found}
    assert "吕**" in outputs["terminal: assess"] and "吕**" in outputs["公示.csv"]
    assert json.loads(outputs["公示.json"])["masked"] == "name"
    book = openpyxl.load_workbook(default, read_only=True)
    rules_rows = {r[0]: r[1] for r in book["规则"].iter_rows(min_row=2, values_only=True)}
    assert rules_rows["姓名显示"].startswith("只显示姓名的第一个字")


def test_mask_ids_shows_member_ids_instead_of_names(runner, sample_copy, sample_result, tmp_path):
    out = tmp_path / "公示.csv"
    run = runner.invoke(app, ["assess", str(sample_copy), "--mask-ids", "--out", str(out), "-q"])
    assert run.exit_code == 0, run.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(table.columns) == ["名次", "姓名", "等次"]  # the public version
    assert table["姓名"].tolist() == sample_result.members["member_id"].tolist()
    assert not _leaks(out.read_text(encoding="utf-8-sig"), _real_names(sample_result))


def test_a_masked_result_still_serves_as_last_years_history(sample_result, tmp_path):
    from perfscore.history import read_history

    out = perfscore.write_outputs(mask_assessment(sample_result), tmp_path / "2023-公示.xlsx")
    history = read_history([out])
    assert len(history.grades) == len(sample_result.members) and history.years == {2023}


# --- 6. CSV and JSON round-trip through pandas ---------------------------------------------------


def test_csv_is_a_flat_ranking_that_round_trips_through_pandas(sample_result, tmp_path):
    out = perfscore.write_outputs(sample_result, tmp_path / "results.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel and WPS read the Chinese right
    back = pd.read_csv(out, dtype={"委员编号": str}, keep_default_na=False, encoding="utf-8-sig")
    expected = csv_table(sample_result)
    assert list(back.columns) == list(expected.columns)
    assert list(back["委员编号"]) == list(sample_result.members["member_id"])
    assert list(back["姓名"]) == list(sample_result.members["name"])
    assert back["总分"].tolist() == sample_result.members["total"].tolist()
    assert back["名次"].tolist() == sample_result.members["rank"].tolist()
    for category in sample_result.category_names.values():
        assert back[category].tolist() == pytest.approx(expected[category].tolist())
    assert list(ranking_table(sample_result).columns) == list(
        back.columns[: len(ranking_table(sample_result).columns)]
    )
    assert re.search(r",100\.00,", out.read_text(encoding="utf-8-sig"))  # the rules' decimal places


def test_json_round_trips_through_pandas(sample_result, tmp_path):
    out = perfscore.write_outputs(sample_result, tmp_path / "results.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["masked"] is None
    members = pd.DataFrame(doc["members"])
    m = sample_result.members
    assert list(members.columns) == list(m.columns)
    for column in ("member_id", "name", "sector", "total", "grade", "rank"):
        assert members[column].tolist() == m[column].tolist(), column
    ledger = pd.DataFrame(doc["ledger"])
    assert len(ledger) == len(sample_result.ledger)
    assert ledger.groupby("member_id")["points"].sum().round(2).to_dict() == pytest.approx(
        sample_result.ledger.groupby("member_id")["points"].sum().round(2).to_dict()
    )


def test_an_unknown_output_format_names_the_ones_there_are(runner, sample_copy, tmp_path):
    run = runner.invoke(app, ["assess", str(sample_copy), "--out", str(tmp_path / "x.txt")])
    assert run.exit_code == 2 and ".csv" in run.output and ".xlsx" in run.output


# --- 7. the same bytes ---------------------------------------------------------------------------


@pytest.mark.slow
def test_same_input_gives_byte_identical_outputs_with_charts_and_masking(tmp_path):
    digests: dict[str, set[str]] = {}
    for run in (1, 2):
        result = perfscore.assess(SAMPLE)  # assessed afresh each time
        for label, version in (("plain", result), ("masked", mask_assessment(result))):
            for suffix in ("xlsx", "json", "csv"):
                out = perfscore.write_outputs(version, tmp_path / f"{run}-{label}.{suffix}")
                digests.setdefault(f"{label}.{suffix}", set()).add(sha256(out))
    assert all(len(d) == 1 for d in digests.values()), digests
    with zipfile.ZipFile(tmp_path / "1-plain.xlsx") as z:
        assert any(name.startswith("xl/charts/chart") for name in z.namelist())
        assert {info.date_time for info in z.infolist()} == {
            (1980, 1, 31, 0, 0, 0)
        }  # no clock inside
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_an_infinite_number_is_refused_rather_than_written_as_a_corrupt_sheet(tmp_path):
    out = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match="无穷大"):
        write_tables(
            out,
            [("表", pd.DataFrame({"姓名": ["甲"], "总分": [float("inf")]}))],
            title="2023年度测试",
        )
    assert list(tmp_path.iterdir()) == []
