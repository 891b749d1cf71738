"""The fast paths of reading and normalising give what the plain, cell-by-cell way gives.

Reading a million register rows works once per distinct text (names, types and dates repeat),
searches many texts in one pass and splits every name list in one regex call. Each of those is
checked here against the plain pandas expression it replaces, on awkward values; and the Excel
cell of every problem stays exact when a sheet starts with empty rows and columns.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.errors import Reason
from perfscore.records import _parse_dates, _split_list, parse_dates
from perfscore.text import (
    _NAME_TAG,
    _WIDTH_TABLE,
    LIST_SEPARATORS,
    clean_series,
    per_distinct,
    rows_matching,
    strip_name_tag,
    where_matching,
)

from .conftest import SAMPLE, roster, write_workbook

# --- the plain ways, as they were written before the fast paths --------------------------------


def plain_clean(values: pd.Series) -> pd.Series:
    as_text = values.astype("object").where(values.notna(), "").astype(str)
    as_text = as_text.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return as_text.str.translate(_WIDTH_TABLE).str.strip()


def plain_strip_name_tag(names: pd.Series) -> pd.Series:
    return names.str.replace(_NAME_TAG, "", regex=True).str.replace(r"\s+", "", regex=True)


def plain_split(cells: pd.Series) -> pd.Series:
    pieces = cells.str.split(LIST_SEPARATORS, regex=True).explode()
    return pieces[pieces.notna() & (pieces != "")]


def plain_body_frame(
    data: list[list], width: int, positions: dict[str, list[int]], last_header: int
) -> pd.DataFrame:
    """The register body the plain way: a DataFrame of the rows, then column by column; blank
    rows (every declared column '') and total rows (the first filled cell starts with 合计/总计/
    小计) left out."""
    body = pd.DataFrame(data).reindex(columns=range(width))
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
    blank = (frame[list(positions)] == "").all(axis=1)
    first = (
        body.apply(lambda row: next((v for v in row if not pd.isna(v) and v != ""), ""), axis=1)
        if len(body)
        else pd.Series([], dtype=object)
    )
    total = (
        first.astype(str)
        .str.replace(r"\s+", "", regex=True)
        .str.contains(r"^(?:合计|总计|小计)(?:$|[:：(（\d])")
        if len(body)
        else pd.Series([], dtype=bool)
    )
    return frame[~blank & ~total.astype(bool)].reset_index(drop=True)


# Cells as calamine gives them: text (odd widths and spaces too), numbers, booleans, dates, empties.
AWKWARD = [
    "张三",
    " 张三 ",
    "ＡＢ１２",
    "12.0",
    "-3.0",
    "1.",
    ".0",
    "x.0y",
    "　",
    "\u200b李四\ufeff",
    "",
    "合计",
    12.0,
    12,
    0.0,
    -0.0,
    1,
    1.0,
    True,
    False,
    2.5,
    1e16,
    float("nan"),
    None,
    dt.date(2023, 5, 24),
    dt.datetime(2023, 5, 24),
    dt.datetime(2023, 5, 24, 13, 5),
    dt.time(8, 30),
    dt.timedelta(days=1),
]
TEXT = st.text(alphabet="张三李四王五、，,;；/／ \u3000()（）【】[]民盟\x01", max_size=12)


def same(got: pd.Series, expected: pd.Series) -> None:
    assert got.tolist() == expected.tolist()
    assert got.dtype == expected.dtype
    assert got.index.equals(expected.index)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(range(len(AWKWARD))), max_size=30), st.booleans())
def test_clean_series_is_the_plain_clean_up(picks, infer):
    values = [AWKWARD[i] for i in picks]
    series = pd.Series(values) if infer and values else pd.Series(values, dtype=object)
    same(clean_series(series), plain_clean(series))


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0, -0.0, 0.0],
        [True, False, True],
        [1, 2, 2],
        [dt.datetime(2023, 1, 1), dt.datetime(2023, 1, 1, 5)],
        ["x", None, "x"],
        [],
    ],
)
def test_clean_series_of_one_kind_of_cell(values):
    series = pd.Series(values) if values else pd.Series(values, dtype=object)
    same(clean_series(series), plain_clean(series))


def test_numbers_equal_to_pandas_keep_their_own_text():
    # 1, 1.0 and True are one distinct value to pandas, but three texts (1, 1 and True).
    cleaned = clean_series(pd.Series([1, 1.0, True, -0.0, 0.0], dtype=object))
    assert cleaned.tolist() == ["1", "1", "True", "-0", "0"]


def test_rows_matching_places_each_match_in_its_text():
    texts = ["", "张三", "合计：2件", "", "小计", "总"]
    assert rows_matching(texts, re.compile("[合总小]")).tolist() == [
        False,
        False,
        True,
        False,
        True,
        True,
    ]
    assert rows_matching([], re.compile("x")).tolist() == []


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=20))
def test_names_lose_their_tag_and_spaces_as_before(names):
    series = pd.Series(names, dtype=object)
    same(strip_name_tag(series), plain_strip_name_tag(series))


def test_where_matching_takes_the_plain_way_for_values_that_are_not_text():
    series = pd.Series(["张三（民盟）", np.nan, "李 四"], dtype=object)
    assert strip_name_tag(series).tolist()[::2] == ["张三", "李四"]
    assert where_matching(
        series, re.compile("x"), lambda part: part.str.upper()
    ).isna().tolist() == [False, True, False]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=20))
def test_name_lists_split_as_before(cells):
    series = pd.Series(cells, index=range(5, 5 + len(cells)), dtype=object)
    got, expected = _split_list(series), plain_split(series)
    assert got.tolist() == expected.tolist()
    assert got.index.tolist() == expected.index.tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "2023-05-24",
                "2023/5/24",
                "2023年5月24日",
                "5月24日",
                "45070",
                "45070.6",
                "bad",
                "",
                "2023-02-30",
                "3023-1-1",
                "2023-05-24 00:00:00",
                "12月31日",
            ]
        ),
        max_size=25,
    )
)
def test_dates_parsed_once_per_distinct_text_as_before(cells):
    text = pd.Series(cells, dtype=object)
    got, expected = parse_dates(text), _parse_dates(text)
    for part in ("dates", "month", "day"):
        pd.testing.assert_series_equal(getattr(got, part), getattr(expected, part))
    pd.testing.assert_series_equal(got.in_year(2023), expected.in_year(2023))


def test_per_distinct_spreads_results_back_to_every_row():
    values = pd.Series(["b", "a", "b", "b"], index=[3, 1, 4, 1])
    same(
        per_distinct(values, lambda v: v.str.upper()),
        pd.Series(["B", "A", "B", "B"], index=[3, 1, 4, 1]),
    )


def test_several_spaced_names_in_one_cell_are_each_reported(tmp_path):
    # 张 三、李 四 names nobody: each piece splits at its space, and every name is reported in order
    # (this used to stop with an internal error).
    path = write_workbook(
        tmp_path / "spaced.xlsx",
        {
            "委员名单": roster(["001", "王五", "经济界"]),
            "提案": [
                ["提案编号", "标题", "提交日期", "提案人", "状态"],
                ["P1", "x", dt.date(2023, 1, 2), "张 三、李 四、王五", "立案"],
            ],
        },
    )
    with pytest.raises(perfscore.DataError) as caught:
        perfscore.assess(path)
    unknown = [
        (p.cell, p.value) for p in caught.value.problems if p.reason is Reason.UNKNOWN_MEMBER
    ]
    assert unknown == [("D2", "张"), ("D2", "三"), ("D2", "李"), ("D2", "四")]


def test_a_sheet_starting_below_and_right_of_a1_keeps_its_excel_cells(tmp_path: Path):
    # Empty rows above and empty columns left of the table must not shift any cell reference.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "委员名单"
    for row in (["委员编号", "姓名", "界别"], ["001", "张三", "经济界"], ["002", "李四", "教育界"]):
        sheet.append(row)
    activities = book.create_sheet("活动")
    for r, row in enumerate(
        [
            ["活动名称", "活动类型", "日期", "参加委员"],
            ["视察", "视察", "2023-13-45", "张三"],
            ["调研", "调研", dt.date(2023, 4, 1), "张三、赵六"],
            ["合计", None, None, None],
            ["座谈", "座谈", dt.date(2023, 5, 1), "李四、张三"],
        ],
        start=4,
    ):
        for c, value in enumerate(row, start=3):
            if value is not None:
                activities.cell(r, c, value)
    path = tmp_path / "offset.xlsx"
    book.save(path)
    with pytest.raises(perfscore.DataError) as caught:
        perfscore.assess(path, allow_missing_sheets=True)  # a workbook of one register
    found = {(p.sheet, p.cell, p.reason) for p in caught.value.problems}
    assert ("活动", "E5", Reason.BAD_DATE) in found
    assert ("活动", "F6", Reason.UNKNOWN_MEMBER) in found
    report = perfscore.assess(path, skip_bad_rows=True, allow_missing_sheets=True)
    lines = report.ledger[report.ledger["source"].str.startswith("活动!")]
    # row 6 keeps 张三 (only the unknown 赵六 is skipped); row 5 with its bad date is skipped
    assert sorted(set(lines["source"])) == ["活动!F6", "活动!F8"]


# Cells a register row may hold, total-row texts among them; a row may be shorter than the header (CSV).
GRID_CELLS = [
    *AWKWARD,
    "合计：2件",
    " 合计",
    "总计(3)",
    "小计",
    "合 计",
    "合计人数",
    "张三、 李四",
    "、张三、",
    "  ",
]


@pytest.mark.slow
@pytest.mark.filterwarnings(
    "ignore:Constructing a DataFrame from a list of sequences with mismatched lengths"
)
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(range(len(GRID_CELLS))), min_size=0, max_size=5), max_size=12
    ),
    st.sampled_from(
        [{"a": [0]}, {"a": [1], "b": [3]}, {"a": [0], "names": [2, 4]}, {"b": [4], "a": [2]}]
    ),
)
def test_register_body_is_read_as_the_plain_dataframe_way(grid, positions):
    from perfscore.reading.tables import body_frame

    rows = [[GRID_CELLS[i] for i in row] for row in grid]
    width = max([5, *map(len, rows)])
    expected = plain_body_frame(rows, width, positions, 1)
    got = body_frame(rows, width, positions, 1)
    # a key spread over columns also keeps each column's own text, as key@0, key@1 …
    parts = [c for c in got.columns if "@" in c]
    spread = [k for k, indexes in positions.items() if len(indexes) > 1]
    assert parts == ([f"{k}@{i}" for k in spread for i in range(len(positions[k]))] if rows else [])
    pd.testing.assert_frame_equal(got.drop(columns=parts), expected, check_exact=True)


@pytest.mark.parametrize(
    "column",
    [
        [1.0, 2.0, None],
        [True, False],
        [3, 4],
        [dt.datetime(2023, 1, 1), None],
        [dt.timedelta(days=1), dt.timedelta(hours=2)],
        [dt.date(2023, 1, 1), None],
        [dt.time(8, 30), dt.date(2023, 1, 1)],
        [None, None],
        [float("nan"), "x"],
    ],
)
def test_a_column_of_one_kind_of_cell_is_read_as_its_pandas_type_gives(column):
    from perfscore.reading.tables import body_frame

    rows = [[value, "张三"] for value in column]
    positions = {"a": [0], "b": [1]}
    pd.testing.assert_frame_equal(
        body_frame(rows, 2, positions, 0),
        plain_body_frame(rows, 2, positions, 0),
        check_exact=True,
    )


def test_reading_pauses_the_cycle_collector_only_while_it_reads():
    import gc

    from perfscore.reading.registers import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 7, 64])
def test_flagged_cells_are_found_across_the_pieces_the_xml_is_read_in(tmp_path, monkeypatch, piece):
    from perfscore.reading import xlsxparts

    book = openpyxl.Workbook()
    book.active.title = "有公式"
    book.active.append(["姓名", "得分"])
    book.active.append(["张三", "=1+1"])
    plain = book.create_sheet("无公式")
    plain.append(["姓名", "得分"])
    plain.append(["张三", 2])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    monkeypatch.setattr(xlsxparts, "SCAN_PIECE", piece)
    assert xlsxparts.sheet_xml_contains(path, "有公式", (b't="e"', b"<f"))
    assert not xlsxparts.sheet_xml_contains(path, "无公式", (b't="e"', b"<f"))
    assert xlsxparts.xlsx_flagged_cells(path, "有公式") == {(2, 1): ("formula", "=1+1")}


def test_sheets_parsed_ahead_on_a_second_thread_read_as_one_at_a_time(monkeypatch):
    """calamine parses the next sheets on a second thread while this one is made into a table;
    the tables and problems are those of reading one sheet after another."""
    from perfscore.reading import read_workbook, sources
    from perfscore.rules import load_rules

    input_format = load_rules().rules.input_format()
    ahead = read_workbook(SAMPLE, input_format)
    monkeypatch.setattr(sources, "READ_AHEAD", 0)
    one_by_one = read_workbook(SAMPLE, input_format)
    assert sources.READ_AHEAD == 0 and len(ahead.tables) >= 5
    assert list(ahead.tables) == list(one_by_one.tables)
    for key, table in ahead.tables.items():
        pd.testing.assert_frame_equal(table.frame, one_by_one.tables[key].frame, check_exact=True)
        assert table.letters == one_by_one.tables[key].letters
    assert ahead.problems == one_by_one.problems


def test_a_sheet_refused_while_parsed_ahead_is_reported_by_its_name(tmp_path, monkeypatch):
    from perfscore.errors import UsageError
    from perfscore.reading import read_workbook
    from perfscore.reading.guards import limits
    from perfscore.rules import load_rules

    path = write_workbook(
        tmp_path / "big.xlsx",
        {
            "委员名单": roster(["W001", "张三"]),
            "提案": [
                ["提案号", "标题", "提案人", "提交日期"],
                *[[f"{i}", "题目", "张三", dt.date(2023, 3, 1)] for i in range(200)],
            ],
        },
    )
    monkeypatch.setattr(limits, "LIMITS", limits.Limits(cells_per_sheet=500))
    with pytest.raises(
        UsageError, match="工作表“提案”的数据区域为 201 行 × 4 列，超出可处理的范围"
    ):
        read_workbook(path, load_rules().rules.input_format())


def test_flagged_cells_are_the_cells_a_whole_sheet_parse_finds(tmp_path):
    """Only the cells around each error or formula are parsed (a million-row sheet with one
    formula is not split into every cell); the cells found are those of parsing every cell."""
    from perfscore.reading import xlsxparts

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["姓名", "得分", "备注", "合计"])
    for row in range(2, 400):
        sheet.append(
            [
                f"委员{row}",
                row,
                "=A1" if row % 97 == 0 else "有<f>字样",
                f"=SUM(B2:B{row})" if row % 50 == 0 else None,
            ]
        )
    sheet["B120"] = "#N/A"
    sheet["B120"].data_type = "e"
    sheet.auto_filter.ref = "A1:D399"  # <filterColumn …> would be a hit outside any cell
    sheet.auto_filter.add_filter_column(0, ["委员2"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)

    xml = xlsxparts.sheet_xml(path, "名单")
    every_cell = [
        cell
        for cell in xlsxparts.CELL.findall(xml)
        if b't="e"' in cell[2] or b"<f" in (cell[3] or b"")
    ]
    assert list(xlsxparts.cells_holding(xml, xlsxparts.FLAG)) == every_cell
    flagged = xlsxparts.xlsx_flagged_cells(path, "名单")
    assert len(every_cell) == len(flagged) == 4 + 7 + 1
    assert flagged[(120, 1)] == ("error", "#N/A") and flagged[(100, 3)] == (
        "formula",
        "=SUM(B2:B100)",
    )


def test_per_distinct_tells_apart_values_pandas_holds_equal_but_that_print_differently():
    def as_text(values: pd.Series) -> pd.Series:
        return values.map(str)

    floats = pd.Series([0.0, -0.0, 0.0, -0.0, float("nan"), float("nan")])
    assert per_distinct(floats, as_text).tolist() == ["0.0", "-0.0", "0.0", "-0.0", "nan", "nan"]
    mixed = pd.Series([1, 1.0, True, 1, "1"], dtype=object)
    assert per_distinct(mixed, as_text).tolist() == ["1", "1.0", "True", "1", "1"]
