"""A clerk's way through a year, guided: each command on a terminal ends with the next step;
`check` lists every problem in one pass, in reading order, with examples in the workbook's year.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import Severity

from .conftest import DEFAULT_RULES, SAMPLE, roster, write_workbook
from .test_progress_display import ANSI, on_pipes, on_terminal

pytestmark = pytest.mark.slow


def _last_line(printed: str) -> str:
    lines = [ANSI.sub("", line).strip() for line in printed.splitlines()]
    return [line for line in lines if line][-1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "2023 登记.xlsx")
    return tmp_path


def test_each_command_ends_with_the_next_step_on_a_terminal(folder: Path) -> None:
    book = folder / "2023 登记.xlsx"
    template = folder / "2024.xlsx"
    code, printed = on_terminal("template", str(template))
    assert code == 0
    assert _last_line(printed) == (
        f"下一步：在 Excel 或 WPS 中打开 {template}，删去灰色示例行，按“填表说明”填写；"
        f"填好后运行 perfscore check {template}"
    )
    code, printed = on_terminal("check", str(book))
    assert code == 0
    assert _last_line(printed) == f'下一步：perfscore assess "{book}"（写出年度考核结果）'
    code, printed = on_terminal("assess", str(book))
    assert code == 0
    assert _last_line(printed).startswith(f'下一步：perfscore explain "{book}" 姓名')
    code, printed = on_terminal("rules", "check", str(DEFAULT_RULES))
    assert code == 0
    assert _last_line(printed) == f"下一步：perfscore assess 工作簿 --rules {DEFAULT_RULES}"


def test_no_next_step_in_pipes_or_under_quiet(folder: Path) -> None:
    book = folder / "2023 登记.xlsx"
    piped = on_pipes("assess", str(book))
    assert piped.returncode == 0
    assert "下一步" not in piped.stdout + piped.stderr
    code, printed = on_terminal("assess", str(book), "--quiet")
    assert code == 0
    assert "下一步" not in printed


def _book_with_errors_and_term_warnings(path: Path, year: int) -> Path:
    members = roster(
        ["0001", "张三", "经济界", "", "", "", "", f"{year}-07-01"],
        ["0002", "李四", "经济界"],
    )
    proposals = [
        ["提案编号", "标题", "提交日期", "提案方式", "提案人", "状态"],
        [
            f"{year}001",
            "关于公共交通的建议",
            f"{year}-02-10",
            "个人",
            "张三",
            "立案",
        ],  # before term
        [f"{year}002", "关于养老服务的建议", f"{year}-13-45", "个人", "李四", "立案"],  # bad date
        [f"{year}003", "关于社区医疗的建议", f"{year}-03-01", "个人", "王五", "立案"],  # unknown
    ]
    return write_workbook(path, {"委员名单": members, "提案": proposals})


def test_check_lists_term_warnings_with_errors_in_reading_order(tmp_path: Path) -> None:
    book = _book_with_errors_and_term_warnings(tmp_path / "2026.xlsx", 2026)
    report = perfscore.check(book, DEFAULT_RULES, allow_missing_sheets=True)  # proposals only
    places = [(p.severity, p.sheet, p.cell) for p in report.problems]
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    warnings = [p for p in report.problems if p.severity is Severity.WARNING]
    assert {p.cell[1:] for p in errors} == {"3", "4"}  # the bad date and the unknown name
    # the record dated before 张三 took office is reported in the same pass
    assert any("不在任期内" in p.message and p.cell.endswith("2") for p in warnings), places
    # reading order: the roster's problems before the proposals', each sheet top to bottom
    rows = [int(re.sub(r"\D", "", p.cell)) for p in report.problems if p.sheet == "提案"]
    assert rows == sorted(rows), places
    # hints give examples in the workbook's year, not a fixed one
    bad_date = next(p for p in errors if p.cell.endswith("3"))
    assert "2026-05-24" in bad_date.suggestion and "2023" not in bad_date.suggestion


def test_check_with_errors_says_what_to_do_next(tmp_path: Path) -> None:
    book = _book_with_errors_and_term_warnings(tmp_path / "2026.xlsx", 2026)
    code, printed = on_terminal("check", str(book), "--rules", str(DEFAULT_RULES))
    assert code == 1
    assert _last_line(printed) == f"下一步：按提示修改后，再运行 perfscore check {book}"


def test_a_quarter_not_yet_over_is_reported_up_to_today(tmp_path: Path) -> None:
    from perfscore.quarterly import resolve_period

    today = dt.date(2026, 12, 5)
    period = resolve_period(quarter="2026Q4", today=today)
    assert (period.start, period.end, period.full_end) == (
        dt.date(2026, 10, 1),
        today,
        dt.date(2026, 12, 31),
    )
    assert period.label == "2026Q4" and period.title == "2026年第四季度（截至12月5日）"
    assert resolve_period(quarter="2026Q3", today=today).title == "2026年第三季度"
    with pytest.raises(perfscore.UsageError, match="还没有开始"):
        resolve_period(month="2027-01", today=today)


def test_report_on_the_current_quarter_says_so(tmp_path: Path) -> None:
    today = dt.date.today()
    quarter = (today.month - 1) // 3 + 1
    if today == (dt.date(today.year + quarter // 4, quarter % 4 * 3 + 1, 1) - dt.timedelta(1)):
        pytest.skip("today is the last day of its quarter: the quarter is complete")
    book = write_workbook(
        tmp_path / f"{today.year}.xlsx",
        {
            "委员名单": roster(["0001", "张三", "经济界"]),
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["专题视察", "视察", dt.date(today.year, 3 * quarter - 2, 1), "张三"],
            ],
        },
    )
    run = on_pipes(
        "report", str(book), "--quarter", f"{today.year}Q{quarter}", "--allow-missing-sheets"
    )
    assert run.returncode == 0, run.stderr
    assert f"{today.year}Q{quarter} 还没有结束" in run.stderr
    markdown = (tmp_path / f"{today.year}Q{quarter}-季度履职通报.md").read_text(encoding="utf-8")
    assert f"（截至{today.month}月{today.day}日）委员履职进度通报" in markdown.splitlines()[0]
