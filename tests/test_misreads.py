"""Never a silent misread: what a clerk could mean two ways is an error at the cell, or is
allowed by name and then reported.

Duplicate records, ids that lost their zeros, a proposal form that does not fit its proposers,
and --skip-bad-rows leaving out only the part that is wrong.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import DataError, Reason, Severity

from .conftest import DEFAULT_RULES, roster, write_workbook

MEETINGS = ["会议名称", "会议类型", "日期", "委员", "出勤情况"]
ACTIVITIES = ["活动名称", "活动类型", "形式", "日期", "参加委员"]
PROPOSALS = ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态"]


def _members(*extra: list) -> list[list]:
    return roster(
        ["0001", "张三", "经济界"], ["0002", "李四", "经济界"], ["0003", "王五", "教育界"], *extra
    )


def _ledger_points(result, member_id: str, rule_prefix: str) -> float:
    lines = result.ledger[result.ledger["member_id"] == member_id]
    return float(lines.loc[lines["rule_id"].str.startswith(rule_prefix), "points"].sum())


def _problems(exc: pytest.ExceptionInfo[DataError], reason: Reason):
    return [p for p in exc.value.problems if p.reason is reason]


# --- duplicate records ----------------------------------------------------------------------


def _twice_absent(tmp_path: Path) -> Path:
    day = dt.date(2023, 3, 5)
    return write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "会议出勤": [
                MEETINGS,
                ["十届二次全体会议", "全体会议", day, "张三", "缺席"],
                ["十届二次全体会议", "全体会议", day, "李四", "出席"],
                ["十届二次全体会议", "全体会议", day, "张三", "缺席"],
            ],
        },
    )


def test_a_record_entered_twice_is_an_error_naming_both_cells(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        perfscore.assess(_twice_absent(tmp_path), DEFAULT_RULES)
    [problem] = _problems(exc, Reason.DUPLICATE_RECORD)
    assert problem.severity is Severity.ERROR
    assert problem.place == "会议出勤!D4"
    assert "会议出勤!D2" in problem.message and "同一会议" in problem.message
    assert "--allow-duplicates" in problem.suggestion


def test_allow_duplicates_counts_both_and_says_so(tmp_path: Path) -> None:
    book = _twice_absent(tmp_path)
    once = write_workbook(
        tmp_path / "once.xlsx",
        {
            "委员名单": _members(),
            "会议出勤": [
                MEETINGS,
                ["十届二次全体会议", "全体会议", dt.date(2023, 3, 5), "张三", "缺席"],
            ],
        },
    )
    twice = perfscore.assess(book, DEFAULT_RULES, allow_duplicates=True)
    single = perfscore.assess(once, DEFAULT_RULES)
    lost_once = _ledger_points(single, "0001", "meetings.") - 20  # from the 20-point start
    lost_twice = _ledger_points(twice, "0001", "meetings.") - 20
    assert lost_once < 0 and lost_twice == 2 * lost_once
    [note] = [p for p in twice.problems if p.reason is Reason.DUPLICATE_RECORD]
    assert note.severity is Severity.WARNING and "--allow-duplicates" in note.message


def test_the_same_meeting_on_another_day_is_not_a_duplicate(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "会议出勤": [
                MEETINGS,
                ["常委会议", "常委会议", dt.date(2023, 3, 5), "张三", "缺席"],
                ["常委会议", "常委会议", dt.date(2023, 6, 5), "张三", "缺席"],
            ],
        },
    )
    result = perfscore.assess(book, DEFAULT_RULES)
    assert not [p for p in result.problems if p.reason is Reason.DUPLICATE_RECORD]


# --- ids --------------------------------------------------------------------------------------


def test_an_id_that_lost_its_zeros_is_an_error_with_the_likely_id(tmp_path: Path) -> None:
    members = roster(
        *[[f"{i:04d}", f"委员{i}", "经济界"] for i in range(1, 13)],
        [13, "钱十三", "经济界"],  # typed as a number: the cell shows 13, not 0013
    )
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": members,
            "活动": [ACTIVITIES, ["专题视察", "视察", "", dt.date(2023, 4, 2), "钱十三、委员1"]],
        },
    )
    with pytest.raises(DataError) as exc:
        perfscore.assess(book, DEFAULT_RULES)
    [problem] = [p for p in exc.value.problems if "格式不同" in p.message]
    assert problem.place == "委员名单!A14"
    assert "4 位数字" in problem.message and "“0013”" in problem.suggestion


def test_plain_numbered_ids_are_a_scheme_of_their_own(tmp_path: Path) -> None:
    members = roster(*[[i, f"委员{i}", "经济界"] for i in range(1, 13)])
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": members,
            "活动": [ACTIVITIES, ["专题视察", "视察", "", dt.date(2023, 4, 2), "委员3、委员12"]],
        },
    )
    result = perfscore.assess(book, DEFAULT_RULES)
    assert set(result.members["member_id"]) >= {"3", "12"}


# --- proposal form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "proposers", "message"),
    [
        ("个人", "张三、李四", "提案方式为“个人”，但提案人不止一位"),
        ("联名", "张三", "提案方式为“联名”，但只写了一位提案人"),
    ],
)
def test_a_proposal_form_that_does_not_fit_its_proposers(
    tmp_path: Path, form: str, proposers: str, message: str
) -> None:
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "提案": [
                PROPOSALS,
                ["2023001", "关于公交的提案", dt.date(2023, 2, 1), form, proposers, "立案"],
            ],
        },
    )
    with pytest.raises(DataError) as exc:
        perfscore.assess(book, DEFAULT_RULES)
    [problem] = [p for p in exc.value.problems if p.message == message]
    assert problem.place == "提案!D2"


# --- --skip-bad-rows leaves out the smallest part -------------------------------------------


def test_skip_bad_rows_drops_the_unknown_name_only(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "活动": [
                ACTIVITIES,
                ["专题视察", "视察", "", dt.date(2023, 4, 2), "张三、赵六、李四"],
            ],
        },
    )
    with pytest.raises(DataError):
        perfscore.assess(book, DEFAULT_RULES)
    result = perfscore.assess(book, DEFAULT_RULES, skip_bad_rows=True)
    assert _ledger_points(result, "0001", "activities.") == 1.5
    assert _ledger_points(result, "0002", "activities.") == 1.5
    [note] = [p for p in result.problems if p.reason is Reason.UNKNOWN_MEMBER]
    assert note.severity is Severity.WARNING
    assert "“赵六”" in note.message and "其他委员照常计分" in note.message


def test_a_skipped_meeting_row_is_listed_against_its_member(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "会议出勤": [
                MEETINGS,
                ["十届二次全体会议", "全体会议", dt.date(2023, 3, 5), "张三", "旷会"],
            ],
        },
    )
    result = perfscore.assess(book, DEFAULT_RULES, skip_bad_rows=True)
    [note] = [p for p in result.problems if p.member_id == "0001"]
    assert note.severity is Severity.WARNING
    assert note.place == "会议出勤!D2"
    assert "扣分也未计入" in note.message and "出勤情况" in note.message
    from perfscore.explanation import explain

    explanation = explain(result, "张三")
    assert note in explanation.notes


# --- folder runs never write two results to one path ----------------------------------------


def test_a_folder_with_two_workbooks_of_one_name_is_refused_before_any_work(
    tmp_path: Path, runner
) -> None:
    from perfscore.cli import app

    members = {"委员名单": _members()}
    write_workbook(tmp_path / "a.xlsx", members)
    (tmp_path / "a.xlsm").write_bytes((tmp_path / "a.xlsx").read_bytes())
    write_workbook(tmp_path / "b.xlsx", members)
    result = runner.invoke(app, ["assess", str(tmp_path), "--rules", str(DEFAULT_RULES)])
    assert result.exit_code == 2
    assert "a-考核结果.xlsx" in result.output and "a.xlsx" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsm", "a.xlsx", "b.xlsx"]
