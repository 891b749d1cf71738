"""The rule language's constructs seen from the outputs: what a rules file that uses (or leaves
out) a construct makes appear in the workbook, the CSV and `rules show`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

import perfscore

from .conftest import roster, write_workbook

NO_CHECKLIST = """
scheme: 无清单的办法
categories:
  - id: proposals
    name: 提案
    items:
      - {id: filed, name: 立案提案, match: {kind: proposal, status: [立案]}, points: 10}
grades:
  - {grade: 优秀, min: 10}
  - {grade: 其他}
"""


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("language")
    return write_workbook(
        folder / "2023.xlsx",
        {
            "委员名单": roster(
                ["001", "甲", "经济界", "经济委"], ["002", "乙", "教育界", "教育委"]
            ),
            "提案": [
                ["提案编号", "标题", "提交日期", "提案人", "状态"],
                ["T1", "关于一的提案", dt.date(2023, 3, 1), "甲", "立案"],
            ],
        },
    )


def test_rules_without_a_checklist_make_no_checklist_sheet_or_columns(small_workbook, tmp_path):
    rules = tmp_path / "office.yaml"
    rules.write_text(NO_CHECKLIST, encoding="utf-8")
    result = perfscore.assess(small_workbook, rules)
    xlsx = perfscore.write_outputs(result, tmp_path / "out.xlsx")
    out_csv = perfscore.write_outputs(result, tmp_path / "out.csv")

    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert "双五个一" not in book.sheetnames
    headers = {
        name: [c.value for c in next(book[name].iter_rows(max_row=1))]
        for name in ("总排名", "分组统计")
    }
    assert not [h for h in headers["总排名"] + headers["分组统计"] if "完成" in str(h)]
    header = next(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert not [h for h in header if "完成" in h]
    assert "总分" in header and headers["总排名"][:2] == ["名次", "委员编号"]
    book.close()


AWARDS = """
scheme: 四个最佳
categories:
  - id: duty
    name: 履职献策
    items:
      - {id: info, name: 社情民意信息, match: {kind: information}, points: 2}
  - id: proposals
    name: 提案
    items:
      - {id: filed, name: 立案提案, match: {kind: proposal, status: [立案], role: [领衔]}, points: 10}
grades: [{grade: 优秀, min: 10}, {grade: 其他}]
awards:
  - {id: best_duty, name: 履职献策最佳, pool: members, rank_by: [duty], quota: 10}
  - {id: best_overall, name: 综合最佳, pool: members, rank_by: [duty, proposals], quota: "5%"}
  - id: best_report
    name: 优秀调研报告
    pool: reports
    requires: {has: [{kind: report, status: [采用, 批示]}]}
    score:
      - {match: {kind: report, status: [采用]}, points: 5}
    quota: 5
"""


def test_rules_show_says_what_each_award_ranks_by(runner, tmp_path):
    from perfscore.cli import app

    rules = tmp_path / "office.yaml"
    rules.write_text(AWARDS, encoding="utf-8")
    result = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert result.exit_code == 0, result.output
    section = result.output.split("## 评优")[1].split("##")[0]
    assert "- 履职献策最佳：从委员中按履职献策得分取前 10 人" in section
    assert "- 综合最佳：从委员中按履职献策、提案得分之和取候选的 5%" in section
    assert (
        "- 优秀调研报告：从调研报告中按得分（调研报告（状态为采用）每条 5 分）取前 5 篇；"
        "须有调研报告（状态为采用/批示）" in section
    )


UNLESS_WHO_PERIOD = """
scheme: 组合
year: 2023
input:
  words:
    duty_item: {履职报告: []}
categories:
  - id: acts
    name: 活动
    items:
      - id: any
        name: 活动（书面发言除外）
        match: {kind: activity, unless: {type: [发言], subtype: [书面]}}
        points: 1
      - id: monthly
        name: 偶数月读书
        match: {kind: activity, type: [读书]}
        per_period: {every: month, months: [2, 4, 6], at_least: 2, met: 2, missed: -3}
      - id: quarterly
        name: 每季度调研
        match: {kind: activity, type: [调研]}
        per_period: {every: quarter, missed: -1}
checklist:
  name: 年度清单
  items:
    - name: 提一案
      any_of: [{kind: proposal}]
    - name: 履职报告
      any_of: [{kind: duty, type: [履职报告]}]
      who: {standing: true, sector: [经济界]}
grades: [{grade: 合格, min: 0}, {grade: 其他}]
"""


def test_rules_show_says_unless_who_and_per_period_in_chinese(runner, tmp_path):
    from perfscore.cli import app

    rules = tmp_path / "office.yaml"
    rules.write_text(UNLESS_WHO_PERIOD, encoding="utf-8")
    result = runner.invoke(app, ["rules", "show", str(rules), "--markdown"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "| 活动（书面发言除外） | 活动（不含类型为发言，形式为书面的） | 每条 1 分 |" in text
    assert (
        "| 偶数月读书 | 活动（类型为读书） | 每达到一个月 2 分，每缺一个月扣 3 分 | "
        "每月至少 2 次（只要求 2、4、6 月）；任期不满整个周期的不要求；进度报告只计已结束的周期 |"
    ) in text
    assert "| 每季度调研 | 活动（类型为调研） | 每缺一个季度扣 1 分 | 每季度至少 1 次；" in text
    assert "（有一条即算完成，只对常委中界别为经济界的委员）" in text


@pytest.mark.parametrize(
    "period, message",
    [
        ("{every: quarter, months: [2], met: 1}", "months 只用于 every: month"),
        ("{every: month, missed: 2}", "应写负数"),
        ("{every: month}", "met 和 missed 至少写一个"),
        ("{every: month, months: [13], met: 1}", "须不大于 12"),
    ],
)
def test_a_per_period_rule_that_cannot_mean_anything_is_refused_at_its_line(period, message):
    text = UNLESS_WHO_PERIOD.replace("{every: quarter, missed: -1}", period)
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(text)
    [problem] = caught.value.problems
    assert message in problem.message
    line = next(n for n, text_line in enumerate(text.splitlines(), 1) if period in text_line)
    assert problem.cell.split(":")[0] == str(line)


MONTHLY = """
scheme: 每月学习
year: 2023
categories:
  - id: study
    name: 集体学习
    items:
      - id: monthly
        name: 每月读书活动
        match: {kind: activity, type: [读书]}
        per_period: {every: month, at_least: 1, met: 2, missed: -3}
grades: [{grade: 合格, min: 0}, {grade: 不合格}]
"""


@pytest.mark.parametrize(
    "as_of, total, missed",
    [
        # Jan met, Feb missed, Mar met; April not over on 04-29, over on 04-30 (missed).
        (dt.date(2023, 4, 29), 2 - 3 + 2, ["2023年2月"]),
        (dt.date(2023, 4, 30), 2 - 3 + 2 - 3, ["2023年2月", "2023年4月"]),
        # The whole year: 3 months met, 9 missed.
        (None, 3 * 2 - 9 * 3, None),
    ],
)
def test_a_progress_report_asks_only_for_the_periods_already_over(tmp_path, as_of, total, missed):
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(["001", "甲", "经济界"]),
            "活动": [
                ["活动名称", "活动类型", "日期", "参加委员"],
                ["一月读书", "读书", dt.date(2023, 1, 5), "甲"],
                ["三月读书", "读书", dt.date(2023, 3, 5), "甲"],
                ["五月读书", "读书", dt.date(2023, 5, 5), "甲"],
            ],
        },
    )
    rules = tmp_path / "office.yaml"
    rules.write_text(MONTHLY, encoding="utf-8")
    result = perfscore.assess(book, rules, as_of=as_of)
    assert result.members["total"].tolist() == [total]
    notes = result.ledger.loc[result.ledger["points"] < 0, "note"].tolist()
    if missed is not None:
        assert [note.split("未达到")[0] for note in notes] == missed
    else:
        assert len(notes) == 9 and notes[-1] == "2023年12月未达到（0 次，至少 1 次）"


NESTED = """
scheme: 嵌套分组
year: 2023
categories:
  - id: proposals
    name: 提案
    items:
      - {id: filed, name: 立案提案, match: {kind: proposal, status: [立案]}, points: 10}
grades: [{grade: 合格, min: 0}, {grade: 其他}]
groups:
  dimensions: [committee, committee/work_group]
"""


def test_nested_groups_pair_each_committee_with_its_subgroups(tmp_path):
    """By hand (10 per 立案 proposal): 001 经济委/第一小组 10; 002 经济委/第二小组 20;
    003 教育委/第一小组 30; 004 in 经济委 and 教育委, 第一小组, 40 — in both nested groups.
    经济委·第一小组: 10, 40 → mean 25; 经济委·第二小组: 20; 教育委·第一小组: 30, 40 → 35."""
    proposals = [["提案编号", "标题", "提交日期", "提案人", "状态"]]
    for member, count in (("甲", 1), ("乙", 2), ("丙", 3), ("丁", 4)):
        proposals += [
            [f"{member}{n}", f"提案{member}{n}", dt.date(2023, 3, n + 1), member, "立案"]
            for n in range(count)
        ]
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["001", "甲", "经济界", "经济委", "", "第一小组"],
                ["002", "乙", "经济界", "经济委", "", "第二小组"],
                ["003", "丙", "教育界", "教育委", "", "第一小组"],
                ["004", "丁", "教育界", "经济委、教育委", "", "第一小组"],
            ),
            "提案": proposals,
        },
    )
    rules = tmp_path / "office.yaml"
    rules.write_text(NESTED, encoding="utf-8")
    groups = perfscore.assess(book, rules).groups
    nested = groups[groups["dimension"] == "专委会/工作组"].set_index("group")
    assert nested["members"].to_dict() == {
        "经济委·第一小组": 2,
        "经济委·第二小组": 1,
        "教育委·第一小组": 2,
    }
    assert nested["mean"].to_dict() == {
        "经济委·第一小组": 25,
        "经济委·第二小组": 20,
        "教育委·第一小组": 35,
    }
    assert nested["group_rank"].to_dict() == {
        "经济委·第一小组": 2,
        "经济委·第二小组": 3,
        "教育委·第一小组": 1,
    }
    assert set(groups["dimension"]) == {"专委会", "专委会/工作组"}


@pytest.mark.parametrize(
    "dimension", ["committee/committee", "sector/committee/work_group", "联络组"]
)
def test_a_group_dimension_that_is_not_a_roster_column_is_refused(dimension):
    with pytest.raises(perfscore.RulesError) as caught:
        perfscore.parse_rules(NESTED.replace("committee/work_group", dimension))
    assert "分组" in caught.value.problems[0].message


def test_an_item_asked_of_some_members_counts_their_share_in_the_chart(tmp_path):
    """Three members, two 常委; only 甲 (常委) handed in the report: 履职报告 is done by 1 of
    the 2 asked (50%), 提一案 by 2 of 3 (66.7%)."""
    from perfscore.writers.charts import assessment_charts
    from perfscore.writers.common import checklist_table

    rules = tmp_path / "office.yaml"
    rules.write_text(UNLESS_WHO_PERIOD.replace(", sector: [经济界]", ""), encoding="utf-8")
    book = write_workbook(
        tmp_path / "2023.xlsx",
        {
            "委员名单": roster(
                ["001", "甲", "经济界", "", "", "", "是"],
                ["002", "乙", "教育界", "", "", "", ""],
                ["003", "丙", "农业界", "", "", "", "是"],
            ),
            "提案": [
                ["提案编号", "标题", "提交日期", "提案人", "状态"],
                ["P1", "提案一", dt.date(2023, 3, 1), "甲、乙", "立案"],
            ],
            "双五个一": [["委员", "项目", "日期"], ["甲", "履职报告", dt.date(2023, 11, 30)]],
            "活动": [["活动名称", "活动类型", "日期", "参加委员"]],
        },
    )
    result = perfscore.assess(book, rules)
    [chart] = [c for c in assessment_charts(result) if c.title.startswith("年度清单")]
    shares = dict(zip(chart.data["项目"], chart.data["完成率（%）"]))
    assert shares == {"提一案": 66.7, "履职报告": 50.0}
    sheet = checklist_table(result).set_index("委员编号")
    assert sheet.loc["002", "履职报告"] == "不要求" and sheet.loc["003", "履职报告"] == "未完成"
