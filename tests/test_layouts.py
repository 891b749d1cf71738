"""Register layouts offices really use: merged and two-row headers, names over several columns,
hidden columns, a title row merged across the sheet, and macro-enabled workbooks (.xlsm).

Each workbook here is written with openpyxl so that merged ranges and hidden columns are real.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

import perfscore
from perfscore.errors import Reason

RULES = """\
scheme: 版式测试
year: 2023
categories:
  - id: c
    name: 提案
    items:
      - id: filed
        name: 立案
        match: {kind: proposal, status: [立案]}
        points_by:
          role: {领衔: 10, 附议: 4}
grades:
  - {grade: 合格, min: 0}
  - {grade: 不合格}
"""


def save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def roster_sheet(book: openpyxl.Workbook) -> None:
    sheet = book.active
    sheet.title = "委员名单"
    sheet.append(["委员编号", "姓名", "界别"])
    for row in (["001", "张三", "经济界"], ["002", "李四", "教育界"], ["003", "王五", "民盟"]):
        sheet.append(row)


def assess(path: Path, tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return perfscore.assess(path, rules=rules)


def lines(result) -> list[tuple[str, float, str]]:
    ledger = result.ledger[result.ledger["rule_id"] == "c.filed"]
    return sorted(zip(ledger["member_id"], ledger["points"], ledger["source"]))


def test_a_two_row_header_with_merged_cells(tmp_path):
    # Row 1: a title merged across A1:E1. Rows 2–3: a two-row header — 提案编号 and 标题 merged
    # down (A2:A3, B2:B3); "提案情况" merged across C2:E2 over 提交日期 / 提案人 / 状态.
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet["A1"] = "2023年度提案登记表"
    sheet.merge_cells("A1:E1")
    sheet["A2"], sheet["B2"], sheet["C2"] = "提案编号", "标题", "提案情况"
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:E2")
    sheet["C3"], sheet["D3"], sheet["E3"] = "提交日期", "提案人", "状态"
    sheet.append(["P1", "题一", dt.datetime(2023, 1, 5), "张三、李四", "立案"])  # row 4
    result = assess(save(book, tmp_path / "two-row.xlsx"), tmp_path)
    assert lines(result) == [("001", 10.0, "提案!D4"), ("002", 4.0, "提案!D4")]


def test_proposers_in_several_columns_keep_their_order(tmp_path):
    # 第一提案人 in C, 附议人 in D and E: read in column order as one list; each line cites the
    # cell its member's name is in.
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "提交日期", "第一提案人", "附议人", "附议人", "状态", "标题"])
    sheet.append(["P1", dt.datetime(2023, 1, 5), "王五", "张三", "", "立案", "题一"])
    sheet.append(["P2", dt.datetime(2023, 1, 6), "李四", "张三", "王五", "立案", "题二"])
    result = assess(save(book, tmp_path / "columns.xlsx"), tmp_path)
    assert lines(result) == [
        ("001", 4.0, "提案!D2"),
        ("001", 4.0, "提案!D3"),
        ("002", 10.0, "提案!C3"),
        ("003", 4.0, "提案!E3"),
        ("003", 10.0, "提案!C2"),
    ]


def test_hidden_columns_are_read_like_any_other_and_reported(tmp_path):
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "标题", "提交日期", "提案人", "状态"])
    sheet.append(["P1", "题一", dt.datetime(2023, 1, 5), "李四", "立案"])
    sheet.column_dimensions["D"].hidden = True  # 提案人 hidden by a clerk tidying the view
    result = assess(save(book, tmp_path / "hidden.xlsx"), tmp_path)
    assert lines(result) == [("002", 10.0, "提案!D2")]
    [note] = [p for p in result.warnings if p.reason is Reason.HIDDEN_READ]
    assert note.place == "提案!D1" and "隐藏的列“提案人”" in note.message


def test_a_macro_enabled_workbook_is_read(tmp_path):
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "标题", "提交日期", "提案人", "状态"])
    sheet.append(["P1", "题一", dt.datetime(2023, 1, 5), "张三", "已立案"])
    xlsx = save(book, tmp_path / "book.xlsx")
    xlsm = tmp_path / "book.xlsm"
    shutil.copyfile(xlsx, xlsm)  # same parts; calamine reads both
    assert lines(assess(xlsm, tmp_path)) == [("001", 10.0, "提案!D2")]


def test_a_lock_file_beside_an_open_workbook_is_named_as_such(tmp_path, runner):
    from perfscore.cli import app

    lock = tmp_path / "~$2023.xlsx"
    lock.write_bytes(b"\x00" * 165)
    result = runner.invoke(app, ["assess", str(lock)])
    assert result.exit_code == 2 and "锁定文件" in result.output


def test_a_hidden_register_sheet_is_read_and_reported(tmp_path):
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "标题", "提交日期", "提案人", "状态"])
    sheet.append(["P1", "题一", dt.datetime(2023, 1, 5), "李四", "立案"])
    sheet.sheet_state = "hidden"
    result = assess(save(book, tmp_path / "hidden-sheet.xlsx"), tmp_path)
    assert lines(result) == [("002", 10.0, "提案!D2")]
    [note] = [p for p in result.warnings if p.reason is Reason.HIDDEN_READ]
    assert note.sheet == "提案" and "隐藏的工作表“提案”" in note.message
