"""Register layouts offices really use: merged and two-row headers, names over several columns,
hidden columns and rows, a title row merged across the sheet, and macro-enabled workbooks (.xlsm).

Each workbook here is written with openpyxl so that merged ranges and hidden columns are real.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

import perfscore
from perfscore.errors import DataError, Reason
from perfscore.reading.guards.xlsx import sheet_extent
from perfscore.reading.layout import sheet_layouts

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


def _errors(path: Path, tmp_path: Path) -> list:
    with pytest.raises(DataError) as caught:
        assess(path, tmp_path)
    return caught.value.problems


def test_a_name_problem_in_a_second_name_column_is_reported_at_its_cell(tmp_path):
    # 附议人 in D, a column of its own: an unknown name there, and a member named in both C and
    # D, are reported at the D cell that holds the name, not at C.
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "提交日期", "第一提案人", "附议人", "状态", "标题"])
    sheet.append(["P1", dt.datetime(2023, 1, 5), "王五", "张三、赵六", "立案", "题一"])
    sheet.append(["P2", dt.datetime(2023, 1, 6), "李四", "李四", "立案", "题二"])
    problems = _errors(save(book, tmp_path / "columns.xlsx"), tmp_path)
    assert sorted((p.reason, p.place, p.value) for p in problems) == [
        (Reason.DUPLICATE_ID, "提案!D3", "李四"),
        (Reason.UNKNOWN_MEMBER, "提案!D2", "赵六"),
    ]


def _hidden_rows_book(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    roster_sheet(book)
    sheet = book.create_sheet("提案")
    sheet.append(["提案编号", "标题", "提交日期", "提案人", "状态"])
    for number in range(1, 8):  # rows 2–8
        sheet.append([f"P{number}", f"题{number}", dt.datetime(2023, 1, number), "李四", "立案"])
    for row in (3, 4, 5, 8, 12, 13):  # 12–13: empty rows below the data
        sheet.row_dimensions[row].hidden = True
    return save(book, tmp_path / "hidden-rows.xlsx")


def test_hidden_rows_are_read_like_any_other_and_reported_once_per_sheet(tmp_path):
    result = assess(_hidden_rows_book(tmp_path), tmp_path)
    assert [points for _, points, _ in lines(result)] == [10.0] * 7
    [note] = [p for p in result.warnings if p.reason is Reason.HIDDEN_READ]
    assert note.place == "提案!3:3" and note.message.startswith("第 3–5、8 行是隐藏的行")


def test_hidden_rows_whose_tags_leave_out_their_number_are_found(tmp_path):
    # <row> without r="…" is the row after the one before it (the XML allows it)
    path = _hidden_rows_book(tmp_path)
    rezipped = tmp_path / "no-r.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rezipped, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                assert b'hidden="1"' in data
                data = re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", data)
            target.writestr(item, data)
    result = assess(rezipped, tmp_path)
    [note] = [p for p in result.warnings if p.reason is Reason.HIDDEN_READ]
    assert note.place == "提案!3:3" and note.message.startswith("第 3–5、8 行是隐藏的行")


def test_hidden_rows_far_into_a_large_sheet_xml_are_all_found(tmp_path):
    # A sheet's XML of several MB, read in pieces by the scan that measures its extent: a hidden
    # row tag near a seam between two pieces is found like any other (compared with a search
    # over the whole XML at once); hidden="1" in a cell's text and a hidden column are no row.
    rows = []
    for number in range(1, 40_001):
        hidden = "1" if number % 997 == 0 and number < 20_000 else "0"
        text = 'hidden="1"' if number == 5 else "text"
        rows.append(
            f'<row r="{number}" customFormat="false" ht="12.8" hidden="{hidden}">'
            f'<c r="A{number}" t="inlineStr"><is><t>{text}</t></is></c></row>'
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cols><col min="2" max="2" hidden="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()
    seam = 4 << 20  # the scan's pieces are 4 MB
    # a row tag padded so that its hidden="1" starts 4 bytes before the seam, cut by it
    attribute = xml.index(b' hidden="0"', xml.index(b"<row ", seam - 200))
    padding = b" " * (seam - 4 - attribute)
    xml = xml[:attribute] + padding + b' hidden="1"' + xml[attribute + 11 :]
    assert xml[seam - 4 : seam + 7] == b' hidden="1"'
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="提案" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            "</Relationships>",
        )
        book.writestr("xl/worksheets/sheet1.xml", xml)
    expected = [int(r) - 1 for r in re.findall(rb'<row r="(\d+)"[^>]*hidden="1"', xml)]
    assert len(expected) == 21  # every 997th of the first 20,000, and the one at the seam
    extent = sheet_extent(path, "提案")
    assert extent is not None and extent.rows == 40_000
    assert [r for start, stop in extent.hidden_rows for r in range(start, stop)] == expected
    assert sheet_layouts(path)["提案"].hidden_columns == frozenset({1})


@pytest.mark.parametrize("piece", [97, 256, 4099])
def test_the_fast_extent_scan_holds_whatever_the_pieces_cut(tmp_path, monkeypatch, piece):
    """Cells whose tags straddle the seam between two pieces of the sheet's XML keep the fast
    scan: the exact, element-by-element scan (many times slower) is not needed for them."""
    import xlsxwriter

    from perfscore.reading.guards import xlsx as guard

    path = tmp_path / "many.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("会议出勤")
    for row in range(400):
        sheet.write_row(row, 0, [f"会议{row}", "全体会议", row, "出席"])
    book.close()
    whole = sheet_extent(path, "会议出勤")
    assert whole is not None and (whole.rows, whole.columns) == (400, 4)

    def refused(stream):
        raise AssertionError("the exact scan was used")

    monkeypatch.setattr(guard, "_PIECE", piece)
    monkeypatch.setattr(guard, "_exact_extent", refused)
    assert sheet_extent(path, "会议出勤") == whole
