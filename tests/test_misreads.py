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
        perfscore.assess(_twice_absent(tmp_path), DEFAULT_RULES, allow_missing_sheets=True)
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
    twice = perfscore.assess(book, DEFAULT_RULES, allow_duplicates=True, allow_missing_sheets=True)
    single = perfscore.assess(once, DEFAULT_RULES, allow_missing_sheets=True)
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
    result = perfscore.assess(book, DEFAULT_RULES, allow_missing_sheets=True)
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
        perfscore.assess(book, DEFAULT_RULES, allow_missing_sheets=True)
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
    result = perfscore.assess(book, DEFAULT_RULES, allow_missing_sheets=True)
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
        perfscore.assess(book, DEFAULT_RULES, allow_missing_sheets=True)
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
        perfscore.assess(book, DEFAULT_RULES, allow_missing_sheets=True)
    result = perfscore.assess(book, DEFAULT_RULES, skip_bad_rows=True, allow_missing_sheets=True)
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
    result = perfscore.assess(book, DEFAULT_RULES, skip_bad_rows=True, allow_missing_sheets=True)
    [note] = [p for p in result.problems if p.member_id == "0001"]
    assert note.severity is Severity.WARNING
    assert note.place == "会议出勤!D2"
    assert "扣分也未计入" in note.message and "出勤情况" in note.message
    from perfscore.explanation import explain

    explanation = explain(result, "张三")
    assert note in explanation.notes


def _skipped_book(tmp_path: Path) -> Path:
    """Every register, with rows --skip-bad-rows leaves out (by hand, under the default rules):

    会议出勤!D2 张三 全体会议 缺席, date 明年: −10 (its status is known, its date taken as in term)
    会议出勤!D3 李四 全体会议 “旷会”: the word the rule reads is the fault, so unknown
    会议出勤!D4 王五 专题协商会 缺席, date 三月: −3
    提案!E3 王五 个人 立案, date 二月: +10 as its lead
    活动!E2 赵六 beside 张三: no member is 赵六, unknown; 张三 keeps his 1.5
    So 张三 1 item −10, 李四 1 item unknown, 王五 2 items +7, one name unknown."""
    sheets: dict[str, list[list]] = {"委员名单": _members()}
    sheets.update({register: [header] for register, header in HEADERS.items()})
    sheets["会议出勤"] += [
        ["十届二次全体会议", "全体会议", "明年", "张三", "缺席"],
        ["十届二次全体会议", "全体会议", dt.date(2023, 3, 5), "李四", "旷会"],
        ["专题协商会", "专题协商会", "三月", "王五", "缺席"],
    ]
    sheets["提案"] += [
        ["2023001", "关于公交的提案", dt.date(2023, 2, 1), "个人", "张三", "立案"],
        ["2023002", "关于路灯的提案", "二月", "个人", "王五", "立案"],
    ]
    sheets["活动"] += [["专题视察", "视察", "", dt.date(2023, 4, 2), "张三、赵六"]]
    return write_workbook(tmp_path / "2023.xlsx", sheets)


def test_each_skipped_item_says_what_it_would_have_added_or_deducted(tmp_path: Path) -> None:
    result = perfscore.assess(_skipped_book(tmp_path), DEFAULT_RULES, skip_bad_rows=True)
    notes = {p.place: p.message for p in result.warnings}
    assert notes["会议出勤!D2"].endswith("（若单独计入：-10 分）")
    assert notes["会议出勤!D3"].endswith("（若计入：无法计算，出错的单元格决定它得多少分）")
    assert notes["会议出勤!D4"].endswith("（若单独计入：-3 分）")
    assert notes["提案!E3"].endswith("王五（0003）在这一行的记录未计分（若单独计入：10 分）")
    assert notes["活动!E2"].endswith("（若计入：无法计算，不知道是哪位委员）")
    assert [s.text() for s in result.skipped] == [
        "张三（0001）1 项：若计入，总分 -10 分",
        "李四（0002）1 项：无法计算",
        "王五（0003）2 项：若计入，总分 +7 分",
        "不能确定是哪位委员的姓名 1 个：无法计算",
    ]
    # The skipped items changed the totals by exactly that: 张三 has 10 + 20 + 10 + 1.5.
    totals = dict(zip(result.members["member_id"], result.members["total"]))
    assert totals == {"0001": 41.5, "0002": 30, "0003": 30}
    from perfscore.explanation import explain

    proposal, meeting = explain(result, "王五").notes
    assert proposal.place == "提案!E3" and proposal.message.endswith("（若单独计入：10 分）")
    assert meeting.place == "会议出勤!D4" and meeting.message.endswith("（若单独计入：-3 分）")


def test_a_skipped_item_of_a_per_month_rule_cannot_be_counted_without_its_date(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scheme: 每月学习\n"
        "categories:\n"
        "  - id: s\n"
        "    name: 学习\n"
        "    items:\n"
        "      - id: m\n"
        "        name: 每月读书\n"
        "        match: {kind: activity, type: [读书]}\n"
        "        per_period: {every: month, at_least: 1, met: 1}\n"
        "grades: [{grade: 合格}]\n",
        encoding="utf-8",
    )
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "活动": [
                ACTIVITIES,
                ["读书会", "读书", "", dt.date(2023, 2, 1), "张三"],
                ["读书会", "读书", "", "某月", "张三"],
            ],
        },
    )
    result = perfscore.assess(book, rules, skip_bad_rows=True)
    [note] = [p for p in result.warnings if p.place == "活动!E3"]
    assert note.message.endswith("（若计入：无法计算，出错的单元格决定它得多少分）")
    assert [s.text() for s in result.skipped] == ["张三（0001）1 项：无法计算"]


def test_the_summary_and_the_data_sheet_total_the_skipped_items(tmp_path: Path, runner) -> None:
    import openpyxl

    from perfscore.cli import app

    book = _skipped_book(tmp_path)
    run = runner.invoke(app, ["assess", str(book), "--skip-bad-rows"], env={"COLUMNS": "400"})
    assert run.exit_code == 0, run.output
    line = next(s for s in run.output.splitlines() if s.startswith("--skip-bad-rows 跳过的项目"))
    assert "张三（0001）1 项：若计入，总分 -10 分；李四（0002）1 项：无法计算；" in line
    assert "王五（0003）2 项：若计入，总分 +7 分" in line
    sheet = openpyxl.load_workbook(tmp_path / "2023-考核结果.xlsx", read_only=True)["数据提示"]
    notes = [str(row[2]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "--skip-bad-rows 跳过的项目：王五（0003）2 项：若计入，总分 +7 分" in notes
    assert "--skip-bad-rows 跳过的项目：不能确定是哪位委员的姓名 1 个：无法计算" in notes


# --- a register the rules score must be there, unless allowed by name ------------------------

# Each register's headers, in the order tests/conftest.py writes them.
HEADERS = {
    "提案": PROPOSALS,
    "社情民意": ["信息编号", "标题", "报送日期", "作者"],
    "信息采用": ["信息编号", "类别", "级别", "日期"],
    "调研报告": ["报告编号", "标题", "日期", "作者"],
    "会议出勤": MEETINGS,
    "活动": ACTIVITIES,
    "双五个一": ["委员", "项目", "日期"],
}


def _every_register_but(tmp_path: Path, *left_out: str, name: str = "2023.xlsx") -> Path:
    """The three members, one 个人 proposal of 张三 that was filed, and every other register
    empty (its header only), without the registers in ``left_out``."""
    sheets: dict[str, list[list]] = {"委员名单": _members()}
    for register, header in HEADERS.items():
        if register not in left_out:
            sheets[register] = [header]
    sheets["提案"] = [
        PROPOSALS,
        ["2023001", "关于公交的提案", dt.date(2023, 2, 1), "个人", "张三", "立案"],
    ]
    return write_workbook(tmp_path / name, sheets)


def test_a_register_the_rules_score_that_is_absent_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        perfscore.assess(_every_register_but(tmp_path, "调研报告"), DEFAULT_RULES)
    [problem] = [p for p in exc.value.problems if p.severity is Severity.ERROR]
    assert problem.reason is Reason.MISSING_SHEET and problem.place == "调研报告"
    # Which items score it, that everyone gets 0 for them, the sheet's names, how to allow it.
    assert "调研报告·调研报告、双五个一·撰写一篇调研报告" in problem.message
    assert "全体委员都得 0 分" in problem.message and "清单项目都算未完成" in problem.message
    assert "调研报告、reports、调研、调研成果" in problem.suggestion
    assert "input.optional_sheets" in problem.suggestion
    assert "--allow-missing-sheets" in problem.suggestion


def test_allow_missing_sheets_scores_the_absent_register_as_empty_and_says_so(
    tmp_path: Path,
) -> None:
    absent = perfscore.assess(
        _every_register_but(tmp_path, "调研报告"), DEFAULT_RULES, allow_missing_sheets=True
    )
    empty = perfscore.assess(_every_register_but(tmp_path, name="empty.xlsx"), DEFAULT_RULES)
    # By hand: base 10 + meetings start 20 + a filed proposal as its lead 10 = 40; 李四 30.
    totals = dict(zip(absent.members["member_id"], absent.members["total"]))
    assert totals == {"0001": 40, "0002": 30, "0003": 30}
    assert absent.ledger["points"].sum() == empty.ledger["points"].sum() == 100
    [warning] = [p for p in absent.problems if p.reason is Reason.MISSING_SHEET]
    assert warning.severity is Severity.WARNING and warning.place == "调研报告"
    assert "--allow-missing-sheets" in warning.message and "全体委员都得 0 分" in warning.message
    assert not empty.warnings
    [register] = [r for r in absent.registers if r.name == "调研报告"]
    assert register.text() == "调研报告：没有（规则按它计分）"


def test_explain_shows_what_was_read_for_the_whole_workbook(tmp_path: Path, runner) -> None:
    """A member's lines do not show that a register was absent or that rows were hidden: explain
    says so below them, as assess does."""
    from openpyxl import load_workbook

    from perfscore.cli import app

    path = _every_register_but(tmp_path, "调研报告")
    book = load_workbook(path)
    sheet = book["提案"]
    sheet.append(["2023002", "关于养老的提案", dt.date(2023, 3, 1), "个人", "张三", "立案"])
    sheet.row_dimensions[3].hidden = True
    book.save(path)
    run = runner.invoke(
        app,
        ["explain", str(path), "张三", "--rules", str(DEFAULT_RULES), "--allow-missing-sheets"],
        env={"COLUMNS": "200"},
    )
    assert run.exit_code == 0, run.output
    notes = [line for line in run.output.splitlines() if line.startswith("工作簿提示：")]
    assert len(notes) == 2, run.output
    assert notes[0].startswith("工作簿提示：提案!3:3  第 3 行是隐藏的行")
    assert notes[1].startswith("工作簿提示：调研报告  ") and "全体委员都得 0 分" in notes[1]
    # 张三's hidden proposal is scored as written: base 10 + meetings 20 + two led proposals
    assert "合计：" in run.output and "= 50" in run.output


def _optional_reports_rules(tmp_path: Path, entry: str) -> Path:
    rules = tmp_path / "rules.yaml"
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    rules.write_text(f"{text}\ninput:\n  optional_sheets: [{entry}]\n", encoding="utf-8")
    return rules


def test_the_rules_can_say_a_register_may_be_absent(tmp_path: Path, runner) -> None:
    from perfscore.cli import app

    rules = _optional_reports_rules(tmp_path, "调研成果")  # an alias of 调研报告
    result = perfscore.assess(_every_register_but(tmp_path, "调研报告"), rules)
    assert dict(zip(result.members["member_id"], result.members["total"]))["0001"] == 40
    assert not [p for p in result.problems if p.reason is Reason.MISSING_SHEET]
    [register] = [r for r in result.registers if r.name == "调研报告"]
    assert "规则写明可以没有" in register.text()
    # Another absent register is still an error.
    with pytest.raises(DataError) as exc:
        perfscore.assess(_every_register_but(tmp_path, "调研报告", "会议出勤"), rules)
    assert [p.place for p in exc.value.problems if p.severity is Severity.ERROR] == ["会议出勤"]
    shown = runner.invoke(app, ["rules", "show", str(rules)])
    assert shown.exit_code == 0 and "工作簿可以没有这些登记表：调研报告" in shown.output


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("调查报告", "“调查报告”（是不是 调研报告？）不是登记表"),
        ("调研报吿, 提按", "“调研报吿”（是不是 调研报告？）、“提按”（是不是 提案？）不是登记表"),
        ("委员名单", "委员名单不能没有"),
    ],
)
def test_an_optional_sheet_that_is_no_register_is_a_rules_error(
    tmp_path: Path, runner, entry: str, message: str
) -> None:
    from perfscore.cli import app

    rules = _optional_reports_rules(tmp_path, entry)
    line = len(rules.read_text(encoding="utf-8").splitlines())  # the optional_sheets line
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 1
    assert f"rules.yaml:{line}:" in result.output and message in result.output


def test_a_register_no_rule_scores_may_be_absent(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scheme: 只计提案\n"
        "categories:\n"
        "  - {id: p, name: 提案, items: [{id: f, name: 立案, match: {kind: proposal}, points: 5}]}\n"
        "grades: [{grade: 合格}]\n",
        encoding="utf-8",
    )
    book = write_workbook(tmp_path / "2023.xlsx", {"委员名单": _members(), **_one_proposal()})
    result = perfscore.assess(book, rules)
    assert dict(zip(result.members["member_id"], result.members["total"]))["0001"] == 5
    assert not result.warnings


def _one_proposal() -> dict[str, list[list]]:
    return {
        "提案": [
            PROPOSALS,
            ["2023001", "关于公交的提案", dt.date(2023, 2, 1), "个人", "张三", "立案"],
        ]
    }


def test_an_adopted_information_item_needs_the_adoptions_register(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "scheme: 采用的信息\n"
        "categories:\n"
        "  - id: i\n"
        "    name: 信息\n"
        "    items: [{id: a, name: 信息被采用, match: {kind: information, status: [已采用]}, points: 5}]\n"
        "grades: [{grade: 合格}]\n",
        encoding="utf-8",
    )
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": _members(),
            "社情民意": [HEADERS["社情民意"], ["X1", "关于路灯", dt.date(2023, 3, 1), "张三"]],
        },
    )
    with pytest.raises(DataError) as exc:
        perfscore.assess(book, rules)
    [problem] = exc.value.problems
    assert problem.place == "信息采用" and "信息·信息被采用" in problem.message


def test_a_renamed_register_is_one_error_not_two(tmp_path: Path) -> None:
    book = _every_register_but(tmp_path, "会议出勤")
    renamed = write_workbook(
        tmp_path / "renamed.xlsx",
        {
            "委员名单": _members(),
            **{name: [header] for name, header in HEADERS.items() if name != "会议出勤"},
            **_one_proposal(),
            "出勤登记": [MEETINGS, ["全会", "全体会议", dt.date(2023, 3, 5), "张三", "缺席"]],
        },
    )
    with pytest.raises(DataError) as exc:
        perfscore.assess(renamed, DEFAULT_RULES)
    assert [(p.reason, p.place) for p in exc.value.problems if p.severity is Severity.ERROR] == [
        (Reason.UNPLACED_SHEET, "出勤登记")
    ]
    with pytest.raises(DataError) as exc:
        perfscore.assess(book, DEFAULT_RULES)
    assert [p.place for p in exc.value.problems] == ["会议出勤"]


@pytest.mark.parametrize("command", ["assess", "check", "explain", "shortlist", "report", "notice"])
def test_the_commands_that_score_a_workbook_stop_at_an_absent_register_and_take_the_flag(
    tmp_path: Path, runner, command: str
) -> None:
    from perfscore.cli import app

    book = _every_register_but(tmp_path, "调研报告")
    args = {
        "assess": ["--out", str(tmp_path / "结果.xlsx")],
        "explain": ["张三"],
        "report": ["--quarter", "2023Q1", "--out-dir", str(tmp_path)],
        "notice": ["--out", str(tmp_path / "通报.docx")],
    }.get(command, [])
    stopped = runner.invoke(app, [command, str(book), *args])
    assert stopped.exit_code == 1, stopped.output
    assert "工作簿中没有“调研报告”登记表" in stopped.output
    allowed = runner.invoke(app, [command, str(book), *args, "--allow-missing-sheets"])
    assert allowed.exit_code == 0, allowed.output
    if command == "assess":
        import openpyxl

        sheet = openpyxl.load_workbook(tmp_path / "结果.xlsx", read_only=True)["数据提示"]
        notes = [str(row[2]) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert "登记表“调研报告”：工作簿中没有，规则中按它计分的项目都不得分" in notes
        assert any("--allow-missing-sheets" in note for note in notes)


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


def test_a_members_change_counts_caps_and_a_checklist_a_skipped_item_completes(
    tmp_path: Path,
) -> None:
    """By hand, under the default rules: 张三 has nine of the ten 双五个一 items; the tenth
    (践一诺) is on a row skipped for its date. Alone that record scores 0 (a duty only counts for
    the checklist), but with it 张三 completes all ten: +5. 王五 has six 视察 (6 × 1.5 = 9, the
    item's cap); a seventh, skipped for its date, scores 1.5 alone and changes nothing."""
    day = dt.date(2023, 5, 1)
    items = [
        "献一策", "提一案", "联一村", "帮一企", "参加一次履职培训",
        "撰写一篇调研报告", "提交一条社情民意信息", "开展一次政策宣讲", "讲好一个履职故事",
    ]  # fmt: skip
    sheets: dict[str, list[list]] = {"委员名单": _members()}
    sheets.update({register: [header] for register, header in HEADERS.items()})
    sheets["双五个一"] += [["张三", item, day] for item in items] + [["张三", "践一诺", "五月"]]
    sheets["活动"] += [[f"视察{i}", "视察", "", day, "王五"] for i in range(6)]
    sheets["活动"] += [["视察七", "视察", "", "五月", "王五"]]
    book = write_workbook(tmp_path / "2023.xlsx", sheets)
    result = perfscore.assess(book, DEFAULT_RULES, skip_bad_rows=True)
    notes = {p.place: p.message for p in result.warnings}
    assert notes["双五个一!A11"].endswith("（若单独计入：0 分）")
    assert notes["活动!E8"].endswith("（若单独计入：1.5 分）")
    assert [s.text() for s in result.skipped] == [
        "张三（0001）1 项：若计入，总分 +5 分",
        "王五（0003）1 项：若计入，总分 0 分",
    ]
    # and that is what the skip changed: the same workbook with both dates written properly
    sheets["双五个一"][-1][2] = day
    sheets["活动"][-1][3] = day
    fixed = perfscore.assess(write_workbook(tmp_path / "fixed.xlsx", sheets), DEFAULT_RULES)
    before = dict(zip(result.members["member_id"], result.members["total"]))
    after = dict(zip(fixed.members["member_id"], fixed.members["total"]))
    assert after["0001"] - before["0001"] == 5 and after["0003"] == before["0003"]


def test_explain_and_shortlist_take_the_skips_assess_took(tmp_path: Path, runner) -> None:
    from perfscore.cli import app

    book = _skipped_book(tmp_path)
    refused = runner.invoke(app, ["explain", str(book), "王五"], env={"COLUMNS": "300"})
    assert refused.exit_code == 1
    run = runner.invoke(
        app, ["explain", str(book), "王五", "--skip-bad-rows"], env={"COLUMNS": "300"}
    )
    assert run.exit_code == 0, run.output
    assert "提案!E3" in run.output and "若单独计入：10 分" in run.output
    assert "会议出勤!D4" in run.output and "若单独计入：-3 分" in run.output
    listed = runner.invoke(app, ["shortlist", str(book), "--skip-bad-rows"])
    assert listed.exit_code == 0, listed.output
