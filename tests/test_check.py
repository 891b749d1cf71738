"""`perfscore check` (every problem, nothing written) and `assess --skip-bad-rows`."""

from __future__ import annotations

import datetime as dt

import openpyxl

import perfscore
from perfscore.cli import app

from .conftest import roster, sha256, write_workbook

HEADER = ["提案编号", "标题", "提交日期", "提案人", "状态"]  # 提案人 is column D


def broken_workbook(tmp_path):
    # Row 3: unknown proposer 张叁; row 4: status 待定; row 5 is fine; 活动 row 2: bad date.
    return write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"], ["002", "李四", "教育界"]),
            "提案": [
                HEADER,
                ["P1", "一", dt.date(2023, 1, 5), "张三", "立案"],
                ["P2", "二", dt.date(2023, 1, 6), "李四、张叁", "立案"],
                ["P3", "三", dt.date(2023, 1, 7), "李四", "待定"],
                ["P4", "四", dt.date(2023, 1, 8), "李四", "立案"],
            ],
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察", "视察", "明年", "张三"],
            ],
        },
    )


# The registers the default rules score that broken_workbook lacks.
ABSENT = ["社情民意", "信息采用", "调研报告", "会议出勤", "双五个一"]


def test_check_lists_every_problem_and_writes_nothing(runner, tmp_path):
    path = broken_workbook(tmp_path)
    before = sha256(path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    for place in ("提案!D3", "提案!E4", "活动!C2"):
        assert place in result.output
    assert "张叁" in result.output and "是不是：张三？" in result.output
    # The registers the rules score that the workbook lacks come in the same list.
    for name in ABSENT:
        assert f"工作簿中没有“{name}”登记表" in result.output
    assert "错误 8 处" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.xlsx"]
    assert sha256(path) == before


def test_check_of_a_clean_workbook_exits_0_with_its_warnings(runner, sample_copy):
    result = runner.invoke(app, ["check", str(sample_copy)])
    assert result.exit_code == 0
    assert "错误 0 处，警告 1 处" in result.output and "会议出勤!D354" in result.output


def test_check_of_an_unreadable_file_exits_2(runner, tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2 and "找不到文件" in result.output


def test_the_library_check_returns_errors_and_warnings_apart(tmp_path):
    report = perfscore.check(broken_workbook(tmp_path))
    assert sorted(p.place for p in report.errors) == sorted(
        ["提案!D3", "提案!E4", "活动!C2", *ABSENT]
    )
    assert report.warnings == []
    allowed = perfscore.check(broken_workbook(tmp_path), allow_missing_sheets=True)
    assert sorted(p.place for p in allowed.errors) == ["提案!D3", "提案!E4", "活动!C2"]
    assert sorted(p.place for p in allowed.warnings) == sorted(ABSENT)


def test_assess_skip_bad_rows_scores_the_rest_and_lists_each_skipped_row(runner, tmp_path):
    path = broken_workbook(tmp_path)
    stopped = runner.invoke(app, ["assess", str(path)])
    assert stopped.exit_code == 1 and not (tmp_path / "2023-考核结果.xlsx").exists()
    # A missing register is no bad row: skipping rows does not allow it.
    stopped = runner.invoke(app, ["assess", str(path), "--skip-bad-rows"])
    assert stopped.exit_code == 1 and "--allow-missing-sheets" in stopped.output

    result = runner.invoke(app, ["assess", str(path), "--skip-bad-rows", "--allow-missing-sheets"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "2023-考核结果.xlsx", read_only=True)
    notes = {
        row[1]: str(row[2])
        for row in book["数据提示"].iter_rows(min_row=2, values_only=True)
        if str(row[2]).startswith("已跳过")
    }
    # The unknown name alone is skipped; a row with a bad status or date is skipped for each
    # member it names, at the cell that names them, saying which cell was wrong.
    assert sorted(notes) == ["提案!D3", "提案!D4", "活动!D2"]
    assert notes["提案!D3"].startswith("已跳过“张叁”") and "其他委员照常计分" in notes["提案!D3"]
    assert "提案!E4" in notes["提案!D4"] and "活动!C2" in notes["活动!D2"]
    ledger = [row for row in book["积分明细"].iter_rows(min_row=2, values_only=True)]
    sources = {row[7] for row in ledger}
    # P2 still credits 李四, who was named correctly beside the unknown 张叁.
    assert {"提案!D2", "提案!D3", "提案!D5"} <= sources
    assert "提案!D4" not in sources and "活动!D2" not in sources


def test_check_skip_bad_rows_previews_what_assess_would_skip(runner, tmp_path):
    path = broken_workbook(tmp_path)
    flags = ["--skip-bad-rows", "--allow-missing-sheets"]
    preview = runner.invoke(app, ["check", str(path), *flags], env={"COLUMNS": "300"})
    assert preview.exit_code == 0, preview.output
    assert not list(tmp_path.glob("*考核结果*"))  # check writes nothing
    assessed = runner.invoke(app, ["assess", str(path), *flags], env={"COLUMNS": "300"})
    assert assessed.exit_code == 0, assessed.output

    def summary(output: str, head: str) -> str:
        [line] = [line for line in output.splitlines() if line.startswith(head)]
        return line.split("：", 1)[1]

    # the same members, items and points as the assessment's own summary
    would = summary(preview.output, "--skip-bad-rows 将跳过的项目")
    assert would == summary(assessed.output, "--skip-bad-rows 跳过的项目")
    assert "若计入，总分" in would
    skipped = [
        p
        for p in perfscore.check(path, skip_bad_rows=True, allow_missing_sheets=True).warnings
        if p.message.startswith("已跳过")
    ]
    assert sorted(p.place for p in skipped) == ["提案!D3", "提案!D4", "活动!D2"]
    assert all("若单独计入" in p.message or "若计入" in p.message for p in skipped)
    assert "用 --skip-bad-rows 计分时跳过上面所列的项目" in preview.output
    # without the flag the same workbook still has its errors
    assert runner.invoke(app, ["check", str(path), "--allow-missing-sheets"]).exit_code == 1
    # with errors no row can be skipped for (absent registers), each skipped part is listed
    # once, with its points
    stopped = perfscore.check(path, skip_bad_rows=True)
    assert sorted(p.place for p in stopped.errors) == sorted(ABSENT)
    places = [p.place for p in stopped.warnings if p.message.startswith("已跳过")]
    assert sorted(places) == ["提案!D3", "提案!D4", "活动!D2"]
    [dated] = [p for p in stopped.warnings if p.place == "活动!D2"]
    assert "若单独计入：1.5 分" in dated.message


def test_skip_bad_rows_does_not_hide_a_broken_roster(tmp_path):
    path = write_workbook(
        tmp_path / "roster.xlsx",
        {
            "委员名单": roster(["001", "张三", "经济界"], ["001", "李四", "教育界"]),
            "提案": [HEADER, ["P1", "一", dt.date(2023, 1, 5), "张三", "立案"]],
        },
    )
    try:
        perfscore.assess(path, skip_bad_rows=True, allow_missing_sheets=True)
    except perfscore.DataError as exc:
        assert any(p.reason == "duplicate_id" and p.sheet == "委员名单" for p in exc.problems)
    else:
        raise AssertionError("a duplicate member ID must stop the run even with skip_bad_rows")
