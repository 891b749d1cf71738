"""An office's own roster columns as group dimensions (input.roster_columns), and records
credited to a declared body (bodies): the errors around them, their sheets and `rules show`.

The arithmetic of both is in tests/cases/primitive-roster-columns.yaml and
tests/cases/primitive-bodies.yaml."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

import perfscore
from perfscore import DataError

from .conftest import write_workbook

RULES = """
scheme: 联络组与单位
year: 2023
input:
  roster_columns: [联络组]
bodies:
  - {name: 社法委, aliases: [社会和法制委员会], committee: 社会和法制委员会}
categories:
  - id: research
    name: 调研
    items:
      - {id: report, name: 调研报告, match: {kind: report}, points: 10}
grades: [{grade: 合格, min: 0}, {grade: 不合格}]
groups:
  dimensions: [committee, 联络组, committee/联络组]
awards:
  - id: best
    name: 优秀委员
    pool: members
    quota: 2
    group_cap: {dimension: 联络组, max: 1}
"""

ROSTER = [
    ["委员编号", "姓名", "界别", "专委会", "联络组"],
    ["001", "张三", "经济界", "社会和法制委员会", "第一联络组"],
    ["002", "李四", "教育界", "社会和法制委员会", "第一联络组"],
    ["003", "王五", "教育界", "提案委员会", "第二联络组"],
]
REPORTS = [
    ["报告编号", "标题", "日期", "作者"],
    ["R1", "社法委的报告", dt.date(2023, 5, 1), "社法委"],
    ["R2", "合写的报告", dt.date(2023, 6, 1), "社会和法制委员会、张三"],
    ["R3", "张三的报告", dt.date(2023, 7, 1), "张三"],
    ["R4", "李四的报告", dt.date(2023, 7, 2), "李四"],
]


@pytest.fixture
def office(tmp_path):
    rules = tmp_path / "office.yaml"
    rules.write_text(RULES, encoding="utf-8")
    book = write_workbook(tmp_path / "2023.xlsx", {"委员名单": ROSTER, "调研报告": REPORTS})
    return book, rules


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_declared_column_missing_from_the_roster_is_an_error_naming_the_sheet(office, tmp_path):
    _, rules = office
    book = write_workbook(
        tmp_path / "no-column.xlsx",
        {"委员名单": [row[:4] for row in ROSTER], "调研报告": REPORTS},
    )
    with pytest.raises(DataError) as caught:
        perfscore.assess(book, rules)
    [problem] = [p for p in caught.value.problems if "联络组" in p.message]
    assert problem.sheet == "委员名单"
    assert "找不到必填的列“联络组”" in problem.message


@pytest.mark.parametrize(
    "before, after, needle, section",
    [
        ("[committee, 联络组, committee/联络组]", "[committee, 联络站]", "联络站", "groups:"),
        ("[committee, 联络组, committee/联络组]", "[committee/联络站]", "联络站", "groups:"),
        ("{dimension: 联络组, max: 1}", "{dimension: 委员工作室, max: 1}", "委员工作室", "awards:"),
    ],
)
def test_a_dimension_that_is_no_roster_column_is_refused_at_its_line(
    before, after, needle, section
):
    text = RULES.replace(before, after)
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text)
    [problem] = caught.value.problems
    assert needle in problem.message and "不是分组" in problem.message
    assert problem.cell.split(":")[0] == str(_line_of(text, section))


@pytest.mark.parametrize(
    "columns, message, at",
    [
        ("[工作组]", "已有的列", "roster_columns"),
        ("[总分]", "已有的列", "roster_columns"),
        ("[research]", "与类别编号相同", "input:"),
        ("[联络/组]", "不能含 /", "roster_columns"),
        ("[联络组, 联络组]", "重复", "roster_columns"),
    ],
)
def test_a_roster_column_that_would_take_another_columns_place_is_refused(columns, message, at):
    text = RULES.replace("roster_columns: [联络组]", f"roster_columns: {columns}")
    text = text.replace("[committee, 联络组, committee/联络组]", "[committee]")
    text = text.replace("group_cap: {dimension: 联络组, max: 1}", "quota_rounding: floor")
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text)
    [problem] = caught.value.problems
    assert message in problem.message
    assert problem.cell.split(":")[0] == str(_line_of(text, at))


def test_bodies_spelled_twice_are_refused():
    text = RULES.replace(
        "committee: 社会和法制委员会}", "committee: 社会和法制委员会}\n  - {name: 社会和法制委员会}"
    )
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text)
    assert "单位的名称或写法重复" in caught.value.problems[0].message


def test_the_workbook_shows_the_columns_the_groups_and_the_bodies(office, tmp_path):
    """By hand: 张三 R2 (附议, 10 each: points) 10 + R3 10 = 20; 李四 10; 王五 0.
    第一联络组 张三 20, 李四 10 → mean 15; 第二联络组 王五 0. 优秀委员, one per 联络组: 张三, 王五
    (李四 is the second of 第一联络组). 社法委: R1, R2 → 2 reports."""
    book, rules = office
    out = tmp_path / "out.xlsx"
    result = perfscore.assess(book, rules)
    perfscore.write_outputs(result, out)
    members = result.members.set_index("member_id")
    assert members["total"].to_dict() == {"001": 20, "002": 10, "003": 0}
    assert [sl.winners["key"].tolist() for sl in result.shortlists] == [["001", "003"]]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames.index("单位统计") == wb.sheetnames.index("图表") + 1
    ranking = list(wb["总排名"].iter_rows(values_only=True))
    assert ranking[0][ranking[0].index("工作组") + 1] == "联络组"
    groups = [row[:4] for row in wb["分组统计"].iter_rows(values_only=True)]
    assert ("联络组", "第一联络组", 2, 15) in groups
    assert ("专委会/联络组", "社会和法制委员会·第一联络组", 2, 15) in groups
    bodies = list(wb["单位统计"].iter_rows(values_only=True))
    assert bodies[0][:3] == ("单位", "对应专委会", "记录数")
    assert bodies[1][:3] == ("社法委", "社会和法制委员会", 2)
    assert bodies[1][bodies[0].index("调研报告")] == 2
    assert bodies[1][-1] == "调研报告!D2、调研报告!D3"


def test_json_has_the_bodies_and_an_undeclared_body_is_an_error(office, tmp_path):
    book, rules = office
    out = tmp_path / "out.json"
    perfscore.write_outputs(perfscore.assess(book, rules), out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["bodies"][0]["body"] == "社法委" and document["bodies"][0]["report"] == 2
    assert document["members"][0]["联络组"] == "第一联络组"

    plain = tmp_path / "plain.yaml"
    plain.write_text(
        RULES.split("bodies:")[0].replace("input:\n  roster_columns: [联络组]\n", "")
        + RULES.split("committee: 社会和法制委员会}\n")[1]
        .replace("[committee, 联络组, committee/联络组]", "[committee]")
        .replace("group_cap: {dimension: 联络组, max: 1}", "quota_rounding: floor"),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:  # 社法委 is no member and no declared body
        perfscore.assess(book, plain)
    assert any("委员名单中没有此人" in p.message for p in caught.value.problems)


def test_rules_show_says_the_columns_groups_and_bodies_in_chinese(runner, office):
    from perfscore.cli import app

    _, rules = office
    result = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "## 分组与单位" in text
    assert "- 委员名单另有的分组列：联络组（每格可填多个组，用顿号分隔；可以为空）" in text
    assert "- 分组统计：专委会、联络组、专委会/联络组（按平均分排名次；“甲/乙”为嵌套分组" in text
    assert "- 评优名额：优秀委员每个联络组最多 1 个名额" in text
    assert "- 单位：社法委（又写作 社会和法制委员会，对应专委会 社会和法制委员会）" in text
    assert "不给委员计分（计分项写“角色为单位”的，记给该单位对应专委会的每位委员）" in text


def test_rules_show_says_who_gets_a_bodys_records(runner, tmp_path):
    from perfscore.cli import app

    rules = tmp_path / "credit.yaml"
    rules.write_text(
        RULES.replace("match: {kind: report}", "match: {kind: report, role: [单位]}"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert result.exit_code == 0, result.output
    assert (
        "| 调研报告 | 调研报告（角色为单位） | 每条 10 分 | "
        "单位署名的记录记给该单位对应专委会的每位委员，每人一份 |"
    ) in result.output


def test_rules_show_without_columns_or_bodies_has_no_such_section(runner):
    from perfscore.cli import app

    result = runner.invoke(app, ["rules", "show", "--markdown"])
    assert result.exit_code == 0, result.output
    assert "分组与单位" not in result.output


def test_a_progress_report_groups_by_the_declared_columns(runner, office, tmp_path):
    """By 2023-06-30: 张三 R2 (06-01) 10, 李四 0 (R4 is in July), 王五 0: 第一联络组 mean 5."""
    from perfscore.cli import app

    book, rules = office
    out = tmp_path / "report"
    out.mkdir()
    result = runner.invoke(
        app, ["report", str(book), "-r", str(rules), "--quarter", "2023Q2", "-d", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    [workbook] = out.glob("*.xlsx")
    rows = [
        row[:4] for row in openpyxl.load_workbook(workbook)["分组进度"].iter_rows(values_only=True)
    ]
    assert ("联络组", "第一联络组", 2, 5) in rows
    assert ("专委会/联络组", "提案委员会·第二联络组", 1, 0) in rows


def test_a_skipped_row_credits_no_body(tmp_path, office):
    """With --skip-bad-rows, R5 (社法委, 成果 “乱写”) is left out: 社法委 keeps its 2 reports."""
    _, rules = office
    reports = [[*row, "成果" if n == 0 else "提交"] for n, row in enumerate(REPORTS)]
    reports.append(["R5", "写错成果的报告", dt.date(2023, 8, 1), "社法委", "乱写"])
    book = write_workbook(tmp_path / "bad.xlsx", {"委员名单": ROSTER, "调研报告": reports})
    with pytest.raises(DataError):
        perfscore.assess(book, rules)
    result = perfscore.assess(book, rules, skip_bad_rows=True)
    assert result.bodies.set_index("body").loc["社法委", "records"] == 2
    assert any(p.cell == "E6" and "已跳过此行" in p.message for p in result.warnings)
