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
