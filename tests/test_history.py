"""Consequences that need earlier years (`assess --previous`), and group scores."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import perfscore
from perfscore.cli import app

from .conftest import roster, write_workbook

RULES = """\
scheme: 处理提示测试
categories:
  - id: meetings
    name: 会议
    start: 70
    min: 0
    items:
      - id: plenary
        name: 全体会议
        match: {kind: meeting, type: [全体会议]}
        points_by:
          status: {缺席: -20, 请假未批准: -20}
grades:
  - {grade: 称职, min: 60}
  - {grade: 不称职}
consequences:
  - name: 约谈
    grades: [不称职]
  - name: 劝辞
    grades: [不称职]
    years_running: 2
  - name: 多次缺席全会
    lines: {rule: meetings.plenary, note: [缺席, 请假未批准], at_least: 2, years: 2}
groups:
  score: sum
  dimensions: [sector]
"""


def year_workbook(path: Path, year: int, absent: list[str]) -> Path:
    """Three members; those in ``absent`` miss the plenary (−20: 70 → 50, 不称职)."""
    rows = [["会议名称", "会议类型", "日期", "委员", "出勤情况"]]
    for member in ("张三", "李四", "王五"):
        rows.append(
            [
                "全会",
                "全体会议",
                dt.date(year, 1, 8),
                member,
                "缺席" if member in absent else "出席",
            ]
        )
    return write_workbook(
        path,
        {
            "委员名单": roster(
                ["001", "张三", "经济界"], ["002", "李四", "经济界"], ["003", "王五", "教育界"]
            ),
            "会议出勤": rows,
        },
    )


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_two_years_running_needs_last_years_result(tmp_path, rules, runner, suffix):
    # 2022: 张三 and 李四 absent (不称职); 2023: 张三 and 王五 absent.
    last_year = perfscore.assess(
        year_workbook(tmp_path / "2022.xlsx", 2022, ["张三", "李四"]), rules=rules
    )
    previous = perfscore.write_outputs(last_year, tmp_path / f"2022-考核结果{suffix}")
    this_year = year_workbook(tmp_path / "2023.xlsx", 2023, ["张三", "王五"])

    result = perfscore.assess(this_year, rules=rules, previous=[previous])
    consequences = result.members.set_index("member_id")["consequences"]
    assert consequences["001"] == "约谈、劝辞、多次缺席全会"  # 不称职 both years, absent both years
    assert consequences["002"] == ""  # 不称职 last year only
    assert consequences["003"] == "约谈"  # 不称职 this year only
    assert not [p for p in result.warnings if "考核结果" in p.message]

    out = tmp_path / "2023-考核结果.json"
    cli = runner.invoke(
        app,
        [
            "assess",
            str(this_year),
            "--rules",
            str(rules),
            "--previous",
            str(previous),
            "--out",
            str(out),
        ],
    )
    assert cli.exit_code == 0, cli.output
    members = {m["member_id"]: m for m in json.loads(out.read_text(encoding="utf-8"))["members"]}
    assert members["001"]["consequences"] == "约谈、劝辞、多次缺席全会"


def test_without_last_years_result_the_consequence_warns(tmp_path, rules):
    result = perfscore.assess(year_workbook(tmp_path / "2023.xlsx", 2023, ["张三"]), rules=rules)
    assert result.members.set_index("member_id").loc["001", "consequences"] == "约谈"
    assert any(
        "2022 年度的考核结果" in p.message and "--previous" in p.suggestion for p in result.warnings
    )


def test_previous_must_be_a_perfscore_result(tmp_path, rules, runner):
    stray = write_workbook(tmp_path / "other.xlsx", {"Sheet1": [["a"], ["b"]]})
    this_year = year_workbook(tmp_path / "2023.xlsx", 2023, [])
    result = runner.invoke(
        app, ["assess", str(this_year), "--rules", str(rules), "--previous", str(stray)]
    )
    assert result.exit_code == 2
    assert "不是 perfscore 写出的考核结果文件" in result.output


def test_a_consequence_must_name_a_real_grade_and_rule(rules):
    text = rules.read_text(encoding="utf-8")
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(
            text.replace("grades: [不称职]\n    years_running", "grades: [差]\n    years_running")
        )
    assert "差" in str(caught.value.problems[0])
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text.replace("rule: meetings.plenary", "rule: meetings.plenery"))
    assert "meetings.plenery" in str(caught.value.problems[0])


def test_groups_are_scored_and_ranked_as_the_rules_say(tmp_path, rules):
    result = perfscore.assess(year_workbook(tmp_path / "2023.xlsx", 2023, ["张三"]), rules=rules)
    groups = result.groups.set_index("group")
    assert set(result.groups["dimension"]) == {"界别"}  # dimensions: [sector]
    # 经济界: 张三 50 + 李四 70 = 120 (sum); 教育界: 王五 70.
    assert groups.loc["经济界", "score"] == 120 and groups.loc["经济界", "sum"] == 120
    assert groups.loc["经济界", "mean"] == 60
    assert groups.loc["经济界", "group_rank"] == 1 and groups.loc["教育界", "group_rank"] == 2
