"""Workbooks kept by hand and saved by LibreOffice, each holding one way a register can be misread:
every one is refused at the cell, or read as the clerk meant it, in .xlsx, .xls and .ods alike.

The fixtures in tests/fixtures/misreads/ were written by make_misreads.py there, which also
checked in each saved file's XML that what a fixture exists for (a hidden sheet, a hidden column,
hidden or filtered rows, a merge, a 0000 number format) survived LibreOffice's save. Their registers (30 members
0001…0030; 0030 魏巍 joins on 2023-07-01):

会议出勤 全体会议 2023-01-08: 张三 出席, 李四 缺席, 王五 请假, 赵六 缺席
活动: 视察 张三、王五 (2023-05-16) · 调研 赵六、钱七 (2023-06-20)
双五个一: 张三 联一村 · 李四 帮一企
提案: 2023001 联名 张三、李四 立案 重点提案 · 2023002 个人 王五 立案

rules.yaml there: 出席 +2, 请假 −1, 缺席 −5; 立案 领衔 10, 附议 4, 重点提案 领衔 +5; 调研报告 6;
视察/调研/宣讲 1.5; 表彰 by level 国家 10, 省 8, 地市 6, 县 4; checklist 联一村 + 帮一企 (bonus 3);
优秀提案: 2 places, 重点提案 10 + 立案 1.

Each fixture is read once per format; the .xls and .ods runs are in the slow tier.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import perfscore
from perfscore.cli import app
from perfscore.errors import DataError, Reason, Severity

HERE = Path(__file__).resolve().parent / "fixtures" / "misreads"
RULES = HERE / "rules.yaml"
FORMATS = [
    "xlsx",
    pytest.param("xls", marks=pytest.mark.slow),
    pytest.param("ods", marks=pytest.mark.slow),
]


def _errors(name: str, suffix: str) -> list:
    with pytest.raises(DataError) as caught:
        perfscore.assess(HERE / f"{name}.{suffix}", RULES)
    return [p for p in caught.value.problems if p.severity is Severity.ERROR]


# --- refused at the cell --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_hidden_old_sheet_beside_the_current_one_is_refused(suffix: str) -> None:
    [error] = _errors("hidden-sheet", suffix)
    assert error.reason is Reason.DUPLICATE_SHEET
    assert "“调研报告”（隐藏的工作表）" in error.message and "“调研成果”" in error.message
    assert "未读取" not in error.message  # the visible sheet is not called unknown


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_hidden_column_for_the_same_field_is_refused(suffix: str) -> None:
    [error] = _errors("hidden-column", suffix)
    assert error.reason is Reason.DUPLICATE_COLUMN
    assert error.place == "会议出勤!E1"
    assert "E1“出勤情况”（隐藏的列）" in error.message and "F1“出勤”" in error.message


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_renamed_register_is_refused_with_the_rename(suffix: str) -> None:
    [error] = _errors("renamed-register", suffix)
    assert error.reason is Reason.UNPLACED_SHEET
    assert error.sheet == "出勤登记"
    assert "请把表名改为“会议出勤”" in error.suggestion


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_row_entered_twice_is_refused_naming_both(suffix: str) -> None:
    [error] = _errors("duplicate-rows", suffix)
    assert error.reason is Reason.DUPLICATE_RECORD
    assert error.place == "会议出勤!D6" and "会议出勤!D3" in error.message


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_id_typed_as_a_number_is_refused_with_the_likely_id(suffix: str) -> None:
    [error] = _errors("id-number", suffix)
    assert error.place == "委员名单!A14"
    assert error.value == "13" and "0013" in error.suggestion


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_personal_proposal_with_two_names_is_refused(suffix: str) -> None:
    [error] = _errors("personal-two", suffix)
    assert error.place == "提案!D4" and "个人" in error.message


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_unknown_checklist_item_is_refused_with_did_you_mean(suffix: str) -> None:
    [error] = _errors("unknown-duty", suffix)
    assert error.reason is Reason.UNLISTED_WORD
    assert (error.place, error.value) == ("双五个一!B4", "联系一村")
    assert "是不是：联一村" in error.suggestion


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_level_word_the_rule_does_not_list_is_refused(suffix: str) -> None:
    [error] = _errors("level-word", suffix)
    assert error.reason is Reason.UNLISTED_WORD
    assert (error.place, error.value) == ("活动!C5", "市")
    assert "地市" in error.suggestion and "国家、省、地市、县" in error.suggestion


def test_the_command_line_exits_1_naming_the_cell(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        app, ["assess", str(HERE / "hidden-column.xlsx"), "--rules", str(RULES), "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "会议出勤!E1" in result.output and "隐藏的列" in result.output
    assert not out.exists()


# --- read as the clerk meant it -------------------------------------------------------------

# 张三: 出席 2 + 2023001 领衔 10 + 重点 5 + 视察 1.5;  李四: 缺席 −5 + 2023001 附议 4;
# 王五: 请假 −1 + 2023001 附议 4 + 2023002 领衔 10 + 视察 1.5;  赵六: 缺席 −5 + 调研 1.5
# (2023003 不立案: 0);  钱七: 调研 1.5
MERGED_TOTALS = {"0001": 18.5, "0002": -1.0, "0003": 14.5, "0004": -3.5, "0005": 1.5}


def _totals(result) -> dict[str, float]:
    totals = dict(zip(result.members["member_id"], result.members["total"], strict=True))
    return {m: t for m, t in totals.items() if t != 0}


@pytest.fixture(scope="module")
def merged() -> dict[str, object]:
    """merged-header in each format, assessed once (the .xls and .ods ones on first use)."""
    return {}


def _merged(merged: dict, suffix: str):
    if suffix not in merged:
        merged[suffix] = perfscore.assess(HERE / f"merged-header.{suffix}", RULES)
    return merged[suffix]


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_merged_two_row_header_credits_every_co_proposer(merged: dict, suffix: str) -> None:
    result = _merged(merged, suffix)
    assert _totals(result) == MERGED_TOTALS
    filed = result.ledger[result.ledger["rule_id"] == "proposals.filed"]
    sources = set(zip(filed["member_id"], filed["item_id"], filed["source"], strict=True))
    # each name cites the cell it is written in: 第一提案人 is column E, 附议人 column F
    assert sources == {
        ("0001", "2023001", "提案!E3"),
        ("0002", "2023001", "提案!F3"),
        ("0003", "2023001", "提案!F3"),
        ("0003", "2023002", "提案!E4"),
    }


@pytest.mark.slow
def test_one_workbook_saved_as_xlsx_xls_and_ods_gives_identical_results(merged: dict) -> None:
    results = [_merged(merged, suffix) for suffix in ("xlsx", "xls", "ods")]
    first = results[0]
    for other in results[1:]:
        pd.testing.assert_frame_equal(first.members, other.members)
        pd.testing.assert_frame_equal(first.ledger, other.ledger)
        assert [list(s.winners["key"]) for s in first.shortlists] == [
            list(s.winners["key"]) for s in other.shortlists
        ]


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_number_shown_through_a_0000_format_is_read_as_shown(suffix: str) -> None:
    result = perfscore.assess(HERE / f"id-format.{suffix}", RULES)
    assert "0013" in set(result.members["member_id"])
    # 卫东 (0013, shown as 0013, stored as 13) is absent from the plenary: −5
    assert _totals(result)["0013"] == -5.0
    [line] = result.ledger[result.ledger["member_id"] == "0013"].itertuples()
    assert line.source == "会议出勤!D6"


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_award_picking_a_record_outside_the_term_is_reported(suffix: str) -> None:
    result = perfscore.assess(HERE / f"award-outside-term.{suffix}", RULES)
    [shortlist] = result.shortlists
    assert list(shortlist.winners["key"]) == ["2023001", "2023003"]
    [note] = [p for p in result.problems if "优秀提案" in p.message]
    assert note.severity is Severity.WARNING
    assert (note.place, note.value) == ("提案!E4", "2023003")
    assert _totals(result).get("0030") is None  # 魏巍's proposal before she joined: not scored


# --- a name in the 附议人 column is reported at its own cell ----------------------------------

# unknown-coproposer: merged-header with 2023001's 附议人 (F3) written "李四、王小二".


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_unknown_name_in_the_second_name_column_is_refused_at_its_cell(suffix: str) -> None:
    [error] = _errors("unknown-coproposer", suffix)
    assert error.reason is Reason.UNKNOWN_MEMBER
    assert (error.place, error.value) == ("提案!F3", "王小二")


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_skipped_co_proposer_is_listed_at_its_cell_and_the_others_keep_theirs(
    suffix: str,
) -> None:
    from perfscore.explanation import explain

    result = perfscore.assess(HERE / f"unknown-coproposer.{suffix}", RULES, skip_bad_rows=True)
    [note] = [p for p in result.problems if p.reason is Reason.UNKNOWN_MEMBER]
    assert note.severity is Severity.WARNING
    assert (note.place, note.value) == ("提案!F3", "王小二") and "已跳过“王小二”" in note.message
    # as merged-header, less 王五's co-proposal of 2023001 (王小二 in his place): 14.5 − 4
    assert _totals(result) == {**MERGED_TOTALS, "0003": 10.5}
    filed = result.ledger[result.ledger["rule_id"] == "proposals.filed"]
    assert set(zip(filed["member_id"], filed["item_id"], filed["source"], strict=True)) == {
        ("0001", "2023001", "提案!E3"),
        ("0002", "2023001", "提案!F3"),
        ("0003", "2023002", "提案!E4"),
    }
    lines = explain(result, "李四").lines
    assert "提案!F3" in set(lines["source"])


# --- hidden rows are read as written and reported -------------------------------------------

# hidden-rows: 委员名单 row 5 (赵六) hidden; 会议出勤 rows 3–4 (李四 缺席, 王五 请假) and 6 (钱七
# 缺席) hidden, row 7 (孙八 出席) shown, empty rows 9–11 hidden below the data; 活动 row 3 (调研
# 赵六、钱七) hidden by an autofilter on 活动类型.
# 张三: 出席 2 + 2023001 领衔 10 + 重点 5 + 视察 1.5;  李四: 缺席 −5 + 2023001 附议 4;
# 王五: 请假 −1 + 2023002 领衔 10 + 视察 1.5;  赵六: 缺席 −5 + 调研 1.5;  钱七: 缺席 −5 + 调研 1.5;
# 孙八: 出席 2
HIDDEN_ROW_TOTALS = {
    "0001": 18.5,
    "0002": -1.0,
    "0003": 10.5,
    "0004": -3.5,
    "0005": -3.5,
    "0006": 2.0,
}


@pytest.mark.parametrize("suffix", FORMATS)
def test_hidden_and_filtered_rows_are_scored_as_written_and_reported(suffix: str) -> None:
    result = perfscore.assess(HERE / f"hidden-rows.{suffix}", RULES)
    assert _totals(result) == HIDDEN_ROW_TOTALS
    notes = [p for p in result.problems if p.reason is Reason.HIDDEN_READ]
    assert {p.severity for p in notes} == {Severity.WARNING}
    # one per sheet; the empty hidden rows below 会议出勤's data are not named
    assert {p.place: p.message.split("行")[0] for p in notes} == {
        "委员名单!5:5": "第 5 ",
        "会议出勤!3:3": "第 3–4、6 ",
        "活动!3:3": "第 3 ",
    }
    assert len(notes) == 3


def test_hidden_rows_are_listed_in_the_terminal_and_in_the_data_notes_sheet(
    tmp_path: Path,
) -> None:
    from python_calamine import CalamineWorkbook

    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        app, ["assess", str(HERE / "hidden-rows.xlsx"), "--rules", str(RULES), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    shown = "第 3–4、6 行是隐藏的行"
    assert "会议出勤!3:3" in result.output and shown in result.output
    notes = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("数据提示").to_python()
    [row] = [row for row in notes if any(shown in str(cell) for cell in row)]
    assert "会议出勤!3:3" in row and "警告" in row
