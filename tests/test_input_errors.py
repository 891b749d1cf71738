"""Bad input stops with a clear message that names the sheet and the cell — and writes nothing.

Given a workbook with a fault, ``perfscore assess``:
  * exits 1 for faults in the data (the clerk fixes cells), 2 when it cannot run at all
    (no such file, not a workbook, a lock file, --out pointing at the input);
  * prints every fault found, each with its place (提案!E3), what was read and what to do;
  * writes no result and no temporary file, and leaves the input file byte for byte as it was;
  * never shows a Python traceback.
The library raises the same faults as ``perfscore.DataError`` / ``perfscore.UsageError`` whose
``problems`` carry the sheet, the cell and a stable ``reason``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import perfscore
from perfscore.cli import app

from .conftest import DEFAULT_RULES, SAMPLE, roster, sha256, write_workbook

SAMPLE_COPY = SAMPLE  # read only: perfscore never writes its input

PROPOSAL_HEADER = [
    "提案编号",
    "标题",
    "提交日期",
    "提案方式",
    "提案人",
    "状态",
]  # 提案人 is column E
ATTENDANCE_HEADER = ["会议名称", "会议类型", "日期", "委员", "出勤情况"]
INFORMATION_HEADER = ["信息编号", "标题", "报送日期", "作者"]
ADOPTION_HEADER = ["信息编号", "类别", "级别", "日期"]

MEMBERS = roster(["0001", "张三", "经济界"], ["0002", "李四", "经济界"], ["0003", "王五", "教育界"])


def proposal(item_id: str, proposers, status: str = "立案", date="2023-05-24") -> list:
    return [item_id, f"关于{item_id}号事项的提案", date, "", proposers, status]


def flat(text: str) -> str:
    """Output without white space: the terminal wraps long lines wherever it likes."""
    return re.sub(r"\s+", "", text)


# The workbooks here hold only the registers a test is about: the others may be absent
# (--allow-missing-sheets), and the warnings saying so are left out of ``data_problems``.
ABSENT_ALLOWED = "--allow-missing-sheets"


def invoke(path: Path, *args: str):
    return CliRunner().invoke(
        app, ["assess", str(path), "--rules", str(DEFAULT_RULES), ABSENT_ALLOWED, *args]
    )


def assert_no_traceback(run) -> None:
    assert "Traceback" not in run.output
    assert "内部错误" not in run.output  # perfscore's own message for a bug
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)


def assert_data_error(run, folder: Path, input_path: Path, digest: str) -> None:
    """Exit 1, a message, nothing written beside the input, the input unchanged."""
    assert run.exit_code == 1, run.output
    assert_no_traceback(run)
    assert "未写出任何结果" in flat(run.stderr)  # problems go to stderr
    assert sorted(p.name for p in folder.iterdir()) == [input_path.name]
    assert sha256(input_path) == digest


def data_problems(path: Path) -> list[perfscore.Problem]:
    with pytest.raises(perfscore.DataError) as caught:
        perfscore.assess(path, rules=DEFAULT_RULES, allow_missing_sheets=True)
    return [p for p in caught.value.problems if ABSENT_ALLOWED not in p.message]


def only(problems, reason: str) -> list:
    return [p for p in problems if p.reason == reason]


@pytest.fixture
def book(tmp_path):
    """Write a workbook into its own folder, so a test can see every file a run leaves."""
    folder = tmp_path / "办公室"
    folder.mkdir()

    def make(sheets: dict, name: str = "2023.xlsx") -> Path:
        return write_workbook(folder / name, sheets)

    return make


# --- the workbook's structure ---------------------------------------------------------------------


def test_no_roster_sheet_names_it_and_lists_the_sheets_found(book):
    path = book({"提案": [PROPOSAL_HEADER, proposal("2023001", "张三")], "Sheet2": [["备注"]]})
    digest = sha256(path)

    problems = data_problems(path)
    errors = [p for p in problems if p.severity == "错误"]
    assert [p.reason for p in errors] == ["missing_sheet"]
    assert errors[0].sheet == "委员名单"
    # The stray sheet is not silently ignored either.
    assert any(
        p.severity == "警告" and p.sheet == "Sheet2" and "未读取" in p.message for p in problems
    )

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "委员名单" in text
    assert "提案" in text and "Sheet2" in text  # the sheets that are there
    assert "members" in text  # and names the roster may go by


def test_register_missing_a_required_column_names_the_column_and_its_accepted_headers(book):
    header_without_proposers = ["提案编号", "标题", "提交日期", "状态"]
    path = book(
        {
            "委员名单": MEMBERS,
            "提案": [header_without_proposers, ["2023001", "关于物流的提案", "2023-05-24", "立案"]],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    missing = only(problems, "missing_column")
    assert len(missing) == 1, [str(p) for p in problems]
    assert missing[0].sheet == "提案"
    assert "提案人" in missing[0].message
    assert {"提案者", "提案委员", "proposers"} <= set(re.split(r"[：、]", missing[0].suggestion))

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "提案人" in text and "提案者、提案委员" in text and "proposers" in text


def test_accepted_headers_are_listed_once_each(book):
    path = book({"委员名单": [["委员编号", "界别"], ["0001", "经济界"]]})  # no 姓名 column

    problems = data_problems(path)

    missing = only(problems, "missing_column")
    assert [p.sheet for p in missing] == ["委员名单"]
    accepted = missing[0].suggestion.split("：", 1)[1].split("、")
    assert "姓名" in accepted and "name" in accepted
    assert len(accepted) == len(set(accepted)), accepted


# --- members ------------------------------------------------------------------------------------


def test_proposer_not_in_roster_names_the_cell_and_suggests_a_close_name(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "提案": [PROPOSAL_HEADER, proposal("2023001", "李四"), proposal("2023002", "张叁")],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert [(p.reason, p.place, p.value) for p in problems] == [
        ("unknown_member", "提案!E3", "张叁")
    ]
    assert "是不是：张三？" in problems[0].suggestion

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "提案!E3" in text and "张叁" in text and "是不是：张三？" in text


def test_unknown_co_signer_is_named_even_when_the_lead_is_known(book):
    path = book(
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张三、李思、王五")]}
    )

    problems = data_problems(path)

    assert [(p.reason, p.place, p.value) for p in problems] == [
        ("unknown_member", "提案!E2", "李思")
    ]
    assert "李四" in problems[0].suggestion


def test_ambiguous_name_lists_both_ids_with_their_roster_cells(book):
    path = book(
        {
            "委员名单": roster(
                ["0001", "王伟", "经济界"], ["0002", "李四", "经济界"], ["0003", "王伟", "教育界"]
            ),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "王伟")],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert [(p.reason, p.place) for p in problems] == [("ambiguous_member", "提案!E2")]
    assert "0001（委员名单!A2）" in problems[0].suggestion
    assert "0003（委员名单!A4）" in problems[0].suggestion

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "提案!E2" in text and "委员名单!A2" in text and "委员名单!A4" in text
    assert "0001" in text and "0003" in text


def test_ambiguous_name_is_resolved_by_writing_the_id_instead(book):
    # The cure the message suggests works: 0003 instead of 王伟.
    path = book(
        {
            "委员名单": roster(["0001", "王伟", "经济界"], ["0003", "王伟", "教育界"]),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "0003")],
        }
    )

    result = perfscore.assess(path, rules=DEFAULT_RULES, allow_missing_sheets=True)

    from_the_cell = result.ledger[result.ledger["source"] == "提案!E2"]
    assert set(from_the_cell["member_id"]) == {"0003"}


def test_duplicate_member_ids_name_both_roster_cells(book):
    path = book(
        {
            "委员名单": roster(
                ["0001", "张三", "经济界"], ["0002", "李四", "经济界"], ["0001", "王五", "教育界"]
            ),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "李四")],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    duplicate = only(problems, "duplicate_id")
    assert sorted(p.place for p in duplicate) == ["委员名单!A2", "委员名单!A4"]
    assert all(p.value == "0001" for p in duplicate)

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "委员名单!A2" in text and "委员名单!A4" in text and "委员编号重复" in text


def test_member_id_missing_in_the_roster_names_the_cell(book):
    path = book(
        {
            "委员名单": roster(["0001", "张三", "经济界"], ["", "李四", "经济界"]),
            "提案": [PROPOSAL_HEADER, proposal("2023001", "张三")],
        }
    )

    problems = data_problems(path)

    assert [(p.reason, p.place) for p in problems] == [("missing_value", "委员名单!A3")]


@pytest.mark.parametrize(
    "proposers", ["张三、张三", "0001、张三"], ids=["name-twice", "id-and-name"]
)
def test_the_same_member_twice_in_one_cell_is_reported_not_credited_twice(book, proposers):
    path = book({"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", proposers)]})

    try:
        result = perfscore.assess(path, rules=DEFAULT_RULES, allow_missing_sheets=True)
    except perfscore.DataError as exc:  # either stop and name the cell …
        problems = exc.problems
    else:  # … or count the member once and warn, naming the cell
        from_the_cell = result.ledger[result.ledger["source"] == "提案!E2"]
        assert set(from_the_cell["member_id"]) == {"0001"}
        assert not from_the_cell.duplicated(["member_id", "rule_id"]).any(), from_the_cell[
            ["rule_id", "points", "note"]
        ]
        problems = result.warnings
    assert "提案!E2" in [p.place for p in problems], [str(p) for p in problems]


# --- cell values -------------------------------------------------------------------------------


def test_unknown_status_word_names_the_cell_and_lists_the_allowed_words(book):
    path = book(
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张三", status="待定")]}
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert [(p.reason, p.place, p.value) for p in problems] == [("bad_value", "提案!F2", "待定")]
    for word in ("立案", "不立案", "并案", "转社情民意"):
        assert word in problems[0].suggestion

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "提案!F2" in text and "待定" in text and "立案、不立案、并案、转社情民意" in text


def test_unknown_attendance_word_names_the_cell_and_lists_the_allowed_words(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "会议出勤": [
                ATTENDANCE_HEADER,
                ["十届二次全会", "全体会议", "2023-01-08", "张三", "出差"],
            ],
        }
    )

    problems = data_problems(path)

    assert [(p.reason, p.place, p.value) for p in problems] == [
        ("bad_value", "会议出勤!E2", "出差")
    ]
    for word in ("出席", "请假", "请假未批准", "缺席", "迟到", "早退"):
        assert word in problems[0].suggestion


def test_empty_status_cell_names_the_cell(book):
    path = book(
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张三", status="")]}
    )

    problems = data_problems(path)

    assert [(p.reason, p.place) for p in problems] == [("missing_value", "提案!F2")]


@pytest.mark.parametrize(
    "written",
    ["明年", "2023-13-40", "五月", "2023年2月30日", "٢٠٢٣-05-24", "٤٥٠٠٠"],
    ids=["next-year", "month-13", "month-only", "feb-30", "arabic-indic", "arabic-indic-serial"],
)
def test_unreadable_date_names_the_cell(book, written):
    path = book(
        {
            "委员名单": MEMBERS,
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张三"),
                proposal("2023002", "李四", date=written),
            ],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert [(p.reason, p.place, p.value) for p in problems] == [("bad_date", "提案!C3", written)]

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    assert "提案!C3" in flat(run.output) and written in run.output


def test_unreadable_date_is_named_even_when_it_is_the_only_date(book):
    path = book(
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张三", date="明年")]}
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert ("bad_date", "提案!C2") in [(p.reason, p.place) for p in problems]

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    assert "提案!C2" in flat(run.output)


def test_adoption_of_an_information_item_that_was_never_registered(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "社情民意": [
                INFORMATION_HEADER,
                ["X2023-001", "关于规范农村集体资产管理的建议", "2023-03-02", "张三"],
            ],
            "信息采用": [
                ADOPTION_HEADER,
                ["X2023-001", "采用", "市", "2023-04-18"],
                ["X2023-009", "采用", "省", "2023-05-02"],
            ],
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert [(p.reason, p.place, p.value) for p in problems] == [
        ("unknown_reference", "信息采用!A3", "X2023-009")
    ]
    assert "社情民意" in problems[0].message

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    assert "信息采用!A3" in flat(run.output) and "X2023-009" in run.output


def test_adoption_sheet_without_an_information_sheet_is_an_error(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "信息采用": [ADOPTION_HEADER, ["X2023-001", "采用", "市", "2023-04-18"]],
        }
    )

    problems = data_problems(path)

    assert [(p.reason, p.place) for p in problems] == [("unknown_reference", "信息采用!A2")]


# --- every fault in one run ---------------------------------------------------------------------


def test_all_faults_are_reported_in_one_run(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "提案": [
                PROPOSAL_HEADER,
                proposal("2023001", "张叁"),  # E2: not in the roster
                proposal("2023002", "李四", status="待定"),
            ],  # F3: unknown status
            "会议出勤": [
                ATTENDANCE_HEADER,
                ["十届二次全会", "全体会议", "明年", "王五", "出席"],
            ],  # C2: unreadable date
        }
    )
    digest = sha256(path)

    problems = data_problems(path)
    assert sorted((p.reason, p.place) for p in problems) == [
        ("bad_date", "会议出勤!C2"),
        ("bad_value", "提案!F3"),
        ("unknown_member", "提案!E2"),
    ]

    run = invoke(path)
    assert_data_error(run, path.parent, path, digest)
    text = flat(run.output)
    assert "提案!E2" in text and "提案!F3" in text and "会议出勤!C2" in text
    assert "3处错误" in text


def test_a_missing_column_and_bad_cells_elsewhere_are_reported_together(book):
    path = book(
        {
            "委员名单": MEMBERS,
            "提案": [
                ["提案编号", "标题", "提交日期", "状态"],
                ["2023001", "关于物流的提案", "2023-05-24", "立案"],
            ],  # no 提案人
            "会议出勤": [
                ATTENDANCE_HEADER,
                ["十届二次全会", "全体会议", "2023-01-08", "张叁", "出席"],
            ],  # D2 unknown
        }
    )

    problems = data_problems(path)

    assert sorted(p.reason for p in problems) == ["missing_column", "unknown_member"]
    assert "会议出勤!D2" in [p.place for p in problems]


# --- the file itself: exit 2 ----------------------------------------------------------------------


def _usage_error(path: Path, *args: str) -> str:
    run = invoke(path, *args)
    assert run.exit_code == 2, run.output
    assert_no_traceback(run)
    with pytest.raises(perfscore.UsageError):
        perfscore.assess(path, rules=DEFAULT_RULES)
    return flat(run.stderr)


def test_missing_file(tmp_path):
    path = tmp_path / "2023.xlsx"

    text = _usage_error(path)

    assert "找不到文件" in text and "2023.xlsx" in text
    assert list(tmp_path.iterdir()) == []


def test_a_directory_instead_of_a_file(tmp_path):
    path = tmp_path / "2023.xlsx"  # a folder that looks like a workbook
    path.mkdir()

    text = _usage_error(path)

    assert "2023.xlsx" in text
    assert [p.name for p in tmp_path.iterdir()] == ["2023.xlsx"]
    assert list(path.iterdir()) == []


@pytest.mark.parametrize("name", ["2023.txt", "2023.csv", "2023"])
def test_wrong_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text("委员编号,姓名,界别\n0001,张三,经济界\n", encoding="utf-8")
    digest = sha256(path)

    text = _usage_error(path)

    assert "不支持的文件类型" in text and ".xlsx" in text
    assert sha256(path) == digest
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "2023.xlsx"
    path.write_bytes(random.Random(2023).randbytes(4096))
    digest = sha256(path)

    text = _usage_error(path)

    assert "无法读取工作簿" in text and "2023.xlsx" in text
    assert sha256(path) == digest
    assert [p.name for p in tmp_path.iterdir()] == ["2023.xlsx"]


def test_workbook_cut_short(tmp_path):
    whole = write_workbook(tmp_path / "whole.xlsx", {"委员名单": MEMBERS})
    path = tmp_path / "2023.xlsx"
    path.write_bytes(whole.read_bytes()[:-300])
    whole.unlink()

    text = _usage_error(path)

    assert "2023.xlsx" in text
    assert [p.name for p in tmp_path.iterdir()] == ["2023.xlsx"]


def test_excel_lock_file_is_refused(tmp_path):
    # Excel leaves ~$2023.xlsx beside 2023.xlsx while it is open; a clerk may pick it by mistake.
    path = tmp_path / "~$2023.xlsx"
    path.write_bytes(b"\x05\x00\xe5\x8a\x9e\xe5\x85\xac\xe5\xae\xa4" + b"\x20" * 154)
    digest = sha256(path)

    text = _usage_error(path)

    assert "锁定文件" in text
    assert sha256(path) == digest
    assert [p.name for p in tmp_path.iterdir()] == ["~$2023.xlsx"]


# --- where the result goes ---------------------------------------------------------------------------


def _good_workbook(folder: Path) -> Path:
    return write_workbook(
        folder / "2023.xlsx",
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张三")]},
    )


@pytest.mark.parametrize("spelling", ["same", "dotdot"])
def test_out_equal_to_the_input_is_refused_and_the_input_is_unchanged(tmp_path, spelling):
    path = _good_workbook(tmp_path)
    (tmp_path / "sub").mkdir()
    out = path if spelling == "same" else tmp_path / "sub" / ".." / "2023.xlsx"
    digest = sha256(path)

    run = invoke(path, "--out", str(out))

    assert run.exit_code == 2, run.output
    assert_no_traceback(run)
    assert "输出文件不能与输入文件相同" in flat(run.output)
    assert sha256(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.xlsx", "sub"]


def test_data_error_leaves_no_output_and_no_temp_file(tmp_path):
    path = write_workbook(
        tmp_path / "2023.xlsx",
        {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张叁")]},
    )
    digest = sha256(path)

    for args in (
        [],
        ["--out", str(tmp_path / "结果.xlsx")],
        ["--out", str(tmp_path / "结果.json")],
    ):
        run = invoke(path, *args)
        assert run.exit_code == 1, run.output
        assert_no_traceback(run)
        assert list(tmp_path.glob(".*.tmp*")) == []
        assert not (tmp_path / "2023-考核结果.xlsx").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.xlsx"]
        assert sha256(path) == digest


def test_data_error_keeps_an_earlier_result_untouched(tmp_path):
    # A result from an earlier, good run is not replaced or removed by a failing run.
    path = _good_workbook(tmp_path)
    out = tmp_path / "结果.xlsx"
    first = invoke(path, "--out", str(out))
    assert first.exit_code == 0, first.output
    earlier = sha256(out)

    write_workbook(
        path, {"委员名单": MEMBERS, "提案": [PROPOSAL_HEADER, proposal("2023001", "张叁")]}
    )
    run = invoke(path, "--out", str(out))

    assert run.exit_code == 1, run.output
    assert sha256(out) == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.xlsx", "结果.xlsx"]


def test_an_id_that_lost_its_leading_zeros_says_so(tmp_path):
    path = write_workbook(
        tmp_path / "zeros.xlsx",
        {
            "委员名单": roster(["0297", "王伟", "农业界"], ["0022", "王伟", "中共"]),
            "提案": [PROPOSAL_HEADER, ["P1", "题", dt.date(2023, 1, 5), "个人", 297, "立案"]],
        },
    )
    [problem] = [p for p in data_problems(path) if p.severity == "错误"]
    assert (
        problem.place == "提案!E2"
        and "0297" in problem.suggestion
        and "前导零" in problem.suggestion
    )


def test_an_excel_error_cell_and_an_uncomputed_formula_are_named_once_each(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "委员名单"
    sheet.append(["委员编号", "姓名", "界别"])
    sheet.append(["001", "张三", "经济界"])
    sheet.append(["002", '=CONCATENATE("李","四")', "教育界"])  # openpyxl saves no computed value
    sheet.append(["003", "王五", "#N/A"])  # openpyxl writes this as an error cell
    book.create_sheet("提案").append(PROPOSAL_HEADER)
    book["提案"].append(["P1", "题", dt.datetime(2023, 1, 5), "个人", "张三", "立案"])
    path = tmp_path / "cells.xlsx"
    book.save(path)
    problems = data_problems(path)
    by_place = {}
    for p in problems:
        by_place.setdefault(p.place, []).append(p)
    assert [p.message for p in by_place["委员名单!B3"]] == [
        "“姓名”是公式，但文件中没有保存计算结果，此格为必填"
    ]
    assert by_place["委员名单!B3"][0].severity == "错误"
    assert by_place["委员名单!B3"][0].value == '=CONCATENATE("李","四")'
    assert [(p.message, p.value) for p in by_place["委员名单!C4"]] == [
        ("“界别”是 Excel 错误值", "#N/A")
    ]


def test_a_wrong_assessment_year_stops_instead_of_grading_everyone_down(runner, tmp_path):
    import shutil

    from .conftest import SAMPLE

    path = tmp_path / "2023.xlsx"
    shutil.copyfile(SAMPLE, path)
    result = runner.invoke(app, ["assess", str(path), "--year", "2022"])
    assert result.exit_code == 1
    assert "考核年度是否写错" in flat(result.output) and "2023" in flat(result.output)
    assert not (tmp_path / "2023-考核结果.xlsx").exists()


def test_a_record_from_another_year_names_its_date_cell(tmp_path):
    path = write_workbook(
        tmp_path / "year.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "提案": [
                PROPOSAL_HEADER,
                ["P1", "题", dt.date(2023, 1, 5), "个人", "张三", "立案"],
                ["P2", "题", dt.date(2023, 2, 5), "个人", "张三", "立案"],
                ["P3", "题", dt.date(2022, 12, 30), "个人", "张三", "立案"],
            ],
        },
    )
    result = perfscore.assess(path, allow_missing_sheets=True)
    [warning] = [p for p in result.warnings if p.reason == "outside_year"]
    assert warning.place == "提案!C4" and warning.value == "2022-12-30"


def test_a_workbook_whose_only_register_is_unreadable_reports_it(tmp_path):
    # With the year known (from --year or the rules), no register left to score must not crash.
    path = write_workbook(
        tmp_path / "only.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"]),
            "提案": [
                ["提案编号", "标题", "提交日期", "状态"],
                ["P1", "题", dt.date(2023, 1, 5), "立案"],
            ],
        },
    )
    with pytest.raises(perfscore.DataError) as caught:
        perfscore.assess(path, year=2023, allow_missing_sheets=True)
    assert [p.reason for p in caught.value.problems if p.severity == "错误"] == ["missing_column"]


# --- ordinary failures, odd names, control characters ----------------------------------------------


def test_an_output_folder_that_cannot_hold_the_file_is_a_plain_message(runner, tmp_path):
    """xlsxwriter wraps the system's refusal in its own FileCreateError: still the one-line
    无法读写文件 message with exit 2, never 内部错误."""
    blocker = tmp_path / "结果"
    blocker.write_text("a file where a folder should be")
    for out in ("考核.xlsx", "考核.json"):
        result = runner.invoke(app, ["assess", str(SAMPLE_COPY), "--out", str(blocker / out)])
        assert result.exit_code == 2, result.output
        assert "无法读写文件" in result.output and "内部错误" not in result.output
        assert "Traceback" not in result.output
    assert blocker.read_text() == "a file where a folder should be"


@pytest.mark.parametrize(
    "args, words",
    [
        (["assess", "{sample}", "--year", "0"], "考核年度 0 无效"),
        (["assess", "{sample}", "--year", "12023"], "考核年度 12023 无效"),
        (["check", "{sample}", "--year", "-1"], "考核年度 -1 无效"),
        (["report", "{sample}", "--as-of", "9999-12-31"], "通报期间“9999-12-31”无效"),
        (["report", "{sample}", "--quarter", "9999Q4"], "通报期间“9999Q4”无效"),
        (["template", "{out}", "--year", "0"], "示例年度 0 无效"),
    ],
)
def test_impossible_years_and_dates_are_usage_errors(runner, tmp_path, args, words):
    args = [a.format(sample=SAMPLE_COPY, out=tmp_path / "模板.xlsx") for a in args]
    if args[0] == "report":
        args += ["--out-dir", str(tmp_path)]
    elif args[0] == "assess":
        args += ["--out", str(tmp_path / "考核.json")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "内部错误" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_that_is_not_utf8_is_read_and_shown_decoded(runner, tmp_path):
    """GBK bytes in a name (a zip made on Windows) are a name like any other: the workbook is
    read, and messages show the name decoded."""
    raw = os.fsencode(tmp_path) + b"/" + "政协名单".encode("gbk") + b".xlsx"
    Path(os.fsdecode(raw)).write_bytes(SAMPLE_COPY.read_bytes())
    result = runner.invoke(app, ["check", os.fsdecode(raw)])
    assert result.exit_code == 0, result.output
    assert "政协名单.xlsx" in result.output


def test_control_characters_from_a_workbook_reach_the_terminal_as_visible_signs(runner, tmp_path):
    """ESC sequences (clear the screen, move the cursor), a bell and a NUL in a name
    are printed as ␛, ␇ and ␀; nothing the terminal would act on gets through."""
    folder = tmp_path / "登记"
    folder.mkdir()
    (folder / "委员名单.csv").write_text("委员编号,姓名,界别\n0001,张三,经济界\n", encoding="utf-8")
    hostile = "王\x1b[2J\x1b[H五\x07\x00\u202e"  # (a ; would split the name in two)
    (folder / "提案.csv").write_text(
        f"提案编号,标题,提交日期,提案方式,提案人,状态\n1,题目,2023-03-01,个人,{hostile},立案\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1, result.output
    assert "提案!E2" in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", result.output)
    assert "王␛[2J␛[H五␇␀<U+202E>" in result.output
