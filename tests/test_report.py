"""`perfscore report`: quarterly/monthly progress reports that cron can run unattended.

Given a workbook and a period, the report scores the records dated up to the period's end with
the same rules as `assess` (so Q4 equals the year), judges each member in office against the
share of their year elapsed, lists members with no activity in the period, and compares with
the previous period. It writes `<period>-季度履职通报.xlsx` and `.md`, prints only their paths
on stdout, and runs the same with no terminal, no HOME, LANG=C and another working directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import perfscore
from perfscore import quarterly
from perfscore.cli import app
from perfscore.errors import UsageError
from perfscore.quarterly import (
    Period,
    assess_progress,
    last_complete_quarter,
    parse_day,
    parse_month,
    parse_quarter,
)
from perfscore.writers.markdown import cell, table, write_markdown
from perfscore.writers.quarterly import progress_markdown

from .conftest import SAMPLE, roster, sha256, write_workbook

D = dt.date

# --- a small workbook whose every number is worked out by hand -------------------------------

RULES = """\
scheme: 进度测试办法
version: "1"
categories:
  - id: work
    name: 履职
    items:
      - id: activity
        name: 参加活动
        match: {kind: activity}
        points: 1
      - id: adopted
        name: 信息被采用
        match: {kind: information, status: [已采用]}
        points: 5
checklist:
  name: 四个一
  items:
    - name: 践一诺
      any_of: [{kind: duty, type: [践一诺]}]
    - name: 献一策
      any_of: [{kind: duty, type: [献一策]}]
    - name: 提一案
      any_of: [{kind: duty, type: [提一案]}]
    - name: 联一村
      any_of: [{kind: duty, type: [联一村]}]
grades:
  - grade: 好
    min: 5
  - grade: 其他
"""


@pytest.fixture
def hand(tmp_path: Path) -> tuple[Path, Path]:
    """Five members, 2023:

    * 0001 甲 (经济界), all year: 践一诺 10 Feb, 献一策 30 Jun (the last day of Q2); activities on
      31 Mar (the last day of Q1), 30 Jun and 1 Jul; an information item of 1 Mar adopted 10 Jul.
    * 0002 乙 (经济界), joined 1 May: one activity on 20 May.
    * 0003 丙 (教育界), all year: 提一案 15 Jan; in Q2 only a plenary he missed (缺席).
    * 0004 丁 (教育界), joins 1 Aug: nothing.
    * 0005 戊 (经济界), left 31 May: 践一诺 1 Mar.
    """
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["0001", "甲", "经济界"],
                ["0002", "乙", "经济界", "", "", "", "", D(2023, 5, 1)],
                ["0003", "丙", "教育界"],
                ["0004", "丁", "教育界", "", "", "", "", D(2023, 8, 1)],
                ["0005", "戊", "经济界", "", "", "", "", "", D(2023, 5, 31)],
            ),
            "双五个一": [
                ["委员", "项目", "日期"],
                ["甲", "践一诺", D(2023, 2, 10)],
                ["甲", "献一策", D(2023, 6, 30)],
                ["丙", "提一案", D(2023, 1, 15)],
                ["戊", "践一诺", D(2023, 3, 1)],
            ],
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察一", "视察", D(2023, 3, 31), "甲"],
                ["视察二", "视察", D(2023, 6, 30), "甲"],
                ["视察三", "视察", D(2023, 7, 1), "甲"],
                ["调研一", "调研", D(2023, 5, 20), "乙"],
            ],
            "会议出勤": [
                ["会议名称", "会议类型", "日期", "委员", "出勤情况"],
                ["常委会", "全体会议", D(2023, 5, 8), "丙", "缺席"],
            ],
            "社情民意": [
                ["信息编号", "标题", "报送日期", "作者"],
                ["X1", "关于某事的建议", D(2023, 3, 1), "甲"],
            ],
            "信息采用": [
                ["信息编号", "类别", "级别", "日期"],
                ["X1", "采用", "市", D(2023, 7, 10)],
            ],
            # Kept, nothing entered: the shipped rules score them.
            "提案": [["提案编号", "标题", "提交日期", "提案人", "状态"]],
            "调研报告": [["报告编号", "标题", "日期", "作者"]],
        },
    )
    return book, rules


def by_id(report) -> pd.DataFrame:
    return report.members.set_index("member_id")


def test_q2_by_hand(hand):
    book, rules = hand
    report = assess_progress(book, parse_quarter("2023Q2"), rules)
    m = by_id(report)
    # 甲: activities of 31 Mar and 30 Jun (not 1 Jul); the information adopted on 10 Jul is not yet adopted.
    assert (
        m.loc["0001", "points"] == 2
        and m.loc["0001", "points_previous"] == 1
        and m.loc["0001", "points_change"] == 1
    )
    # 甲: 践一诺 and 献一策 (dated 30 Jun, the last day of Q2) done; 4 × 6/12 = 2 due -> on pace.
    assert (
        m.loc["0001", "checklist_done"],
        m.loc["0001", "checklist_expected"],
        m.loc["0001", "pace"],
    ) == (2, 2, "on_pace")
    assert m.loc["0001", "checklist_change"] == 1
    assert m.loc["0001", "period_records"] == 2  # 献一策 and the activity, both on 30 Jun
    # 乙 joined 1 May: 2 of 8 months elapsed -> floor(4 × 2/8) = 1 due, none done -> behind.
    assert m.loc["0002", "share"] == pytest.approx(0.25)
    assert (
        m.loc["0002", "checklist_expected"],
        m.loc["0002", "pace"],
        m.loc["0002", "reminder"],
    ) == (1, "behind", True)
    assert m.loc["0002", "points"] == 1 and not m.loc["0002", "no_activity"]
    # 丙: a missed meeting is no activity; 1 of 2 due -> behind.
    assert m.loc["0003", "period_records"] == 0 and m.loc["0003", "no_activity"]
    assert (m.loc["0003", "pace"], m.loc["0003", "reminder"]) == ("behind", True)
    # 丁 starts after the period: not judged, not reminded. 戊 left before the period's end: the same.
    assert (
        m.loc["0004", "status"],
        m.loc["0004", "pace"],
        m.loc["0004", "reminder"],
        m.loc["0004", "no_activity"],
    ) == ("not_started", "", False, False)
    assert (m.loc["0005", "status"], m.loc["0005", "pace"], m.loc["0005", "reminder"]) == (
        "left",
        "",
        False,
    )

    c = report.counts
    assert (
        c.in_office,
        c.not_started,
        c.left,
        c.on_pace,
        c.behind,
        c.no_activity,
        c.reminders,
    ) == (3, 1, 1, 1, 2, 1, 2)
    assert c.expected_full_year == 2
    sectors = report.groups[report.groups["dimension"] == "界别"].set_index("group")
    assert list(sectors.index) == ["教育界", "经济界"]  # furthest behind first: 1 of 1, then 1 of 2
    assert sectors.loc["教育界", "members"] == 1 and sectors.loc["经济界", "behind"] == 1
    assert sectors.loc["经济界", "behind_share"] == pytest.approx(0.5)


def test_q1_has_no_previous_period_and_q3_counts_the_adoption_when_it_happened(hand):
    book, rules = hand
    q1 = by_id(assess_progress(book, parse_quarter("2023Q1"), rules))
    assert q1["points_change"].isna().all() and q1["checklist_change"].isna().all()
    assert q1.loc["0001", "points"] == 1  # the activity of 31 Mar, the last day of Q1
    assert (q1.loc["0001", "checklist_expected"], q1.loc["0001", "pace"]) == (
        1,
        "on_pace",
    )  # floor(4 × 3/12) = 1
    assert (q1.loc["0002", "status"], q1.loc["0002", "reminder"]) == ("not_started", False)
    q3 = by_id(assess_progress(book, parse_quarter("2023Q3"), rules))
    assert q3.loc["0001", "points"] == 3 + 5  # three activities, and the item adopted on 10 Jul
    assert q3.loc["0001", "points_change"] == 6
    assert q3.loc["0001", "period_records"] == 1  # the adoption is not the member's activity


def test_q4_points_equal_assess_totals_and_as_of_matches_the_period(hand):
    book, rules = hand
    q4 = by_id(assess_progress(book, parse_quarter("2023Q4"), rules))
    year = perfscore.assess(book, rules).members.set_index("member_id")
    assert (q4["points"] == year["total"].reindex(q4.index)).all()
    mid = perfscore.assess(book, rules, as_of=D(2023, 6, 30)).members.set_index("member_id")
    q2 = by_id(assess_progress(book, parse_quarter("2023Q2"), rules))
    assert (q2["points"] == mid["total"].reindex(q2.index)).all()


def test_month_and_as_of_periods(hand):
    book, rules = hand
    june = by_id(assess_progress(book, parse_month("2023-06"), rules))
    assert june.loc["0001", "points_change"] == 1  # +30 Jun since the end of May
    assert june.loc["0002", "period_records"] == 0 and june.loc["0002", "no_activity"]
    mid = assess_progress(book, Period.as_of(D(2023, 6, 29)), rules)
    m = by_id(mid)
    assert (
        m.loc["0001", "points"] == 1 and m.loc["0001", "checklist_done"] == 1
    )  # 30 Jun is after the day
    assert mid.previous == parse_quarter("2023Q1")


# --- period arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2023Q1", D(2023, 1, 1), D(2023, 3, 31)),
        ("2023Q2", D(2023, 4, 1), D(2023, 6, 30)),
        ("2023q3", D(2023, 7, 1), D(2023, 9, 30)),
        ("2023-Q4", D(2023, 10, 1), D(2023, 12, 31)),
        ("2023年第二季度", D(2023, 4, 1), D(2023, 6, 30)),
    ],
)
def test_quarter_boundaries(text, start, end):
    period = parse_quarter(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text,start,end,label",
    [
        ("2023-05", D(2023, 5, 1), D(2023, 5, 31), "2023-05"),
        ("2024-2", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
        ("2023年12月", D(2023, 12, 1), D(2023, 12, 31), "2023-12"),
    ],
)
def test_month_boundaries(text, start, end, label):
    period = parse_month(text)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_previous_periods():
    assert parse_quarter("2023Q2").previous == parse_quarter("2023Q1")
    assert parse_quarter("2023Q1").previous is None
    assert parse_month("2023-05").previous == parse_month("2023-04")
    assert parse_month("2023-01").previous is None
    mid = Period.as_of(D(2023, 5, 15))
    assert (mid.start, mid.end, mid.label, mid.previous) == (
        D(2023, 4, 1),
        D(2023, 5, 15),
        "2023-05-15",
        parse_quarter("2023Q1"),
    )
    assert Period.as_of(D(2023, 2, 1)).previous is None


@pytest.mark.parametrize(
    "today,expected",
    [
        (D(2023, 7, 1), "2023Q2"),  # the first day of Q3: Q2 has just ended
        (D(2023, 6, 30), "2023Q1"),  # the last day of Q2: Q2 is not complete yet
        (D(2024, 1, 1), "2023Q4"),
        (D(2023, 1, 15), "2022Q4"),
    ],
)
def test_last_complete_quarter(today, expected):
    assert last_complete_quarter(today).label == expected
    assert quarterly.resolve_period(today=today).label == expected


def test_elapsed_share_by_month():
    starts = pd.Series([pd.NaT, pd.Timestamp(2023, 5, 1), pd.Timestamp(2023, 6, 16), pd.NaT])
    ends = pd.Series([pd.NaT, pd.NaT, pd.NaT, pd.Timestamp(2023, 9, 30)])
    share = quarterly._elapsed_share(starts, ends, 2023, D(2023, 6, 30))
    assert share.tolist() == pytest.approx([6 / 12, 2 / 8, 0.5 / 6.5, 6 / 9])
    assert quarterly._elapsed_share(starts[:1], ends[:1], 2023, D(2023, 5, 15)).iloc[
        0
    ] == pytest.approx((4 + 15 / 31) / 12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_quarter("2023Q5"),
        lambda: parse_month("2023-13"),
        lambda: parse_day("2023-02-30"),
        lambda: parse_day("昨天"),
        lambda: quarterly.resolve_period("2023Q1", "2023-01"),
    ],
)
def test_bad_periods_are_usage_errors(call):
    with pytest.raises(UsageError):
        call()


def test_parse_day_forms():
    assert (
        parse_day("2023/6/30")
        == parse_day("2023年6月30日")
        == parse_day("2023.6.30")
        == D(2023, 6, 30)
    )


# --- Markdown cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("张|三", "张\\|三"),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("-2", "-2"),  # a plain signed number is read as a number, never as a formula
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("两\n行", "两 行"),
        ("*强调*", "\\*强调\\*"),
        (3, "3"),
        (-2.5, "-2.5"),  # a number, not text: never prefixed
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_markdown_cell(value, expected):
    assert cell(value) == expected


def test_markdown_table_keeps_formatted_numbers_as_numbers():
    frame = pd.DataFrame({"姓名": ["=A1", "李|四"], "变化": [-2.0, 1.5]})
    lines = table(frame, {"变化": lambda v: f"{v:+.2f}"})
    assert lines == ["| 姓名 | 变化 |", "|---|---:|", "| '=A1 | -2.00 |", "| 李\\|四 | +1.50 |"]


def test_markdown_of_hostile_names_keeps_the_table_intact(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["0001", "=cmd|x", "经|济界"], ["0002", "-乙", "教育界"]),
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察一", "视察", D(2023, 3, 31), "0001"],
            ],
        },
    )
    text = progress_markdown(
        assess_progress(book, parse_quarter("2023Q2"), rules, allow_missing_sheets=True)
    )
    rows = [
        next(line for line in text.splitlines() if line.startswith(f"| {mid} "))
        for mid in ("0001", "0002")
    ]
    assert rows[0].startswith("| 0001 | '=cmd\\|x | 经\\|济界 |")
    assert rows[1].startswith("| 0002 | '-乙 | 教育界 |")
    header = next(line for line in text.splitlines() if line.startswith("| 委员编号"))
    assert _cells(rows[0]) == _cells(rows[1]) == _cells(header)
    assert "- 经\\|济界（1 人）：'=cmd\\|x" not in text  # in prose a name is escaped, not prefixed
    assert "=cmd\\|x（0/4 项" in text


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


# --- the sample: every quarter, and Q4 equals the year ----------------------------------------


@pytest.fixture(scope="module")
def sample_year(sample_result):
    return sample_result.members.set_index("member_id")


@pytest.mark.parametrize("quarter", ["2023Q1", "2023Q2", "2023Q3", "2023Q4"])
def test_every_quarter_of_the_sample(quarter, tmp_path, sample_year):
    report, paths = perfscore.report(SAMPLE, parse_quarter(quarter), out_dir=tmp_path)
    assert [p.name for p in paths] == [
        f"{quarter}-季度履职通报.xlsx",
        f"{quarter}-季度履职通报.md",
        f"{quarter}-季度履职通报.docx",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in paths
    )  # no temporary files left
    book = openpyxl.load_workbook(paths[0], read_only=True)
    assert book.sheetnames[:4] == ["摘要", "需提醒委员", "分组进度", "委员进度"]
    text = paths[1].read_text(encoding="utf-8")
    assert (
        text.index("## 一、概况")
        < text.index("## 三、需要提醒的委员")
        < text.index("## 六、委员明细")
    )
    m = report.members.set_index("member_id")
    assert len(m) == len(sample_year)
    if (
        quarter == "2023Q4"
    ):  # the last quarter's points to date are the year's totals, member by member
        assert (m["points"] == sample_year["total"].reindex(m.index)).all()
        assert (m["checklist_done"] == sample_year["checklist_done"].reindex(m.index)).all()
    assert report.members["reminder"].sum() == report.counts.reminders
    # 0320 joined on 15 June, 0269 left on 30 September: neither is judged while out of office.
    joined, left = m.loc["0320"], m.loc["0269"]
    assert joined["status"] == ("not_started" if quarter == "2023Q1" else "in_office")
    assert left["status"] == ("left" if quarter == "2023Q4" else "in_office")
    if quarter == "2023Q1":
        assert (joined["pace"], joined["reminder"], joined["no_activity"]) == ("", False, False)
    if quarter == "2023Q4":
        assert (left["pace"], left["reminder"]) == ("", False)


# --- the command --------------------------------------------------------------------------------


def test_report_command_prints_only_the_paths(runner, hand):
    book, _ = hand  # the shipped rules
    run = runner.invoke(app, ["report", str(book), "--quarter", "2023Q2"])
    assert run.exit_code == 0, run.output
    folder = book.parent.absolute()
    assert run.stdout.splitlines() == [
        str(folder / "2023Q2-季度履职通报.xlsx"),
        str(folder / "2023Q2-季度履职通报.md"),
        str(folder / "2023Q2-季度履职通报.docx"),
    ]
    assert "2023年第二季度" in run.stderr


def test_quiet_prints_nothing(runner, hand):
    book, rules = hand
    run = runner.invoke(
        app, ["report", str(book), "-r", str(rules), "--month", "2023-05", "--quiet"]
    )
    assert run.exit_code == 0, run.output
    assert run.stdout == "" and run.stderr == ""
    assert (book.parent / "2023-05-月度履职通报.md").exists()


def test_default_period_is_the_last_complete_quarter(runner, hand, monkeypatch):
    book, rules = hand
    monkeypatch.setattr(quarterly, "_today", lambda: D(2023, 10, 1))
    run = runner.invoke(app, ["report", str(book), "-r", str(rules), "-q"])
    assert run.exit_code == 0, run.output
    assert (book.parent / "2023Q3-季度履职通报.xlsx").exists()
    monkeypatch.setattr(quarterly, "_today", lambda: D(2025, 1, 1))
    run = runner.invoke(app, ["report", str(book), "-r", str(rules)])
    assert run.exit_code == 2
    assert (
        "2024Q4" in run.stderr and "2023" in run.stderr
    )  # the workbook's year, and how to ask for it


@pytest.mark.parametrize(
    "args,message",
    [
        (["--quarter", "2023Q2", "--month", "2023-05"], "只能写一个"),
        (["--quarter", "2023Q5"], "2023Q5"),
        (["--as-of", "2023-02-30"], "2023-02-30"),
        (["--quarter", "2023Q2", "--out-dir", "不存在的目录"], "输出目录不存在"),
    ],
)
def test_could_not_run_exits_2_and_writes_nothing(runner, sample_copy, args, message):
    run = runner.invoke(app, ["report", str(sample_copy), *args])
    assert run.exit_code == 2, run.output
    assert message in run.stderr and run.stdout == ""
    assert [p.name for p in sample_copy.parent.iterdir()] == [sample_copy.name]


def test_data_errors_exit_1_and_leave_the_previous_report(runner, hand):
    book, rules = hand
    run = runner.invoke(app, ["report", str(book), "--rules", str(rules), "--quarter", "2023Q2"])
    assert run.exit_code == 0, run.output
    written = [Path(line) for line in run.stdout.splitlines()]
    before = {p: sha256(p) for p in written}
    write_workbook(
        book,
        {
            "委员名单": roster(["0001", "甲", "经济界"]),
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["视察一", "视察", D(2023, 5, 1), "不在名单"],
            ],
        },
    )
    run = runner.invoke(app, ["report", str(book), "--rules", str(rules), "--quarter", "2023Q2"])
    assert run.exit_code == 1
    assert "活动!D2" in run.stderr and run.stdout == ""
    assert {p: sha256(p) for p in written} == before


# --- as cron runs it -----------------------------------------------------------------------------


def _installed_perfscore() -> Path:
    command = Path(sys.executable).parent / "perfscore"
    if not command.exists():
        pytest.skip(f"perfscore is not installed beside {sys.executable}")
    return command


def _cron_run(args: list[str], cwd: Path, **extra_env: str) -> subprocess.CompletedProcess:
    """As cron runs a job: an empty environment but PATH (no HOME, no LANG, no TERM), no terminal
    on any stream, another working directory."""
    command = _installed_perfscore()
    env = {"PATH": str(command.parent), **extra_env}
    return subprocess.run(
        [str(command), *args],
        check=False,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.slow
def test_cron_style_run(tmp_path):
    data = tmp_path / "数据"
    data.mkdir()
    book = data / "2023.xlsx"
    shutil.copyfile(SAMPLE, book)
    out = tmp_path / "通报"
    out.mkdir()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()

    run = _cron_run(
        ["report", str(book), "--quarter", "2023Q2", "--out-dir", str(out)], cwd=elsewhere
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    stdout, stderr = run.stdout.decode("utf-8"), run.stderr.decode("utf-8")
    expected = [
        out / "2023Q2-季度履职通报.xlsx",
        out / "2023Q2-季度履职通报.md",
        out / "2023Q2-季度履职通报.docx",
    ]
    assert stdout.splitlines() == [str(p) for p in expected]
    assert "\x1b[" not in stdout + stderr, "no colour or cursor movement without a terminal"
    assert "2023年第二季度" in stderr
    assert sorted(out.iterdir()) == sorted(expected)
    assert openpyxl.load_workbook(expected[0], read_only=True).sheetnames[0] == "摘要"
    assert expected[1].read_text(encoding="utf-8").startswith("# 2023年第二季度委员履职进度通报")
    assert list(elsewhere.iterdir()) == [], "nothing is written in the working directory"

    # LANG=C, a relative workbook path from another directory, default output beside the workbook, --quiet
    digest = sha256(expected[0])
    run = _cron_run(
        ["report", "../数据/2023.xlsx", "--quarter", "2023Q2", "--quiet"], cwd=elsewhere, LANG="C"
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    assert run.stdout == b"" and run.stderr == b""
    assert sha256(data / "2023Q2-季度履职通报.xlsx") == digest, (
        "the same input gives the same bytes"
    )
    assert sha256(data / "2023Q2-季度履职通报.docx") == sha256(expected[2])

    # failures: exit 2 for a missing file, message on stderr only
    run = _cron_run(
        ["report", str(data / "没有这个文件.xlsx"), "--quarter", "2023Q2"], cwd=elsewhere, LANG="C"
    )
    assert run.returncode == 2
    assert run.stdout == b"" and "找不到文件" in run.stderr.decode("utf-8")


@pytest.mark.slow
def test_two_runs_at_once_and_a_rerun_replace_the_output_whole(tmp_path, hand):
    book, rules = hand
    out = tmp_path / "out"
    out.mkdir()
    target = out / "2023Q2-季度履职通报.md"
    target.write_text("上次的通报", encoding="utf-8")
    args = [
        "report",
        str(book),
        "--rules",
        str(rules),
        "--quarter",
        "2023Q2",
        "--out-dir",
        str(out),
        "-q",
    ]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: _cron_run(args, cwd=tmp_path), range(2)))
    assert [r.returncode for r in runs] == [0, 0], [
        r.stderr.decode("utf-8", "replace") for r in runs
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "2023Q2-季度履职通报.docx",
        "2023Q2-季度履职通报.md",
        "2023Q2-季度履职通报.xlsx",
    ]
    expected = progress_markdown(assess_progress(book, parse_quarter("2023Q2"), rules))
    assert target.read_text(encoding="utf-8") == expected
    openpyxl.load_workbook(out / "2023Q2-季度履职通报.xlsx", read_only=True)  # a whole workbook


def test_rerun_replaces_the_markdown(tmp_path, hand):
    book, rules = hand
    report = assess_progress(book, parse_quarter("2023Q2"), rules)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "x.md"
    target.write_text("旧", encoding="utf-8")
    write_markdown(progress_markdown(report), target)
    assert target.read_text(encoding="utf-8").startswith("# 2023年第二季度")
    assert os.listdir(out) == ["x.md"], "no temporary file is left"


def test_as_of_report_names_its_files_by_the_day(runner, hand):
    book, rules = hand
    run = runner.invoke(
        app, ["report", str(book), "--rules", str(rules), "--as-of", "2023年6月15日"]
    )
    assert run.exit_code == 0, run.output
    assert [Path(line).name for line in run.stdout.splitlines()] == [
        "2023-06-15-履职进度通报.xlsx",
        "2023-06-15-履职进度通报.md",
        "2023-06-15-履职进度通报.docx",
    ]
    text = Path(run.stdout.splitlines()[1]).read_text(encoding="utf-8")
    assert text.startswith("# 截至2023年6月15日委员履职进度通报")
    assert "与2023年第一季度末（2023-03-31）相比" in text


def test_rules_without_a_checklist_judge_no_pace(hand):
    book, _ = hand
    no_checklist = book.with_name("plain.yaml")
    no_checklist.write_text(
        RULES.split("checklist:")[0] + "grades:" + RULES.split("grades:")[1], encoding="utf-8"
    )
    report = assess_progress(book, parse_quarter("2023Q2"), no_checklist)
    m = by_id(report)
    assert (m["pace"] == "").all()
    assert m["reminder"].tolist() == m["no_activity"].tolist()  # only 丙, who did nothing in Q2
    assert m.loc["0003", "reminder"]
    assert "不判断进度" in progress_markdown(report)


def test_the_help_example_runs(runner, hand):
    """The 示例： line of `perfscore report --help`, run as written, in a folder holding 2023.xlsx."""
    from perfscore.cli import report as command

    example = next(
        line.strip() for line in command.__doc__.splitlines() if line.strip().startswith("示例：")
    )
    args = example.removeprefix("示例：").split()
    assert args[:2] == ["perfscore", "report"]
    tmp_path = hand[0].parent
    (tmp_path / "通报").mkdir()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        run = runner.invoke(app, args[1:])
    finally:
        os.chdir(cwd)
    assert run.exit_code == 0, run.output
    assert (tmp_path / "通报" / "2023Q2-季度履职通报.md").exists()


def test_the_crontab_line_in_docs_runs_on_quarter_days_with_escaped_percent_signs(
    runner, tmp_path, hand
):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "cron.md").read_text(encoding="utf-8")
    block = re.search(r"```crontab\n(.*?)```", doc, flags=re.DOTALL).group(1).strip()
    minute, hour, day, months, weekday, command = block.split(None, 5)
    assert (minute, hour, day, months, weekday) == ("30", "6", "1", "1,4,7,10", "*")
    assert not re.search(r"(?<!\\)%", command), "an unescaped % ends the command in crontab"
    assert "--quiet" in command and "2>&1" in command
    # the perfscore part, with yesterday's year filled in as cron's shell would
    words = command.split(" >>")[0].replace("$(date -d yesterday +\\%Y)", "2023").split()
    assert Path(words[0]).name == "perfscore" and words[1] == "report"
    book = hand[0]  # 2023.xlsx, with the shipped rules as in the crontab line
    args = [
        str(book)
        if w.endswith("/2023.xlsx")
        else (str(tmp_path) if w == words[words.index("--out-dir") + 1] else w)
        for w in words[2:]
    ]
    today = D(2024, 1, 1)  # the day the January run happens: the report is 2023Q4
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quarterly, "_today", lambda: today)
        run = runner.invoke(app, ["report", *args])
    assert run.exit_code == 0, run.output
    assert run.stdout == "" and run.stderr == ""
    assert (tmp_path / "2023Q4-季度履职通报.xlsx").exists()
